"""Cutting a text register (JSONL, CSV) into records, as bytes, so that every row is counted exactly once.

- Lines end at LF, CRLF or a lone CR (a register saved by an old Mac program, or by hand, has CR-only ends; read
  at LF only, such a file would be one row).
- A CSV record is a line, or several lines while a quoted field is open. A quote opens a quoted field only at the
  start of a field, as Python's csv module reads it: in `5" 钢管,…` the quote is part of the text and opens nothing
  (counting quotes would join that row with the next ones and misnumber every row after it).
- A quote that is never closed would swallow the rest of the file into one cell. A record still open at the end
  of the file, or grown past `MAX_RECORD_BYTES`, is cut back to the lines up to its unclosed quote, reported as a
  broken row, and the lines after it are read again as rows of their own.

Neither a quote, a comma nor a line end occurs inside a multi-byte character in UTF-8 or GB 18030, so the bytes
can be cut without decoding them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO

# A quoted field longer than this is taken for an unclosed quote: far beyond csv's own field limit (131,072
# characters), and it bounds the memory one record may hold.
MAX_RECORD_BYTES = 8 << 20
BLOCK = 1 << 15  # small: the progress bar and the read-ahead follow the rows, not the blocks

UNCLOSED_QUOTE = (
    'a quoted field opened in this row is never closed (a " with no closing "): the row is not read, '
    'the rows after it are; close the quote or double it ("") inside the text'
)


def lines(binary: IO[bytes]) -> Iterator[bytes]:
    """The lines of a binary stream with their line ends (LF, CRLF or CR), read a block at a time."""
    read = getattr(binary, "read1", binary.read)
    carry = b""
    while True:
        block = read(BLOCK)
        if not block:
            if carry:
                yield carry
            return
        parts = (carry + block).splitlines(keepends=True)
        carry = parts.pop()  # may be cut, or a CR whose LF is in the next block
        yield from parts


# A whole record on one line, its quoted fields all closed: matched in C, the common case of a line with quotes
# (quoted JSON cells, their quotes doubled), with no walk; a line it does not match takes quote_open_after's walk.
# The quantifiers are possessive: a field never gives back what it matched, so a line costs one pass.
_FIELD = rb'(?:"[^"]*+(?:""[^"]*+)*+"|[^,"\r\n][^,\r\n]*+|)'
_CLOSED_LINE = re.compile(_FIELD + rb"(?:," + _FIELD + rb")*+(?:\r\n|\n|\r)?")


def closed_at_a_glance(line: bytes) -> bool:
    """True only for a line (starting outside quotes) that is a whole record: False means "look closer"
    (quote_open_after), never "open"; tests/test_register_rows.py checks it against the walk on every short line."""
    return _CLOSED_LINE.fullmatch(line) is not None


def quote_open_after(line: bytes, inside: bool) -> tuple[bool, int]:
    """Whether a quoted field is still open at the end of `line` given whether one was open at its start, and the
    offset of the last quote that opened a field (-1 if none did)."""
    opened_at = -1
    pos = line.find(b'"')
    while pos >= 0:
        if inside:
            if line[pos + 1 : pos + 2] == b'"':  # "" inside quotes: a quote in the text
                pos = line.find(b'"', pos + 2)
                continue
            inside = False
        elif pos == 0 or line[pos - 1] == 0x2C:  # at the start of a field (0x2C: ',')
            inside = True
            opened_at = pos
        pos = line.find(b'"', pos + 1)
    return inside, opened_at


def csv_records(source: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """(record, broken) for every CSV record in the lines of `source`; `broken` marks a record whose quoted field
    is never closed (see the module docstring)."""
    queue: deque[bytes] = deque()
    feed = iter(source)
    pending: list[bytes] = []
    size = 0
    inside = False
    opened_line = 0  # index in `pending` of the line where the open quote was opened
    while True:
        line = queue.popleft() if queue else next(feed, b"")
        if not line:
            if not pending:
                return
            inside = False  # the file ended inside quotes: cut back, as below
        elif not inside and (b'"' not in line or closed_at_a_glance(line)):  # the common cases
            yield line, False
            continue
        else:
            was_inside = inside
            inside, opened_at = quote_open_after(line, inside)
            if inside and (opened_at >= 0 or not was_inside):
                opened_line = len(pending)
            pending.append(line)
            size += len(line)
            if not inside:
                yield b"".join(pending), False
                pending, size = [], 0
                continue
            if size <= MAX_RECORD_BYTES:
                continue
        yield b"".join(pending[: opened_line + 1]), True
        queue.extendleft(reversed(pending[opened_line + 1 :]))
        pending, size, inside = [], 0, False
