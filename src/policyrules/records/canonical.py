"""The canonical forms a record stores: JSON with sorted keys, the sha256 of a text, the UTC time."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _reference_json(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


# json.dumps with these arguments builds a JSONEncoder and its C encoder on every call, ~2 µs: more than encoding
# a record's input (two canonical texts a batch row: the input, and the record for its chain hash). The C encoder
# json.dumps would build, built once (same arguments: no indent, sorted keys, ':' and ',', NaN allowed); without
# the circular-reference markers, so a structure that contains itself is handed to json.dumps, which says so.
_ENCODE = (
    c_make_encoder(None, _json_default, encode_basestring, None, ":", ",", True, False, True)
    if c_make_encoder is not None
    else None
)


def canonical_json(data: object) -> str:
    """Sorted keys, no whitespace, UTF-8 text kept as it is; dates as ISO 8601 (the text of
    json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), which tests check it against)."""
    if _ENCODE is None or data.__class__ is str:  # a bare string: the C encoder hands back the text unjoined
        return _reference_json(data)
    try:
        return "".join(_ENCODE(data, 0))
    except RecursionError:  # too deep, or a structure that contains itself: json.dumps raises what it raises
        return _reference_json(data)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
