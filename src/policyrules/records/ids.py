"""Record ids: ULIDs, 26 characters of Crockford base32 that sort in the order they were made."""

from __future__ import annotations

import os
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_LOCK = threading.Lock()
_last_id = 0


_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)  # every 10 bits as two characters


def format_id(value: int) -> str:
    """A 128-bit id as a ULID: 26 characters of Crockford base32, whose order is the numeric order."""
    pairs = _PAIRS
    return "".join(
        (
            pairs[value >> 120 & 1023], pairs[value >> 110 & 1023], pairs[value >> 100 & 1023],
            pairs[value >> 90 & 1023], pairs[value >> 80 & 1023], pairs[value >> 70 & 1023],
            pairs[value >> 60 & 1023], pairs[value >> 50 & 1023], pairs[value >> 40 & 1023],
            pairs[value >> 30 & 1023], pairs[value >> 20 & 1023], pairs[value >> 10 & 1023], pairs[value & 1023],
        )
    )  # fmt: skip


def format_ids(first: int, count: int) -> list[str]:
    """format_id of `count` consecutive ids from `first` (a batch chunk's reserved ids): the first 22 characters
    are shared by up to 2**20 consecutive ids, so they are written once for each run of ids that share them."""
    out: list[str] = []
    pairs = _PAIRS
    value, end = first, first + count
    while value < end:
        stop = min(end, (value >> 20) + 1 << 20)
        head = format_id(value)[:22]
        out += [head + pairs[v >> 10 & 1023] + pairs[v & 1023] for v in range(value, stop)]
        value = stop
    return out


def parse_id(text: str) -> int:
    value = 0
    for char in text.upper():
        value = value * 32 + _CROCKFORD.index(char)
    return value


def reserve_ids(count: int) -> int:
    """Reserve `count` consecutive ids and return the first: 48 bits of milliseconds since the epoch then 80
    random bits, strictly increasing within this process (a ULID, monotonic)."""
    global _last_id
    with _ID_LOCK:
        now = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big") >> 1
        first = max(now, _last_id + 1)
        _last_id = first + count - 1
        return first


def new_id() -> str:
    return format_id(reserve_ids(1))
