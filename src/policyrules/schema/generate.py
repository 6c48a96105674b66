"""JSON Schema (2020-12) from the pydantic models: the facts a caller sends, the result it gets back, and a pack's
YAML files. pydantic writes the structure (types, required keys, `additionalProperties: false` from the models'
extra="forbid"); this module adds what pydantic cannot know: the Chinese label and English description of every
field and enumeration value, the identifiers' patterns, and the accepted forms of dates and booleans."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..facts import ENUM_LABELS, USCC_CHARSET, Facts, LabeledEnum, field_label
from ..facts import enums as enum_module
from ..facts.labels import ENUM_TITLES
from ..facts.values import BOOL_FORMS, DATE_FORMS
from ..packs.spec import ClausesFile, PackFile, RulesFile
from .result import ResultDocument

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_USCC = f"[{USCC_CHARSET}]"
USCC_PATTERN = f"^{_USCC}{{18}}$"
PERMIT_PATTERN = f"^{_USCC}{{18}}[0-9]{{3}}[A-Z]$"
NAMES = ("facts", "result", "pack")


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema named `name`: facts, result or pack."""
    if name == "facts":
        return facts_schema()
    if name == "result":
        return result_schema()
    if name == "pack":
        return pack_schema()
    raise ValueError(f"no schema '{name}'; expected one of {', '.join(NAMES)}")


def facts_schema() -> dict[str, Any]:
    """A facts document (contract §1–2), in the canonical form a system should send: dates as YYYY-MM-DD text,
    booleans as true/false, enumerations as codes or Chinese labels. (The parser also reads the register forms,
    docs/reference/facts.md; the schema describes them without requiring a validator to know them.)"""
    out = Facts.model_json_schema()
    for name, definition in out.get("$defs", {}).items():
        if "enum" in definition:
            _describe_enum(name, definition)
    _describe_model("Facts", out)
    for name, definition in out.get("$defs", {}).items():
        if definition.get("type") == "object":
            _describe_model(name, definition)
    enterprise = out["$defs"]["Enterprise"]["properties"]
    enterprise["uscc"]["pattern"] = USCC_PATTERN
    _non_null(enterprise["permit_no"])["pattern"] = PERMIT_PATTERN
    return _finish(out, "facts", "企业事实 · Facts", "One enterprise and the questions asked about it.")


def result_schema() -> dict[str, Any]:
    return _finish(ResultDocument.model_json_schema(), "result", "评估结果 · Result", ResultDocument.__doc__ or "")


def pack_schema() -> dict[str, Any]:
    """Any of a pack's YAML files: pack.yaml, clauses.yaml or rules.yaml (each closed, each with its own key)."""
    files: dict[str, type[BaseModel]] = {"pack.yaml": PackFile, "clauses.yaml": ClausesFile, "rules.yaml": RulesFile}
    defs: dict[str, Any] = {}
    choices = []
    for file, model in files.items():
        generated = model.model_json_schema(ref_template="#/$defs/{model}")
        defs |= generated.pop("$defs", {})
        generated["description"] = f"{file}: {(model.__doc__ or '').strip()}".strip().rstrip(":")
        defs[model.__name__] = generated
        choices.append({"$ref": f"#/$defs/{model.__name__}"})
    out = {"anyOf": choices, "$defs": defs}
    return _finish(out, "pack", "规则包文件 · Pack file", "A pack's pack.yaml, clauses.yaml or rules.yaml.")


def _finish(out: dict[str, Any], name: str, title: str, description: str) -> dict[str, Any]:
    head = {"$schema": DIALECT, "$id": f"urn:policyrules:schema:{name}", "title": title, "description": description}
    return head | {k: v for k, v in out.items() if k not in ("title", "description")}


def _describe_model(model: str, definition: dict[str, Any]) -> None:
    for field, prop in definition.get("properties", {}).items():
        labels = field_label(model, field)
        if labels is not None:
            prop["title"], prop["description"] = labels
        target = _non_null(prop)
        if target.get("format") == "date":
            target["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
            prop["description"] = f"{prop.get('description', '')} Read as a date {DATE_FORMS}; send YYYY-MM-DD.".strip()
        elif target.get("type") == "boolean":
            prop["description"] = f"{prop.get('description', '')} Read as {BOOL_FORMS}; send true/false.".strip()


def _describe_enum(name: str, definition: dict[str, Any]) -> None:
    enum: type[LabeledEnum] = getattr(enum_module, name)
    aliases = enum.aliases()
    title, description = ENUM_TITLES.get(name, (name, ""))
    codes = [
        {"const": code, "title": labels[0], "description": f"also accepted as {', '.join(labels)}"}
        for code, labels in aliases.items()
    ]
    by_label = [{"const": label, "title": f"{label} = {code}"} for code, labels in aliases.items() for label in labels]
    definition.clear()
    definition |= {
        "title": title,
        "description": f"{description} The English code, or a Chinese label: "
        + "; ".join(f"{code} ({ENUM_LABELS[name][code]})" for code in aliases),
        "type": "string",
        "anyOf": codes + by_label,
    }


def _non_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The schema of a property without its `null` alternative (Optional fields are anyOf [X, null])."""
    for choice in prop.get("anyOf", ()):
        if choice.get("type") != "null":
            return choice  # type: ignore[no-any-return]
    return prop


def models() -> dict[str, type[BaseModel]]:
    """The top model of each schema (for the reference pages)."""
    return {"facts": Facts, "result": ResultDocument, "pack": PackFile}
