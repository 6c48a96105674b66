"""Output that never fails on the terminal's encoding.

A Chinese Windows console or a redirected file is often GBK (cp936); a minimal container is ASCII. Python then
raises UnicodeEncodeError on the first ✓ or ✗ — a crash after half the output. Instead, the standard streams get
an error handler that writes a plain fallback for each symbol the encoding lacks (the first of its fallbacks
the encoding can write: [√] in GBK, [v] in ASCII), and a \\u escape (four hex digits) for any other
character it cannot write, so nothing is lost silently and nothing fails. Text the encoding can write is untouched."""

from __future__ import annotations

import codecs
import io
from typing import Any, TextIO

ERRORS = "policyrules-fallback"

# symbol -> fallbacks, best first; the last is always ASCII
FALLBACKS: dict[str, tuple[str, ...]] = {
    "✓": ("[√]", "[v]"),
    "✗": ("[×]", "[x]"),
    "⚠": ("[!]",),
    "¬": ("not ",),  # where these appear (diff regions, atom keys) the text around them is English
    "∋": (" contains ",),
    "∌": (" lacks ",),
    "∈": (" in ",),
    "∧": (" and ",),
    "∨": (" or ",),
    "≥": (">=",),
    "≤": ("<=",),
    "≠": ("!=",),
    "→": ("->",),
    "—": ("--",),
    "–": ("-",),
    "·": ("-",),
    "…": ("...",),
    "「": ('"',),
    "」": ('"',),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "※": ("*",),
    "√": ("[v]",),
    "×": ("x",),
}


def _fallback(char: str, encoding: str) -> str:
    for candidate in FALLBACKS.get(char, ()):
        try:
            candidate.encode(encoding)
        except UnicodeEncodeError:
            continue
        return candidate
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(_fallback(c, exc.encoding) for c in text), exc.end


codecs.register_error(ERRORS, _handler)


def fallback_text(text: str, encoding: str) -> str:
    """`text` as it is written to a stream of `encoding` (what the error handler makes of it)."""
    return text.encode(encoding, errors=ERRORS).decode(encoding)


def make_safe(stream: Any) -> None:
    """Give a standard stream the fallback handler (a stream without `reconfigure`, as under a test's capture,
    is left as it is)."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors=ERRORS)


def can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
