"""graphql-core's executor with a short path for plain fields.

A listing page is about 400 fields, nearly all of them plain attributes of objects built from
rows (a title, a score, the author). For each, graphql-core builds a resolve-info tuple, asks
strawberry's resolver (three calls to read one attribute), checks whether the answer is
awaitable, then walks `complete_value` through the NonNull wrapper to the scalar or object:
that was most of a listing request's CPU. Here a field with no resolver of its own and no
arguments is read directly: a scalar or enum is coerced at once, an object's fields are
executed at once.

Anything unusual (a null, a value the scalar refuses, an exception, an extension wrapping every
resolver) goes back to graphql-core's own `execute_field`, which reads the field again and
reports the error exactly as it always would: the short path only answers what graphql-core
would have answered the same way.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.core.selection import READ_AT_ONCE
from api.server import unsafe_text

# A leaf's completed value from its source object and the request's context, or _SLOW when
# graphql-core should decide.
_Leaf = Callable[[Any, Any], Any]


class _Plain(NamedTuple):
    read: Callable[[Any, Any], Any]  # the field's value on a source object, in a context
    field_type: GraphQLOutputType  # as declared, NonNull or not
    # exactly one of these two
    leaf: GraphQLScalarType | GraphQLEnumType | None
    object: GraphQLObjectType | None
    attribute: str | None  # the attribute it reads, for a field without a resolver
    complete: _Leaf | None = None  # a leaf's completion, made once per field (see _leaf)


def _plain(field: GraphQLField) -> _Plain | None:
    """How to answer `field` directly, or None when it needs graphql-core's full treatment."""
    if field.args:
        return None
    at_once = _at_once(field)
    if at_once is None and not getattr(field.resolve, "_is_default", False):
        return None
    read, attribute = (at_once, None) if at_once else _reader(field)
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        leaf = _Plain(read, field.type, named, None, attribute)
        return leaf._replace(complete=_leaf(leaf))
    # (is_type_of is how an interface's implementations are told apart: it needs the info)
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return _Plain(read, field.type, None, named, attribute)
    return None


