"""A pack's rules resolved against its parent's: additions, overrides that restate only what they change,
and disabled rules with their reason; every rule cites clauses that may be cited, and names real outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PackError, Problem, did_you_mean
from ..yamlio import Where, validate
from .definition import Clause, Origin, PackDefinition, Rule
from .spec import DECISIONS, FLAGS, OUTCOMES, RuleAction, RulesFile, RuleSpec


def resolve_rules(
    data: Any,
    root: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    parent: PackDefinition | None,
    problems: list[Problem],
) -> tuple[Rule, ...]:
    """The effective rule set in evaluation order (`data` is rules.yaml as read, `root` its place)."""
    spec = validate(RulesFile, data, root, PackError)
    inherited: dict[str, Rule] = {r.id: _as_inherited(r) for r in (parent.rules if parent else ())}
    effective: dict[str, Rule] = dict(inherited)
    seen: set[str] = set()
    for index, rule in enumerate(spec.rules):
        where = root.at("rules", index)
        if rule.id in seen:
            problems.append(where.at("id").problem(f"rule id '{rule.id}' is used twice in this pack"))
            continue
        seen.add(rule.id)
        resolved = _resolve_rule(rule, where, pack_id, clauses, inherited.get(rule.id), parent, problems)
        if resolved is not None:
            effective[rule.id] = resolved
    return tuple(effective.values())


def _as_inherited(rule: Rule) -> Rule:
    origin: Origin = "disabled" if rule.origin == "disabled" else "inherited"
    return Rule(rule.spec, rule.pack_id, origin, rule.cites, rule.where, rule.replaced, rule.reason, rule.disable_notes)


def _resolve_rule(
    rule: RuleSpec,
    where: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    parent_rule: Rule | None,
    parent: PackDefinition | None,
    problems: list[Problem],
) -> Rule | None:
    before = len(problems)
    action = rule.action
    if action is RuleAction.add and parent_rule is not None:
        problems.append(
            where.at("id").problem(
                f"rule '{rule.id}' already exists in {parent_rule.pack_id}; say `action: override` to replace it "
                "or `action: disable` to switch it off"
            )
        )
    if action is not RuleAction.add and parent_rule is None:
        hint = did_you_mean(rule.id, [r.id for r in parent.rules]) if parent else ""
        problems.append(
            where.at("action").problem(
                f"`action: {action}` needs a rule '{rule.id}' in the parent pack, and there is none{hint}"
            )
        )
    cites = _resolve_cites(rule, where, pack_id, clauses, problems, extends=parent is not None)
    if action is RuleAction.disable:
        if not rule.reason:
            problems.append(where.problem("a disabled rule needs `reason:` saying why the local text drops it"))
        extra = [k for k in rule.model_fields_set if k not in ("id", "action", "reason", "cites", "notes")]
        if extra:
            problems.append(
                where.problem(
                    f"a disabled rule takes only id, action, reason, cites and notes; found {', '.join(extra)}"
                )
            )
        if len(problems) > before or parent_rule is None:
            return None
        return Rule(
            parent_rule.spec,
            pack_id,
            "disabled",
            cites,
            where,
            replaced=parent_rule,
            reason=rule.reason,
            disable_notes=rule.notes,
        )
    if parent_rule is not None:
        rule = _inherit_from(rule, parent_rule.spec)
    decision = rule.decision
    if decision is None:
        problems.append(where.problem("missing `decision:` (one of " + ", ".join(DECISIONS) + ")"))
    else:
        _check_outputs(rule, decision, where, problems)
    if rule.when is None:
        problems.append(where.problem("missing `when:`: the conditions under which the rule holds"))
    if len(problems) > before or decision is None:
        return None
    spec = rule
    origin: Origin = "overridden" if parent_rule else ("added" if parent else "own")
    return Rule(spec, pack_id, origin, cites, where, replaced=parent_rule)


def _inherit_from(rule: RuleSpec, parent: RuleSpec) -> RuleSpec:
    """An override restates what it changes; what it leaves out (decision, outcome, flags, category, titles)
    stays as the parent rule has it. Conditions and interpretations are never inherited: new conditions need
    their own reading of the text."""
    given = rule.model_fields_set
    names = ["decision", "yields", "sets", "category"]
    if not given & {"title", "title_en"}:  # a new title in one language must not keep the other's old one
        names += ["title", "title_en"]
    if not given & {"decision_note", "decision_note_zh"}:  # likewise a note and its Chinese
        names += ["decision_note", "decision_note_zh"]
    return rule.model_copy(update={name: getattr(parent, name) for name in names if name not in given})


def _resolve_cites(
    rule: RuleSpec,
    where: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    problems: list[Problem],
    extends: bool,
) -> tuple[Clause, ...]:
    if not rule.cites:
        problems.append(where.problem("a rule must cite at least one clause (`cites:`)"))
    resolved: list[Clause] = []
    for i, ref in enumerate(rule.cites):
        key = ref if ":" in ref else f"{pack_id}:{ref}"
        clause = clauses.get(key)
        if clause is None:
            own = [c.id for c in clauses.values() if c.pack_id == pack_id]
            problems.append(
                where.at("cites", i).problem(
                    f"unknown clause '{ref}'{did_you_mean(ref, own + list(clauses))}; cite a clause of this pack "
                    "by its id, or an inherited one as <pack>:<clause id>"
                )
            )
            continue
        if clause.pending:
            problems.append(
                where.at("cites", i).problem(
                    f"clause '{ref}' is marked `encoded: pending` (not yet encoded); now that this rule encodes "
                    "it, delete that line from clauses.yaml"
                )
            )
        elif not clause.encoded:
            problems.append(
                where.at("cites", i).problem(
                    f"clause '{ref}' is marked encoded: false ({clause.reason}); a rule may not cite it"
                )
            )
        resolved.append(clause)
    # in a pack that extends another, every change (override, disable, addition) rests on a local clause
    if extends and resolved and all(c.pack_id != pack_id for c in resolved):
        change = "an added rule" if rule.action is RuleAction.add else f"`action: {rule.action}`"
        problems.append(where.at("cites").problem(f"{change} must cite a clause of this pack that justifies it"))
    return tuple(resolved)


def _check_outputs(rule: RuleSpec, decision: str, where: Where, problems: list[Problem]) -> None:
    if rule.yields is None and not rule.sets:
        problems.append(where.problem("a rule must name an outcome (`yields:`) or set a flag (`sets:`)"))
    if rule.yields is not None and rule.yields not in OUTCOMES[decision]:
        problems.append(
            where.at("yields").problem(
                f"'{rule.yields}' is not an outcome of {decision}{did_you_mean(rule.yields, OUTCOMES[decision])}; "
                f"expected one of {', '.join(OUTCOMES[decision])}"
            )
        )
    allowed = FLAGS.get(decision, ())
    for flag in rule.sets:
        if flag not in allowed:
            expected = ", ".join(allowed) or f"no flags exist for {decision}"
            problems.append(
                where.at("sets", flag).problem(
                    f"unknown flag '{flag}'{did_you_mean(flag, allowed)}; expected: {expected}"
                )
            )
    if rule.category is not None and decision != "inclusion":
        problems.append(where.at("category").problem("only inclusion rules name a category"))
