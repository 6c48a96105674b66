"""Decision records: appended to SQLite by evaluate, explain and batch; append-only; replayed with the pack they were
made under and with the current one; intact when a batch is killed halfway."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from policyrules import load_pack
from policyrules.records import (
    RecordStore,
    canonical_json,
    content_hash,
    format_id,
    parse_id,
    replay,
    reserve_ids,
    snapshot_pack,
)
from policyrules.registers import run_batch
from test_batch import good_documents, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "policies" / "chongqing" / "examples" / "listed_monitored_complaint.yaml"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8", env=full_env
    )


def recorded_id(stderr: str) -> str:
    line = next(x for x in stderr.splitlines() if x.startswith("policyrules: recorded "))
    return line.split()[2]


def copy_packs(tmp_path: Path) -> Path:
    """The shipped chongqing pack and the national pack it extends, as a bureau's own copies."""
    packs = tmp_path / "packs"
    for name in ("mee_2021", "chongqing"):
        shutil.copytree(ROOT / "policies" / name, packs / name)
    return packs


def test_ids_are_sortable_ulids_that_round_trip() -> None:
    first = reserve_ids(1000)
    ids = [format_id(first + i) for i in range(1000)]
    later = format_id(reserve_ids(1))
    assert all(len(i) == 26 for i in ids)
    assert ids == sorted(ids) and later > ids[-1]
    assert parse_id(ids[123]) == first + 123
    assert format_id(0) == "0" * 26 and format_id(2**128 - 1) == "7" + "Z" * 25


def test_evaluate_with_record_appends_everything_a_decision_rests_on(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite"
    proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), "--record", str(db))
    assert proc.returncode == 0, proc.stderr
    record_id = recorded_id(proc.stderr)
    decided = json.loads(proc.stdout)
    with RecordStore.open(db, create=False) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rec = store.get(record_id)
        result = store.result_json(rec["result_hash"])
    pack = load_pack("chongqing")
    assert rec["command"] == "evaluate" and rec["source"] == str(EXAMPLE)
    assert (rec["pack_id"], rec["pack_version"], rec["pack_ref"]) == ("chongqing", pack.version, "chongqing")
    assert rec["pack_hash"] == snapshot_pack(pack).content_hash
    assert rec["engine"] == "compiled" and rec["as_of"] == "2022-03-01" and rec["library_version"] == "0.1.0"
    assert rec["uscc"] == "91500112MA5U3K8L27" and rec["name"] == "重庆渝北示例电子科技有限公司"
    assert rec["input_hash"] == hashlib.sha256(rec["input"].encode()).hexdigest()
    assert json.loads(rec["input"])["violation_case"]["date"] == "2022-02-16"
    assert json.loads(rec["outcomes"]) == {k: v["outcome"] for k, v in decided["decisions"].items()}
    assert "渝环规〔2021〕5号 三、（七）一是" in json.loads(rec["citations"])["inspection"]
    assert result["decisions"] == decided["decisions"]  # the full result, citation texts and all


def test_records_are_append_only(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    proc = run_cli("explain", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), f"--record={db}")
    assert proc.returncode == 0, proc.stderr
    raw = sqlite3.connect(db)
    for statement in (
        "UPDATE records SET as_of = '2099-01-01'",
        "DELETE FROM records",
        "DELETE FROM packs",
        "UPDATE pack_files SET content = x''",
        "DELETE FROM results",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT count(*), min(command) FROM records").fetchone() == (1, "explain")
    raw.close()


def test_bare_record_uses_the_documented_default_location(tmp_path: Path) -> None:
    db = tmp_path / "default" / "records.sqlite"
    env = {"POLICYRULES_RECORDS": str(db)}
    proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), "--record", env=env)
    assert proc.returncode == 0, proc.stderr
    assert db.is_file()
    listed = run_cli("records", "list", env=env)
    assert listed.returncode == 0 and recorded_id(proc.stderr) in listed.stdout
    assert "chongqing@2021.1" in listed.stdout and "inspection=needs_approval" in listed.stdout
    xdg = run_cli(
        "evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), "--record",
        env={"POLICYRULES_RECORDS": "", "XDG_DATA_HOME": str(tmp_path / "xdg")},
    )  # fmt: skip
    assert xdg.returncode == 0, xdg.stderr
    assert (tmp_path / "xdg" / "policyrules" / "records.sqlite").is_file()


