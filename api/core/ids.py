"""Opaque global IDs: base64url("Type:number"). A vote or report names its target by one ID
whatever its type, and clients never build IDs by hand."""

from __future__ import annotations

import base64
import binascii
import functools
import re

from api.core.errors import BadUserInput, shown
from governance.tips import item_ref

# Row ids are PostgreSQL bigints: a number past this would overflow the query's parameter.
MAX_ROW_ID = 2**63 - 1
_NUMBER = re.compile(r"[1-9][0-9]{0,18}")


@functools.lru_cache(maxsize=65536)
def encode(kind: str, number: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def decode(global_id: str, *kinds: str, field: str = "id") -> tuple[str, int]:
    """Return (kind, number); the kind must be one of `kinds`, the number a row id (1..2^63-1)."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        kind, _, number = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(f"'{shown(global_id)}' is not a valid id.", field=field) from None
    # Only the digits encode() writes: no sign, spaces, underscores or other scripts' digits.
    if not _NUMBER.fullmatch(number) or int(number) > MAX_ROW_ID:
        raise BadUserInput(f"'{shown(global_id)}' is not a valid id.", field=field)
    if kind not in kinds:
        expected = " or ".join(k.lower() for k in kinds)
        raise BadUserInput(f"'{shown(global_id)}' is not the id of a {expected}.", field=field)
    return kind, int(number)


def decode_one(global_id: str, kind: str, *, field: str = "id") -> int:
    return decode(global_id, kind, field=field)[1]


@functools.lru_cache(maxsize=65536)
def tip_ref(kind: str, number: int) -> bytes:
    """The `itemRef` a tip for this item carries: keccak256 of its GraphQL id (hashed once: a
    page of posts needs each of its items' refs on every request)."""
    return item_ref(encode(kind, number))
