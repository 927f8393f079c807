"""Which requests may share one answer, and the key it is kept under.

Only reads do: requests whose every operation is a query. A mutation's answer (a sign-in nonce,
say) and its effect belong to the one who asked, and a subscription is a stream of its own.
Two reads share an answer when they ask the same document as graphql-core prints it (so
whitespace, comments and commas do not make a new one), the same operation and the same
variables, in any order of keys.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, print_ast


@dataclass(frozen=True, slots=True)
class ReadKey:
    document: str  # printed by graphql-core
    operation_name: str | None
    arguments: bytes  # a digest of the variables and extensions, as JSON with sorted keys

    @property
    def weight(self) -> int:
        """About the bytes it holds, for the caches bounded in bytes."""
        return 100 + len(self.document) + len(self.operation_name or "") + len(self.arguments)


def read_key(payload: Mapping[str, Any]) -> ReadKey | None:
    """The key of a request (already checked by `request_limits.check_operation`) that only
    reads; None for anything else, which is executed on its own."""
    document = _read_document(payload["query"])
    if document is None:
        return None
    # (what orjson decoded within the nesting limit, it encodes again)
    arguments = orjson.dumps(
        [payload.get("variables"), payload.get("extensions")], option=orjson.OPT_SORT_KEYS
    )
    # A digest, not the JSON: variables may take most of a body of up to MAX_BODY_BYTES, and
    # every cached answer holds its key.
    digest = hashlib.blake2b(arguments, digest_size=16).digest()
    return ReadKey(document, payload.get("operationName"), digest)


# Keyed by documents of at most MAX_QUERY_BYTES (32 KiB by default): at most 128 of them, with
# their printed forms, is a few MiB in the worst case. The web forum has about twenty.
@functools.lru_cache(maxsize=128)
def _read_document(query: str) -> str | None:
    """The document printed canonically, if each of its operations is a query."""
    try:
        document = parse(query)
    except GraphQLError:  # graphql-core's own errors, nesting too deep included
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations or any(op.operation is not OperationType.QUERY for op in operations):
        return None
    return print_ast(document)


@functools.lru_cache(maxsize=128)
def operation_kind(query: str) -> str:
    """What a request that is not a shared read asks, as GET /metrics counts it: `mutation`,
    `subscription` or `query` (its first operation's), or `invalid` when it does not parse."""
    try:
        document = parse(query)
    except GraphQLError:
        return "invalid"
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.operation.value
    return "invalid"
