"""Reading YAML strictly (duplicate keys are errors, every node keeps its line), finding packs, checking
quoted clause text against the sources, and merging a pack with the packs it extends."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import FactsError, PackError, PolicyRulesError, Problem, did_you_mean, format_path
from ..facts import Facts, innermost_model, parse_facts
from .spec import (
    DECISIONS,
    FLAGS,
    OUTCOMES,
    Clause,
    ClausesFile,
    DecisionPolicySpec,
    Origin,
    PackDefinition,
    PackFile,
    PackMeta,
    Rule,
    RuleAction,
    RulesFile,
    RuleSpec,
    Where,
)

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int]
M = TypeVar("M", bound=BaseModel)

PACK_FILES = ("pack.yaml", "clauses.yaml", "rules.yaml")

# The engine's documented hit policies; a pack may restate or change them under `decisions:`.
DEFAULT_POLICIES: dict[str, DecisionPolicySpec] = {
    "inclusion": DecisionPolicySpec(
        priority=("barred", "eligible"),
        default="ineligible",
        note="a bar overrides every inclusion category",
        default_note="no inclusion category of this pack holds, and nothing bars the enterprise",
    ),
    "listing": DecisionPolicySpec(
        priority=("remove", "expired"),
        default="keep",
        note="an order to remove outranks plain expiry",
        default_note="no removal rule holds and the validity period has not ended",
    ),
    "inspection": DecisionPolicySpec(
        priority=("refused", "non_site", "self_check_first", "needs_approval", "permitted"),
        default="permitted",
        note="the most restrictive holding outcome wins",
        default_note="no positive-list restriction applies to this request: ordinary enforcement permits it",
    ),
    "penalty": DecisionPolicySpec(
        priority=("severe", "may_waive"),
        default="ordinary",
        note="severe punishment overrides a waiver",
        default_note="neither a waiver nor severe punishment applies: the violation is dealt with by law",
    ),
    "supervision": DecisionPolicySpec(
        priority=("special", "exempt_on_site", "reduced", "general"),
        default="general",
        note="special supervision outranks every relief",
        default_note="no rule changes how often the enterprise is drawn: an ordinary random-draw object",
    ),
}


# --- strict YAML with line numbers ---------------------------------------------------------------------


def read_yaml(text: str, file: str, error: type[PolicyRulesError]) -> tuple[Any, Lines]:
    """Parse one YAML (or JSON) document; return the data and the line of every key path."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise error([Problem("", f"not valid YAML/JSON: {reason}", file, line)]) from None
    finally:
        loader.dispose()
    if node is None:
        raise error([Problem("", "the file is empty", file, 1)])
    lines: Lines = {}
    data = _build(loader, node, (), lines, file, error)
    return data, lines


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    lines: Lines,
    file: str,
    error: type[PolicyRulesError],
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key == "<<":
                raise error([Problem(format_path(path), "YAML merge keys (<<) are not supported", file)])
            if key in out:
                first = lines.get((*path, key))
                raise error(
                    [
                        Problem(
                            format_path((*path, key)),
                            f"duplicate key '{key}' (first given on line {first}); a key may appear once",
                            file,
                            key_node.start_mark.line + 1,
                        )
                    ]
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, (*path, key), lines, file, error)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines, file, error) for i, item in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, int) and not isinstance(value, bool) and re.fullmatch(r"0[0-9_]+", node.value):
        return node.value  # YAML 1.1 reads 0131 as octal 89; a code with a leading zero is text (industry codes)
    return value


