"""`explain` as an officer uses it: a row of the bureau's register (--row / --uscc), a recorded decision
(--from-record), one screen (--brief), and Chinese throughout in the default language — run as real commands on
real files."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from packs import example_as_of, examples
from policyrules.facts import ENUM_LABELS
from policyrules.packs import shipped_pack_ids
from strategies import shipped_pack

ROOT = Path(__file__).resolve().parents[1]
CQ_EXAMPLE = ROOT / "policies" / "chongqing" / "examples" / "random_draw_off_site.yaml"
SCREEN = 24

# Identifiers (fact paths, atom keys, outcome codes, rule ids) are not prose: they hold _ . = or ( or sit in （）.
# Codes are not prose either: the enumerations' and credit schemes' codes, the engines, the codes' letters.
IDENTIFIER = re.compile(r"[\w.]*[_.=(][\w.=|()]*|（[a-z_]+）|[0-9A-Z]{8,}")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
CODES = (
    {"compiled", "durable"}
    | {code for labels in ENUM_LABELS.values() for code in labels}
    | {g.code for p in shipped_pack_ids() for g in shipped_pack(p).definition.credit_scheme.grades}
)


class EnglishProse:
    """Two English words on a line, besides identifiers and codes, make an English prose line."""

    @staticmethod
    def search(line: str) -> bool:
        words = [w for w in ENGLISH_WORD.findall(IDENTIFIER.sub(" ", line)) if w not in CODES]
        return len(words) >= 2


ENGLISH_PROSE = EnglishProse()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules", *args], capture_output=True, text=True, encoding="utf-8"
    )


def explain(pack_id: str, example: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return run("explain", "--pack", pack_id, "--as-of", example_as_of(example).isoformat(), str(example), *more)


@pytest.mark.parametrize(("pack_id", "example"), examples(), ids=lambda v: getattr(v, "stem", v))
def test_chinese_explain_has_no_english_prose_and_brief_fits_a_screen(pack_id: str, example: Path) -> None:
    full = explain(pack_id, example)
    assert full.returncode == 0, full.stderr
    prose = [line for line in full.stdout.splitlines() if ENGLISH_PROSE.search(line)]
    assert not prose, f"English prose in the Chinese explanation of {example.name}:\n" + "\n".join(prose[:5])
    warned = [line.removeprefix("policyrules: warning: ") for line in full.stderr.splitlines()]
    assert not [line for line in warned if ENGLISH_PROSE.search(line)], full.stderr
    brief = explain(pack_id, example, "--brief")
    assert brief.returncode == 0, brief.stderr
    lines = brief.stdout.splitlines()
    assert len(lines) <= SCREEN, brief.stdout
    assert not [line for line in lines if ENGLISH_PROSE.search(line)], brief.stdout
    summary = full.stdout.split("结论汇总：\n")[1].split("\n\n")[0].splitlines()  # one line per decision asked
    outcomes = [line.strip() for line in summary]
    assert [line for line in lines if line in outcomes] == outcomes  # each decision, in order, with its outcome
    why = [line for line in lines if line.startswith(("  理由：", "  依据："))]
    assert len(why) == len(outcomes)  # and why, in one line


def test_english_on_request_keeps_the_english_notes() -> None:
    example = ROOT / "policies" / "mee_2021" / "examples" / "listed_small_micro.yaml"
    out = explain("mee_2021", example, "--lang", "en")
    assert out.returncode == 0
    assert "Cumulative: both attributive phrases modify the same 小微企业" in out.stdout
    zh = explain("mee_2021", example)
    assert "Cumulative" not in zh.stdout and "※ 文本解释" in zh.stdout


def violation_within_the_year() -> dict[str, object]:
    return {
        "企业名称": "重庆示例酿造有限公司",
        "统一社会信用代码": "91500102MA61KY0P9H",
        "民生保障重点行业企业": "是",
        "执法检查记录": json.dumps([{"date": "2022-02-10"}]),
        "环境违法记录": json.dumps([{"date": "2021-11-02", "kind": "exceedance"}]),
    }


def write_register(path: Path) -> None:
    """A bureau's sheet: a title row, a 填报单位 row, the header, three enterprises."""
    rows = [violation_within_the_year(), {"企业名称": "示例一", "统一社会信用代码": "91350100M000100Y43"}]
    header = list(rows[0])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2022年正面清单企业名录"])
    ws.append(["填报单位：重庆市涪陵区生态环境局"])
    ws.append(header)
    for row in rows:
        ws.append([row.get(h) for h in header])
    ws.append(["示例二", "91110000100000000M", "是"])  # a third row, with a valid USCC
    wb.save(path)


def test_explain_a_row_of_the_register_as_excel_numbers_it(tmp_path: Path) -> None:
    register = tmp_path / "名录.xlsx"
    write_register(register)
    args = ("explain", "--pack", "chongqing", "--as-of", "2022-03-01", str(register))
    by_row = run(*args, "--row", "4", "--brief")
    assert by_row.returncode == 0, by_row.stderr
    assert "重庆示例酿造有限公司（91500102MA61KY0P9H）" in by_row.stdout
    assert "纳入正面清单：不符合纳入条件（ineligible）" in by_row.stdout
    # the first alternative whatif finds (the soonest): a credit rating of 环保诚信 under 三、（二）五是
    assert "如何可以改变：若「企业环境信用评价结果为环保诚信的企业」" in by_row.stdout
    assert "→ trustworthy（环保诚信））" in by_row.stdout and "三、（二）五是" in by_row.stdout
    by_uscc = run(*args, "--uscc", "91500102ma61ky0p9h", "--brief")
    assert by_uscc.stdout == by_row.stdout
    other = run(*args, "--row", "5", "--brief")
    assert "示例一（91350100M000100Y43）" in other.stdout
    full = run(*args, "--row", "4")
    assert full.returncode == 0 and "category_livelihood_inspected_clean" in full.stdout


