"""Never destroy the user's files, and nothing a name can do to a spreadsheet or a terminal (issue 13, items 4
and 8): outputs that are inputs refused, missing folders a clear error, interrupted or killed batches leaving the
previous results, 附表2 cells written as text, control characters shown as escapes. Real files, real processes."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from policyrules.registers import OutputError, error_path, run_batch
from policyrules.textsafe import printable
from test_batch import good_documents, run_cli, write_jsonl
from test_register import enterprise

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 6, 1)
GOOD_USCC = "91350100M000100Y43"
HOSTILE = "恶意\x1b]0;pwned\x07\x1b[2J企业\x9b31m\u202e"


def small_register(folder: Path, name: str = "甲企业") -> Path:
    register = folder / "名录.jsonl"
    write_jsonl(register, [{"enterprise": {"name": name, "uscc": GOOD_USCC}}, {"enterprise": {"name": "乙"}}])
    return register


# --- outputs that are inputs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["same", "symlink", "hardlink", "dotted"])
def test_batch_refuses_to_write_over_its_register(tmp_path: Path, alias: str) -> None:
    register = small_register(tmp_path)
    before = register.read_bytes()
    output = {
        "same": register,
        "symlink": tmp_path / "link.jsonl",
        "hardlink": tmp_path / "hard.jsonl",
        "dotted": tmp_path / "." / register.name,
    }[alias]
    if alias == "symlink":
        output.symlink_to(register)
    elif alias == "hardlink":
        os.link(register, output)
    proc = run_cli("batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(output))
    assert proc.returncode == 2, proc.stderr
    assert "就是输入文件" in proc.stderr and "Traceback" not in proc.stderr  # Chinese, the command's default
    assert register.read_bytes() == before


def test_batch_refuses_an_errors_file_or_records_database_that_is_its_register(tmp_path: Path) -> None:
    register = tmp_path / "out.errors.csv"  # the errors file of -o out.csv
    register.write_text(f"统一社会信用代码\n{GOOD_USCC}\n", encoding="utf-8")
    with pytest.raises(OutputError, match="is the input"):
        run_batch(str(register), tmp_path / "out.csv", "chongqing", as_of=AS_OF)
    jsonl = small_register(tmp_path)
    before = jsonl.read_bytes()
    with pytest.raises(OutputError, match="records database"):
        run_batch(str(jsonl), tmp_path / "o.csv", "chongqing", as_of=AS_OF, record=jsonl)
    with pytest.raises(OutputError, match="records database"):
        run_batch(str(jsonl), tmp_path / "o.csv", "chongqing", as_of=AS_OF, record=tmp_path / "o.csv")
    assert jsonl.read_bytes() == before and not (tmp_path / "o.csv").exists()
    assert register.read_text(encoding="utf-8").startswith("统一社会信用代码")


def test_register_export_refuses_to_write_over_its_results(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    write_jsonl(register, [enterprise("重庆渝北示例电子科技有限公司", "91500112MA5U3K8L27", "2021-09-30")])
    results = tmp_path / "results.csv"
    run_batch(str(register), results, "chongqing", as_of=AS_OF)
    before = results.read_bytes()
    proc = run_cli("register", "export", str(results), "-o", str(results))
    assert proc.returncode == 2 and "就是输入文件" in proc.stderr
    assert results.read_bytes() == before


def test_an_output_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    register = small_register(tmp_path)
    out = tmp_path / "没有的文件夹" / "out.csv"
    proc = run_cli("batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(out))
    assert proc.returncode == 2
    assert "不存在" in proc.stderr and "没有的文件夹" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli(
        "batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(out), "--lang", "en"
    )  # fmt: skip
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = run_cli("register", "export", str(register), "-o", str(out))
    assert proc.returncode == 2 and "不存在" in proc.stderr


# --- interrupted runs leave the previous files ---------------------------------------------------------------------


class StopAfterFirstChunk:
    """A progress hook that interrupts the batch once its first chunk is written, as Ctrl-C would."""

    def start(self, total: int | None) -> None:
        pass

    def advance(self, position: int, rows: int) -> None:
        raise KeyboardInterrupt

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("kind", ["csv", "jsonl", "xlsx"])
def test_an_interrupted_batch_leaves_the_previous_results_and_errors_file(tmp_path: Path, kind: str) -> None:
    register = tmp_path / "r.jsonl"
    write_jsonl(register, good_documents(10) * 3)
    out = tmp_path / f"out.{kind}"
    out.write_bytes(b"previous results")
    errors = error_path(out)
    errors.write_bytes(b"previous errors")
    with pytest.raises(KeyboardInterrupt):
        run_batch(str(register), out, "chongqing", as_of=AS_OF, chunk_size=5, progress=StopAfterFirstChunk())
    assert out.read_bytes() == b"previous results" and errors.read_bytes() == b"previous errors"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["r.jsonl", out.name, errors.name])  # no temp


def test_a_rerun_says_which_files_of_the_previous_run_it_replaced(tmp_path: Path) -> None:
    register = small_register(tmp_path)
    out = tmp_path / "out.csv"
    first = run_batch(str(register), out, "chongqing", as_of=AS_OF)
    assert first.replaced == () and "replaced" not in first.render()
    second = run_batch(str(register), out, "chongqing", as_of=AS_OF)
    assert second.replaced == (str(out), str(tmp_path / "out.errors.csv"))
    assert f"replaced the previous run's {out}, {tmp_path / 'out.errors.csv'}" in second.render()


def test_batch_killed_at_random_points_leaves_the_old_output_or_a_complete_one(tmp_path: Path) -> None:
    """kill -9 of `batch --record` anywhere: the results file is the previous run's bytes or a complete new one,
    and the records database passes SQLite's integrity check and `records verify`."""
    register = tmp_path / "big.jsonl"
    docs = good_documents(40)
    write_jsonl(register, docs * 30)
    total = len(docs) * 30
    out = tmp_path / "out.jsonl"
    old = b'{"row": 1, "previous": "run"}\n'
    db = tmp_path / "records.sqlite"
    command = [
        sys.executable, "-m", "policyrules.cli", "batch", "--pack", "chongqing", "--as-of", "2022-06-01",
        str(register), "-o", str(out), "--workers", "2", "--chunk-size", "100", "--record", str(db),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    rng = random.Random(13)
    outcomes = set()
    for attempt in range(5):
        out.write_bytes(old)
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
        )
        if attempt < 4:  # the last one runs to the end
            time.sleep(rng.uniform(0.2, 4.0))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=120)
        data = out.read_bytes()
        if data == old:
            outcomes.add("old")
        else:
            rows = [json.loads(line)["row"] for line in data.decode("utf-8").splitlines()]
            assert rows == list(range(1, total + 1)), "a killed batch left a partial results file"
            outcomes.add("complete")
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()
        verify = run_cli("records", "verify", "--db", str(db))
        assert verify.returncode == 0, verify.stdout + verify.stderr  # the hash chain holds
    assert "complete" in outcomes  # the test saw a batch finish, so "complete" was reachable and checked


