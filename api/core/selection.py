"""Fields a listing answers with its page: what an operation asks below the field being resolved
lets a listing load, with its page, the data of the fields its items will be asked for (one
query for the page, before the items are built), and such a field's resolver declares how it
answers at once from what was loaded, instead of a resolver per item awaiting a loader."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode
from graphql.language import SelectionSetNode

from api.core.types import Info

# Strawberry field metadata of a resolver: `reader(source, context)` answers what the resolver
# would, without its info, when it can at once, else None (then the resolver runs as usual).
# graphql-core's full path through a resolver (its info, strawberry's wrappers, the arguments)
# cost more than the value of a field a listing asks 25 times (api.server.execution).
READ_AT_ONCE = "agora.read_at_once"

# Per field of a document (its nodes' ids, kept alive beside the answer so an id is never
# reused while cached) and path: the names asked there. Documents come from the bounded parse
# cache (api.server.extensions), so this is bounded too; cleared whole when full.
_ASKED: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[object, frozenset[str]]] = {}
_ASKED_SIZE = 1024


def asked_at(info: Info, path: tuple[str, ...]) -> frozenset[str]:
    """The names of the fields the operation asks at `path` below the current field (through
    fragments; whatever directives say, so at worst a name too many): `("edges", "node")` of a
    connection gives what its items are asked."""
    raw = info._raw_info
    nodes = raw.field_nodes
    key = (tuple(id(node) for node in nodes), path)
    found = _ASKED.get(key)
    if found is not None:
        return found[1]
    names = frozenset(_names_at([node.selection_set for node in nodes], path, raw.fragments))
    if len(_ASKED) >= _ASKED_SIZE:
        _ASKED.clear()
    _ASKED[key] = (nodes, names)
    return names


def _names_at(
    sets: Iterable[SelectionSetNode | None],
    path: tuple[str, ...],
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterable[str]:
    for field in _fields(sets, fragments, frozenset()):
        if not path:
            yield field.name.value
        elif field.name.value == path[0]:
            yield from _names_at([field.selection_set], path[1:], fragments)


def _fields(
    sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> Iterable[FieldNode]:
    for selection_set in sets:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from _fields([selection.selection_set], fragments, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    yield from _fields([fragment.selection_set], fragments, seen | {name})