def test_record_refuses_to_take_the_facts_file_as_its_database(tmp_path: Path) -> None:
    proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", "--record", str(EXAMPLE))
    assert proc.returncode == 2
    assert "looks like an input file" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_replay_stands_when_nothing_changed(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), "--record", str(db))
    record_id = recorded_id(proc.stderr)
    rep = run_cli("replay", record_id[:20], "--db", str(db))
    assert rep.returncode == 0, rep.stdout + rep.stderr
    assert "content hash matches" in rep.stdout
    assert rep.stdout.count("every decision as recorded") == 2
    assert "still stands" in rep.stdout
    data = json.loads(run_cli("replay", record_id, "--db", str(db), "--format", "json").stdout)
    assert data["stands"] is True and data["recorded_pack"]["same_as_recorded"] is True


def test_replay_rebuilds_the_old_pack_and_says_what_the_new_one_changes(tmp_path: Path) -> None:
    packs = copy_packs(tmp_path)
    chongqing = packs / "chongqing"
    db = tmp_path / "r.sqlite"
    proc = run_cli("evaluate", "--pack", str(chongqing), "--as-of", "2022-03-01", str(EXAMPLE), "--record", str(db))
    assert proc.returncode == 0, proc.stderr
    record_id = recorded_id(proc.stderr)
    # the bureau later shortens the validity period in its copy of the pack: 3 years → 0 (expired at once)
    rules = chongqing / "rules.yaml"
    text = rules.read_text("utf-8")
    anchor = "years_since: enterprise.listing.listed_on\n      at_least: 3"
    assert text.count(anchor) == 1
    rules.write_text(text.replace(anchor, anchor[:-1] + "0"), "utf-8")
    rep = run_cli("replay", record_id, "--db", str(db))
    assert rep.returncode == 1, rep.stdout + rep.stderr
    out = rep.stdout
    old, new = out.split("with the current pack")
    assert "content hash matches" in old and "every decision as recorded" in old
    assert "differs from the recorded one" in new
    assert "listing:" in new and "outcome: keep → expired" in new
    # keep cited every listing clause checked; expired cites only the expiry rule's
    assert "citation no longer given: 渝环规〔2021〕5号 三、（四）" in new and "now given" not in new
    assert "no longer stands: 1 decision changed" in out
    # the record store still holds the old pack: rebuilt, it hashes as recorded and decides as recorded
    with RecordStore.open(db, create=False) as store:
        again = replay(store, record_id)
    assert again.recorded_pack.same and again.recorded_pack.pack_hash == store_hash(db, record_id)
    assert [c.decision for c in again.current_pack.changes] == ["listing"]


def store_hash(db: Path, record_id: str) -> str:
    with RecordStore.open(db, create=False) as store:
        return str(store.get(record_id)["pack_hash"])


def test_content_hash_covers_the_pack_and_its_ancestors(tmp_path: Path) -> None:
    packs = copy_packs(tmp_path)
    before = snapshot_pack(load_pack(str(packs / "chongqing")))
    assert before.content_hash == snapshot_pack(load_pack("chongqing")).content_hash  # not the directory's path
    assert {f.pack_id for f in before.files} == {"chongqing", "mee_2021"}
    assert content_hash(before.files) == before.content_hash
    source = packs / "mee_2021" / "clauses.yaml"
    source.write_text(source.read_text("utf-8") + "\n# a comment\n", "utf-8")  # the parent changes
    assert snapshot_pack(load_pack(str(packs / "chongqing"))).content_hash != before.content_hash


