"""Decision records: appended to SQLite by evaluate, explain and batch; append-only; replayed with the pack they were
made under and with the current one; intact when a batch is killed halfway."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from policyrules import load_pack
from policyrules.records import (
    RECORD_COLUMNS,
    PackFile,
    RecordStore,
    canonical_json,
    chain_hash,
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
            assert json.loads(rec["outcomes"]) == {k: v["outcome"] for k, v in row["result"]["decisions"].items()}
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
    out.write_text("a previous run's results\n", encoding="utf-8")
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
    written: list[Path] = []  # the results are written beside out.jsonl and renamed over it at the end
    while time.monotonic() < deadline and not (written and written[0].stat().st_size >= 200_000):
        time.sleep(0.02)
        written = list(tmp_path.glob(".out.jsonl.*.tmp.jsonl"))
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert out.read_text("utf-8") == "a previous run's results\n"  # the killed run replaced nothing
    # the lines written whole before the kill (the last may be cut anywhere, even inside a character)
    data = written[0].read_bytes()
    reported = [json.loads(line) for line in data[: data.rfind(b"\n") + 1].decode("utf-8").splitlines()]
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


# --- records you can trust (issue 13, items 5, 6 and 7) ----------------------------------------------------------


def recorded_db(tmp_path: Path, times: int = 3) -> tuple[Path, list[str]]:
    db = tmp_path / "r.sqlite"
    ids = []
    for _ in range(times):
        proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), "--record", str(db))
        assert proc.returncode == 0, proc.stderr
        ids.append(recorded_id(proc.stderr))
    return db, ids


def tamper(db: Path, trigger: str, sql: str, params: tuple[object, ...] = ()) -> None:
    """What an attacker with plain SQL does: drop the append-only trigger in the way, then rewrite in place."""
    raw = sqlite3.connect(db)
    raw.execute(f"DROP TRIGGER {trigger}")
    raw.execute(sql, params)
    raw.commit()
    raw.close()


def test_insert_or_replace_cannot_rewrite_a_record_or_a_stored_result(tmp_path: Path) -> None:
    db, _ = recorded_db(tmp_path, 1)
    raw = sqlite3.connect(db)
    columns = [r[1] for r in raw.execute("PRAGMA table_info(records)")]
    row = list(raw.execute("SELECT * FROM records").fetchone())
    row[columns.index("as_of")] = "2099-01-01"
    with pytest.raises(sqlite3.IntegrityError, match="REPLACE on records refused"):
        raw.execute(f"INSERT OR REPLACE INTO records VALUES ({', '.join('?' * len(row))})", row)
    sha, _ = raw.execute("SELECT sha256, json FROM results").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="REPLACE on results refused"):
        raw.execute("INSERT OR REPLACE INTO results VALUES (?, '{}')", (sha,))
    with pytest.raises(sqlite3.IntegrityError, match="REPLACE on pack_files refused"):
        raw.execute("REPLACE INTO pack_files SELECT sha256, x'00' FROM pack_files LIMIT 1")
    assert raw.execute("SELECT as_of FROM records").fetchone() == ("2022-03-01",)
    raw.close()


def test_records_verify_passes_an_intact_chain_and_names_the_first_broken_link(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 3)
    ok = run_cli("records", "verify", "--db", str(db), "--format", "json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] is True and report["records"] == 3 and report["first_problem"] is None
    with RecordStore.open(db, create=False) as store:
        assert report["head"] == store.get(ids[-1])["record_hash"]
    # an attacker with plain SQL drops the triggers and rewrites the second record in place
    tamper(db, "records_no_update", "UPDATE records SET as_of = '2030-01-01' WHERE id = ?", (ids[1],))
    broken = run_cli("records", "verify", "--db", str(db))
    assert broken.returncode == 1
    assert f"BROKEN after 1 intact records: record #2 ({ids[1]})" in broken.stdout
    # rewriting its hash too moves the break to the next record: the chain still shows it
    with RecordStore.open(db, create=False) as store:
        rec = store.db.execute("SELECT * FROM records WHERE id = ?", (ids[1],)).fetchone()
    raw = sqlite3.connect(db)
    first_hash = raw.execute("SELECT record_hash FROM records WHERE id = ?", (ids[0],)).fetchone()[0]
    cols = [r[1] for r in raw.execute("PRAGMA table_info(records)")]
    values = [rec[cols.index(c)] for c in RECORD_COLUMNS]
    raw.execute("UPDATE records SET record_hash = ? WHERE id = ?", (chain_hash(first_hash, values), ids[1]))
    raw.commit()
    raw.close()
    moved = run_cli("records", "verify", "--db", str(db))
    assert moved.returncode == 1 and f"record #3 ({ids[2]})" in moved.stdout


def test_records_verify_finds_an_altered_stored_result(tmp_path: Path) -> None:
    db, _ = recorded_db(tmp_path, 1)
    tamper(db, "results_no_update", "UPDATE results SET json = replace(json, 'keep', 'expired')")
    proc = run_cli("records", "verify", "--db", str(db))
    assert proc.returncode == 1 and "stored result" in proc.stdout and "does not match its hash" in proc.stdout


@pytest.mark.parametrize("kind", ["text", "other_sqlite"])
def test_read_commands_refuse_a_file_that_is_not_a_records_database_and_change_nothing(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "notes.db"
    if kind == "text":
        target.write_text("not a database at all\n", "utf-8")
    else:
        other = sqlite3.connect(target)
        other.execute("CREATE TABLE notes (x TEXT)")
        other.commit()
        other.close()
    before = target.read_bytes()
    for args in (("records", "list"), ("records", "verify"), ("replay", "01ARZ3NDEKTSV4RRFFQ69G5FAV")):
        proc = run_cli(*args, "--db", str(target))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "not a policyrules records database" in proc.stderr and "Traceback" not in proc.stderr
    assert target.read_bytes() == before
    if kind == "other_sqlite":
        check = sqlite3.connect(target)
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in check.execute("SELECT name FROM sqlite_schema")] == ["notes"]
        check.close()
    # and --record does not turn someone else's database into a records database either
    rec = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(EXAMPLE), f"--record={target}")
    assert rec.returncode == 2 and "not a policyrules records database" in rec.stderr
    assert target.read_bytes() == before


def test_a_database_whose_schema_never_committed_reads_as_empty_and_stays_unchanged(tmp_path: Path) -> None:
    """`--record` killed after SQLite made the file but before the schema committed leaves an empty database:
    it holds no records, its (empty) chain verifies, and reading it writes nothing."""
    db = tmp_path / "r.sqlite"
    sqlite3.connect(db).close()  # what the interrupted run leaves: an SQLite file with no schema
    for args in (("records", "verify"), ("records", "list", "--format", "json")):
        proc = run_cli(*args, "--db", str(db))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_cli("records", "verify", "--db", str(db)).stdout.startswith("0 records, chain intact")
    assert json.loads(run_cli("records", "list", "--format", "json", "--db", str(db)).stdout) == []
    assert db.read_bytes() == b""


def test_records_list_json_streams_every_record(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 3)
    proc = run_cli("records", "list", "--db", str(db), "--limit", "0", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert [r["id"] for r in listed] == ids[::-1]
    assert all("渝环规〔2021〕5号 三、（七）一是" in r["citations"]["inspection"] for r in listed)
    assert {r["pack_id"] for r in listed} == {"chongqing"} and all("input" not in r for r in listed)


def test_a_record_stores_only_what_cannot_be_derived(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 1)
    raw = sqlite3.connect(db)
    columns = {r[1] for r in raw.execute("PRAGMA table_info(records)")}
    assert not columns & {"pack_id", "pack_version", "name", "input_hash", "citations"}
    total = " + ".join(f"coalesce(length(CAST({c} AS BLOB)), 0)" for c in columns - {"input"})
    overhead = raw.execute(f"SELECT {total} FROM records").fetchone()[0]
    raw.close()
    assert overhead <= 512  # besides the input itself: ids, hashes, time, outcomes (about 1 KB a record in all)
    with RecordStore.open(db, create=False) as store:
        rec = store.get(ids[0])
    assert rec["name"] == "重庆渝北示例电子科技有限公司" and rec["pack_id"] == "chongqing"


def crafted_db(tmp_path: Path, rel: str, directory: str = "chongqing") -> tuple[Path, str]:
    """A records database from elsewhere whose stored pack names the file `rel`: its hashes all consistent."""
    db, ids = recorded_db(tmp_path, 1)
    payload = b"import os; os.system('echo owned')\n"
    digest = hashlib.sha256(payload).hexdigest()
    raw = sqlite3.connect(db)
    for trigger in ("packs_no_update", "records_no_update"):
        raw.execute(f"DROP TRIGGER {trigger}")
    manifest = raw.execute("SELECT manifest FROM packs").fetchone()[0]
    entries = [*json.loads(manifest), ["chongqing", directory, rel, digest]]
    new_hash = content_hash([PackFile(*e) for e in entries])
    raw.execute("INSERT INTO pack_files VALUES (?, ?)", (digest, payload))
    raw.execute("UPDATE packs SET content_hash = ?, manifest = ?", (new_hash, json.dumps(entries)))
    raw.execute("UPDATE records SET pack_hash = ?", (new_hash,))
    raw.commit()
    raw.close()
    return db, ids[0]


@pytest.mark.parametrize(
    ("rel", "directory"),
    [("../../escaped.pth", "chongqing"), ("/tmp/escaped.pth", "chongqing"), ("x.pth", ".."), ("a/../../b.pth", "c")],
)
def test_replay_never_writes_outside_its_temporary_folder(tmp_path: Path, rel: str, directory: str) -> None:
    db, record_id = crafted_db(tmp_path, rel, directory)
    before = set(Path(tempfile.gettempdir()).iterdir())
    proc = run_cli("replay", record_id, "--db", str(db))
    assert proc.returncode in (0, 1, 2) and "Traceback" not in proc.stderr
    assert "unsafe path" in proc.stdout + proc.stderr
    assert not (Path(tempfile.gettempdir()) / "escaped.pth").exists() and not Path("/tmp/escaped.pth").exists()
    assert not [p for p in set(Path(tempfile.gettempdir()).iterdir()) - before if p.name.endswith(".pth")]


def test_replay_checks_hashes_before_writing_anything(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 1)
    tamper(
        db,
        "pack_files_no_update",
        "UPDATE pack_files SET content = x'00' WHERE rowid = (SELECT min(rowid) FROM pack_files)",
    )
    with RecordStore.open(db, create=False) as store:
        rep = replay(store, ids[0])
    assert rep.recorded_pack.error is not None and "missing or altered" in rep.recorded_pack.error


def test_snapshots_hold_only_the_files_a_pack_reads_and_nothing_a_link_points_to(tmp_path: Path) -> None:
    packs = copy_packs(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("the bureau's password", "utf-8")
    (packs / "chongqing" / "notes.txt").symlink_to(secret)
    (packs / "chongqing" / "cases" / "leak.txt").symlink_to(secret)
    snap = snapshot_pack(load_pack(str(packs / "chongqing")))
    names = {(f.pack_id, f.path) for f in snap.files}
    assert names == {
        (pack, name) for pack in ("chongqing", "mee_2021") for name in ("pack.yaml", "clauses.yaml", "rules.yaml")
    } | {("chongqing", "source.txt"), ("mee_2021", "source.txt")}
    assert all(b"password" not in blob for blob in snap.blobs.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_at_a_random_point_leaves_a_database_that_verifies(tmp_path: Path, seed: int) -> None:
    docs = good_documents(40)
    register = tmp_path / "big.jsonl"
    write_jsonl(register, docs * 60)
    db = tmp_path / "r.sqlite"
    if seed == 3:  # a database that already holds records: the chain goes on from them
        recorded_db(tmp_path, 2)
    command = [
        sys.executable, "-m", "policyrules.cli", "batch", "--pack", "chongqing", "--as-of", "2022-06-01",
        str(register), "-o", str(tmp_path / "out.jsonl"), "--chunk-size", "25", "--record", str(db),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        start_new_session=True,
    )
    time.sleep(random.Random(seed).uniform(0.3, 3.0))  # anywhere from start-up to deep in the batch
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if db.exists():
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()
        check = run_cli("records", "verify", "--db", str(db))
        assert check.returncode == 0, check.stdout + check.stderr
        assert "chain intact" in check.stdout


V1_RECORDS = """CREATE TABLE pack_files (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE packs (content_hash TEXT PRIMARY KEY, pack_id TEXT NOT NULL, version TEXT NOT NULL,
    manifest TEXT NOT NULL, stored_at TEXT NOT NULL);
CREATE TABLE results (sha256 TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE records (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, command TEXT NOT NULL,
    source TEXT, row INTEGER, pack_id TEXT NOT NULL, pack_version TEXT NOT NULL, pack_hash TEXT NOT NULL,
    pack_ref TEXT NOT NULL, engine TEXT NOT NULL, library_version TEXT NOT NULL, as_of TEXT NOT NULL, uscc TEXT,
    name TEXT, input TEXT NOT NULL, input_hash TEXT NOT NULL, outcomes TEXT NOT NULL, citations TEXT NOT NULL,
    result_hash TEXT NOT NULL);
PRAGMA user_version = 1;"""


def test_records_of_schema_1_are_refused_by_name_and_migrate_into_a_new_database(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 2)
    with RecordStore.open(db, create=False) as store:
        recs = [store.get(i) for i in ids]
        tables = {t: store.db.execute(f"SELECT * FROM {t}").fetchall() for t in ("pack_files", "packs", "results")}
    old = tmp_path / "v1.sqlite"
    raw = sqlite3.connect(old)
    raw.executescript(V1_RECORDS)
    for table, rows in tables.items():
        raw.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    v1_columns = [r[1] for r in raw.execute("PRAGMA table_info(records)")][1:]
    raw.executemany(
        f"INSERT INTO records ({', '.join(v1_columns)}) VALUES ({', '.join('?' * len(v1_columns))})",
        [[rec[c] for c in v1_columns] for rec in recs],
    )
    raw.commit()
    raw.close()
    before = old.read_bytes()
    listing = run_cli("records", "list", "--db", str(old))
    assert (
        listing.returncode == 2 and "records schema version 1" in listing.stderr and "records migrate" in listing.stderr
    )
    new = tmp_path / "v2.sqlite"
    moved = run_cli("records", "migrate", "--db", str(old), str(new))
    assert moved.returncode == 0, moved.stderr
    assert "2 records copied" in moved.stdout and old.read_bytes() == before
    assert run_cli("records", "verify", "--db", str(new)).returncode == 0
    with RecordStore.open(new, create=False) as store:
        for rec in recs:
            again = store.get(rec["id"])
            assert {k: again[k] for k in rec if k != "record_hash"} == {
                k: v for k, v in rec.items() if k != "record_hash"
            }
        rep = replay(store, ids[0])
    assert rep.stands
    again = run_cli("records", "migrate", "--db", str(old), str(new))
    assert again.returncode == 2 and "must not exist" in again.stderr


def test_replay_notices_a_record_rewritten_in_place(tmp_path: Path) -> None:
    db, ids = recorded_db(tmp_path, 2)
    assert run_cli("replay", ids[0], "--db", str(db)).returncode == 0
    tamper(
        db,
        "records_no_update",
        "UPDATE records SET outcomes = replace(outcomes, 'keep', 'remove') WHERE id = ?",
        (ids[0],),
    )
    proc = run_cli("replay", ids[0], "--db", str(db))
    assert proc.returncode == 1 and "ALTERED" in proc.stdout and "was altered" in proc.stdout
    data = json.loads(run_cli("replay", ids[0], "--db", str(db), "--format", "json").stdout)
    assert data["intact"] is False and data["stands"] is False
    assert run_cli("replay", ids[1], "--db", str(db)).returncode == 0  # the next record itself is unchanged


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("outcomes", "[" * 100_000 + "]" * 100_000, "the outcomes of record"),
        ("outcomes", '["keep"]', "are not {decision: outcome}"),
        ("input", "not json", "the input of record"),
        ("input", b"\x00\xff", "its input is not what a record holds"),
        ("time", b"\x01", "its time is not what a record holds"),
        ("as_of", "2021-02-30", "its as_of is not a date"),
        ("row", "x", "its row is not what a record holds"),
    ],
)
def test_a_crafted_record_is_bad_input_for_every_read_command(
    tmp_path: Path, column: str, value: object, message: str
) -> None:
    db, ids = recorded_db(tmp_path, 1)
    tamper(db, "records_no_update", f"UPDATE records SET {column} = ?", (value,))
    for args in (("records", "list"), ("records", "list", "--format", "json"), ("replay", ids[0])):
        proc = run_cli(*args, "--db", str(db))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
    assert run_cli("records", "verify", "--db", str(db)).returncode == 1


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
