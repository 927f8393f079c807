"""Scalars shared by the domains: `BigInt`, token amounts in base units."""

from __future__ import annotations

import re
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from api.core.errors import BadUserInput

# Up to uint256: 78 decimal digits.
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")

BigInt = NewType("BigInt", int)

# The schema's scalar_map (api/server/schema.py): strawberry deprecates wrapping the type itself,
# and its warning, at import, is an error under the tests' warning filter.
SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A token amount in base units (18 decimals), as a decimal string: JSON "
        "numbers cannot hold a uint256.",
        serialize=str,
        parse_value=lambda value: parse_big_int(value),
    )
}


def parse_big_int(value: object) -> int:
    """A non-negative amount given as a decimal string (a client's argument)."""
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise BadUserInput(
            'An amount is a decimal string of base units, like "1000000000000000000".'
        )
    return int(value)
