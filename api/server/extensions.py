"""Schema extensions: stable error codes, and limits on what one query may ask for."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from graphql.language import DocumentNode, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionResult

from api.core.errors import INTERNAL_MESSAGE, AgoraError, shown
from api.core.pagination import MAX_PAGE_SIZE, max_items

log = logging.getLogger("agora.api")


class ErrorCodes(MaskErrors):
    """Give every error an `extensions.code`; hide the text of unexpected ones.

    Our own errors keep their message and code. Errors graphql-core raises before running anything
    (syntax, unknown fields, wrong argument types, the limits below) are the client's: their
    messages are safe and say what to fix, so they keep them with BAD_USER_INPUT. Anything else
    is a bug of ours: logged with its traceback, and sent as INTERNAL with a generic message.
    """

    def __init__(self) -> None:
        super().__init__(error_message=INTERNAL_MESSAGE)

    def _process_result(self, result: object) -> None:
        # What MaskErrors does, without its check against a runtime Protocol (which inspects
        # the class's members on every call: a visible share of a small request's CPU) for the
        # results an HTTP request or a subscription's event has.
        if isinstance(result, GraphQLExecutionResult | ExecutionResult):
            if result.errors:
                result.errors = self._process_errors(result.errors)
            return
        super()._process_result(result)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._coded(error) for error in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        # graphql-core wraps the errors of reading variables in another GraphQLError: the cause
        # is the innermost one that is not.
        cause = error.original_error
        while isinstance(cause, GraphQLError):
            cause = cause.original_error
        if isinstance(cause, AgoraError):
            extensions = cause.extensions
            message = cause.message
        elif cause is None:
            extensions = {"code": (error.extensions or {}).get("code", "BAD_USER_INPUT")}
            message = _bounded(error.message)
        else:
            log.error("internal error at %s", error.path, exc_info=cause)
            extensions = {"code": "INTERNAL"}
            message = INTERNAL_MESSAGE
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )


def _bounded(message: str) -> str:
    """graphql-core's messages quote the client's names and values (up to 240 characters each,
    and names in full): a message that long says nothing more, and must stay valid UTF-8."""
    return shown(message, limit=MAX_MESSAGE_LENGTH)


MAX_MESSAGE_LENGTH = 500


def _list_size(field: GraphQLField, node: FieldNode) -> int:
    """The most items `field` may return for `node`: a page's `first`, or what the field
    declares (`max_items`); 1 for a field that is not a list."""
    if "first" in field.args:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    first = int(argument.value.value)
                    if 1 <= first <= MAX_PAGE_SIZE:
                        return first
                # A variable, or a size the field refuses: the largest page it may answer.
                return MAX_PAGE_SIZE
        default = field.args["first"].default_value
        return default if isinstance(default, int) else MAX_PAGE_SIZE
    return max_items(field) or 1


def _cost(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType | None,
    context: ValidationContext,
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields = getattr(parent, "fields", {})
            field = fields.get(selection.name.value)
            if selection.selection_set is None:
                # A scalar comes with its object, unless making it costs of its own.
                total += _field_cost(field) if field else 0
                continue
            inner_type = get_named_type(field.type) if field else None
            inner = _cost(selection.selection_set, inner_type, context, seen)
            total += (_list_size(field, selection) if field else 1) * (1 + inner)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner_type = context.schema.get_type(condition.name.value) if condition else parent
            total += _cost(selection.selection_set, inner_type, context, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is not None and name not in seen:
                inner_type = context.schema.get_type(fragment.type_condition.name.value)
                total += _cost(fragment.selection_set, inner_type, context, seen | {name})
    return total


# What a field costs each time an operation names it, beyond the objects it returns (strawberry
# field metadata): for leaves that are work to make, such as a markdown preview.
COST = "agora.cost"


def _field_cost(field: GraphQLField) -> int:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    cost: int = getattr(definition, "metadata", {}).get(COST, 0)
    return cost


def cost_limit_rule(max_cost: int) -> type[ValidationRule]:
    """A rule refusing operations that could return more than `max_cost` objects."""

    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for definition in context.document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    root = context.schema.get_root_type(definition.operation)
                    cost = _cost(definition.selection_set, root, context, frozenset())
                    if cost > max_cost:
                        context.report_error(
                            GraphQLError(
                                f"This query could return about {cost} objects; the limit is "
                                f"{max_cost}. Ask for smaller pages or fewer nested lists.",
                                definition,
                            )
                        )

    return CostLimit


class Operations(ErrorCodes):
    """The limits on an operation (depth, aliases, tokens, cost), its parsing and validation
    cached by the document's text, and its errors coded (`ErrorCodes`): what strawberry's
    QueryDepthLimiter, MaxAliasesLimiter, MaxTokensLimiter, our cost rule, ParserCache,
    ValidationCache and MaskErrors do, in one extension.

    Why one: strawberry makes every extension anew and looks up its hooks at every stage of
    every request (with six of them that was about 5% of an executed listing's CPU, and with
    two still a few percent of a vote's), and its ValidationCache keys by the parsed document,
    whose hash walks the whole tree (~30 µs for the forum's Posts query) on every request. The
    text is the key here: it parses to the same document, and the schema, the token limit and
    the rules are fixed for the process.

    Make one `OperationsConfig` per schema and pass `lambda: Operations(config)`: an extension
    instance holds one request's execution context, so each request gets its own.
    """

    def __init__(self, config: OperationsConfig) -> None:
        super().__init__()
        self.config = config

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.config.max_tokens
        context.validation_rules = context.validation_rules + self.config.rules
        if context.query:
            # Parsed and validated here rather than in on_parse and on_validate, which cost a
            # few percent of a vote's CPU in strawberry's hook machinery: strawberry parses no
            # document it is given, and validates none whose errors are known (an empty list
            # when valid), and still checks the operation's type before it reads those errors.
            # A syntax error raised here ends the operation as one raised in on_parse did (no
            # error coding: the view gives it its code). An empty text is left to strawberry,
            # which refuses it as a request without a query.
            context.graphql_document = self.config.parse(context.query)
            context.pre_execution_errors = self.config.validate(
                context.schema._schema, context.query, context.validation_rules
            )
        # (ErrorCodes': the errors of the result are coded once it is there)
        yield from super().on_operation()


class OperationsConfig:
    """What every request's `Operations` shares: the limits and the two caches (bounded, so
    distinct documents cannot grow them without limit)."""

    def __init__(
        self, *, max_depth: int, max_aliases: int, max_tokens: int, max_cost: int, cache_size: int
    ) -> None:
        self.max_tokens = max_tokens
        self.rules: tuple[type[ASTValidationRule], ...] = (
            *(
                rule
                for limiter in (
                    QueryDepthLimiter(max_depth=max_depth),
                    MaxAliasesLimiter(max_alias_count=max_aliases),
                )
                for rule in limiter.validation_rules
            ),
            cost_limit_rule(max_cost),
        )
        self.parse: Callable[[str], DocumentNode] = functools.lru_cache(maxsize=cache_size)(
            self._parse
        )
        self.validate: Callable[..., list[GraphQLError]] = functools.lru_cache(maxsize=cache_size)(
            self._validate
        )

    def _parse(self, query: str) -> DocumentNode:
        return parse(query, max_tokens=self.max_tokens)

    def _validate(
        self, schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        # The document of `query` is the parse cache's (the same object on_parse gave).
        return validate_document(schema, self.parse(query), rules)