# --- spreadsheets and terminals -------------------------------------------------------------------------------------


def test_register_export_writes_names_as_text_never_as_formulas(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://example.org/x","点击")'
    controls = "控制\x01字符\x1b[2J企业"
    register = tmp_path / "register.jsonl"
    write_jsonl(
        register,
        [
            enterprise(formula, "91500112MA5U3K8L27", "2021-09-30"),
            enterprise(controls, "91350100M000100Y43", "2021-09-30"),
        ],
    )
    results = tmp_path / "results.jsonl"
    assert run_batch(str(register), results, "chongqing", as_of=AS_OF).evaluated == 2  # batch accepts both
    out = tmp_path / "list.xlsx"
    proc = run_cli("register", "export", str(results), "-o", str(out), "--unit", "=1+1")
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["B5"].value == formula and ws["B5"].data_type == "s"
    assert ws["B6"].value == "控制\\u0001字符\\u001b[2J企业" and ws["B6"].data_type == "s"
    assert ws["A3"].value == "填报单位：=1+1"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_batch_xlsx_results_show_control_characters_and_keep_formulas_as_text(tmp_path: Path, lang: str) -> None:
    register = tmp_path / "r.jsonl"
    names = ["控制\x01字符\x1b[2J", '=HYPERLINK("http://example.org","点")']
    write_jsonl(register, [{"enterprise": {"name": n, "uscc": GOOD_USCC}} for n in names])
    out = tmp_path / "结果.xlsx"
    proc = run_cli(
        "batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(out), "--lang", lang
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    shown = {c.value for c in cells}
    assert "控制\\u0001字符\\u001b[2J" in shown and names[1] in shown


def test_explain_shows_escape_sequences_in_a_name_as_text(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"enterprise": {"name": HOSTILE, "uscc": GOOD_USCC}}), encoding="utf-8")
    proc = run_cli("explain", "--pack", "chongqing", "--as-of", "2022-06-01", str(facts))
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "\x9b" not in proc.stdout
    assert "\u202e" not in proc.stdout
    assert "恶意\\u001b]0;pwned\\u0007\\u001b[2J企业\\u009b31m\\u202e" in proc.stdout


