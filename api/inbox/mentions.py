"""Mentions: `@0x…` with a full 40-hex address, in a post or a comment."""

from __future__ import annotations

from api.core.errors import BadUserInput
from api.core.markdown import MENTION

# At most this many people can be mentioned by one item: each is a notification, so the
# number is what keeps mentions from being a way to spam.
MAX_MENTIONS = 20


def mentioned(*texts: str | None) -> list[str]:
    """The addresses mentioned in `texts` (lower-case, each once, in order of appearance);
    refused when they are more than MAX_MENTIONS."""
    found = list(
        dict.fromkeys(m.group(1).lower() for text in texts if text for m in MENTION.finditer(text))
    )
    if len(found) > MAX_MENTIONS:
        raise BadUserInput(
            f"You can mention at most {MAX_MENTIONS} people in one post or comment.",
            field="body",
        )
    return found
