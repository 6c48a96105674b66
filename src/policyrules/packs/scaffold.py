"""A new pack from a local document's text (`policyrules new`): the cleaned source, pack.yaml with the number,
dates and issuer read from the text, clauses.yaml with every section, clause and item the text numbers
(verbatim, each `encoded: pending`), a rules.yaml with no rules that lists what the parent's rules are and how to
keep, override or disable each, and an empty cases/. The pack is loaded and checked before it is put in place:
a scaffold that would not validate is never left behind."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError, Problem
from .definition import PackDefinition, Rule
from .find import resolve_pack_dir
from .load import load_definition
from .numbering import numbered_parts
from .provenance import document_text_problems
from .sources import clean_source

PACK_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8})\s*([〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+\s*号)")
_BEFORE_NUMBER = re.compile(r".*(?:通知|文件|方案|意见|局|厅|部|号)")  # what ends the title or the issuer's name
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_SIGNED = re.compile(r"([\u4e00-\u9fff（）]{2,30}?(?:局|厅|委员会|人民政府|办公室|部))\s*" + _DATE)
_COMMENCES = re.compile(r"自\s*" + _DATE + r"\s*起(?:施行|执行|实施|生效)")
_ON_ISSUE = re.compile(r"自印发之日起(?:施行|执行|实施|生效)")
_TITLE = re.compile(
    r"[\u4e00-\u9fff《》“”、]*关于[^。：:，\s]*?(?:的通知|的意见|的指导意见|方案|办法|规定|细则)(?=[^的]|$)"
)


@dataclass
class Scaffold:
    """What `new` wrote and read: the pack directory, its clause count, and where each metadata value came from."""

    directory: Path
    clauses: int
    found: dict[str, str] = field(default_factory=dict)  # key -> how it was found ("read from the text", "given")


def new_pack(
    pack_id: str,
    extends: str,
    source: Path,
    target: Path,
    given: dict[str, Any] | None = None,
) -> Scaffold:
    """Write the pack `target/pack_id` from the text in `source`, extending `extends`. `given` overrides what
    is read from the text: number, title, issuer, jurisdiction, date, in_force_from."""
    if not PACK_ID.match(pack_id):
        raise PackError(
            [
                Problem(
                    "PACK_ID", f"'{pack_id}' is not a pack id: lowercase letters, digits and _, starting with a letter"
                )
            ]
        )
    final = target / pack_id
    if final.exists():
        raise PackError(
            [Problem("PACK_ID", f"{final} already exists; `new` never writes over a directory", str(final))]
        )
    if not target.is_dir():
        raise PackError([Problem("--dir", "no such directory", str(target))])
    parent_dir, by_id = _parent_dir(extends, final)
    parent = load_definition(parent_dir)
    # as pack.yaml will name the parent: a bare id that finds it from there, else a path from the new pack's directory
    written = extends if by_id else os.path.relpath(parent_dir.resolve(), final.resolve())
    try:
        raw = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError([Problem("--source", f"cannot read the source text: {exc}", str(source))]) from None
    text = clean_source(raw)
    meta, found = _metadata(pack_id, text, raw, source, given or {})
    parts = numbered_parts(text)
    if not parts:
        raise PackError(
            [
                Problem(
                    "--source",
                    "the text numbers no section (一、), clause (（一）) or item (一是): "
                    "is it the cleaned text of a policy document?",
                    str(source),
                )
            ]
        )
    with tempfile.TemporaryDirectory(prefix=".new-", dir=target) as scratch:
        staged = Path(scratch) / pack_id
        (staged / "cases").mkdir(parents=True)
        (staged / "source.txt").write_text(text.replace("。", "。\n"), encoding="utf-8")
        # checked against the parent found above (from the scratch directory a name could resolve elsewhere)
        (staged / "pack.yaml").write_text(_pack_yaml(pack_id, meta, str(parent_dir.resolve()), parent, source), "utf-8")
        (staged / "clauses.yaml").write_text(_clauses_yaml(parts), encoding="utf-8")
        (staged / "rules.yaml").write_text(_rules_yaml(pack_id, parent), encoding="utf-8")
        _check(staged, final)
        (staged / "pack.yaml").write_text(_pack_yaml(pack_id, meta, written, parent, source), encoding="utf-8")
        shutil.move(str(staged), final)
    return Scaffold(final, len(parts), found)


def _parent_dir(extends: str, final: Path) -> tuple[Path, bool]:
    """The parent's directory, and whether `extends:` can name it by its bare id: a sibling of the new pack or a
    shipped pack. Otherwise the command line's reading applies (a path, or a directory of that name here)."""
    if PACK_ID.match(extends):
        try:
            return resolve_pack_dir(extends, near=final), True
        except PackError:
            pass
    return resolve_pack_dir(extends), False


def _check(staged: Path, final: Path) -> None:
    """The scaffold must load and pass the text checks; otherwise nothing is written. Problems name the files
    as they would have been written."""
    try:
        problems = document_text_problems(load_definition(staged))
    except PackError as exc:
        problems = list(exc.problems)
    if problems:
        moved = [replace(p, file=p.file.replace(str(staged), str(final))) if p.file else p for p in problems]
        raise PackError([*moved, Problem("", "nothing was written: correct the values above (see `new --help`)")])


