"""Text safe to show: control characters from untrusted input (a name in a register, a facts document, a records
database) made visible instead of acted on.

An enterprise name can hold `\x1b]0;…\x07` (set the terminal's title), `\x1b[2J` (clear the screen) or a
right-to-left override that makes text read differently from what it is. Every renderer that puts input text
before a person (explain, records list, batch summaries, error messages) passes it through `printable`; the
command line also passes everything it prints through it (cli.common.SafeStream), so a renderer added later is
covered too. Line feeds and tabs are layout and stay; every other control character is shown as its escape
`\u001b`, `\u202e` — plain printable text, so applying `printable` twice changes nothing, and the JSON escape of
the same character, so JSON text stays the same JSON (json.dumps escapes C0 controls itself; the rest can only
occur inside strings, where `\u009b` means what the raw character meant).
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls (U+009B is a one-character CSI on some terminals), the
# bidirectional overrides and isolates, and the line and paragraph separators
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def printable(text: str) -> str:
    """`text` with every control character but line feed and tab written as its escape."""
    if _UNSAFE.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return _UNSAFE.sub(_escape, text)


def printable_line(text: str) -> str:
    """One line of `text` for a table cell or a single-line message: line feeds and tabs escaped too."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")