def validate(model: type[M], data: Any, where: Where, error: type[PolicyRulesError]) -> M:
    """Validate `data` against a pydantic model; problems name file, key path and line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error([_located(e, where, model) for e in exc.errors()]) from None


def _located(err: Mapping[str, Any], where: Where, model: type[BaseModel]) -> Problem:
    loc = tuple(err["loc"])
    here = where.at(*loc)
    found = err.get("input")
    if err["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), known)
        return here.problem(f"unknown key '{loc[-1]}'{hint} (expected one of: {', '.join(known)})")
    if err["type"] == "missing":
        return here.problem("required key is missing")
    message = str(err["msg"]).removeprefix("Value error, ")
    shown = "" if isinstance(found, dict | list) else f"; found {found!r}"
    return here.problem(f"{message}{shown}")


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        if isinstance(part, str) and part in current.model_fields:
            current = innermost_model(current.model_fields[part].annotation) or current
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


# --- facts documents -----------------------------------------------------------------------------------


def read_text(source: str | Path) -> tuple[str, str]:
    """The text of a file, or of standard input for '-'; returns (text, display name)."""
    if str(source) == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise PolicyRulesError([Problem("", "file not found", str(path))]) from None
    except UnicodeDecodeError as exc:
        raise PolicyRulesError([Problem("", f"not UTF-8 text ({exc.reason})", str(path))]) from None
    except OSError as exc:
        raise PolicyRulesError([Problem("", f"cannot read: {exc.strerror}", str(path))]) from None


@dataclass(frozen=True)
class FactsDocument:
    """A facts document as read: the model, the raw data, and where each key sits in the file."""

    facts: Facts
    data: dict[str, Any]
    file: str
    lines: Lines

    def locate(self, exc: FactsError) -> FactsError:
        """The same problems, with this document's file name and line numbers filled in."""
        return FactsError([Problem(p.path, p.message, self.file, _line_of(p.path, self.lines)) for p in exc.problems])


def load_facts(source: str | Path) -> FactsDocument:
    """Read and validate a facts document (YAML or JSON; '-' reads standard input)."""
    text, name = read_text(source)
    data, lines = read_yaml(text, name, FactsError)
    try:
        facts = parse_facts(data, name)
    except FactsError as exc:
        raise FactsDocument(Facts.model_construct(), {}, name, lines).locate(exc) from None
    return FactsDocument(facts, data, name, lines)


def _line_of(dotted: str, lines: Lines) -> int | None:
    path: Path_ = tuple(
        int(part) if part.isdigit() else part for part in re.split(r"\.|\[|\]\.?", dotted) if part != ""
    )
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


# --- source texts -----------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def clean_source(raw: str) -> str:
    """The cleaned form clauses are quoted in: line breaks, and the spaces a page or line break leaves
    beside it, removed; every other character kept."""
    return _LINE_BREAK.sub("", raw)


# --- finding packs -----------------------------------------------------------------------------------------


def shipped_packs_dir() -> Path:
    """Where the shipped packs are: $POLICYRULES_PACKS_DIR when set (a bureau's own set of packs), else inside
    the installed package, else policies/ in a source checkout."""
    override = os.environ.get("POLICYRULES_PACKS_DIR")
    if override:
        return Path(override)
    # Installed, the wheel maps policies/ to the data directory policyrules/policies beside this module
    # (a namespace package: importlib.resources would hand back a MultiplexedPath, not a directory).
    package = Path(__file__).resolve().parents[1]  # src/policyrules, or site-packages/policyrules
    installed = package / "policies"
    if any(installed.glob("*/pack.yaml")):
        return installed
    return package.parents[1] / "policies"


def shipped_pack_ids() -> list[str]:
    return sorted(p.parent.name for p in shipped_packs_dir().glob("*/pack.yaml"))


def resolve_pack_dir(ref: str | Path, near: Path | None = None) -> Path:
    """A pack directory. A bare id (no path separator) names a sibling of `near` (the pack that extends it) or
    a shipped pack; anything else is a path to a directory holding pack.yaml."""
    text = str(ref)
    is_id = re.fullmatch(r"[a-z][a-z0-9_]*", text) is not None
    if is_id:
        for base in ([near.parent] if near else []) + [shipped_packs_dir()]:
            if (base / text / "pack.yaml").is_file():
                return base / text
    # a path in `extends:` is relative to the extending pack's directory; on the command line, to the cwd
    path = Path(ref) if near is None or Path(ref).is_absolute() else near / ref
    if (path / "pack.yaml").is_file() and (not is_id or near is None):
        return path
    known = shipped_pack_ids()
    raise PackError(
        [
            Problem(
                "",
                f"no pack '{ref}': not a directory and not a shipped pack{did_you_mean(str(ref), known)} "
                f"(shipped: {', '.join(known)})",
                str(ref),
            )
        ]
    )