def _metadata(
    pack_id: str, text: str, raw: str, source: Path, given: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    found: dict[str, str] = {}
    read: dict[str, Any] = {}
    head = text[:400]
    number = _NUMBER.search(head)
    if number:  # the han characters before the bracket, after the title or the issuer's name that precede them
        read["number"] = _BEFORE_NUMBER.sub("", number[1], count=1) + re.sub(r"\s+", "", number[2])
    title = _TITLE.search(head)
    if title:
        read["title"] = title[0]
    signed = _SIGNED.search(text)
    if signed:
        read["issuer"] = signed[1]
        read["date"] = _date(signed.groups()[1:])
        read["jurisdiction"] = re.sub(r"(生态环境局|生态环境厅|环境保护局|人民政府.*)$", "", signed[1]) or signed[1]
    commences = _COMMENCES.search(text)
    if commences:
        read["in_force_from"] = _date(commences.groups())
    elif _ON_ISSUE.search(text) and "date" in read:
        read["in_force_from"] = read["date"]
    meta: dict[str, Any] = {}
    missing = []
    for key in ("number", "title", "issuer", "jurisdiction", "date", "in_force_from"):
        if given.get(key) is not None:
            meta[key], found[key] = given[key], "given"
        elif key in read:
            meta[key], found[key] = read[key], "read from the text"
        elif key in ("number", "title", "issuer", "jurisdiction"):
            missing.append(key)
        else:  # without it the pack has no force window of its own: say so, so that the analyst adds it
            option = f"--{key.replace('_', '-')}"
            found[key] = f"not in the text; without it the pack applies whenever its parent does (give {option})"
    if missing:
        options = ", ".join("--document" if k == "number" else f"--{k.replace('_', '-')}" for k in missing)
        raise PackError(
            [Problem("--source", f"could not read the {', '.join(missing)} from the text; give {options}", str(source))]
        )
    return meta, found


def _date(groups: Any) -> dt.date:
    year, month, day = (int(g) for g in groups)
    return dt.date(year, month, day)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=False)


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(keepends=True))


def _pack_yaml(pack_id: str, meta: dict[str, Any], extends: str, parent: PackDefinition, source: Path) -> str:
    document = {
        "number": meta["number"],
        "title": meta["title"],
        "issuer": meta["issuer"],
        **({"date": meta["date"]} if "date" in meta else {}),
        **({"in_force_from": meta["in_force_from"]} if "in_force_from" in meta else {}),
        "status": "in_force",
        "source": "source.txt",
        "received_as": source.name,
    }
    pack = {
        "id": pack_id,
        "title": meta["title"],
        "jurisdiction": meta["jurisdiction"],
        "version": "0.1",
        "extends": extends,
        "documents": {pack_id: document},
    }
    head = [
        f"# Made by `policyrules new` from {source.name}. The number, title, issuer and dates were read from the",
        "# text (validate checks that the number and the dates occur in it): check each against the document. A",
        "# value the text does not print goes under the document's `not_in_source:`, with the reason.",
        f"# The hit policies are {parent.id}'s; restate a decision under `decisions:` to change one.",
    ]
    return "\n".join(head) + "\n" + _dump({"pack": pack})


def _clauses_yaml(parts: Any) -> str:
    out = [
        "# Every section, clause and item the text numbers, quoted verbatim and marked `encoded: pending`.",
        "# For each: write the rule that encodes it and delete the `encoded: pending` line, or mark it",
        "# `encoded: false` with a `reason:` saying why no rule encodes it. Split a clause that decides several",
        "# things into several entries with the same `label:`. `policyrules coverage` lists what is left.",
        "clauses:",
    ]
    seen: dict[str, int] = {}
    for part in parts:
        seen[part.label] = seen.get(part.label, 0) + 1
        clause_id = part.label if seen[part.label] == 1 else f"{part.label}#{seen[part.label]}"
        entry: dict[str, Any] = {"text": part.text, "encoded": "pending"}
        if clause_id != part.label:
            entry = {"label": part.label, **entry}
        out.append(_indent(_dump({clause_id: entry}), 2).rstrip("\n"))
    return "\n".join(out) + "\n"


def _rules_yaml(pack_id: str, parent: PackDefinition) -> str:
    out = [
        f"# The rules of {pack_id}. It extends {parent.id} and has no rules of its own yet: every rule of",
        f"# {parent.id} applies as it is. For each rule below, decide what this text does to it:",
        "#",
        "#   keeps it           write nothing;",
        "#   changes it         - id: <rule>",
        "#                        action: override",
        "#                        cites: [<clause of this pack that says so>]",
        "#                        when: {...}          # the whole condition, with says: quoting this text",
        "#   drops it           - id: <rule>",
        "#                        action: disable",
        "#                        reason: <why this text drops it>",
        "#                        cites: [<clause of this pack>]",
        "#   adds a rule        - id: <new id>, decision:, yields:, cites:, when: (see docs/pack-format.md)",
        "#",
        f"# The rules of {parent.id}, by decision (`policyrules show --pack {parent.id}` prints them in full):",
    ]
    for decision in dict.fromkeys(r.decision for r in parent.rules):
        out.append(f"#   {decision}")
        for rule in (r for r in parent.rules if r.decision == decision):
            out.append("#     " + _rule_line(rule))
    out.append("rules: []")
    return "\n".join(out) + "\n"


def _rule_line(rule: Rule) -> str:
    then = rule.spec.yields or ", ".join(f for f, v in rule.spec.sets.items() if v)
    cites = "; ".join(dict.fromkeys(f"{c.doc} {c.label}" for c in rule.cites))
    state = " (disabled there)" if rule.origin == "disabled" else ""
    return f"{rule.id} → {then}{state}  [{cites}]" + (f"  {rule.spec.title}" if rule.spec.title else "")