def test_a_row_that_is_not_an_enterprise_is_refused_with_the_rows_there_are(tmp_path: Path) -> None:
    register = tmp_path / "名录.xlsx"
    write_register(register)
    args = ("explain", "--pack", "chongqing", "--as-of", "2022-03-01", str(register))
    header = run(*args, "--row", "3")
    assert header.returncode == 2
    assert "row 3 is not an enterprise row" in header.stderr and "rows 4–6" in header.stderr
    missing = run(*args, "--uscc", "91500102MA61KY0P9X")
    assert missing.returncode == 2 and "no row of the register" in missing.stderr
    both = run(*args, "--row", "4", "--uscc", "91500102MA61KY0P9H")
    assert both.returncode == 2 and "Traceback" not in both.stderr


def test_explain_a_recorded_decision_with_its_own_pack_and_date(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite"
    made = run("evaluate", "--pack", "chongqing", "--as-of", "2022-06-23", str(CQ_EXAMPLE), "--record", str(db))
    assert made.returncode == 0, made.stderr
    record_id = made.stderr.split("policyrules: recorded ")[1].split()[0]
    direct = run("explain", "--pack", "chongqing", "--as-of", "2022-06-23", str(CQ_EXAMPLE))
    recorded = run("explain", "--from-record", record_id, "--db", str(db))
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout == direct.stdout
    assert "评估日期 2022-06-23" in recorded.stdout and "移出正面清单（remove）" in recorded.stdout
    brief = run("explain", "--from-record", record_id[:16], "--db", str(db), "--brief")
    assert brief.returncode == 0 and len(brief.stdout.splitlines()) <= SCREEN
    clash = run("explain", "--from-record", record_id, "--db", str(db), "--as-of", "2023-01-01")
    assert clash.returncode == 2 and "its own input, pack and date" in clash.stderr
    unknown = run("explain", "--from-record", "01ZZZZ", "--db", str(db))
    assert unknown.returncode == 2 and "no record with id" in unknown.stderr


def test_validate_reports_a_note_without_its_chinese(tmp_path: Path) -> None:
    pack_dir = tmp_path / "mee_2021"
    shutil.copytree(ROOT / "policies" / "mee_2021", pack_dir)
    for name, start in (
        ("rules.yaml", 'reading_zh: "须同时具备'),
        ("pack.yaml", 'default_note_zh: "没有不得纳入的记录'),
    ):
        path = pack_dir / name
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [x for x in lines if not x.strip().startswith(start)]
        assert len(kept) == len(lines) - 1
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    out = run("validate", str(pack_dir))
    assert out.returncode == 2
    for name, key, place in (
        ("rules.yaml", "reading", r"rules\[0\]\.interpretation\[0\]\.reading"),
        ("pack.yaml", "default_note", r"decisions\.listing\.default_note"),
    ):
        found = re.search(rf"{name}:(\d+): {place}: '{key}' is English and has no Chinese", out.stderr)
        assert found, out.stderr
        line = (pack_dir / name).read_text(encoding="utf-8").splitlines()[int(found[1]) - 1]
        assert line.strip().startswith(f"{key}:") or f" {key}:" in line  # the line of the English note
    assert run("validate", str(ROOT / "policies" / "mee_2021")).returncode == 0


def test_a_row_that_cannot_be_read_is_an_error_naming_the_row_and_field(tmp_path: Path) -> None:
    register = tmp_path / "名录.csv"
    register.write_text("企业名称,统一社会信用代码,小微企业\n甲,91350100M000100Y44,是\n", encoding="utf-8")
    out = run("explain", "--pack", "mee_2021", "--as-of", "2022-03-01", str(register), "--row", "2")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "名录.csv, row 2: enterprise.uscc: not a valid 统一社会信用代码" in out.stderr
    missing_db = run("explain", "--from-record", "01ABC", "--db", str(tmp_path / "none.sqlite"))
    assert missing_db.returncode == 2 and "no records database here" in missing_db.stderr
    assert not (tmp_path / "none.sqlite").exists()  # never created by asking


def test_a_record_altered_after_it_was_written_is_explained_with_a_warning(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite"
    made = run("evaluate", "--pack", "chongqing", "--as-of", "2022-06-23", str(CQ_EXAMPLE), "--record", str(db))
    record_id = made.stderr.split("policyrules: recorded ")[1].split()[0]
    clean = run("explain", "--from-record", record_id, "--db", str(db), "--brief")
    assert clean.returncode == 0 and "哈希" not in clean.stderr
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER records_no_update")
    raw.execute("UPDATE records SET as_of = '2022-03-01'")  # rewritten in place, bypassing the library
    raw.commit()
    raw.close()
    altered = run("explain", "--from-record", record_id, "--db", str(db), "--brief")
    assert altered.returncode == 0
    assert f"记录 {record_id} 与其哈希不符：写入后被改动过" in altered.stderr
    in_english = run("explain", "--from-record", record_id, "--db", str(db), "--lang", "en")
    assert f"record {record_id} does not match its hash: it was altered" in in_english.stderr
    assert "评估日期 2022-03-01" in altered.stdout  # what the record now says, explained, but flagged
