"""The enterprise's identifiers: the 统一社会信用代码 (GB 32100-2015, with its check character) and the
排污许可证编号 built on it (HJ 608-2017)."""

from __future__ import annotations

import re
from operator import mul

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17


_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}


def uscc_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


_USCC_SHAPE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")  # USCC_CHARSET, 18 characters


def identifiers_valid(uscc: str, permit_no: str | None) -> bool:
    """Whether `uscc` is a valid 统一社会信用代码 and `permit_no` (if any) a permit number of its holder: the
    checks of uscc_problem and permit_problem as one yes or no, without building a message (the fast path of
    validation, facts/fast.py; when it says no, the model reports why)."""
    if _USCC_SHAPE.fullmatch(uscc) is None:
        return False
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, uscc[:17]), _USCC_WEIGHTS))
    if USCC_CHARSET[-total % 31] != uscc[17]:
        return False
    return permit_no is None or (_PERMIT_RE.match(permit_no) is not None and permit_no.startswith(uscc))


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"expected 18 characters, found {len(code)}"
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return f"characters {bad} are not in the GB 32100-2015 set {USCC_CHARSET} (no I, O, S, V, Z)"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"check character is '{code[17]}' but GB 32100-2015 gives '{expected}' for {code[:17]}"
    return None


_PERMIT_RE = re.compile(r"^(?P<uscc>[0-9A-Z]{18})(?P<seq>[0-9]{3})(?P<letter>[A-Z])$")


def permit_problem(permit_no: str, uscc: str) -> str | None:
    """Why `permit_no` is not a 排污许可证编号/排污登记编号 of the holder with code `uscc`, or None when it is."""
    match = _PERMIT_RE.match(permit_no)
    if match is None:
        return (
            f"permit_no '{permit_no}' is not a 排污许可证编号/排污登记编号: expected the 18-character "
            "统一社会信用代码 followed by 3 digits and 1 letter (HJ 608-2017), e.g. 91350100M000100Y43001P"
        )
    if match["uscc"] != uscc:
        return (
            f"permit_no begins with {match['uscc']} but the enterprise's uscc is {uscc}; "
            "a permit number is the holder's own 统一社会信用代码 plus 3 digits and 1 letter"
        )
    return None
