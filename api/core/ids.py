"""Opaque global IDs: base64url("Type:number"). A vote or report names its target by one ID
whatever its type, and clients never build IDs by hand."""

from __future__ import annotations

import base64
import binascii
import functools

from api.core.errors import BadUserInput


@functools.lru_cache(maxsize=65536)
def encode(kind: str, number: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def decode(global_id: str, *kinds: str, field: str = "id") -> tuple[str, int]:
    """Return (kind, number); the kind must be one of `kinds`."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        kind, _, number = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        value = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"'{global_id}' is not a valid id.", field=field) from None
    if kind not in kinds or value <= 0:
        expected = " or ".join(k.lower() for k in kinds)
        raise BadUserInput(f"'{global_id}' is not the id of a {expected}.", field=field)
    return kind, value


def decode_one(global_id: str, kind: str, *, field: str = "id") -> int:
    return decode(global_id, kind, field=field)[1]