# --- loading one pack directory, then merging with its parent -------------------------------------------


def load_definition(ref: str | Path, _seen: tuple[str, ...] = ()) -> PackDefinition:
    """Load and check a pack and everything it extends."""
    directory = resolve_pack_dir(ref)
    files = _read_pack_files(directory)
    pack_file = validate(PackFile, files["pack.yaml"][0], _where(files, "pack.yaml"), PackError)
    meta = pack_file.pack
    _check_identity(meta, directory, files)
    if meta.id in _seen:
        raise PackError(
            [
                _where(files, "pack.yaml", "pack", "extends").problem(
                    f"extends forms a cycle: {' -> '.join((*_seen, meta.id))}"
                )
            ]
        )
    parent = None
    if meta.extends:
        try:
            parent = load_definition(resolve_pack_dir(meta.extends, near=directory), (*_seen, meta.id))
        except PackError as exc:
            where = _where(files, "pack.yaml", "pack", "extends")
            raise PackError([where.problem(f"cannot load parent pack '{meta.extends}'"), *exc.problems]) from None
    problems: list[Problem] = []
    sources = _read_sources(directory, files, meta.documents, problems)
    clauses = _resolve_clauses(files, meta.id, meta.documents, sources, parent, problems)
    decisions = _resolve_policies(files, pack_file.decisions, parent, problems)
    rules = _resolve_rules(files, meta.id, clauses, parent, problems)
    if problems:
        raise PackError(problems)
    return PackDefinition(
        meta=meta,
        directory=directory,
        decisions=decisions,
        clauses=clauses,
        rules=rules,
        sources=sources,
        parent=parent,
        where=_where(files, "pack.yaml", "pack"),
    )


def _check_identity(meta: PackMeta, directory: Path, files: Mapping[str, tuple[Any, Where]]) -> None:
    """The id is how other packs and users name the pack: it must be the directory's name; the primary
    document must be one of the pack's documents."""
    problems = []
    if meta.id != directory.resolve().name:
        problems.append(
            _where(files, "pack.yaml", "pack", "id").problem(
                f"the pack id '{meta.id}' differs from its directory name '{directory.resolve().name}'; "
                "rename one so that `extends:` and `--pack` find it"
            )
        )
    if meta.primary_document is not None and meta.primary_document not in meta.documents:
        problems.append(
            _where(files, "pack.yaml", "pack", "primary_document").problem(
                f"unknown document '{meta.primary_document}'{did_you_mean(meta.primary_document, meta.documents)}; "
                f"documents of this pack: {', '.join(meta.documents)}"
            )
        )
    if problems:
        raise PackError(problems)


def _read_pack_files(directory: Path) -> dict[str, tuple[Any, Where]]:
    out: dict[str, tuple[Any, Where]] = {}
    for name in PACK_FILES:
        path = directory / name
        if not path.is_file():
            raise PackError([Problem("", f"missing {name}: a pack directory holds {', '.join(PACK_FILES)}", str(path))])
        data, lines = read_yaml(path.read_text(encoding="utf-8"), str(path), PackError)
        out[name] = (data, Where(str(path), (), lines))
    return out


def _where(files: Mapping[str, tuple[Any, Where]], name: str, *path: str | int) -> Where:
    return files[name][1].at(*path)


def _read_sources(
    directory: Path,
    files: Mapping[str, tuple[Any, Where]],
    documents: Mapping[str, Any],
    problems: list[Problem],
) -> dict[str, str]:
    sources: dict[str, str] = {}
    for doc_id, doc in documents.items():
        path = directory / doc.source
        if not path.is_file():
            where = _where(files, "pack.yaml", "pack", "documents", doc_id, "source")
            problems.append(where.problem(f"source text '{doc.source}' not found in {directory}"))
            continue
        text = clean_source(path.read_text(encoding="utf-8"))
        span = _document_span(text, doc.source_starts, doc.source_ends)
        if isinstance(span, str):
            sources[doc_id] = span
        else:
            where = _where(files, "pack.yaml", "pack", "documents", doc_id, span[0])
            problems.append(where.problem(span[1]))
    return sources