def test_batch_records_every_evaluated_row_and_reports_only_what_it_recorded(tmp_path: Path) -> None:
    docs = good_documents(20)
    register = tmp_path / "r.jsonl"
    write_jsonl(register, [*docs, {"enterprise": {"name": "坏", "uscc": "123"}}])
    db = tmp_path / "r.sqlite"
    out = tmp_path / "out.jsonl"
    summary = run_batch(str(register), out, "chongqing", as_of=date(2022, 6, 1), workers=2, record=db, chunk_size=4)
    assert summary.recorded == len(docs) and summary.errors == 1
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    with RecordStore.open(db, create=False) as store:
        assert store.count() == len(docs)
        for row, doc in zip(rows, docs, strict=True):
            rec = store.get(row["record_id"])
            assert rec["row"] == row["row"] and rec["command"] == "batch" and rec["source"] == str(register)
            assert rec["input"] == canonical_json(doc)
            assert json.loads(rec["outcomes"]) == {k: v["outcome"] for k, v in row["decisions"].items()}
        rep = replay(store, rows[3]["record_id"])
    assert rep.stands and rep.recorded_pack.same
    assert [r["record_id"] for r in rows] == sorted(r["record_id"] for r in rows)  # ids sort in row order


def test_a_batch_killed_halfway_keeps_every_committed_record(tmp_path: Path) -> None:
    docs = good_documents(40)
    register = tmp_path / "big.jsonl"
    write_jsonl(register, docs * 150)  # ~7,000 rows: several seconds of work
    total = len(docs) * 150
    db = tmp_path / "r.sqlite"
    out = tmp_path / "out.jsonl"
    command = [
        sys.executable, "-m", "policyrules.cli", "batch", "--pack", "chongqing", "--as-of", "2022-06-01",
        str(register), "-o", str(out), "--workers", "2", "--chunk-size", "50", "--record", str(db),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        start_new_session=True,  # its own process group: the workers die with it
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 200_000):
        time.sleep(0.02)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reported = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.endswith("}")]
    assert 0 < len(reported) < total
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = [r[0] for r in raw.execute("SELECT row FROM records ORDER BY id")]
    ids = {r[0] for r in raw.execute("SELECT id FROM records")}
    raw.close()
    assert all(r["record_id"] in ids for r in reported)  # nothing it reported as recorded is lost
    assert rows == list(range(1, len(rows) + 1))  # a prefix of the register, in order: whole chunks only
    assert len(rows) % 50 == 0 and len(rows) < total
    # the database is still usable: the same batch runs to the end and appends after what survived
    summary = run_batch(str(register), tmp_path / "again.csv", "chongqing", as_of=date(2022, 6, 1), record=db)
    with RecordStore.open(db, create=False) as store:
        assert store.count() == len(rows) + summary.recorded == len(rows) + total


def test_a_superseded_packs_record_holds_the_superseding_pack_and_replays(tmp_path: Path) -> None:
    """shanxi_2020 after 2021-04-06 decides by mee_2021 where it differs (pack.yaml supersession): its snapshot
    holds mee_2021 as well, and the rebuilt pack decides as recorded."""
    snapshot = snapshot_pack(load_pack("shanxi_2020"))
    assert {f.pack_id for f in snapshot.files} == {"shanxi_2020", "mee_2021"}
    facts = tmp_path / "complaint.yaml"
    facts.write_text(
        "enterprise: {name: 长治市示例企业, uscc: 91140404112703851G,\n"
        "  listing: {listed_on: 2020-04-10, category: '4'}}\n"
        "inspection_request: {grounds: complaint}\n",
        "utf-8",
    )
    db = tmp_path / "r.sqlite"
    proc = run_cli("evaluate", "--pack", "shanxi_2020", "--as-of", "2021-06-01", str(facts), "--record", str(db))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["decisions"]["inspection"]["outcome"] == "needs_approval"
    with RecordStore.open(db, create=False) as store:
        again = replay(store, recorded_id(proc.stderr))
    assert again.recorded_pack.same and again.stands
