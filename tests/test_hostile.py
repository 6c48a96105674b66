"""Hostile input through the command line: facts documents and packs built to crash or exhaust the library. Each
must exit 2 with a located message (file and line), never 3 and never a traceback, in bounded time. The time
bound is a generous subprocess timeout, not a timing assertion: a billion-laughs file used to take 21 s and
gigabytes, a doubling reference chain 33 s; bounded, each is refused in well under a second."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyrules import PackError, load_pack
from policyrules.yamlio import MAX_FILE_CHARS

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
TIMEOUT = 60  # seconds: generous on a loaded 2-core machine; the limits make each run take a fraction of one
LOCATED = re.compile(r"^policyrules: error: (?P<file>[^:\n]+):(?P<line>\d+): ", re.MULTILINE)

VALID_FACTS = """enterprise:
  name: 测试有限公司
  uscc: 91350100M000100Y43
  listing:
    listed_on: 2021-06-01
  violations:
    - date: 2020-03-01
      serious: false
inspection_request:
  grounds: complaint
"""
FACT_VALUE_LINES = (2, 5, 7, 8, 10)  # the lines of VALID_FACTS whose value a mutation replaces


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )


def assert_located_refusal(proc: subprocess.CompletedProcess[str], file: Path) -> None:
    assert proc.returncode == 2, f"exit {proc.returncode}:\n{proc.stderr[:2000]}"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    located = [m for m in LOCATED.finditer(proc.stderr) if Path(m["file"]).name == file.name]
    assert located, f"no message names {file.name} and a line:\n{proc.stderr[:2000]}"
    assert len(proc.stderr) < 20_000, "an error message must not echo the input"


# --- generated hostile facts -------------------------------------------------------------------------------

_laughs = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(12)
)
HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [
            "!!python/name:os.system",
            "!!python/object/apply:os.system ['echo owned']",
            "!!python/str x",
            "!!binary 测试",
            "!!set {a, b}",
            "!custom x",
            "2021-02-29",
            "2021-00-10",
            "0000-01-01",
            "2021-13-45",
            "&a [*a]",
            "*undefined",
        ]
    ),
    st.integers(21, 6000).map(lambda n: "9" * n),  # integers beyond 64 bits, up to thousands of digits
    st.integers(65, 30_000).map(lambda n: "[" * n + "]" * n),  # nesting beyond the limit
    st.integers(65, 3_000).map(lambda n: "{a: " * n + "1" + "}" * n),
    st.sampled_from(["\x1b[2J", "\x08", "\x7f", "\ufffe", "\x00", "\x1b]0;owned\x07"]).map(lambda c: f"a{c}b"),
    st.integers(100_001, 400_000).map(lambda n: "x" * n),  # a value over the length limit
    st.just("{[a, b]: 1}"),  # a list as a mapping key
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(value=HOSTILE_VALUES, line=st.sampled_from(FACT_VALUE_LINES))
def test_hostile_facts_exit_2_with_a_located_message(
    value: str, line: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lines = VALID_FACTS.splitlines()
    key = lines[line - 1].split(":")[0]
    lines[line - 1] = f"{key}: {value}"
    path = tmp_path_factory.mktemp("facts") / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_located_refusal(run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", str(path)), path)


@pytest.mark.parametrize("levels", [7, 12])
def test_a_billion_laughs_is_refused_at_the_stated_limit(tmp_path: Path, levels: int) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs.split(f"l{levels}:")[0] + VALID_FACTS, encoding="utf-8")
    proc = run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", str(path))
    assert_located_refusal(proc, path)
    assert "more than 200,000 values" in proc.stderr


def test_an_8_mb_file_is_refused_without_being_echoed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(VALID_FACTS.replace("测试有限公司", "长" * 4_000_000), encoding="utf-8")
    proc = run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"larger than the limit of {MAX_FILE_CHARS:,} characters" in proc.stderr and len(proc.stderr) < 1000
    piped = run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", "-", stdin=path.read_text("utf-8"))
    assert piped.returncode == 2 and "larger than the limit" in piped.stderr
    endless = run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", "/dev/zero")  # never ends
    assert endless.returncode == 2 and "larger than the limit" in endless.stderr


def test_a_long_value_in_the_python_api_is_not_echoed_whole() -> None:
    from policyrules import FactsError

    pack = load_pack("mee_2021")
    document = {"enterprise": {"name": "x", "uscc": "9" * 8_000_000}}
    with pytest.raises(FactsError) as err:
        pack.evaluate(document, as_of=date(2022, 1, 1))
    assert len(str(err.value)) < 2_000 and "characters)" in str(err.value)


def test_a_second_document_and_an_impossible_as_of_are_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(VALID_FACTS + "---\nenterprise: {}\n", encoding="utf-8")
    proc = run_cli("evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", str(path))
    assert_located_refusal(proc, path)
    assert "one YAML document" in proc.stderr
    good = tmp_path / "good.yaml"
    good.write_text(VALID_FACTS, encoding="utf-8")
    for day in ("2021-02-29", "2021-13-01", "0000-01-01", "2021-02-30"):
        proc = run_cli("evaluate", "--pack", "mee_2021", "--as-of", day, str(good))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "--as-of: expected a date YYYY-MM-DD" in proc.stderr and f"'{day}' is not a calendar date" in proc.stderr


# --- generated hostile packs --------------------------------------------------------------------------------


def _nested_not(depth: int) -> str:
    return "{not: " * depth + "{fact: listed, says: 清单企业}" + "}" * depth


def _chain(length: int) -> str:
    rules = "  - id: chain_0\n    decision: supervision\n    yields: general\n    cites: [五、]\n"
    rules += "    when: {fact: listed, says: 清单企业}\n"
    for i in range(1, length + 1):
        ref = f"{{rule: chain_{i - 1}, says: 清单企业}}"
        rules += f"  - id: chain_{i}\n    decision: supervision\n    yields: general\n    cites: [五、]\n"
        rules += f"    when: {{any: [{ref}, {ref}]}}\n"
    return rules


SCOPE = "      fact: listed\n      says: 清单企业\n"
HOSTILE_PACK_EDITS = st.one_of(
    st.integers(101, 10**9).map(
        lambda n: ("      serious: true\n", f"      serious: true\n      within: {{years: {n}}}\n")
    ),
    st.integers(36_601, 10**12).map(
        lambda n: ("      serious: true\n", f"      serious: true\n      within: {{days: {n}}}\n")
    ),
    st.integers(1_000_001, 2**64 + 5).map(lambda n: ("      at_least: 1", f"      at_least: {n}")),
    st.integers(25, 400).map(lambda n: (SCOPE, f"      not: {_nested_not(n)}\n")),
    st.integers(401, 2500).map(
        lambda n: (SCOPE, "      any: [" + ", ".join(["{fact: listed, says: 清单企业}"] * n) + "]\n")
    ),
    st.integers(15, 40).map(lambda n: ("  - id: random_scope\n", _chain(n) + "  - id: random_scope\n")),
    st.sampled_from(["!!python/name:os.system", "!!binary 清单", "&a [*a]", "2021-02-30"]).map(
        lambda v: ("      serious: true\n", f"      serious: {v}\n")
    ),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edit=HOSTILE_PACK_EDITS)
def test_hostile_packs_are_refused_by_validate_with_a_located_message(
    edit: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    pack_dir = tmp_path_factory.mktemp("packs") / "minimal"
    shutil.copytree(MINIMAL, pack_dir)
    rules = pack_dir / "rules.yaml"
    old, new = edit
    text = rules.read_text("utf-8")
    assert old in text
    rules.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert_located_refusal(run_cli("validate", str(pack_dir)), rules)


# --- pack files from elsewhere ----------------------------------------------------------------------------------


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


def test_a_pack_file_saved_as_gbk_is_located(pack_dir: Path) -> None:
    clauses = pack_dir / "clauses.yaml"
    clauses.write_bytes(clauses.read_text("utf-8").encode("gbk"))
    with pytest.raises(PackError) as err:
        load_pack(str(pack_dir))
    problem = err.value.problems[0]
    assert problem.file == str(clauses) and problem.line == 2 and "not UTF-8" in problem.message


def test_a_source_text_with_invalid_utf8_is_located(pack_dir: Path) -> None:
    source = pack_dir / "source.txt"
    source.write_bytes(source.read_bytes() + b"\n\xff\xfe broken\n")
    with pytest.raises(PackError) as err:
        load_pack(str(pack_dir))
    assert any(p.file and p.file.endswith("source.txt") and "not UTF-8" in p.message for p in err.value.problems)


def test_a_source_link_out_of_the_pack_is_refused_and_nothing_of_it_is_quoted(pack_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text((pack_dir / "source.txt").read_text("utf-8") + "口令：hunter2\n", "utf-8")
    (pack_dir / "source.txt").unlink()
    (pack_dir / "source.txt").symlink_to(secret)
    proc = run_cli("validate", str(pack_dir))
    assert_located_refusal(proc, pack_dir / "pack.yaml")
    assert "leads outside the pack directory" in proc.stderr and "hunter2" not in proc.stderr


def test_a_pack_yaml_file_linked_from_outside_is_refused(pack_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "rules.yaml"
    shutil.move(pack_dir / "rules.yaml", outside)
    (pack_dir / "rules.yaml").symlink_to(outside)
    with pytest.raises(PackError, match="leads outside the pack directory"):
        load_pack(str(pack_dir))


def test_a_link_inside_the_pack_is_followed(pack_dir: Path) -> None:
    (pack_dir / "texts").mkdir()
    shutil.move(pack_dir / "source.txt", pack_dir / "texts" / "source.txt")
    (pack_dir / "source.txt").symlink_to(pack_dir / "texts" / "source.txt")
    assert load_pack(str(pack_dir)).id == "minimal"


# --- registers: one bad cell is one row error, never the end of the batch -------------------------------------


def _register_rows(n: int) -> list[tuple[str, str]]:
    from test_batch import good_documents

    docs = good_documents(n)[:n]
    return [(d["enterprise"]["uscc"], d["enterprise"]["name"]) for d in docs]


def _xlsx(path: Path, rows: list[tuple[str, str]], listed_on: date) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["统一社会信用代码", "企业名称", "enterprise.listing.listed_on"])
    for uscc, name in rows:
        ws.append([uscc, name, datetime.combine(listed_on, datetime.min.time())])
    wb.save(path)


def _patch_sheet(path: Path, edit: Callable[[str], str]) -> None:
    with zipfile.ZipFile(path) as old:
        items = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            new.writestr(info, data)


def _cell_of(xml: str, ref: str) -> re.Match[str]:
    found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
    assert found, ref
    return found


def test_bad_xlsx_cells_are_row_errors_and_the_rest_is_evaluated(tmp_path: Path) -> None:
    from policyrules.registers import run_batch

    register = tmp_path / "r.xlsx"
    rows = _register_rows(8)
    _xlsx(register, rows, date(2021, 6, 1))
    bad = {
        3: ("B3", '<c r="B3" t="s"><v>99999</v></c>', "enterprise.name", "shared string 99999 does not exist"),
        4: ("C4", '<c r="C4" s="1"><v>abc</v></c>', "enterprise.listing.listed_on", "cannot read the cell value"),
        5: ("C5", '<c r="C5" s="1"><v>1e300</v></c>', "enterprise.listing.listed_on", "not an Excel date serial"),
        6: ("B6", '<c r="B6" t="inlineStr"><is><t>坏_xD800_名</t></is></c>', "enterprise.name", "lone surrogate"),
        7: ("C7", '<c r="C7"><v>-5</v></c>', "enterprise.listing.listed_on", "the number -5 is not a date"),
    }

    def corrupt(xml: str) -> str:
        for ref, cell, _, _ in bad.values():
            xml = xml.replace(_cell_of(xml, ref)[0], cell)
        return xml

    _patch_sheet(register, corrupt)
    out = tmp_path / "out.csv"
    summary = run_batch(str(register), out, "chongqing", as_of=date(2022, 6, 1))
    errors = read_csv(out.with_name("out.errors.csv"))
    assert {int(e["row"]) for e in errors} == set(bad)
    for row, (_, _, field, reason) in bad.items():
        assert any(int(e["row"]) == row and e["field"] == field and reason in e["message"] for e in errors), row
    assert summary.errors == len(bad) and summary.evaluated == len(rows) - len(bad)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_row_that_never_closes_is_refused_before_it_fills_memory(tmp_path: Path) -> None:
    register = tmp_path / "bomb.xlsx"
    _xlsx(register, _register_rows(2), date(2021, 6, 1))
    _patch_sheet(register, lambda xml: xml.replace("</sheetData>", '<row r="9"><c r="A9"><v>' + " " * 20_000_000))
    assert register.stat().st_size < 200_000  # a small file that inflates to 20 MB without a </row>
    proc = run_cli(
        "batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(tmp_path / "o.csv")
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "larger than 16,777,216 bytes" in proc.stderr


def test_a_damaged_compressed_sheet_is_bad_input(tmp_path: Path) -> None:
    register = tmp_path / "damaged.xlsx"
    _xlsx(register, _register_rows(40) * 50, date(2021, 6, 1))
    data = bytearray(register.read_bytes())
    with zipfile.ZipFile(register) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + info.compress_size // 2, start + info.compress_size // 2 + 64):
        data[i] ^= 0x5A
    register.write_bytes(bytes(data))
    proc = run_cli(
        "batch", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "-o", str(tmp_path / "o.csv")
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "damaged" in proc.stderr


def test_a_gbk_row_and_an_overlong_cell_in_a_utf8_csv_are_row_errors(tmp_path: Path) -> None:
    from policyrules.registers import run_batch

    rows = _register_rows(6)
    register = tmp_path / "r.csv"
    lines = ["统一社会信用代码,企业名称"] + [f"{u},{n}" for u, n in rows]
    encoded = [line.encode("utf-8") for line in lines]
    encoded[2] = f"{rows[1][0]},广州测试公司".encode("gbk")  # one row saved as GBK
    encoded[4] = f'{rows[3][0]},"{"长" * 200_000}"'.encode()  # a cell over csv's 131,072-character limit
    register.write_bytes(b"\n".join(encoded) + b"\n")
    out = tmp_path / "out.csv"
    summary = run_batch(str(register), out, "chongqing", as_of=date(2022, 6, 1), encoding="utf-8")
    errors = read_csv(out.with_name("out.errors.csv"))
    assert {int(e["row"]) for e in errors} == {3, 5}
    for row, reason in ((3, "not text in the register's encoding"), (5, "a cell of 200,000 characters: the limit")):
        assert any(int(e["row"]) == row and e["field"] == "enterprise.name" and reason in e["message"] for e in errors)
    assert summary.evaluated == 4


# --- validate refuses what the durable engine or diff cannot run --------------------------------------------------


def _edit_rules(pack_dir: Path, old: str, new: str) -> Path:
    rules = pack_dir / "rules.yaml"
    text = rules.read_text("utf-8")
    assert old in text
    rules.write_text(text.replace(old, new, 1), encoding="utf-8")
    return rules


def test_validate_refuses_a_pack_the_durable_engine_cannot_split(pack_dir: Path) -> None:
    from policyrules.facts import Monitoring, Traits

    facts = [f"enterprise.traits.{t}" for t in Traits.model_fields]
    facts += [f"enterprise.monitoring.{m}" for m in Monitoring.model_fields]
    facts = [*facts, "enterprise.small_micro", "enterprise.key_discharger"][:24]
    pairs = [
        f"{{any: [{{fact: {a}, says: 清单企业}}, {{fact: {b}, says: 清单企业}}]}}"  # 五、, the clause it cites
        for a, b in zip(facts[0::2], facts[1::2], strict=True)
    ]  # twelve independent either-or pairs: 2 exclusive cases each, 4,096 in all
    rules = _edit_rules(pack_dir, SCOPE, "      all: [" + ", ".join(pairs) + "]\n")
    load_pack(str(pack_dir))  # the compiled engine runs it
    proc = run_cli("validate", str(pack_dir))
    assert_located_refusal(proc, rules)
    assert "exclusive cases" in proc.stderr and "durable" in proc.stderr


def test_a_rule_with_eight_windows_is_refused_by_validate_and_diff_quickly(pack_dir: Path, tmp_path: Path) -> None:
    windows = ", ".join(
        f"{{count: violations, within: {{days: {30 * (i + 1)}}}, at_least: {i + 1}, says: 有严重违法记录的}}"
        for i in range(8)
    )
    rules = _edit_rules(
        pack_dir,
        "      count: violations\n      serious: true\n      at_least: 1\n",
        "      all: [" + windows + "]\n      x_count: 0\n",
    )
    rules.write_text(rules.read_text("utf-8").replace("      x_count: 0\n      says: 有严重违法记录的\n", ""), "utf-8")
    proc = run_cli("validate", str(pack_dir))
    assert_located_refusal(proc, rules)
    assert "combinations of values" in proc.stderr
    other = tmp_path / "other" / "minimal"
    shutil.copytree(MINIMAL, other)
    diff = run_cli("diff", str(pack_dir), str(other), "--decision", "listing")
    assert_located_refusal(diff, rules)
    assert "the limit of `diff`'s decision diagrams" in diff.stderr


def test_a_case_file_linked_from_outside_the_pack_is_refused(pack_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("口令: hunter2\n", "utf-8")
    (pack_dir / "cases").mkdir(exist_ok=True)
    (pack_dir / "cases" / "leak.yaml").symlink_to(secret)
    proc = run_cli("test", "--pack", str(pack_dir))
    assert proc.returncode == 2 and "leads outside the pack directory" in proc.stderr and "hunter2" not in proc.stderr


@pytest.mark.parametrize("case", sorted((ROOT / "tests" / "invalid" / "facts").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_pure_python_parser_reads_and_refuses_as_libyaml_does(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml (PyYAML built without it) the reader gives the same data, or refuses at the same line and
    key (libyaml may stop a very deep document earlier, at a shallower path of the same key)."""
    import yaml

    from policyrules import yamlio
    from policyrules.errors import FactsError

    def read() -> object:
        try:
            return yamlio.read_yaml(case.read_text("utf-8"), str(case), FactsError)
        except FactsError as exc:
            problem = exc.problems[0]
            return problem.line, problem.path.split("[")[0], problem.message.split(":")[0][:20]

    with_libyaml = read()
    monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    assert read() == with_libyaml


