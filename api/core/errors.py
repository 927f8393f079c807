"""The errors a client can see. Each carries a stable `extensions.code` and a message a person can
act on; anything else becomes INTERNAL with a generic message, so no stack trace or SQL leaks."""

from __future__ import annotations

from typing import Any


class AgoraError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code, **extensions}


class Unauthenticated(AgoraError):
    code = "UNAUTHENTICATED"


class Forbidden(AgoraError):
    code = "FORBIDDEN"


class NotFound(AgoraError):
    code = "NOT_FOUND"


class BadUserInput(AgoraError):
    """Bad input; `field` names the input field at fault when there is one."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        if field is None:
            super().__init__(message)
        else:
            super().__init__(message, field=field)


class RateLimited(AgoraError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retryAfter=retry_after)


class Conflict(AgoraError):
    code = "CONFLICT"


CODES = frozenset(
    cls.code for cls in (Unauthenticated, Forbidden, NotFound, BadUserInput, RateLimited, Conflict)
) | {"INTERNAL"}

INTERNAL_MESSAGE = "Something went wrong on our side. Please try again in a moment."


def shown(value: str, limit: int = 40) -> str:
    """`value` as an error message may quote it: at most `limit` characters, and only ones that
    JSON can carry, so a client's 100,000-character id is not sent back to it whole."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.encode("utf-8", "replace").decode("utf-8")