def _document_span(text: str, starts: str | None, ends: str | None) -> str | tuple[str, str]:
    """The part of a shared source file that is one document's text, or (key, problem) when a marker is absent."""
    begin = 0
    if starts is not None:
        begin = text.find(starts)
        if begin < 0:
            return "source_starts", f"'{starts}' is not in the cleaned source text"
    if ends is None:
        return text[begin:]
    end = text.find(ends, begin)
    if end < 0:
        return "source_ends", f"'{ends}' is not in the cleaned source text after source_starts"
    return text[begin : end + len(ends)]


def _resolve_clauses(
    files: Mapping[str, tuple[Any, Where]],
    pack_id: str,
    documents: Mapping[str, Any],
    sources: Mapping[str, str],
    parent: PackDefinition | None,
    problems: list[Problem],
) -> dict[str, Clause]:
    spec = validate(ClausesFile, files["clauses.yaml"][0], _where(files, "clauses.yaml"), PackError)
    clauses: dict[str, Clause] = dict(parent.clauses) if parent else {}
    first_doc = next(iter(documents))
    for clause_id, clause in spec.clauses.items():
        where = _where(files, "clauses.yaml", "clauses", clause_id)
        doc_id = clause.doc or first_doc
        if doc_id not in documents:
            problems.append(
                where.at("doc").problem(
                    f"unknown document '{doc_id}'{did_you_mean(doc_id, documents)}; "
                    f"documents of this pack: {', '.join(documents)}"
                )
            )
            doc_id = first_doc  # keep the clause, so rules citing it do not report a second, spurious problem
        text = sources.get(doc_id)
        if text is not None and clause.text not in text:
            problems.append(where.at("text").problem(_not_verbatim(clause.text, text, documents[doc_id].source)))
        clauses[f"{pack_id}:{clause_id}"] = Clause(
            pack_id=pack_id,
            id=clause_id,
            doc_id=doc_id,
            doc=documents[doc_id].number,
            label=clause.label or clause_id,
            text=clause.text,
            encoded=clause.encoded,
            reason=clause.reason,
            where=where,
        )
    return clauses


def _not_verbatim(quote: str, source: str, source_name: str) -> str:
    """Say how far the quote matches the source, so the author sees where it diverges."""
    best = 0
    for length in range(1, len(quote) + 1):
        if quote[:length] in source:
            best = length
        else:
            break
    if best == 0:
        return f"quoted text is not found verbatim in {source_name}: even its first character is absent"
    return (
        f"quoted text is not found verbatim in {source_name}: it matches up to "
        f"'…{quote[max(0, best - 12) : best]}' and diverges at '{quote[best : best + 12]}…'"
    )


def _resolve_policies(
    files: Mapping[str, tuple[Any, Where]],
    own: Mapping[str, DecisionPolicySpec],
    parent: PackDefinition | None,
    problems: list[Problem],
) -> dict[str, DecisionPolicySpec]:
    policies = dict(parent.decisions) if parent else dict(DEFAULT_POLICIES)
    for decision, policy in own.items():
        where = _where(files, "pack.yaml", "decisions", decision)
        if decision not in DECISIONS:
            problems.append(where.problem(f"unknown decision '{decision}'{did_you_mean(decision, DECISIONS)}"))
            continue
        for outcome in (*policy.priority, policy.default):
            if outcome not in OUTCOMES[decision]:
                problems.append(
                    where.problem(
                        f"'{outcome}' is not an outcome of {decision}; expected one of {', '.join(OUTCOMES[decision])}"
                    )
                )
        policies[decision] = policy
    return policies