def test_records_list_and_errors_show_escape_sequences_as_text(tmp_path: Path) -> None:
    register = tmp_path / "r.jsonl"
    write_jsonl(
        register,
        [{"enterprise": {"name": HOSTILE, "uscc": GOOD_USCC}}, {"enterprise": {"name": "x", "uscc": HOSTILE}}],
    )
    db = tmp_path / "records.sqlite"
    proc = run_cli(
        "batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(tmp_path / "o.csv"),
        f"--record={db}",
    )  # fmt: skip
    assert proc.returncode == 1  # one row in error
    listing = run_cli("records", "list", "--db", str(db))
    assert listing.returncode == 0, listing.stderr
    assert "\x1b" not in listing.stdout and "恶意\\u001b]0;pwned" in listing.stdout
    as_json = run_cli("records", "list", "--db", str(db), "--format", "json")
    assert "\x9b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["name"] == HOSTILE  # the same data, escaped as JSON
    facts = tmp_path / "bad.json"
    facts.write_text(json.dumps({"enterprise": {"name": "x", "uscc": HOSTILE}}), encoding="utf-8")
    proc = run_cli("evaluate", "--pack", "chongqing", "--as-of", "2022-06-01", str(facts))
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "\x9b" not in proc.stderr and "pwned" in proc.stderr


def test_broken_rows_are_explained_in_chinese_by_default(tmp_path: Path) -> None:
    register = tmp_path / "名录.csv"
    rows = ["企业名称,统一社会信用代码", f'"甲 未闭合,{GOOD_USCC}', f"乙,{GOOD_USCC},,多余", f"丙,{GOOD_USCC}"]
    register.write_text("\n".join(rows) + "\n", "utf-8")
    out = tmp_path / "结果.csv"
    proc = run_cli("batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    with error_path(out).open(encoding="utf-8-sig", newline="") as f:
        errors = list(csv.DictReader(f))
    assert [e["行号"] for e in errors] == ["2", "3"]
    assert "没有结束引号" in errors[0]["问题"]
    assert errors[1]["字段"] == "column D"
    assert "D 列在表头的 2 列之外" in errors[1]["问题"] and "多余" in errors[1]["问题"]


def test_printable_is_idempotent_keeps_layout_and_json() -> None:
    text = "甲\t乙\n" + HOSTILE
    once = printable(text)
    assert printable(once) == once and once.startswith("甲\t乙\n")
    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in once)
    as_json = json.dumps({"name": HOSTILE}, ensure_ascii=False)
    assert json.loads(printable(as_json)) == {"name": HOSTILE}  # a SafeStream never breaks printed JSON


def test_errors_file_rows_keep_the_text_the_register_had(tmp_path: Path) -> None:
    """Escaping is for what a person sees; the errors file keeps the register's text for the officer to find."""
    register = tmp_path / "r.jsonl"
    write_jsonl(register, [{"enterprise": {"name": "x", "uscc": "坏\x01"}}])
    out = tmp_path / "o.csv"
    run_batch(str(register), out, "chongqing", as_of=AS_OF)
    with (tmp_path / "o.errors.csv").open(encoding="utf-8-sig", newline="") as f:
        (error,) = csv.DictReader(f)
    assert error["uscc"] == "坏\x01"
