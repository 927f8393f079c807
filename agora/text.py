"""Text from strangers made safe to show: the one sanitizer of strings the chain carries.

The chain takes any bytes as a `string`: NUL, bytes that are not UTF-8, controls, Unicode's
direction overrides (which make `evil.exe` read as something else), megabytes. The mirror keeps
those bytes as they are (bytea) and shows `safe_text` of them: valid UTF-8 (an invalid sequence
becomes U+FFFD), no NUL or other C0/C1 control but newline and tab (a carriage return ends a line
too), none of the invisible marks that reorder or hide text, and at most `limit` characters (the
last one an ellipsis when cut). PostgreSQL's text takes the result as it is.
"""

from __future__ import annotations

import re

# What is removed: C0 controls but tab and newline (CR is turned into a newline first), DEL and
# C1 controls; the direction marks, embeddings, overrides and isolates (U+061C, U+200E/F,
# U+202A-E, U+2066-9); invisible characters that hide or join text unseen (zero-width space,
# word joiner and the invisible operators U+2060-4, the deprecated format characters
# U+206A-F, the byte-order mark, the interlinear annotation marks U+FFF9-B). Zero-width
# (non-)joiners stay: scripts and emoji sequences need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]+"
)
# The same for text that is all ASCII: bytes.translate deletes them without a regex.
_UNSAFE_ASCII = bytes(b for b in range(0x80) if b not in (0x09, 0x0A) and (b < 0x20 or b == 0x7F))
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")

ELLIPSIS = "…"

# Display caps of the strings the mirror shows, in characters. A description or a reason as
# long as the API lets anyone write one (api/governance/drafts.py, relays.py) is shown whole.
DESCRIPTION_CHARS = 10_000
REASON_CHARS = 1_000
NAME_CHARS = 100


def safe_text(raw: bytes, limit: int) -> str:
    """`raw` (any bytes) as text that is safe to show, of at most `limit` characters."""
    if raw.isascii():
        # The common case (and every empty vote reason) without decoding twice.
        if b"\r" in raw:
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        text = raw.translate(None, _UNSAFE_ASCII).decode("ascii")
    else:
        text = raw.decode("utf-8", errors="replace")
        text = _UNSAFE.sub("", _NEWLINES.sub("\n", text))
    if len(text) > limit:
        return text[: limit - 1] + ELLIPSIS
    return text
