"""Time `policyrules diff` for every ordered pair of shipped packs, and (re)generate docs/variants.md.

    python benchmarks/diff.py                      # the timing table (best of --repeat runs per pair)
    python benchmarks/diff.py --json               # the same as JSON
    python benchmarks/diff.py --write-variants docs/variants.md

Each pair is timed with time.perf_counter around policyrules.analysis.diff_packs on packs loaded beforehand
(loading is timed separately, once per pack): building the domain, the decision diagrams of both packs for
every decision, the regions, and evaluating every witness with Pack.evaluate. The first run of a pair is
reported beside the best of --repeat runs (later runs reuse the packs' engines, not the diff's work: every
run builds its domain and diagrams afresh). The target is under 10 s per pair on a 2-core machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from policyrules import Pack, PolicyRulesError, load_pack
from policyrules.analysis import diff_packs, render_variants
from policyrules.packs import DECISIONS, shipped_pack_ids

TARGET_SECONDS = 10.0


def load_shipped() -> tuple[dict[str, Pack], dict[str, float], dict[str, str]]:
    packs: dict[str, Pack] = {}
    load_times: dict[str, float] = {}
    failures: dict[str, str] = {}
    for pack_id in shipped_pack_ids():
        start = time.perf_counter()
        try:
            packs[pack_id] = load_pack(pack_id)
        except PolicyRulesError as exc:
            failures[pack_id] = "; ".join(str(p) for p in exc.problems)[:200]
            continue
        load_times[pack_id] = time.perf_counter() - start
    return packs, load_times, failures


def time_pair(a: Pack, b: Pack, repeat: int) -> dict[str, Any]:
    times = []
    report = None
    for _ in range(repeat):
        start = time.perf_counter()
        report = diff_packs(a, b)
        times.append(time.perf_counter() - start)
    assert report is not None
    dims = report.domain.dims
    return {
        "a": a.id,
        "b": b.id,
        "as_of": report.as_of.isoformat(),
        "seconds": min(times),
        "seconds_all": times,
        "complete": report.complete,
        "dimensions": len(dims),
        "domain_points": math.prod(len(d.values) for d in dims.values()),
        "decisions": {
            d: {
                "dimensions": len(report.stats[d].dimensions),
                "points": report.stats[d].points,
                "diagram_nodes": report.stats[d].nodes,
                "differences": sum(1 for x in report.differences if x.decision == d),
            }
            for d in DECISIONS
        },
        "differences": len(report.differences),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per pair; the best is reported (default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write-variants", metavar="PATH", help="write the lawyer's comparison (docs/variants.md)")
    args = parser.parse_args(argv)

    if args.write_variants:
        Path(args.write_variants).write_text(render_variants(), encoding="utf-8")
        print(f"wrote {args.write_variants}", file=sys.stderr)
        return 0

    packs, load_times, failures = load_shipped()
    rows = [time_pair(packs[a], packs[b], args.repeat) for a, b in itertools.product(packs, repeat=2)]
    if args.json:
        print(json.dumps({"load_seconds": load_times, "not_loaded": failures, "pairs": rows}, indent=2))
    else:
        for pack_id, reason in failures.items():
            print(f"not loaded: {pack_id}: {reason}")
        print("pack load times: " + ", ".join(f"{p} {t:.2f}s" for p, t in load_times.items()))
        header = (
            f"{'a':<18} {'b':<18} {'as_of':<10} {'first s':>7} {'best s':>7} {'dims':>4} {'domain':>9}  "
            "differences (by decision: regions/points)"
        )
        print(header)
        for r in rows:
            per = " ".join(f"{d[:4]}:{v['differences']}/{v['points']}" for d, v in r["decisions"].items())
            print(
                f"{r['a']:<18} {r['b']:<18} {r['as_of']:<10} {r['seconds_all'][0]:>7.3f} {r['seconds']:>7.3f} "
                f"{r['dimensions']:>4} "
                f"{r['domain_points']:>9.1e}  {r['differences']:>3} ({per})" + ("" if r["complete"] else " INCOMPLETE")
            )
        slowest = max(rows, key=lambda r: r["seconds"])
        total = sum(r["seconds"] for r in rows)
        print(
            f"slowest: {slowest['a']} → {slowest['b']} {slowest['seconds']:.3f}s "
            f"(target {TARGET_SECONDS:.0f}s per pair); total {total:.2f}s for {len(rows)} pairs"
        )
    return 0 if all(r["seconds"] < TARGET_SECONDS and r["complete"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
