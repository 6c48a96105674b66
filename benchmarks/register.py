"""A seeded synthetic register of any size, and the end-to-end throughput of `policyrules batch` on it.

    python benchmarks/register.py generate --rows 1000000 --format csv            # → /tmp/policyrules-bench/…
    python benchmarks/register.py run --rows 1000000 --format csv --engine compiled --workers 1 2

`run` generates the register if it is not there yet, then times `policyrules batch` as a subprocess — read,
validate, evaluate every decision with its citations, write — and samples the resident memory of the whole
process tree (the batch process, its forkserver and its workers) every 20 ms, reporting the peak of the sum.
Everything is written under /tmp (never in the repository); docs/performance.md records the method and figures.

The register is realistic in shape, not in statistics: valid 统一社会信用代码 (GB 32100-2015 check character,
with a GB 11714 organisation code inside) and 排污许可证编号 built on them, Chongqing district codes and names,
GB/T 4754 industry codes; a share listed (some long enough ago to have expired, some removed), violations,
inspections, objections, inspection requests and violation cases. With --bad-rate a share of rows is broken
(a wrong check character, an impossible date, an unreadable boolean) to exercise the error file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from policyrules.facts import USCC_CHARSET, uscc_check_char

OUT = Path(os.environ.get("POLICYRULES_BENCH_DIR", "/tmp/policyrules-bench"))
AS_OF = "2022-03-01"

DISTRICTS = {
    "500101": "万州区",
    "500102": "涪陵区",
    "500103": "渝中区",
    "500104": "大渡口区",
    "500105": "江北区",
    "500106": "沙坪坝区",
    "500107": "九龙坡区",
    "500108": "南岸区",
    "500109": "北碚区",
    "500110": "綦江区",
    "500111": "大足区",
    "500112": "渝北区",
    "500113": "巴南区",
    "500115": "长寿区",
    "500116": "江津区",
    "500117": "合川区",
    "500118": "永川区",
    "500120": "璧山区",
}
BRANDS = [
    "长江",
    "嘉陵",
    "山城",
    "巴渝",
    "渝新",
    "金桥",
    "华宇",
    "天府",
    "恒信",
    "宏达",
    "鑫源",
    "瑞丰",
    "兴隆",
    "广汇",
    "聚丰",
    "龙腾",
    "三峡",
    "缙云",
    "南山",
    "朝天门",
]
TRADES = [
    "化工",
    "食品加工",
    "机械制造",
    "电子科技",
    "环保科技",
    "建材",
    "纺织",
    "印刷",
    "汽车零部件",
    "制药",
    "铸造",
    "家具",
    "酿酒",
    "造纸",
    "电镀",
]
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
INDUSTRIES = [
    "C2614",
    "C1391",
    "C3011",
    "C3670",
    "C2710",
    "C3982",
    "C1713",
    "C2231",
    "D4411",
    "C3130",
    "C1512",
    "C2110",
    "C3360",
    "C2221",
]
RATINGS = ["环保诚信"] * 15 + ["环保良好"] * 55 + ["环保警示"] * 8 + ["环保不良"] * 2 + [""] * 20
KINDS = ["exceedance"] * 5 + ["other"] * 3 + ["falsified_records", "evading_supervision", "malicious_discharge"]
GROUNDS = [
    "complaint",
    "media",
    "referral",
    "monitoring_anomaly",
    "special_action",
    "random_draw",
    "research_visit",
    "other",
]
APPROVALS = ("enforcement_head", "bureau_head", "superior_bureau")
TRAITS = (
    "epidemic_essential",
    "livelihood_key_industry",
    "livelihood_related",
    "low_emission",
    "low_risk",
    "high_employment",
    "major_project",
    "key_sector",
    "green_certified",
)
CASE_FLAGS = ("no_subjective_fault", "self_reported", "eliminated", "first_offence", "corrected", "malicious")

# CSV/XLSX columns: Chinese headers where docs/batch.md has one, dotted paths (short or full) elsewhere
COLUMNS = [
    ("序号", None),
    ("企业名称", "name"),
    ("统一社会信用代码", "uscc"),
    ("所在地", "district"),
    ("所属行业", "industry"),
    ("排污许可证编号（排污登记编号）", "permit_no"),
    ("重点排污单位", "key_discharger"),
    ("小微企业", "small_micro"),
    ("环保信用评价结果", "credit_rating"),
    *((f"traits.{t}", f"traits.{t}") for t in TRAITS),
    ("monitoring.installed", "monitoring.installed"),
    ("monitoring.networked", "monitoring.networked"),
    ("monitoring.stable", "monitoring.stable"),
    ("monitoring.compliant", "monitoring.compliant"),
    ("enterprise.violations", "violations"),
    ("enterprise.inspections", "inspections"),
    ("enterprise.objections", "objections"),
    ("纳入正面清单日期", "listing.listed_on"),
    ("纳入类别", "listing.category"),
    ("移出正面清单日期", "listing.removed_on"),
    ("inspection_request.grounds", "@inspection_request.grounds"),
    ("inspection_request.approvals", "@inspection_request.approvals"),
    ("inspection_request.self_check_report", "@inspection_request.self_check_report"),
    ("violation_case.date", "@violation_case.date"),
    ("violation_case.harm", "@violation_case.harm"),
    *((f"violation_case.{f}", f"@violation_case.{f}") for f in CASE_FLAGS),
]


def org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "".join(rng.choice(USCC_CHARSET[:10] if i < 2 else USCC_CHARSET) for i in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(rng: random.Random, division: str) -> str:
    first17 = "91" + division + org_code(rng)
    return first17 + uscc_check_char(first17)


def day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def enterprise_document(rng: random.Random, bad_rate: float) -> dict[str, Any]:
    division = rng.choice(list(DISTRICTS))
    code = uscc(rng, division)
    key = rng.random() < 0.15
    ent: dict[str, Any] = {
        "name": f"重庆{rng.choice(BRANDS)}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}",
        "uscc": code,
        "district": DISTRICTS[division],
        "industry": rng.choice(INDUSTRIES),
    }
    if rng.random() < 0.7:
        ent["permit_no"] = f"{code}{rng.randrange(1, 4):03d}{'P' if key or rng.random() < 0.5 else 'W'}"
    if key:
        ent["key_discharger"] = True
    elif rng.random() < 0.5:
        ent["small_micro"] = True
    traits = {t: True for t in TRAITS if rng.random() < 0.08}
    if traits:
        ent["traits"] = traits
    installed = rng.random() < (0.9 if key else 0.1)
    if installed:
        ent["monitoring"] = {
            "installed": True,
            "networked": rng.random() < 0.9,
            "stable": rng.random() < 0.85,
            "compliant": rng.random() < 0.8,
        }
    rating = rng.choice(RATINGS)
    if rating:
        ent["credit_rating"] = rating
    if rng.random() < 0.12:
        ent["violations"] = [
            {
                "date": day(rng, date(2019, 1, 1), date(2022, 2, 28)).isoformat(),
                "serious": rng.random() < 0.15,
                "kind": rng.choice(KINDS),
            }
            for _ in range(rng.randint(1, 2))
        ]
    if rng.random() < 0.35:
        ent["inspections"] = [
            {"date": day(rng, date(2020, 1, 1), date(2022, 2, 28)).isoformat(), "on_site": rng.random() < 0.7}
            for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.01:
        ent["objections"] = [{"by": "行业协会", "upheld": rng.random() < 0.5}]
    if rng.random() < 0.25:
        listed = day(rng, date(2018, 6, 1), date(2022, 2, 28))
        category = rng.choice(["一是", "二是", "三是", "四是", "五是"])
        ent["listing"] = {"listed_on": listed.isoformat(), "category": category}
        if rng.random() < 0.05:
            ent["listing"]["removed_on"] = day(rng, listed, date(2022, 2, 28)).isoformat()
    doc: dict[str, Any] = {"enterprise": ent}
    if rng.random() < 0.08:
        doc["inspection_request"] = {
            "grounds": rng.choice(GROUNDS),
            "approvals": [a for a in APPROVALS if rng.random() < 0.3],
            "self_check_report": rng.random() < 0.3,
        }
    if rng.random() < 0.04:
        case: dict[str, Any] = {
            "date": day(rng, date(2021, 6, 1), date(2022, 2, 28)).isoformat(),
            "harm": rng.choice(["none", "none", "minor", "serious"]),
        }
        case.update({f: True for f in CASE_FLAGS if rng.random() < 0.3})
        doc["violation_case"] = case
    if bad_rate and rng.random() < bad_rate:
        breakage = rng.randrange(3)
        if breakage == 0:
            ent["uscc"] = code[:17] + ("0" if code[17] != "0" else "1")
        elif breakage == 1:
            ent["listing"] = {"listed_on": "2021-13-01"}
        else:
            ent["small_micro"] = "也许"
    return doc


def documents(rows: int, seed: int, bad_rate: float) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for _ in range(rows):
        yield enterprise_document(rng, bad_rate)


def _cell(doc: dict[str, Any], path: str | None) -> Any:
    if path is None:
        return None
    current: Any = doc if path.startswith("@") else doc["enterprise"]
    for part in path.lstrip("@").split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    if isinstance(current, bool):
        return "是" if current else "否"
    if isinstance(current, list):
        return ", ".join(current) if path.endswith("approvals") else json.dumps(current, ensure_ascii=False)
    return current


def register_path(rows: int, seed: int, fmt: str, bad_rate: float) -> Path:
    bad = f"-bad{bad_rate:g}" if bad_rate else ""
    return OUT / f"register-{rows}-s{seed}{bad}.{fmt}"


def generate(rows: int, seed: int, fmt: str, bad_rate: float = 0.0, path: Path | None = None) -> Path:
    path = path or register_path(rows, seed, fmt, bad_rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    docs = documents(rows, seed, bad_rate)
    if fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([h for h, _ in COLUMNS])
            for i, doc in enumerate(docs, start=1):
                writer.writerow([i if p is None else _cell(doc, p) for _, p in COLUMNS])
    elif fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("企业名录")
        ws.append(["重庆市生态环境局 排污单位名录（合成数据，仅供测试）"])
        ws.append([h for h, _ in COLUMNS])
        for i, doc in enumerate(docs, start=1):
            ws.append([i if p is None else _cell(doc, p) for _, p in COLUMNS])
        wb.save(tmp)
    else:
        raise SystemExit(f"unknown format {fmt}")
    tmp.replace(path)
    return path


def measure(command: list[str], interval: float = 0.02) -> tuple[float, int, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, the peak summed RSS (bytes) and the CPU seconds (user + system, summed over every process
    seen) of the process tree of `command`. CPU seconds do not depend on what else runs on the machine."""
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        total = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                total += p.memory_info().rss
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system
        peak = max(peak, total)
        time.sleep(interval)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    return seconds, peak, sum(cpu.values()), subprocess.CompletedProcess(command, proc.returncode, out, err)


