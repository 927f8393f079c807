"""Schema extensions: stable error codes, and limits on what one query may ask for."""

from __future__ import annotations

import logging

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from strawberry.extensions import AddValidationRules, MaskErrors

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
            if selection.selection_set is None:
                continue  # a scalar comes with its object
            fields = getattr(parent, "fields", {})
            field = fields.get(selection.name.value)
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


class CostLimiter(AddValidationRules):
    def __init__(self, max_cost: int) -> None:
        super().__init__([cost_limit_rule(max_cost)])
