"""The Chinese and English labels of the pack format's decisions, outcomes and flags: what the trace prints,
what the diff prints, and what a test case may write instead of a code (`expect: {penalty: 可依法不予行政处罚}`)."""

from __future__ import annotations

from .spec import OUTCOMES

DECISION_LABELS: dict[str, tuple[str, str]] = {
    "inclusion": ("纳入正面清单", "Inclusion on the positive list"),
    "listing": ("清单内企业的调整", "Listing (keep / remove / expired)"),
    "inspection": ("现场执法检查", "On-site inspection"),
    "penalty": ("行政处罚", "Penalty"),
    "supervision": ("“双随机、一公开”监管", "Random-draw supervision"),
}

OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "eligible": ("可以纳入", "eligible"),
    "ineligible": ("不符合纳入条件", "ineligible"),
    "barred": ("不得纳入", "barred"),
    "keep": ("保留", "keep"),
    "remove": ("移出正面清单", "remove"),
    "expired": ("有效期已满", "expired"),
    "permitted": ("可以启动现场检查", "permitted"),
    "needs_approval": ("须经批准后方可启动", "needs approval"),
    "self_check_first": ("企业先行自查并提交书面报告", "self-check first"),
    "non_site": ("以非现场方式开展", "non-site"),
    "refused": ("不得启动", "refused"),
    "may_waive": ("可依法不予行政处罚", "may waive"),
    "severe": ("依法从严从重处罚", "severe"),
    "ordinary": ("依法处理", "ordinary"),
    "exempt_on_site": ("抽中可免于现场执法检查", "exempt from on-site inspection when drawn"),
    "reduced": ("减少抽查频次", "fewer draws"),
    "general": ("一般监管对象", "general"),
    "special": ("特殊监管对象", "special (more draws)"),
}

FLAG_LABELS: dict[str, tuple[str, str]] = {
    "refer_to_police": ("移送公安机关", "refer to the police"),
    "remove_from_list": ("移出正面清单", "remove from the list"),
    "publicize": ("向社会公开", "make public"),
}


def outcome_code(decision: str, given: str) -> str | None:
    """The outcome code of `decision` that `given` names, by code or by Chinese label; None when it names none."""
    for code in OUTCOMES[decision]:
        if given in (code, OUTCOME_LABELS[code][0]):
            return code
    return None
