"""Side by side, in one run: how fast policyrules is end to end, against its own engine and against a peer.

    PYTHONPATH=src python benchmarks/perf.py                          # quick: under 2 minutes
    PYTHONPATH=src python benchmarks/perf.py --docs 5000 --rounds 7 --batch-rows 1000000 --batch-rounds 1

Every figure is CPU time (user + system), the steady measure on a shared machine, and a median over rounds in
which the measures run interleaved (each round runs every measure once, in a rotated order), so a burst of
load on the machine lands on all of them alike. What is measured, on generated Chongqing enterprises
(benchmarks/register.py's generator, seeded, each document given an inspection request and a violation case
when the register draw has none, so that every decision is asked for), evaluated on 2022-03-01:

- engine: the compiled engine alone (`holding_vector`) on flat views computed beforehand;
- untraced: `Pack.evaluate(document, as_of, trace=False)` from the document as parsed JSON (dates as text);
- untraced + JSON: the same, then the result written as JSON text (`result.json_text()`, which is
  `json.dumps(result.to_json(), ensure_ascii=False)` with each memoised decision rendered once);
- traced: `Pack.evaluate(..., trace=True)` with the trace materialised as JSON-able data (`to_json(trace=True)`);
- zen: zen-engine (`pip install policyrules[bench]`) on the Chongqing inclusion decision alone, written by hand
  in benchmarks/zen_chongqing.py, end to end from the same documents; the run checks that it agrees with the
  pack's inclusion outcome on every document;
- batch: `policyrules batch --pack chongqing --workers 2` on a generated CSV register, with and without
  `--record`, as a subprocess: CPU seconds of the whole process tree (the workers are the batch's children, so
  `getrusage(RUSAGE_CHILDREN)` counts them once they are reaped) and the records database's bytes per record;
- cold start: `policyrules evaluate` of one file as a fresh process (its CPU seconds, imports included), with
  the package's bytecode cached as `pip install` leaves it, and (for comparison) with no bytecode cache.

Registers, results and databases go under /tmp/policyrules-bench (POLICYRULES_BENCH_DIR), never the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from register import APPROVALS, CASE_FLAGS, GROUNDS, OUT, enterprise_document, generate

from policyrules import load_pack

AS_OF = date(2022, 3, 1)
PACK = "chongqing"
CLI = "import sys; from policyrules.cli import main; sys.exit(main())"  # what the console script runs
TARGETS = {  # issue 12
    "untraced": 45_000,
    "traced": 10_000,
    "zen_ratio": 0.6,
    "batch_record_cpu_s_per_million": 90.0,
    "record_bytes": 1024,
    "cold_cpu_s": 0.20,
}


def with_questions(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The register's document, with an inspection request and a violation case drawn as the register draws
    them when it has none."""
    doc.setdefault(
        "inspection_request",
        {
            "grounds": rng.choice(GROUNDS),
            "approvals": [a for a in APPROVALS if rng.random() < 0.3],
            "self_check_report": rng.random() < 0.3,
        },
    )
    if "violation_case" not in doc:
        case: dict[str, Any] = {
            "date": date(2021, 6, 1).fromordinal(date(2021, 6, 1).toordinal() + rng.randrange(273)).isoformat(),
            "harm": rng.choice(["none", "none", "minor", "serious"]),
        }
        case.update({f: True for f in CASE_FLAGS if rng.random() < 0.3})
        doc["violation_case"] = case
    return doc