def _resolve_rules(
    files: Mapping[str, tuple[Any, Where]],
    pack_id: str,
    clauses: Mapping[str, Clause],
    parent: PackDefinition | None,
    problems: list[Problem],
) -> tuple[Rule, ...]:
    spec = validate(RulesFile, files["rules.yaml"][0], _where(files, "rules.yaml"), PackError)
    inherited: dict[str, Rule] = {r.id: _as_inherited(r) for r in (parent.rules if parent else ())}
    effective: dict[str, Rule] = dict(inherited)
    seen: set[str] = set()
    for index, rule in enumerate(spec.rules):
        where = _where(files, "rules.yaml", "rules", index)
        if rule.id in seen:
            problems.append(where.at("id").problem(f"rule id '{rule.id}' is used twice in this pack"))
            continue
        seen.add(rule.id)
        resolved = _resolve_rule(rule, where, pack_id, clauses, inherited.get(rule.id), parent, problems)
        if resolved is not None:
            effective[rule.id] = resolved
    return tuple(effective.values())


def _as_inherited(rule: Rule) -> Rule:
    origin: Origin = "disabled" if rule.origin == "disabled" else "inherited"
    return Rule(rule.spec, rule.pack_id, origin, rule.cites, rule.where, rule.replaced, rule.reason, rule.disable_notes)


def _resolve_rule(
    rule: RuleSpec,
    where: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    parent_rule: Rule | None,
    parent: PackDefinition | None,
    problems: list[Problem],
) -> Rule | None:
    before = len(problems)
    action = rule.action
    if action is RuleAction.add and parent_rule is not None:
        problems.append(
            where.at("id").problem(
                f"rule '{rule.id}' already exists in {parent_rule.pack_id}; say `action: override` to replace it "
                "or `action: disable` to switch it off"
            )
        )
    if action is not RuleAction.add and parent_rule is None:
        hint = did_you_mean(rule.id, [r.id for r in parent.rules]) if parent else ""
        problems.append(
            where.at("action").problem(
                f"`action: {action}` needs a rule '{rule.id}' in the parent pack, and there is none{hint}"
            )
        )
    cites = _resolve_cites(rule, where, pack_id, clauses, problems, extends=parent is not None)
    if action is RuleAction.disable:
        if not rule.reason:
            problems.append(where.problem("a disabled rule needs `reason:` saying why the local text drops it"))
        extra = [k for k in rule.model_fields_set if k not in ("id", "action", "reason", "cites", "notes")]
        if extra:
            problems.append(
                where.problem(
                    f"a disabled rule takes only id, action, reason, cites and notes; found {', '.join(extra)}"
                )
            )
        if len(problems) > before or parent_rule is None:
            return None
        return Rule(
            parent_rule.spec,
            pack_id,
            "disabled",
            cites,
            where,
            replaced=parent_rule,
            reason=rule.reason,
            disable_notes=rule.notes,
        )
    if parent_rule is not None:
        rule = _inherit_from(rule, parent_rule.spec)
    decision = rule.decision
    if decision is None:
        problems.append(where.problem("missing `decision:` (one of " + ", ".join(DECISIONS) + ")"))
    else:
        _check_outputs(rule, decision, where, problems)
    if rule.when is None:
        problems.append(where.problem("missing `when:`: the conditions under which the rule holds"))
    if len(problems) > before or decision is None:
        return None
    spec = rule
    origin: Origin = "overridden" if parent_rule else ("added" if parent else "own")
    return Rule(spec, pack_id, origin, cites, where, replaced=parent_rule)


def _inherit_from(rule: RuleSpec, parent: RuleSpec) -> RuleSpec:
    """An override restates what it changes; what it leaves out (decision, outcome, flags, category, titles)
    stays as the parent rule has it. Conditions and interpretations are never inherited: new conditions need
    their own reading of the text."""
    given = rule.model_fields_set
    names = ["decision", "yields", "sets", "category", "decision_note"]
    if not given & {"title", "title_en"}:  # a new title in one language must not keep the other's old one
        names += ["title", "title_en"]
    return rule.model_copy(update={name: getattr(parent, name) for name in names if name not in given})


