"""Text that cannot be stored, found in an operation's input before anything runs.

PostgreSQL text cannot hold NUL, and an unpaired UTF-16 surrogate (which JSON's `\\ud800`
escape can carry into a variable) has no UTF-8 form: neither can be stored, compared in a query or
even sent back in a response. Every string a client sends reaches a resolver as an argument, from
a literal of the document or from a variable, so this one check, made as the operation starts,
covers every field of the schema, the ones to come included.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

from api.core.errors import BadUserInput

MESSAGE = (
    "This text contains a character that cannot be stored (a NUL character or an unpaired "
    "surrogate); remove it and try again."
)


def is_unsafe(text: str) -> bool:
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def find(document: DocumentNode, variables: dict[str, Any] | None) -> BadUserInput | None:
    """The error for the first unsafe text in the document's literals or in `variables`, naming
    the argument or input field it was given for."""
    source = document.loc.source.body if document.loc else None
    # A literal can only hold NUL through an escape (\u0000 or \u{0}), and the lexer refuses
    # unpaired surrogates: most documents need no walk at all.
    if source is None or "\\u" in source:
        literal = _Literals()
        visit(document, literal)
        if literal.field is not None:
            return BadUserInput(MESSAGE, field=literal.field)
    for name, value in (variables or {}).items():
        field = _unsafe_in(value, name)
        if field is not None:
            return BadUserInput(MESSAGE, field=_argument_of(document, name, field))
    return None


def _unsafe_in(value: Any, field: str) -> str | None:
    """The name of the innermost input field holding unsafe text in a variable's value."""
    pending = [(value, field)]
    while pending:
        value, field = pending.pop()
        if isinstance(value, str):
            if is_unsafe(value):
                return field
        elif isinstance(value, dict):
            for key, item in value.items():
                if is_unsafe(key):
                    return field
                pending.append((item, key))
        elif isinstance(value, list):
            pending.extend((item, field) for item in value)
    return None


def _argument_of(document: DocumentNode, variable: str, field: str) -> str:
    """`field`, unless it is the variable itself: then the argument the variable is given to."""
    if field != variable:
        return field
    uses = _Uses(variable)
    visit(document, uses)
    return uses.field or variable


def _enclosing_name(parent: Any, ancestors: list[Any]) -> str | None:
    for node in (parent, *reversed(ancestors)):
        if isinstance(node, ArgumentNode | ObjectFieldNode):
            return node.name.value
        if isinstance(node, VariableDefinitionNode):
            return node.variable.name.value
    return None


class _Literals(Visitor):
    field: str | None = None

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> Any:
        if is_unsafe(node.value):
            self.field = _enclosing_name(parent, ancestors) or "query"
            return self.BREAK
        return None


class _Uses(Visitor):
    field: str | None = None

    def __init__(self, variable: str) -> None:
        super().__init__()
        self.variable = variable

    def enter_variable(
        self, node: VariableNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> Any:
        if node.name.value == self.variable and not isinstance(parent, VariableDefinitionNode):
            self.field = _enclosing_name(parent, ancestors)
            return self.BREAK
        return None
