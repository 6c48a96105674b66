"""YAML test cases beside each pack (policies/<pack>/cases/*.yaml), run by `policyrules test` and by pytest:
the format, and reading a case file.

An expected outcome is an outcome code or its Chinese label (`penalty: 可依法不予行政处罚`).

A case file:

    base:                       # optional: facts every case starts from (deep-merged under each case's facts)
      enterprise: {...}
    cases:
      - name: a listed small enterprise with a first, minor, corrected offence
        as_of: 2021-10-01
        facts: {violation_case: {...}}
        expect:
          penalty: may_waive                      # the outcome alone, or:
          inspection:
            outcome: needs_approval
            cites: [三、（七）]                    # clause labels that must be among the citations
            holds: [clue_track_needs_approval]     # rules that must hold
            not_holds: [clue_track_approved]       # rules that must not hold
            refer_to_police: false                 # flags
            categories: [...]                      # inclusion categories, exactly
            absent: false                          # true: the decision must not be present
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field

from ..errors import PackError, Problem
from ..packs import DECISIONS, OUTCOME_LABELS, OUTCOMES, Spec, Where, outcome_code, read_pack_text, read_yaml, validate


class Expectation(Spec):
    outcome: str | None = None
    cites: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    not_holds: tuple[str, ...] = ()
    categories: tuple[str, ...] | None = None
    refer_to_police: bool | None = None
    remove_from_list: bool | None = None
    publicize: bool | None = None
    absent: bool = False
    notes_contain: tuple[str, ...] = ()


class CaseSpec(Spec):
    name: str = Field(min_length=1)
    as_of: date
    facts: dict[str, Any] = Field(default_factory=dict)
    expect: dict[str, Expectation | str] = Field(min_length=1)
    engines: tuple[str, ...] | None = None


class CaseFile(Spec):
    base: dict[str, Any] = Field(default_factory=dict)
    cases: tuple[CaseSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    spec: CaseSpec
    facts: dict[str, Any]
    where: Where

    @property
    def name(self) -> str:
        return self.spec.name


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`: mappings merge key by key, everything else (lists included) replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_cases(path: Path) -> list[Case]:
    data, lines = read_yaml(read_pack_text(path), str(path), PackError)
    where = Where(str(path), (), lines)
    spec = validate(CaseFile, data, where, PackError)
    problems: list[Problem] = []
    cases = []
    for i, case in enumerate(spec.cases):
        case_where = where.at("cases", i)
        expect, found = _expectations(case, case_where)
        problems += found
        cases.append(Case(case.model_copy(update={"expect": expect}), deep_merge(spec.base, case.facts), case_where))
    if problems:
        raise PackError(problems)
    return cases


def _expectations(case: CaseSpec, where: Where) -> tuple[dict[str, Expectation | str], list[Problem]]:
    """The case's expectations with every outcome as its code (a case may write the Chinese label, as facts
    may), and the problems: unknown decisions and outcomes."""
    problems = []
    out: dict[str, Expectation | str] = {}
    for decision, expected in case.expect.items():
        here = where.at("expect", decision)
        if decision not in DECISIONS:
            problems.append(here.problem(f"unknown decision '{decision}'; expected one of {', '.join(DECISIONS)}"))
            continue
        given = expected if isinstance(expected, str) else expected.outcome
        code = outcome_code(decision, given) if given is not None else None
        if given is not None and code is None:
            named = ", ".join(f"{o} ({OUTCOME_LABELS[o][0]})" for o in OUTCOMES[decision])
            problems.append(
                here.problem(f"'{given}' is not an outcome of {decision}; expected a code or label: {named}")
            )
        if isinstance(expected, str) or code is None:
            out[decision] = code or expected
        else:
            out[decision] = expected.model_copy(update={"outcome": code})
    return out, problems