def _resolve_cites(
    rule: RuleSpec,
    where: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    problems: list[Problem],
    extends: bool,
) -> tuple[Clause, ...]:
    if not rule.cites:
        problems.append(where.problem("a rule must cite at least one clause (`cites:`)"))
    resolved: list[Clause] = []
    for i, ref in enumerate(rule.cites):
        key = ref if ":" in ref else f"{pack_id}:{ref}"
        clause = clauses.get(key)
        if clause is None:
            own = [c.id for c in clauses.values() if c.pack_id == pack_id]
            problems.append(
                where.at("cites", i).problem(
                    f"unknown clause '{ref}'{did_you_mean(ref, own + list(clauses))}; cite a clause of this pack "
                    "by its id, or an inherited one as <pack>:<clause id>"
                )
            )
            continue
        if not clause.encoded:
            problems.append(
                where.at("cites", i).problem(
                    f"clause '{ref}' is marked encoded: false ({clause.reason}); a rule may not cite it"
                )
            )
        resolved.append(clause)
    # in a pack that extends another, every change (override, disable, addition) rests on a local clause
    if extends and resolved and all(c.pack_id != pack_id for c in resolved):
        change = "an added rule" if rule.action is RuleAction.add else f"`action: {rule.action}`"
        problems.append(where.at("cites").problem(f"{change} must cite a clause of this pack that justifies it"))
    return tuple(resolved)


def _check_outputs(rule: RuleSpec, decision: str, where: Where, problems: list[Problem]) -> None:
    if rule.yields is None and not rule.sets:
        problems.append(where.problem("a rule must name an outcome (`yields:`) or set a flag (`sets:`)"))
    if rule.yields is not None and rule.yields not in OUTCOMES[decision]:
        problems.append(
            where.at("yields").problem(
                f"'{rule.yields}' is not an outcome of {decision}{did_you_mean(rule.yields, OUTCOMES[decision])}; "
                f"expected one of {', '.join(OUTCOMES[decision])}"
            )
        )
    allowed = FLAGS.get(decision, ())
    for flag in rule.sets:
        if flag not in allowed:
            expected = ", ".join(allowed) or f"no flags exist for {decision}"
            problems.append(
                where.at("sets", flag).problem(
                    f"unknown flag '{flag}'{did_you_mean(flag, allowed)}; expected: {expected}"
                )
            )
    if rule.category is not None and decision != "inclusion":
        problems.append(where.at("category").problem("only inclusion rules name a category"))


# --- writing a pack back out --------------------------------------------------------------------------------


def dump_pack(definition: PackDefinition, target: Path) -> Path:
    """Write a loaded pack's own files to `target`/<id>/ in the form the loader reads (its parent stays a
    reference by id). Loading the result gives a pack that decides identically: the round-trip property."""
    out = target / definition.id
    out.mkdir(parents=True, exist_ok=True)
    pack_file = {
        "pack": definition.meta.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        "decisions": {d: p.model_dump(mode="json", exclude_none=True) for d, p in definition.decisions.items()},
    }
    own = definition.id
    clauses = {
        c.id: {"doc": c.doc_id, "label": c.label, "text": c.text, "encoded": c.encoded, "reason": c.reason}
        for c in definition.clauses.values()
        if c.pack_id == own
    }
    rules = [_dump_rule(rule, own) for rule in definition.rules if rule.pack_id == own]
    _write_yaml(out / "pack.yaml", pack_file)
    _write_yaml(
        out / "clauses.yaml",
        {"clauses": {k: {f: v for f, v in c.items() if v is not None} for k, c in clauses.items()}},
    )
    _write_yaml(out / "rules.yaml", {"rules": rules})
    for doc in definition.meta.documents.values():
        (out / doc.source).write_text((definition.directory / doc.source).read_text(encoding="utf-8"), encoding="utf-8")
    return out


def _dump_rule(rule: Rule, own: str) -> dict[str, Any]:
    cites = [c.id if c.pack_id == own else c.ref for c in rule.cites]
    if rule.origin == "disabled":
        entry = {"id": rule.id, "action": "disable", "reason": rule.reason, "cites": cites}
        return entry | ({"notes": rule.disable_notes} if rule.disable_notes else {})
    spec = rule.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    spec["cites"] = cites
    if rule.origin == "overridden":
        spec["action"] = "override"
    return spec


def _write_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
