"""The result of an evaluation as pydantic models: the JSON of `policyrules evaluate` (contract §3), of the
service's /v1/evaluate and of a /v1/batch line's `result`, described field by field so that its JSON Schema can be
published (`policyrules schema result`). Built from the pack format's decisions, outcomes and flags, so a new
decision or flag appears here without an edit; the tests validate real results against the schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..packs import DECISION_LABELS, DECISIONS, FLAG_LABELS, FLAGS, OUTCOMES
from ..packs.spec import InterpretationSpec

_QUESTIONS: dict[str, str] = {
    "inclusion": "May the enterprise be put on the positive list? Always present.",
    "listing": "Keep, remove or expire a listing; present when the enterprise is listed.",
    "inspection": "May an on-site inspection start now? Present with inspection_request.",
    "penalty": "How may the violation be treated? Present with violation_case.",
    "supervision": "How often the enterprise is drawn for random inspection. Always present.",
}
# decision -> (Chinese label, the question it answers and when it is present)
DECISION_TITLES: dict[str, tuple[str, str]] = {
    name: (DECISION_LABELS[name][0], _QUESTIONS.get(name, DECISION_LABELS[name][1])) for name in DECISIONS
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Closed):
    """A clause a decision or rule rests on."""

    doc: str = Field(title="文号", description="The document number as printed, e.g. 渝环规〔2021〕5号.")
    clause: str = Field(title="条款", description="The clause label as the document numbers it, e.g. 三、（七）.")
    text: str = Field(title="条款原文", description="The verbatim clause text, cleaned of line breaks.")


class Condition(_Closed):
    """One node of a rule's condition tree as evaluated (with `trace`)."""

    kind: Literal["fact", "all", "any", "not", "rule", "outcome"] = Field(title="节点类型")
    holds: bool = Field(title="是否成立")
    says: str | None = Field(None, title="原文表述", description="The source phrase this node encodes.")
    subject: str | None = Field(None, title="事实", description="The fact path, rule id or decision read.")
    op: str | None = Field(None, title="运算", description="The comparison made.")
    operand: Any = Field(None, title="要求", description="What the fact is compared with.")
    value: Any = Field(None, title="读取值", description="The value read from the facts.")
    children: list[Condition] = Field([], title="子条件")
    on: str | None = Field(None, title="读取日", description="For a fact read on another day: which day it is.")
    read_on: str | None = Field(None, title="读取日期", description="That day, YYYY-MM-DD.")


class RuleEntry(_Closed):
    """A rule of the decision and whether it holds; with `trace`, what it is and why it holds or not."""

    id: str = Field(title="规则", description="The rule id.")
    holds: bool = Field(title="是否成立")
    pack: str | None = Field(None, title="所属规则包", description="With trace: the pack the rule comes from.")
    origin: str | None = Field(None, title="来源", description="With trace: own, inherited, overridden, …")
    title: str | None = Field(None, title="规则名称")
    yields: str | None = Field(None, title="成立时结论", description="With trace: the outcome it yields.")
    category: str | None = Field(None, title="纳入类别")
    sets: dict[str, bool] = Field({}, title="设定标志", description="With trace: the flags it sets.")
    citations: list[Citation] = Field([], title="依据")
    interpretation: list[InterpretationSpec] = Field([], title="文本解释")
    condition: Condition | None = Field(None, title="条件追踪")
    failed: list[str] = Field([], title="未满足", description="The phrases of the conditions that failed.")


def _decision_model(name: str) -> type[BaseModel]:
    label, description = DECISION_TITLES[name]
    fields: dict[str, Any] = {
        "outcome": (Literal[OUTCOMES[name]], Field(title="结论", description="The outcome.")),
    }
    if name == "inclusion":
        fields["categories"] = (list[str], Field(title="纳入类别", description="The categories that hold."))
    for flag in FLAGS.get(name, ()):
        fields[flag] = (bool, Field(title=FLAG_LABELS[flag][0] if flag in FLAG_LABELS else flag))
    fields |= {
        "rules": (list[RuleEntry], Field(title="规则", description="Every rule of the decision, in pack order.")),
        "citations": (list[Citation], Field(title="依据", description="Non-empty: the clauses it rests on.")),
        "decided_by": (list[str], Field(title="决定规则", description="The holding rules that decided it.")),
        "notes": (list[str], Field([], title="说明", description="Drafts cited, default outcomes, rule notes.")),
    }
    model: type[BaseModel] = create_model(
        f"{name.title()}Decision", __base__=_Closed, __doc__=f"{label}: {description}", **fields
    )
    return model


_ALWAYS = ("inclusion", "supervision")

Decisions: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Decisions",
    __base__=_Closed,
    __doc__="The decisions the facts ask for, by name.",
    **{
        name: (
            (_decision_model(name), Field(title=DECISION_TITLES[name][0], description=DECISION_TITLES[name][1]))
            if name in _ALWAYS
            else (
                _decision_model(name) | None,
                Field(None, title=DECISION_TITLES[name][0], description=DECISION_TITLES[name][1]),
            )
        )
        for name in DECISIONS
    },
)


class ResultDocument(_Closed):
    """The decisions for one enterprise on one date: the JSON of `policyrules evaluate` (contract §3)."""

    pack: str = Field(title="规则包", description="The pack id.")
    pack_version: str = Field(title="规则包版本")
    as_of: str = Field(title="评估日期", description="The evaluation date, YYYY-MM-DD.", pattern=r"^\d{4}-\d{2}-\d{2}$")
    engine: Literal["compiled", "durable"] = Field(title="引擎")
    decisions: Decisions = Field(title="决定")  # type: ignore[valid-type]
    warnings: list[str] = Field(
        [], title="警告", description="A draft, a superseded pack, an uncertain date of issue (absent when none)."
    )
