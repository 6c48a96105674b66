"""Loading a pack: read its three YAML files strictly, check its identity, load the pack it extends, and
resolve its sources, clauses, hit policies and rules on top of the parent's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import PackError, Problem, did_you_mean
from ..yamlio import Where, read_yaml, validate
from .acknowledged import resolve_acknowledged
from .clauses import resolve_clauses
from .definition import PackDefinition
from .files import inside_pack, read_pack_text
from .find import resolve_pack_dir
from .policies import resolve_policies
from .rules import resolve_rules
from .sources import read_sources
from .spec import PackFile, PackMeta
from .timeline import check_validity, load_superseding

PACK_FILES = ("pack.yaml", "clauses.yaml", "rules.yaml")

# Each file of a pack as read: (data, the Where of its root, which knows every key's line).
PackFiles = Mapping[str, tuple[Any, Where]]


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
    sources = read_sources(directory, meta.documents, _where(files, "pack.yaml", "pack", "documents"), problems)
    clauses_data, clauses_root = files["clauses.yaml"]
    clauses = resolve_clauses(clauses_data, clauses_root, meta.id, meta.documents, sources, parent, problems)
    decisions = resolve_policies(pack_file.decisions, _where(files, "pack.yaml", "decisions"), parent, problems)
    rules_data, rules_root = files["rules.yaml"]
    rules = resolve_rules(rules_data, rules_root, meta.id, clauses, parent, problems)
    acknowledged = resolve_acknowledged(
        pack_file.acknowledged, _where(files, "pack.yaml", "acknowledged"), meta.id, clauses, rules, problems
    )
    check_validity(meta, clauses, _where(files, "pack.yaml", "pack", "listing_validity"), problems)
    superseding = load_superseding(
        meta,
        directory,
        _where(files, "pack.yaml", "pack", "supersession"),
        lambda found: load_definition(found, (*_seen, meta.id)),
        problems,
    )
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
        acknowledged=acknowledged,
        files=(*PACK_FILES, *sorted({doc.source for doc in meta.documents.values()})),
        superseding=superseding,
    )


def _check_identity(meta: PackMeta, directory: Path, files: PackFiles) -> None:
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
        inside_pack(directory, name, Where(str(path), ()))  # a link out of the pack directory is refused
        data, lines = read_yaml(read_pack_text(path), str(path), PackError)
        out[name] = (data, Where(str(path), (), lines))
    return out


def _where(files: PackFiles, name: str, *path: str | int) -> Where:
    return files[name][1].at(*path)
