"""`agora.text.safe_text`: any bytes as text that is safe to show."""

from __future__ import annotations

import pytest

from agora.text import safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"", ""),
        (b"plain words", "plain words"),
        (b"poison\x00pill", "poisonpill"),
        (b"caf\xe9", "caf\ufffd"),  # Latin-1, not UTF-8
        (b"a\r\nb\rc\nd\te", "a\nb\nc\nd\te"),
        (b"\x1b[2J\x07\x7f", "[2J"),
        ("C1\u0085 line, \u0090DCS".encode(), "C1\n line, DCS"),
        ("abc\u202egpj.exe".encode(), "abcgpj.exe"),
        ("\u2066iso\u2069 \u200emark\u200f \u061calm".encode(), "iso mark alm"),
        ("zero\u200bwidth\ufeff".encode(), "zerowidth"),
        # Joiners stay: emoji sequences and some scripts need them.
        ("👩\u200d💻 \u0915\u094d\u200d\u0937".encode(), "👩\u200d💻 \u0915\u094d\u200d\u0937"),
    ],
)
def test_safe_text_keeps_what_can_be_shown_and_drops_the_rest(raw: bytes, shown: str) -> None:
    assert safe_text(raw, 100) == shown


def test_safe_text_caps_with_an_ellipsis() -> None:
    assert safe_text(b"x" * 10, 10) == "x" * 10
    assert safe_text(b"x" * 11, 10) == "x" * 9 + "…"
    assert safe_text("é".encode() * 11, 10) == "é" * 9 + "…"
