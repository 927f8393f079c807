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
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.server import unsafe_text


class _Plain(NamedTuple):
    read: Callable[[Any], Any]  # the field's value on a source object
    field_type: GraphQLOutputType  # as declared, NonNull or not
    # exactly one of these two
    leaf: GraphQLScalarType | GraphQLEnumType | None
    object: GraphQLObjectType | None


def _plain(field: GraphQLField) -> _Plain | None:
    """How to answer `field` directly, or None when it needs graphql-core's full treatment."""
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return _Plain(_reader(field), field.type, named, None)
    # (is_type_of is how an interface's implementations are told apart: it needs the info)
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return _Plain(_reader(field), field.type, None, named)
    return None


def _reader(field: GraphQLField) -> Callable[[Any], Any]:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is not None and getattr(definition, "default_resolver", None) is getattr:
        # what strawberry's resolver of a field without one does, minus three calls
        return operator.attrgetter(definition.python_name)
    resolve = field.resolve
    assert resolve is not None  # only fields with a resolver reach here (see _plain)
    return lambda source: resolve(source, None)


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


def _leaf_value(plain: _Plain, source: Any) -> Any:
    """The completed value of a plain leaf field, or _SLOW when graphql-core should decide."""
    try:
        value = plain.read(source)
        if value is None:
            return None if not isinstance(plain.field_type, GraphQLNonNull) else _SLOW
        if isinstance(value, Exception):
            return _SLOW
        assert plain.leaf is not None  # a leaf field's, by the caller
        coerced = plain.leaf.coerce_output_value(value)
    except Exception:  # noqa: BLE001 - graphql-core reads it again and reports it
        return _SLOW
    return _SLOW if coerced is None or coerced is Undefined else coerced


class AgoraExecutor(StrawberryGraphQLCoreExecutionContext):
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
        plain = self._short_paths(parent_type)
        if not plain:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # Leaves are answered here, without even a path; the other fields go through
        # graphql-core in one group, so that it awaits them together, and their answers are
        # put back in the order of the query.
        results: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field = plain.get(node.name.value)
            value = _SLOW
            if field is not None and field.leaf is not None and not node.arguments:
                value = _leaf_value(field, source_value)
            if value is _SLOW:
                rest[response_name] = field_details_list
                results[response_name] = None  # holds the place
            else:
                results[response_name] = value
        if not rest:
            return results
        executed = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(executed, dict):
            results.update(executed)  # existing keys keep their place
            return results

        async def merge_when_done() -> dict[str, Any]:
            results.update(await executed)
            return results

        return merge_when_done()

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
        try:
            value = field.read(source)
        except Exception:  # noqa: BLE001 - graphql-core reads it again and reports it
            value = None
        if value is None or isinstance(value, Exception):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
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
