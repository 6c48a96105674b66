"""Throughput and latency of the decision service, measured over real HTTP.

    PYTHONPATH=src python benchmarks/service.py [--requests 4000] [--clients 16] [--workers 1 2] [--record]
                                                [--pack mee_2021] [--trace] [--seed 2021]

Starts `policyrules serve` as a subprocess on a free port (for each --workers value in turn), waits for /health,
warms it up, then has 16 concurrent clients, each on its own keep-alive connection (httpx, a benchmark-only
dependency), POST the same seeded facts documents (benchmarks/engines.py's generator: valid, varied, with both
questions) to /v1/evaluate until --requests have been answered. Every answer must be 200; any other status is
counted and reported as an error. Prints, per configuration: requests per second (wall), p50 / p90 / p99 latency
in milliseconds, and the server's CPU seconds (user + system over the process tree, psutil) per 1000 requests,
which hardly depends on what else runs on the machine. The 1-minute load average before and after is shown: on
a shared machine, wall time says little when it rose. Writes nothing but a temporary records database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psutil
from engines import Generator, window

from policyrules import load_pack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(workers: int, record: Path | None) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    args = [sys.executable, "-m", "policyrules", "serve", "--port", str(port), "--workers", str(workers)]
    args += ["--log-level", "warning"] + (["--record", str(record)] if record else [])
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            health = httpx.get(f"{url}/health", timeout=2)
            if health.status_code == 200:
                time.sleep(0.5 * workers)  # let every worker finish loading its packs
                return url, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def requests_for(pack_id: str, n: int, seed: int, trace: bool) -> list[bytes]:
    pack = load_pack(pack_id)
    gen = Generator(seed)
    lo, hi = window(pack)
    scheme = pack.definition.credit_scheme
    grades = [(g.code, g.label) for g in scheme.grades] if scheme else [("good", "环保良好")]
    categories = [lit for a in pack.compiled.atoms.values() if a.kind == "text" for lit in a.domain] + ["其他"]
    bodies = []
    for _ in range(n):
        as_of = gen.day(lo, hi)
        facts = gen.facts(as_of, grades, categories)
        body = {"pack": pack_id, "as_of": as_of.isoformat(), "facts": facts, "trace": trace}
        bodies.append(json.dumps(body, default=date.isoformat, ensure_ascii=False).encode())
    return bodies


async def load(url: str, bodies: list[bytes], total: int, clients: int) -> tuple[list[float], int, float]:
    """(latencies in seconds, non-200 answers, wall seconds) for `total` requests over `clients` connections."""
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def client() -> None:
        nonlocal next_index, errors
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        headers = {"content-type": "application/json"}
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, headers=headers) as http:
            while next_index < total:
                body = bodies[next_index % len(bodies)]
                next_index += 1
                began = time.perf_counter()
                response = await http.post("/v1/evaluate", content=body)
                latencies.append(time.perf_counter() - began)
                errors += response.status_code != 200

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began


def tree_cpu(process: psutil.Process) -> float:
    total = 0.0
    for p in (process, *process.children(recursive=True)):
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(workers: int, bodies: list[bytes], total: int, clients: int, record: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url, process = start(workers, Path(folder) / "records.sqlite" if record else None)
        try:
            asyncio.run(load(url, bodies, min(400, total), clients))  # warm up every worker
            server = psutil.Process(process.pid)
            cpu_before, load_before = tree_cpu(server), os.getloadavg()[0]
            latencies, errors, wall = asyncio.run(load(url, bodies, total, clients))
            cpu = tree_cpu(server) - cpu_before
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "workers": workers,
        "record": record,
        "requests": len(latencies),
        "errors": errors,
        "req_per_s": len(latencies) / wall,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p90_ms": 1000 * percentile(latencies, 0.90),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "server_cpu_s_per_1000": 1000 * cpu / len(latencies),
        "load": f"{load_before:.2f} → {os.getloadavg()[0]:.2f}",
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pack", default="mee_2021")
    parser.add_argument("--record", action="store_true", help="also with --record (a temporary database)")
    parser.add_argument("--trace", action="store_true", help="ask for the full trace in every answer")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    bodies = requests_for(args.pack, 1000, args.seed, args.trace)
    print(f"# {args.pack}, {args.clients} keep-alive clients, {args.requests} requests, trace={args.trace}")
    print(
        "| workers | record | requests | errors | req/s | p50 ms | p90 ms | p99 ms | server CPU s / 1000 req | load |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for record in (False, True) if args.record else (False,):
        for workers in args.workers:
            r = bench(workers, bodies, args.requests, args.clients, record)
            print(
                f"| {r['workers']} | {'yes' if r['record'] else 'no'} | {r['requests']} | {r['errors']} "
                f"| {r['req_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} "
                f"| {r['server_cpu_s_per_1000']:.2f} | {r['load']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
