"""Input checks shared by the mutations, each failing with a message that names the field."""

from __future__ import annotations

from urllib.parse import urlsplit

from api.core.errors import BadUserInput


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