def documents(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [with_questions(enterprise_document(rng, 0.0), rng) for _ in range(n)]


# --- in-process measures ------------------------------------------------------------------------------------


def in_process_measures(docs: list[dict[str, Any]], use_zen: bool) -> dict[str, Callable[[], None]]:
    pack = load_pack(PACK)
    engine = pack.engine("compiled")
    vector = engine.vector  # type: ignore[attr-defined]
    views = [pack.compiled.view(pack_facts, AS_OF) for pack_facts in _parsed(pack, docs)]

    def engine_only() -> None:
        for view in views:
            vector(view)

    def untraced() -> None:
        for doc in docs:
            pack.evaluate(doc, AS_OF, trace=False)

    def untraced_json() -> None:
        for doc in docs:
            pack.evaluate(doc, AS_OF, trace=False).json_text()

    def traced() -> None:
        for doc in docs:
            pack.evaluate(doc, AS_OF, trace=True).to_json(trace=True)

    measures = {"engine": engine_only, "untraced": untraced, "untraced+json": untraced_json, "traced": traced}
    if use_zen:
        decision, inputs = _zen(pack, docs)

        def zen_inclusion() -> None:
            for doc in inputs:
                decision.evaluate(doc)

        measures["zen"] = zen_inclusion
    return measures


def _parsed(pack: Any, docs: list[dict[str, Any]]) -> list[Any]:
    from policyrules import parse_facts
    from policyrules.facts import as_known_on

    return [as_known_on(parse_facts(doc), AS_OF) for doc in docs]


def _zen(pack: Any, docs: list[dict[str, Any]]) -> tuple[Any, list[dict[str, Any]]]:
    import zen
    from zen_chongqing import decision_json

    decision = zen.ZenEngine().create_decision(decision_json())
    inputs = [{"as_of": AS_OF.isoformat(), **doc} for doc in docs]
    disagree = sum(
        decision.evaluate(z)["result"]["outcome"] != pack.evaluate(d, AS_OF, trace=False).decisions["inclusion"].outcome
        for z, d in zip(inputs, docs, strict=True)
    )
    if disagree:
        raise SystemExit(f"zen-engine and the pack disagree on {disagree} of {len(docs)} inclusion decisions")
    return decision, inputs


def cpu_seconds(run: Callable[[], None]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


# --- subprocess measures ------------------------------------------------------------------------------------


def child_cpu(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """CPU seconds (user + system) of `command` and every descendant it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(command, capture_output=True, check=False, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def installed_env() -> dict[str, str]:
    """The environment of a cold start as installed: `pip install` compiles the package's bytecode, so a fresh
    process reads it instead of compiling every module; here the bytecode is kept under the benchmark directory
    (PYTHONPYCACHEPREFIX), never in the repository, even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return env


def no_bytecode_env() -> dict[str, str]:
    """A cold start that compiles every module (a source checkout run with PYTHONDONTWRITEBYTECODE=1)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def cold_start_command(facts: Path) -> list[str]:
    return [sys.executable, "-c", CLI, "evaluate", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(facts)]


def batch_command(register: Path, out: Path, record: Path | None) -> list[str]:
    command = [sys.executable, "-c", CLI, "batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register)]
    command += ["-o", str(out), "--workers", "2", "--progress", "never"]
    return command + (["--record", str(record)] if record else [])


def database_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


# --- the run --------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    docs = documents(args.docs, args.seed)
    measures = in_process_measures(docs, use_zen=not args.no_zen)
    OUT.mkdir(parents=True, exist_ok=True)
    facts = OUT / "perf-one.json"
    facts.write_text(json.dumps(docs[0], ensure_ascii=False), encoding="utf-8")
    register = generate(args.batch_rows, args.seed, "csv") if args.batch_rows else None
    database = OUT / "perf-records.sqlite"
    in_cpu: dict[str, list[float]] = {name: [] for name in measures}
    sub_cpu: dict[str, list[float]] = {"batch": [], "batch --record": [], "cold": [], "cold, no bytecode": []}
    child_cpu(cold_start_command(facts), installed_env())  # writes the bytecode, as installing does
    record_bytes: list[float] = []
    names = list(measures)
    for round_no in range(args.rounds):
        for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
            in_cpu[name].append(cpu_seconds(measures[name]))
        for _ in range(args.cold):
            sub_cpu["cold"].append(child_cpu(cold_start_command(facts), installed_env())[0])
            sub_cpu["cold, no bytecode"].append(child_cpu(cold_start_command(facts), no_bytecode_env())[0])
        if register is not None and round_no < args.batch_rounds:
            order = (False, True) if round_no % 2 == 0 else (True, False)
            for record in order:
                for stale in database.parent.glob(database.name + "*"):
                    stale.unlink()
                cpu, _ = child_cpu(batch_command(register, OUT / "perf-results.csv", database if record else None))
                sub_cpu["batch --record" if record else "batch"].append(cpu)
                if record:
                    record_bytes.append(database_bytes(database) / args.batch_rows)
        print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return report(args, in_cpu, sub_cpu, record_bytes)


def report(
    args: argparse.Namespace,
    in_cpu: dict[str, list[float]],
    sub_cpu: dict[str, list[float]],
    record_bytes: list[float],
) -> dict[str, Any]:
    rates = {name: statistics.median(args.docs / s for s in secs) for name, secs in in_cpu.items()}
    figures: dict[str, Any] = {f"{name}_per_cpu_s": round(rate) for name, rate in rates.items()}
    if "zen" in in_cpu:
        ratios = [z / u for u, z in zip(in_cpu["untraced"], in_cpu["zen"], strict=True)]
        figures["untraced_vs_zen"] = round(statistics.median(ratios), 3)
    figures["cold_cpu_s"] = round(statistics.median(sub_cpu["cold"]), 3)
    figures["cold_no_bytecode_cpu_s"] = round(statistics.median(sub_cpu["cold, no bytecode"]), 3)
    if sub_cpu["batch"]:
        per_million = 1e6 / args.batch_rows
        figures["batch_rows"] = args.batch_rows
        figures["batch_cpu_s"] = round(statistics.median(sub_cpu["batch"]), 2)
        figures["batch_record_cpu_s"] = round(statistics.median(sub_cpu["batch --record"]), 2)
        figures["batch_record_cpu_s_per_million"] = round(figures["batch_record_cpu_s"] * per_million, 1)
        figures["record_bytes"] = round(statistics.median(record_bytes))
    print_table(args, figures)
    return figures


def print_table(args: argparse.Namespace, f: dict[str, Any]) -> None:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(f"\npack {PACK}, {args.docs} documents with questions, as of {AS_OF}, medians of {args.rounds} rounds (CPU)")
    print("| measure | figure | target |")
    print("|---|---:|---|")
    print(f"| engine only (holding_vector on views) | {f['engine_per_cpu_s']:,}/CPU-s | |")
    untraced_ok = f["untraced_per_cpu_s"] >= TARGETS["untraced"]
    print(f"| untraced Pack.evaluate | {f['untraced_per_cpu_s']:,}/CPU-s | ≥ 45,000: {met(untraced_ok)} |")
    print(f"| untraced + JSON text | {f['untraced+json_per_cpu_s']:,}/CPU-s | |")
    traced_ok = f["traced_per_cpu_s"] >= TARGETS["traced"]
    print(f"| traced, trace as data | {f['traced_per_cpu_s']:,}/CPU-s | ≥ 10,000: {met(traced_ok)} |")
    if "zen_per_cpu_s" in f:
        ratio_ok = f["untraced_vs_zen"] >= TARGETS["zen_ratio"]
        print(f"| zen-engine, inclusion only | {f['zen_per_cpu_s']:,}/CPU-s | |")
        print(f"| untraced ÷ zen | {f['untraced_vs_zen']}× | ≥ 0.6×: {met(ratio_ok)} |")
    if "batch_rows" in f:
        print(f"| batch {f['batch_rows']:,} rows, 2 workers | {f['batch_cpu_s']} CPU-s | |")
        cpu_ok = f["batch_record_cpu_s_per_million"] <= TARGETS["batch_record_cpu_s_per_million"]
        print(
            f"| batch {f['batch_rows']:,} rows --record, 2 workers | {f['batch_record_cpu_s']} CPU-s "
            f"({f['batch_record_cpu_s_per_million']} per million rows) | ≤ 90 per million: {met(cpu_ok)} |"
        )
        print(f"| bytes per record | {f['record_bytes']:,} | ≤ 1,024: {met(f['record_bytes'] <= 1024)} |")
    cold_ok = f["cold_cpu_s"] <= TARGETS["cold_cpu_s"]
    print(f"| cold `policyrules evaluate` (bytecode as installed) | {f['cold_cpu_s']} CPU-s | ≤ 0.20: {met(cold_ok)} |")
    print(f"| cold `policyrules evaluate`, no bytecode cache | {f['cold_no_bytecode_cpu_s']} CPU-s | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="documents per in-process measure and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--cold", type=int, default=2, help="cold starts per round")
    parser.add_argument("--batch-rows", type=int, default=20_000, help="rows of the batch register (0: no batch)")
    parser.add_argument("--batch-rounds", type=int, default=2, help="rounds that also run the two batches")
    parser.add_argument("--no-zen", action="store_true", help="leave out the peer (zen-engine not installed)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = run(args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
