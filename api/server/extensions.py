"""Schema extensions: stable error codes, and limits on what one query may ask for."""

from __future__ import annotations

import logging

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaskErrors

from api.core.errors import INTERNAL_MESSAGE, AgoraError
from api.core.pagination import MAX_PAGE_SIZE

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
        original = error.original_error
        if isinstance(original, AgoraError):
            extensions = original.extensions
            message = original.message
        elif original is None:
            extensions = {"code": (error.extensions or {}).get("code", "BAD_USER_INPUT")}
            message = error.message
        else:
            log.error("internal error at %s", error.path, exc_info=original)
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


# What a list field without a `first` argument may return, for the cost estimate.
_LIST_SIZES = {"moderators": 10, "joinedCommunities": 50, "comments": 500, "rules": 1}


def _page_size(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            return MAX_PAGE_SIZE  # a variable: assume the largest page it may ask for
    return _LIST_SIZES.get(node.name.value, 1)


def _cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = _cost(selection.selection_set, fragments, seen)
            total += 1 + _page_size(selection) * inner if selection.selection_set else 0
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _cost(fragment.selection_set, fragments, seen | {name})
    return total


def cost_limit_rule(max_cost: int) -> type[ValidationRule]:
    """A rule refusing operations that could return more than `max_cost` objects."""

    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    cost = _cost(definition.selection_set, fragments, frozenset())
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
