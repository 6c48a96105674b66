"""Throughput of the two engines on the same inputs.

    PYTHONPATH=src python benchmarks/engines.py [--n 5000] [--seed 2021] [--pack mee_2021 ...]

For each shipped pack (or the packs named), N facts documents are generated with a fixed seed (valid per
the contract: USCC with its check character, matching permit number, traits, monitoring, credit grade,
violations and inspections around the evaluation date, a listing, and the questions), each with an
evaluation date in the pack's force window. Then, on exactly the same inputs:

* `holding()` alone: the compiled engine and the durable engine on the precomputed flat views;
* `Pack.evaluate` end to end (validation, view, engine, hit policy, citations; the compiled engine also
  builds its trace) with engine="compiled" and engine="durable".

Every view's held rule sets are compared and mismatches counted (there should be none). Prints evaluations
per second; writes nothing.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from policyrules import Pack, load_pack, parse_facts
from policyrules.engines import Engine
from policyrules.facts import (
    USCC_CHARSET,
    Approval,
    Grounds,
    Harm,
    InspectionRequest,
    Monitoring,
    Traits,
    ViolationCase,
    ViolationKind,
    uscc_check_char,
)
from policyrules.packs import shipped_pack_ids

DATE_MIN, DATE_MAX = date(2021, 8, 6), date(2025, 12, 31)


def booleans(model: Any) -> list[str]:
    """The boolean fields of a pydantic model (so new ones are generated too)."""
    return [n for n, f in model.model_fields.items() if f.annotation is bool]


class Generator:
    """Random valid facts documents, biased so that rules fire (booleans true two times in three, most
    enterprises listed, every grounds and harm value)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def flag(self) -> bool:
        return self.rng.random() < 2 / 3

    def day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randint(0, max(0, (hi - lo).days)))

    def uscc(self) -> str:
        first17 = "".join(self.rng.choice(USCC_CHARSET) for _ in range(17))
        return first17 + uscc_check_char(first17)

    def label_or_code(self, labels: dict[str, str]) -> str:
        code = self.rng.choice(list(labels))
        return self.rng.choice((code, labels[code]))

    def facts(self, as_of: date, grades: Sequence[tuple[str, str]], categories: Sequence[str]) -> dict[str, Any]:
        rng, past = self.rng, as_of - timedelta(days=6 * 366)
        uscc = self.uscc()
        enterprise: dict[str, Any] = {
            "name": "示例企业",
            "uscc": uscc,
            "permit_no": f"{uscc}{rng.randint(0, 999):03d}{rng.choice('ABCDEFGHJKLMNPQRTUWXY')}",
            "key_discharger": self.flag(),
            "small_micro": self.flag(),
            "traits": {n: self.flag() for n in booleans(Traits)},
            "monitoring": {n: self.flag() for n in booleans(Monitoring)},
            "credit_rating": rng.choice(rng.choice(grades)),
            "violations": [
                {
                    "date": self.day(past, as_of + timedelta(days=400)),
                    "serious": rng.random() < 0.3,
                    "kind": self.label_or_code(ViolationKind.labels()),
                }
                for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))
            ],
            "inspections": [
                {"date": self.day(past, as_of + timedelta(days=400)), "on_site": self.flag()}
                for _ in range(rng.randint(0, 3))
            ],
            "objections": [{"by": "行业协会", "upheld": rng.random() < 0.3} for _ in range(rng.choice((0, 0, 0, 1)))],
        }
        if rng.random() < 0.85:
            listed_on = self.day(past, as_of) if rng.random() < 0.85 else self.day(as_of, as_of + timedelta(days=400))
            listing: dict[str, Any] = {"listed_on": listed_on}
            if categories:
                listing["category"] = rng.choice(categories)
            if rng.random() < 0.15:
                listing["removed_on"] = self.day(listed_on, listed_on + timedelta(days=2 * 366))
            enterprise["listing"] = listing
        doc: dict[str, Any] = {"enterprise": enterprise}
        if rng.random() < 0.7:
            request: dict[str, Any] = {n: self.flag() for n in booleans(InspectionRequest)}
            request["grounds"] = self.label_or_code(Grounds.labels())
            request["approvals"] = [a for a in Approval.labels() if rng.random() < 0.5]
            doc["inspection_request"] = request
        if rng.random() < 0.7:
            case: dict[str, Any] = {n: self.flag() for n in booleans(ViolationCase)}
            case["date"] = self.day(past, as_of)
            case["harm"] = self.label_or_code(Harm.labels())
            doc["violation_case"] = case
        return doc


