"""The canonical forms a record stores: JSON with sorted keys, the sha256 of a text, the UTC time."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def canonical_json(data: object) -> str:
    """Sorted keys, no whitespace, UTF-8 text kept as it is; dates as ISO 8601."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