def run(args: argparse.Namespace) -> None:
    source = register_path(args.rows, args.seed, args.format, args.bad_rate)
    if not source.exists():
        t = time.perf_counter()
        generate(args.rows, args.seed, args.format, args.bad_rate)
        print(f"generated {source} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    results = []
    for engine in args.engine:
        for workers in args.workers:
            out = OUT / f"results-{source.stem}-{engine}-w{workers}.{args.output}"
            command = [
                sys.executable,
                "-m",
                "policyrules.cli",
                "batch",
                "--pack",
                args.pack,
                "--as-of",
                AS_OF,
                "--engine",
                engine,
                "--workers",
                str(workers),
                str(source),
                "-o",
                str(out),
                *(["--record", str(OUT / f"records-{engine}-w{workers}.sqlite")] if args.record else []),
            ]
            load_before = os.getloadavg()[0]
            seconds, peak, cpu, proc = measure(command)
            if proc.returncode not in (0, 1):
                raise SystemExit(proc.stderr)
            row = {
                "rows": args.rows,
                "format": args.format,
                "output": args.output,
                "pack": args.pack,
                "engine": engine,
                "workers": workers,
                "record": args.record,
                "seconds": round(seconds, 2),
                "rows_per_s": round(args.rows / seconds),
                "peak_rss_mb": round(peak / 2**20),
                "cpu_s": round(cpu, 1),
                "cpu_us_per_row": round(cpu / args.rows * 1e6, 1),
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            print(proc.stderr.strip(), file=sys.stderr)
    print("| rows | in | out | pack | engine | workers | seconds | rows/s | CPU s | peak RSS (MB) | load |")
    print("|---:|---|---|---|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['format']} | {r['output']} | {r['pack']} | {r['engine']} | {r['workers']} "
            f"| {r['seconds']} | {r['rows_per_s']:,} | {r['cpu_s']} | {r['peak_rss_mb']} "
            f"| {r['load_before']} → {r['load_after']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("generate", "run"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--rows", type=int, default=100_000)
        cmd.add_argument("--seed", type=int, default=2021)
        cmd.add_argument("--format", choices=("jsonl", "csv", "xlsx"), default="csv")
        cmd.add_argument("--bad-rate", type=float, default=0.0)
        if name == "run":
            cmd.add_argument("--output", choices=("jsonl", "csv", "xlsx"), default="csv")
            cmd.add_argument("--pack", default="mee_2021")
            cmd.add_argument("--engine", nargs="+", default=["compiled"])
            cmd.add_argument("--workers", type=int, nargs="+", default=[1, 2])
            cmd.add_argument("--record", action="store_true", help="also record every decision (--record)")
    args = parser.parse_args()
    if args.command == "generate":
        print(generate(args.rows, args.seed, args.format, args.bad_rate))
    else:
        run(args)


if __name__ == "__main__":
    main()