def window(pack: Pack) -> tuple[date, date]:
    doc = pack.definition.primary
    lo, hi = max(DATE_MIN, doc.in_force_from or DATE_MIN), min(DATE_MAX, doc.in_force_until or DATE_MAX)
    return (lo, hi) if lo <= hi else (doc.in_force_from or hi, doc.in_force_until or lo)


def rate(n: int, run: Callable[[], None]) -> tuple[float, float]:
    """(evaluations per second of wall-clock time, per second of this process's CPU time). On a shared
    machine the CPU-time rate is the steadier one."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return n / (time.perf_counter() - wall), n / (time.process_time() - cpu)


def bench(pack_id: str, n: int, seed: int) -> dict[str, Any]:
    pack = load_pack(pack_id)
    gen = Generator(seed)
    lo, hi = window(pack)
    grades = [(g.code, g.label) for g in pack.definition.credit_scheme.grades]
    categories = [lit for key, a in pack.compiled.atoms.items() if a.kind == "text" for lit in a.domain] + ["其他"]
    inputs = []
    for _ in range(n):
        as_of = gen.day(lo, hi)
        inputs.append((gen.facts(as_of, grades, categories), as_of))
    views = [pack.compiled.view(parse_facts(facts), as_of) for facts, as_of in inputs]
    compiled, durable = pack.engine("compiled"), pack.engine("durable")
    for view in views[:100]:  # warm up
        compiled.holding(view)
        durable.holding(view)
    mismatches = sum(compiled.holding(v) != durable.holding(v) for v in views)
    out: dict[str, Any] = {"rules": len(pack.compiled.rules), "mismatches": mismatches}

    def holding(engine: Engine) -> Callable[[], None]:
        def run() -> None:
            for view in views:
                engine.holding(view)

        return run

    def evaluate(engine: str, trace: bool = True) -> Callable[[], None]:
        def run() -> None:
            for facts, as_of in inputs:
                pack.evaluate(facts, as_of=as_of, engine=engine, trace=trace)

        return run

    out["holding()"] = rate(n, holding(compiled)), rate(n, holding(durable))
    out["Pack.evaluate"] = rate(n, evaluate("compiled")), rate(n, evaluate("durable"))
    out["Pack.evaluate, trace=False"] = rate(n, evaluate("compiled", trace=False)), rate(n, evaluate("durable", False))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=5000, help="enterprises per pack (default 5000)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--pack", action="append", help="a shipped pack id (repeatable; default: all)")
    args = parser.parse_args(argv)
    packs = args.pack or shipped_pack_ids()
    print(f"python {platform.python_version()}, {platform.machine()}, {n_cpus()} CPUs, load average {load()}")
    print(f"{args.n} enterprises per pack, seed {args.seed}; evaluations per second of CPU time (wall-clock)")
    print(f"{'pack':18s} {'rules':>5s} {'measure':27s} {'compiled':>22s} {'durable':>18s} {'ratio':>6s}")
    for pack_id in packs:
        r = bench(pack_id, args.n, args.seed)
        for measure in ("holding()", "Pack.evaluate", "Pack.evaluate, trace=False"):
            (c_wall, c_cpu), (d_wall, d_cpu) = r[measure]
            print(
                f"{pack_id:18s} {r['rules']:5d} {measure:27s} {c_cpu:>11,.0f} ({c_wall:>8,.0f}) "
                f"{d_cpu:>7,.0f} ({d_wall:>7,.0f}) {c_cpu / d_cpu:>5.1f}x"
            )
        if r["mismatches"]:
            sys.exit(f"{pack_id}: the engines disagree on {r['mismatches']} of {args.n} views")
    print("held rule sets identical on every view of every pack")


def load() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def n_cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