def test_a_jsonl_line_nested_too_deep_is_a_row_error(tmp_path: Path) -> None:
    from policyrules.registers import run_batch
    from test_batch import good_documents

    docs = good_documents(2)[:2]
    register = tmp_path / "r.jsonl"
    deep = '{"enterprise": ' + "[" * 100_000 + "]" * 100_000 + "}"
    register.write_text("\n".join([json.dumps(docs[0]), deep, json.dumps(docs[1])]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = run_batch(str(register), out, "chongqing", as_of=date(2022, 6, 1))
    errors = read_csv(out.with_name("out.errors.csv"))
    assert [(e["row"], e["message"]) for e in errors] == [("2", "not a valid JSON line: nested too deep")]
    assert summary.evaluated == 2


def test_a_cell_reference_past_the_last_column_costs_no_memory(tmp_path: Path) -> None:
    from policyrules.registers.xlsx import MAX_COLUMNS, BadCell, SheetFormat, parse_sheet_rows

    sheet = b'<row r="3"><c r="A3"><v>1</v></c><c r="ZZZZZZZZZZZZ3"><v>2</v></c></row>'
    sheet += b'<row r="4"><c r="4"><v>1</v></c></row>'
    rows = list(parse_sheet_rows(sheet, SheetFormat()))
    assert [n for n, _ in rows] == [3, 4]
    for _, values in rows:
        assert len(values) == MAX_COLUMNS + 1 and isinstance(values[-1], BadCell)
