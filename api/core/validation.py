"""Input checks shared by the mutations, each failing with a message that names the field."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from eth_utils import is_checksum_address

from api.core.errors import BadUserInput, shown

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
ZERO_ADDRESS = "0x" + "0" * 40


def text(value: str, *, field: str, label: str, min_length: int = 1, max_length: int) -> str:
    value = value.strip()
    if len(value) < min_length:
        raise BadUserInput(f"{label} cannot be empty.", field=field)
    if len(value) > max_length:
        raise BadUserInput(
            f"{label} is too long ({len(value)} characters; the limit is {max_length}).",
            field=field,
        )
    return value


def optional_text(value: str | None, *, field: str, label: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    return text(value, field=field, label=label, max_length=max_length)


def link(value: str | None, *, field: str = "url") -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadUserInput("A link must be a full http:// or https:// address.", field=field)
    if len(value) > 2000:
        raise BadUserInput("That link is too long (the limit is 2000 characters).", field=field)
    return value


def address(value: str, *, field: str) -> str:
    """A wallet address, as lower-case '0x' and 40 hexadecimal digits.

    Any letter case is taken, but a mixed-case address carries an EIP-55 checksum and must pass
    it: a wallet gives that form, so a mixed-case address that fails it was mistyped, and acting
    on it would name someone else (or no one). All lower or all upper case carries no checksum.
    """
    value = value.strip()
    if _ADDRESS.fullmatch(value) is None:
        raise BadUserInput(
            f"'{shown(value)}' is not a wallet address (0x and 40 hexadecimal digits).",
            field=field,
        )
    digits = value[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(value):
        raise BadUserInput(
            f"{value} fails its EIP-55 checksum: a letter's case is wrong, so a character may be "
            "mistyped. Copy the address from the wallet again.",
            field=field,
        )
    return value.lower()


def person_address(value: str, *, field: str) -> str:
    """A person's wallet address (whom a governance action names), lower-case '0x…': checked as
    any address, and not the zero address, which no one holds (the registry reverts an election
    of it at execution, and no one can sign for it)."""
    checked = address(value, field=field)
    if checked == ZERO_ADDRESS:
        raise BadUserInput("The zero address belongs to no one.", field=field)
    return checked
