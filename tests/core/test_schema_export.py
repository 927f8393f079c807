"""The frontend's copy of the schema is the API's schema."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from api.server.export_schema import LIMITS_TARGET, TARGET, limits, sdl
from api.server.schema import schema

# GraphQL's own scalars, described by the specification.
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_frontend_schema_matches_the_api() -> None:
    assert TARGET.read_text() == sdl(), "run: python -m api.server.export_schema"


def test_the_frontend_forms_share_the_api_limits() -> None:
    assert LIMITS_TARGET.read_text() == limits(), "run: python -m api.server.export_schema"


def test_every_type_field_argument_and_value_a_client_sees_is_described() -> None:
    # GraphiQL shows a client these descriptions: an undescribed name tells them nothing.
    undescribed = []
    for name, named in schema._schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not named.description:
            undescribed.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not field.description:
                    undescribed.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        undescribed.append(f"{name}.{field_name}({arg_name})")
        if isinstance(named, GraphQLEnumType):
            undescribed += [
                f"{name}.{v}" for v, value in named.values.items() if not value.description
            ]
    assert undescribed == [], "add a description= to each"