def _at_once(field: GraphQLField) -> Callable[[Any, Any], Any] | None:
    """A resolver's reader of what it can answer at once (`READ_AT_ONCE`), if it has one."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(definition, "metadata", None) or {}
    reader: Callable[[Any, Any], Any] | None = metadata.get(READ_AT_ONCE)
    return reader


def _reader(field: GraphQLField) -> tuple[Callable[[Any, Any], Any], str | None]:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and getattr(definition, "default_resolver", None) is getattr:
        # what strawberry's resolver of a field without one does, minus three calls
        attribute = operator.attrgetter(definition.python_name)
        return (lambda source, _: attribute(source)), definition.python_name
    resolve = field.resolve
    assert resolve is not None  # only fields with a resolver reach here (see _plain)
    return (lambda source, _: resolve(source, None)), None


# Per object type, its plain fields by name. The schema is built once per process, so this
# fills up with the first few requests and never changes afterwards.
_PLAIN: dict[GraphQLObjectType, dict[str, _Plain]] = {}


def _plain_fields(parent_type: GraphQLObjectType) -> dict[str, _Plain]:
    found = _PLAIN.get(parent_type)
    if found is None:
        found = _PLAIN[parent_type] = {
            name: plain
            for name, field in parent_type.fields.items()
            if (plain := _plain(field)) is not None
        }
    return found


_SLOW = object()

# The scalars that answer a value of exactly this Python type as it is (graphql-core's
# serializers return such a value unchanged; an Int only within 32 bits, checked below).
_AS_IS: dict[GraphQLScalarType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _leaf(plain: _Plain) -> _Leaf:
    """How to complete a plain leaf field at once: specialized once per field, since a listing
    completes each of them for every item."""
    leaf = plain.leaf
    assert leaf is not None  # a leaf field's, by the caller
    nullable = not isinstance(plain.field_type, GraphQLNonNull)
    # (Any: a type compared with `is`, which mypy would narrow the value to)
    as_is: Any = _AS_IS.get(leaf) if isinstance(leaf, GraphQLScalarType) else None
    read = plain.read
    get = operator.attrgetter(plain.attribute) if plain.attribute else None

    def complete(source: Any, context: Any) -> Any:
        try:
            value = get(source) if get is not None else read(source, context)
            if value is None:
                return None if nullable else _SLOW
            if type(value) is as_is and (as_is is not int or _INT_MIN <= value <= _INT_MAX):
                return value
            if isinstance(value, Exception):
                return _SLOW
            coerced = leaf.coerce_output_value(value)
        except Exception:  # noqa: BLE001 - graphql-core reads it again and reports it
            return _SLOW
        return _SLOW if coerced is None or coerced is Undefined else coerced

    return complete


class _Plan(NamedTuple):
    """How to execute one selection on objects of one type (a listing's items share one)."""

    leaves: list[tuple[str, _Leaf]]  # the leaves answered at once, by response name
    objects: list[tuple[str, _Plain, FieldDetailsList]]  # the plain objects, executed at once
    rest: GroupedFieldSet  # what graphql-core executes
    order: list[str]  # the response names, in the order of the query


def _plan(plain: dict[str, _Plain], grouped_field_set: GroupedFieldSet) -> _Plan:
    leaves: list[tuple[str, _Leaf]] = []
    objects: list[tuple[str, _Plain, FieldDetailsList]] = []
    rest: GroupedFieldSet = {}
    for response_name, field_details_list in grouped_field_set.items():
        node = field_details_list[0].node
        field = plain.get(node.name.value)
        if field is None or node.arguments:
            rest[response_name] = field_details_list
        elif field.complete is not None:
            leaves.append((response_name, field.complete))
        else:
            objects.append((response_name, field, field_details_list))
    return _Plan(leaves, objects, rest, list(grouped_field_set))


class AgoraExecutor(StrawberryGraphQLCoreExecutionContext):
    _plans: dict[tuple[GraphQLObjectType, int], tuple[GroupedFieldSet, _Plan | None]] | None = None

    @classmethod
    def build(
        cls,
        schema: Any,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # Every operation (query, mutation, subscription) is built here before it runs: the one
        # place where text nothing could store is refused, whichever field it was meant for.
        refused = unsafe_text.find(document, raw_variable_values)
        if refused is not None:
            return [GraphQLError(refused.message, original_error=refused)]
        return super().build(
            schema, document, root_value, context_value, raw_variable_values, *args, **kwargs
        )

    def _short_paths(self, parent_type: GraphQLObjectType) -> dict[str, _Plain]:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:  # an extension wraps every resolver
            return {}
        return _plain_fields(parent_type)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        plan = self._plan_of(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # Plain leaves are answered here, without even a path, and plain objects executed; the
        # other fields go through graphql-core in one group. What is left to await is awaited
        # together (loaders batch what their fields ask), and the answers are put back in the
        # order of the query.
        results: dict[str, Any] = dict.fromkeys(plan.order)
        rest = plan.rest
        context = self.context_value
        for response_name, complete in plan.leaves:
            value = complete(source_value, context)
            if value is _SLOW:
                if rest is plan.rest:
                    rest = dict(rest)
                rest[response_name] = grouped_field_set[response_name]
            else:
                results[response_name] = value
        pending: list[str] = []
        try:
            for response_name, field, field_details_list in plan.objects:
                completed = self._object_at_once(
                    field,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if completed is _SLOW:
                    if rest is plan.rest:
                        rest = dict(rest)
                    rest[response_name] = field_details_list
                    continue
                results[response_name] = completed
                if self.is_awaitable(completed):
                    pending.append(response_name)
            executed = (
                super().execute_fields(parent_type, source_value, path, rest, position_context)
                if rest
                else {}
            )
        except Exception:
            # (as graphql-core does: what other fields started may fail too, and is settled)
            self.settle_in_background([results[name] for name in pending])
            raise
        if isinstance(executed, dict):
            results.update(executed)  # existing keys keep their place
            if not pending:
                return results
            return self._gather(results, pending, None)
        return self._gather(results, pending, executed)

    async def _gather(
        self,
        results: dict[str, Any],
        pending: list[str],
        executed: Awaitable[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        awaitables: list[Awaitable[Any]] = [results[name] for name in pending]
        if executed is not None:
            awaitables.append(executed)
        awaited = await gather_with_cancel(*awaitables)
        if executed is not None:
            results.update(awaited.pop())
        results.update(zip(pending, awaited, strict=True))
        return results

    def _plan_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> _Plan | None:
        """The plan of a selection, made once per operation: graphql-core collects a list's
        items' subfields once, so they share one grouped field set (kept alive beside its plan,
        so that its id is not reused while the operation runs)."""
        plans = self._plans
        if plans is None:
            plans = self._plans = {}
        key = (parent_type, id(grouped_field_set))
        found = plans.get(key)
        if found is None:
            plain = self._short_paths(parent_type)
            found = plans[key] = (
                grouped_field_set,
                _plan(plain, grouped_field_set) if plain else None,
            )
        return found[1]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field = self._short_paths(parent_type).get(node.name.value)
        if field is None or field.object is None or node.arguments:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        completed = self._object_at_once(field, source, field_details_list, path, position_context)
        if completed is _SLOW:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return completed

    def _object_at_once(
        self,
        field: _Plain,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A plain object field's completed value (or an awaitable of it), or _SLOW when
        graphql-core should read it itself."""
        try:
            value = field.read(source, self.context_value)
        except Exception:  # noqa: BLE001 - graphql-core reads it again and reports it
            return _SLOW
        if value is None or isinstance(value, Exception):
            return _SLOW
        assert field.object is not None  # an object field's, by the callers
        # What execute_field and complete_value do for an object once the resolver answered.
        try:
            completed = self.collect_and_execute_subfields(
                field.object, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_object(completed, field, field_details_list, path)
        return completed

    async def _await_object(
        self,
        completed: Awaitable[Any],
        field: _Plain,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.field_type, field_details_list, path)
            return None
