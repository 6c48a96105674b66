"""One parser for every door: the same table of good and bad values goes through the Python API, the command line
(`evaluate`), `batch` (JSON Lines, and CSV for the values a cell holds as text) and the service over HTTP, and
every door accepts the same values with the same decisions and refuses the same values naming the same field."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from pydantic import BaseModel

from policyrules import EvaluationError, FactsError, load_pack
from policyrules.cli import main
from policyrules.facts import Facts, innermost_model, parse_bool, parse_date
from policyrules.registers import error_path
from test_service import as_json, start

PACK = "mee_2021"
AS_OF = date(2021, 10, 1)
REFUSED = object()

BASE: dict[str, Any] = {
    "enterprise": {
        "name": "示例公司",
        "uscc": "91350100M000100Y43",
        "listing": {"listed_on": "2021-09-30"},
    },
    "inspection_request": {"grounds": "complaint", "approvals": []},
}

# (fact path, value as given, the canonical value it means — or REFUSED)
TABLE: list[tuple[str, Any, Any]] = [
    *[("enterprise.small_micro", v, True) for v in (True, "true", "TRUE", "是", "√", "✓", "有", "yes", "y", "1", 1)],
    *[("enterprise.small_micro", v, False) for v in (False, "false", "否", "×", "无", "no", "0", 0)],
    *[("enterprise.small_micro", v, REFUSED) for v in ("on", "off", "maybe", 2, "2", "真")],
    *[
        ("enterprise.listing.listed_on", v, "2021-09-03")
        for v in (
            "2021-09-03",
            "2021-9-3",
            "2021/9/3",
            "2021.9.3",
            "2021年9月3日",
            " 2021年09月03日 ",
            "20210903",
            20210903,
        )
    ],
    *[
        ("enterprise.listing.listed_on", v, REFUSED)
        for v in (1630627200, "1630627200", 44442, "2021-02-30", "03/09/2021", "2021-09-03T00:00:00", "9月3日", True)
    ],
    *[
        ("inspection_request.grounds", v, "random_draw")
        for v in ("random_draw", "双随机抽中", "“双随机”抽中", '"双随机"抽中', " 双随机抽中 ")
    ],
    *[("inspection_request.grounds", v, "complaint") for v in ("群众投诉举报", "群众投诉、举报")],
    *[("inspection_request.grounds", v, REFUSED) for v in ("random", "Random_Draw", "抽中", 1)],
    *[
        ("inspection_request.approvals", v, ["enforcement_head"])
        for v in (["enforcement_head"], ["本级执法机构负责同志"], ["本执法机构负责同志"])
    ],
    ("inspection_request.approvals", ["本机构负责人"], REFUSED),
]
IDS = [f"{path.rsplit('.', 1)[-1]}={value!r}" for path, value, _ in TABLE]


def with_value(path: str, value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(BASE))
    *parents, last = path.split(".")
    target = doc
    for part in parents:
        target = target[part]
    target[last] = value
    return doc


def expected_result(canonical: Any, path: str) -> dict[str, Any]:
    return load_pack(PACK).evaluate(with_value(path, canonical), as_of=AS_OF, trace=False).to_json()


# --- door 1: the Python API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "value", "canonical"), TABLE, ids=IDS)
def test_the_python_api(path: str, value: Any, canonical: Any) -> None:
    pack = load_pack(PACK)
    if canonical is REFUSED:
        with pytest.raises(FactsError) as caught:
            pack.evaluate(with_value(path, value), as_of=AS_OF)
        assert [p.path for p in caught.value.problems] == [path.replace("approvals", "approvals[0]")]
    else:
        got = pack.evaluate(with_value(path, value), as_of=AS_OF, trace=False).to_json()
        assert got == expected_result(canonical, path)


# --- door 2: the command line -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "value", "canonical"), TABLE, ids=IDS)
def test_the_command_line(
    path: str, value: Any, canonical: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(with_value(path, value), ensure_ascii=False), encoding="utf-8")
    code = main(["evaluate", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(facts)])
    out, err = capsys.readouterr()
    if canonical is REFUSED:
        assert code == 2
        assert f"{path.replace('approvals', 'approvals[0]')}: " in err
    else:
        assert code == 0, err
        assert json.loads(out) == expected_result(canonical, path)


# --- door 3: batch (JSON Lines for every value, CSV for the values a cell holds as text) -----------------------


def run_batch(register: Path, tmp_path: Path) -> tuple[dict[int, Any], dict[int, list[str]]]:
    """Batch the register to JSON Lines: the decisions by row, and the fields the error file names by row."""
    output = tmp_path / "out.jsonl"
    code = main(["batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(output)])
    assert code in (0, 1)
    lines = output.read_text(encoding="utf-8").splitlines()
    rows = {r["row"]: r["result"]["decisions"] for r in map(json.loads, lines)}
    errors: dict[int, list[str]] = {}
    for error in map(json.loads, error_path(output).read_text(encoding="utf-8").splitlines()):
        errors.setdefault(int(error["row"]), []).append(error["field"])
    return rows, errors


def test_batch_json_lines(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    lines = [json.dumps(with_value(path, value), ensure_ascii=False) for path, value, _ in TABLE]
    canonical_lines = [json.dumps(with_value(p, c)) if c is not REFUSED else "{}" for p, _, c in TABLE]
    register.write_text("\n".join(lines + canonical_lines) + "\n", encoding="utf-8")
    rows, errors = run_batch(register, tmp_path)
    for number, (path, value, canonical) in enumerate(TABLE, start=1):
        if canonical is REFUSED:
            assert errors.get(number) == [path.replace("approvals", "approvals[0]")], (path, value)
        else:
            assert rows[number] == rows[number + len(TABLE)], (path, value)


def test_batch_csv_cells(tmp_path: Path) -> None:
    texts = [(p, v, c) for p, v, c in TABLE if isinstance(v, str) and p != "inspection_request.approvals"]
    register = tmp_path / "register.csv"
    header = ["uscc", "name", "listing.listed_on", "small_micro", "inspection_request.grounds"]
    with register.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for path, value, _ in texts:
            cells = {"uscc": "91350100M000100Y43", "name": "示例公司", "listing.listed_on": "2021-09-30"}
            cells["inspection_request.grounds"] = "complaint"
            cells[path.removeprefix("enterprise.")] = value
            writer.writerow([cells.get(h, "") for h in header])
    rows, errors = run_batch(register, tmp_path)
    expected = {path: load_pack(PACK) for path, _, _ in texts}
    for number, (path, value, canonical) in enumerate(texts, start=2):
        if canonical is REFUSED:
            assert errors.get(number) == [path], (path, value)
        else:
            want = expected[path].evaluate(with_value(path, canonical), as_of=AS_OF, trace=False)
            assert {n: d["outcome"] for n, d in rows[number].items()} == want.outcomes(), (path, value)


# --- door 4: the service over HTTP ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    url, process = start()
    yield url
    process.terminate()
    process.communicate(timeout=30)


def test_the_service(service: str) -> None:
    body = "\n".join(
        json.dumps({"pack": PACK, "as_of": AS_OF.isoformat(), "facts": with_value(path, value)}, ensure_ascii=False)
        for path, value, _ in TABLE
    )
    response = httpx.post(f"{service}/v1/batch", content=body.encode(), timeout=120)
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == len(TABLE)
    for line, (path, value, canonical) in zip(lines, TABLE, strict=True):
        if canonical is REFUSED:
            assert line["status"] == 422, (path, value)
            assert [p["path"] for p in line["problems"]] == ["facts." + path.replace("approvals", "approvals[0]")]
        else:
            assert line["result"] == as_json(expected_result(canonical, path)), (path, value)


# --- the evaluation date, at every door -------------------------------------------------------------------------

AS_OF_TABLE: list[tuple[Any, Any]] = [
    ("2022-03-01", date(2022, 3, 1)),
    ("2022/3/1", date(2022, 3, 1)),
    ("2022年3月1日", date(2022, 3, 1)),
    ("20220301", date(2022, 3, 1)),
    ("1646092800", REFUSED),
    ("2022-02-30", REFUSED),
    ("2022-03-01T08:00:00", REFUSED),
    ("tomorrow", REFUSED),
]


@pytest.mark.parametrize(("given", "meant"), AS_OF_TABLE)
def test_as_of_at_every_door(given: str, meant: Any, service: str, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(BASE), encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "policyrules", "evaluate", "--pack", PACK, "--as-of", given, str(facts)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    http = httpx.post(f"{service}/v1/evaluate", json={"pack": PACK, "as_of": given, "facts": BASE}, timeout=60)
    if meant is REFUSED:
        with pytest.raises(EvaluationError) as caught:
            load_pack(PACK).evaluate(BASE, as_of=given)
        assert caught.value.problems[0].path == "as_of"
        assert cli.returncode == 2 and "--as-of" in cli.stderr and "Traceback" not in cli.stderr
        assert http.status_code == 422 and http.json()["problems"][0]["path"] == "as_of"
    else:
        expected = load_pack(PACK).evaluate(BASE, as_of=meant, trace=False).to_json()
        assert load_pack(PACK).evaluate(BASE, as_of=given, trace=False).to_json() == expected
        assert cli.returncode == 0 and json.loads(cli.stdout) == expected
        assert http.status_code == 200 and http.json() == expected


def test_as_of_as_a_datetime_is_its_day_at_midnight_and_refused_with_a_time() -> None:
    pack = load_pack(PACK)
    midnight = pack.evaluate(BASE, as_of=datetime(2022, 3, 1), trace=False)
    assert midnight.as_of == date(2022, 3, 1)
    with pytest.raises(EvaluationError, match="not a date and time of day"):
        pack.evaluate(BASE, as_of=datetime(2022, 3, 1, 8, 30))


def test_one_json_shape_for_a_result_everywhere(
    service: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The API's Result.to_json(), `policyrules evaluate`, a batch JSON line's `result` and the service's answer
    (alone and in a batch line) are the same JSON for the same enterprise."""
    docs = [with_value(path, value) for path, value, canonical in TABLE if canonical is not REFUSED][::4]
    expected = [load_pack(PACK).evaluate(d, as_of=AS_OF, trace=False).to_json() for d in docs]
    register = tmp_path / "register.jsonl"
    register.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    assert (
        main(["batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(tmp_path / "o.jsonl")])
        == 0
    )
    batch = [json.loads(line)["result"] for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert batch == expected
    requests = [{"pack": PACK, "as_of": AS_OF.isoformat(), "facts": d} for d in docs]
    served = [httpx.post(f"{service}/v1/evaluate", json=r, timeout=60).json() for r in requests]
    assert served == expected
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in requests).encode()
    lines = httpx.post(f"{service}/v1/batch", content=body, timeout=60).text.splitlines()
    assert [json.loads(line)["result"] for line in lines] == expected
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(docs[0], ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(facts)]) == 0
    assert json.loads(capsys.readouterr().out) == expected[0]


def _fields(model: type[BaseModel] = Facts, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, info in model.model_fields.items():
        inner = innermost_model(info.annotation)
        if inner is not None:
            yield from _fields(inner, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info


def _parts(annotation: Any) -> tuple[set[Any], set[Any]]:
    """(the plain types inside an annotation, the validator functions attached anywhere in it)."""
    types: set[Any] = set()
    funcs = {getattr(m, "func", None) for m in getattr(annotation, "__metadata__", ())}
    args = get_args(annotation)
    if not args:
        types.add(annotation)
    for arg in args[:1] if hasattr(annotation, "__metadata__") else args:
        inner_types, inner_funcs = _parts(arg)
        types |= inner_types
        funcs |= inner_funcs
    return types, funcs


def test_every_yes_no_and_date_field_is_read_by_the_one_parser() -> None:
    """A field declared `bool` or `date` rather than `Flag` or `Day` would take pydantic's own forms ("on", a Unix
    timestamp): every such field must carry the parser of facts.values."""
    checked = []
    for path, info in _fields():
        types, funcs = _parts(info.rebuild_annotation())
        funcs |= {getattr(m, "func", None) for m in info.metadata}
        if bool in types:
            assert parse_bool in funcs, f"{path}: declare it Flag (policyrules.facts.values)"
            checked.append(path)
        if date in types:
            assert parse_date in funcs, f"{path}: declare it Day (policyrules.facts.values)"
            checked.append(path)
    assert "enterprise.listing.removed_on" in checked and "violation_case.date" in checked
    assert len(checked) > 40


def test_dask_rows_json_is_the_same_result() -> None:
    """A Dask partition's `result` column (result_json=True) is the JSON of `policyrules evaluate`, as everywhere."""
    import pandas as pd

    from policyrules.registers.dask_batch import RESULT_COLUMNS, evaluate_partition

    docs = [with_value(path, value) for path, value, canonical in TABLE if path == "enterprise.small_micro"]
    frame = pd.DataFrame(
        {
            "uscc": [d["enterprise"]["uscc"] for d in docs],
            "name": [d["enterprise"]["name"] for d in docs],
            "small_micro": [str(d["enterprise"]["small_micro"]) for d in docs],
            "listing.listed_on": ["2021-09-30"] * len(docs),
        }
    )
    out = evaluate_partition(frame, PACK, AS_OF, result_json=True)
    assert list(out.columns) == [*RESULT_COLUMNS, "result"]
    for doc, (_, row) in zip(docs, out.iterrows(), strict=True):
        given = doc["enterprise"]["small_micro"]
        if given in ("on", "off", "maybe", 2, "2", "真"):
            assert row["result"] == "" and "enterprise.small_micro" in row["error"]
            continue
        facts = {"enterprise": {**doc["enterprise"], "small_micro": str(given)}}
        facts.pop("inspection_request", None)
        expected = load_pack(PACK).evaluate(facts, as_of=AS_OF, trace=False).to_json()
        assert json.loads(row["result"]) == expected
    assert evaluate_partition(frame, PACK, AS_OF).columns.tolist() == RESULT_COLUMNS
