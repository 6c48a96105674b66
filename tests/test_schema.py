"""The published JSON Schemas (`policyrules schema facts|result|pack`), checked with a JSON Schema validator against
every shipped example, every pack file and generated results; and the labels they carry, complete."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from policyrules import load_pack
from policyrules.cli import main
from policyrules.facts import ENUM_LABELS, FIELD_LABELS, Facts, innermost_model
from policyrules.schema import facts_schema, pack_schema, result_schema, schema
from strategies import pack_cases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(ROOT.glob("policies/*/examples/*.yaml"))
PACK_FILES = sorted(p for name in ("pack", "clauses", "rules") for p in ROOT.glob(f"policies/*/{name}.yaml"))


def as_json(data: Any) -> Any:
    return json.loads(json.dumps(data, default=lambda d: d.isoformat(), ensure_ascii=False))


def read(path: Path) -> Any:
    return as_json(yaml.safe_load(path.read_text(encoding="utf-8")))


def errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


FACTS = Draft202012Validator(facts_schema())
RESULT = Draft202012Validator(result_schema())
PACK = Draft202012Validator(pack_schema())


@pytest.mark.parametrize("name", ["facts", "result", "pack"])
def test_each_schema_is_a_valid_2020_12_schema(name: str) -> None:
    generated = schema(name)
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(generated)


def test_there_are_examples_and_pack_files() -> None:
    assert len(EXAMPLES) >= 5 and len(PACK_FILES) == 15


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_shipped_example_is_valid_facts(path: Path) -> None:
    assert errors(FACTS, read(path)) == []


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_pack_file_is_valid(path: Path) -> None:
    assert errors(PACK, read(path)) == []


def test_an_unknown_key_is_invalid_anywhere() -> None:
    document = read(EXAMPLES[0])
    assert errors(FACTS, {**document, "extra": 1})
    assert errors(FACTS, {**document, "enterprise": {**document["enterprise"], "smal_micro": True}})
    monitoring = {**document["enterprise"].get("monitoring", {}), "instaled": True}
    assert errors(FACTS, {**document, "enterprise": {**document["enterprise"], "monitoring": monitoring}})
    pack = read(ROOT / "policies" / "mee_2021" / "pack.yaml")
    assert errors(PACK, {**pack, "pack": {**pack["pack"], "titel": "x"}})


def test_identifiers_and_enumerations_are_checked() -> None:
    ent = {"name": "x", "uscc": "91350100M000100Y43"}
    assert errors(FACTS, {"enterprise": ent}) == []
    assert errors(FACTS, {"enterprise": {**ent, "uscc": "91350100M000100Y4"}})  # 17 characters
    assert errors(FACTS, {"enterprise": {**ent, "uscc": "91350100M000100I43"}})  # I is not in GB 32100
    assert errors(FACTS, {"enterprise": {**ent, "permit_no": "91350100M000100Y43001P"}}) == []
    assert errors(FACTS, {"enterprise": {**ent, "permit_no": "91350100M000100Y43-001"}})
    for grounds in ("random_draw", "双随机抽中", "“双随机”抽中"):
        assert errors(FACTS, {"enterprise": ent, "inspection_request": {"grounds": grounds}}) == []
    assert errors(FACTS, {"enterprise": ent, "inspection_request": {"grounds": "random"}})
    assert errors(FACTS, {"enterprise": ent, "inspection_request": {"approvals": ["本执法机构负责同志"]}})  # no grounds


def _models(model: type[BaseModel] = Facts) -> dict[str, type[BaseModel]]:
    out = {model.__name__: model}
    for field in model.model_fields.values():
        inner = innermost_model(field.annotation)
        if inner is not None:
            out |= _models(inner)
    return out


def test_every_field_of_the_model_has_a_chinese_label_and_a_description() -> None:
    for name, model in _models().items():
        missing = [f for f in model.model_fields if f not in FIELD_LABELS.get(name, {})]
        assert missing == [], f"add {name}.{missing} to policyrules/facts/labels.py"
        stale = [f for f in FIELD_LABELS.get(name, {}) if f not in model.model_fields]
        assert stale == [], f"{name}.{stale} are not fields of the model"
    properties = facts_schema()["$defs"]["Traits"]["properties"]
    assert all(p["title"] and p["description"] for p in properties.values())


def test_every_enumeration_value_carries_its_label() -> None:
    defs = facts_schema()["$defs"]
    for enum, labels in ENUM_LABELS.items():
        titles = {c["const"]: c["title"] for c in defs[enum]["anyOf"] if "description" in c}
        assert titles == labels


@settings(max_examples=60, deadline=None)
@given(case=pack_cases())
def test_results_are_valid_against_the_result_schema(case: tuple[str, Any, date]) -> None:
    pack_id, facts, as_of = case
    result = load_pack(pack_id).evaluate(facts, as_of=as_of)
    assert errors(FACTS, as_json(facts)) == []
    assert errors(RESULT, as_json(result.to_json(trace=False))) == []
    assert errors(RESULT, as_json(result.to_json(trace=True))) == []


def test_the_result_schema_refuses_an_unknown_key_and_outcome() -> None:
    result = as_json(load_pack("mee_2021").evaluate(read(EXAMPLES[0]), as_of=date(2022, 3, 1)).to_json())
    assert errors(RESULT, result) == []
    assert errors(RESULT, {**result, "extra": 1})
    inclusion = {**result["decisions"]["inclusion"], "outcome": "maybe"}
    assert errors(RESULT, {**result, "decisions": {**result["decisions"], "inclusion": inclusion}})


@pytest.mark.parametrize("name", ["facts", "result", "pack"])
def test_the_schema_command_prints_the_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == schema(name)
