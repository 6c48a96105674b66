"""A pack's clauses resolved: each names its document and quotes it verbatim; inherited clauses stay
citable as <pack>:<clause id>."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PackError, Problem, did_you_mean
from ..yamlio import Where, validate
from .definition import Clause, PackDefinition
from .sources import not_verbatim
from .spec import ClausesFile


def resolve_clauses(
    data: Any,
    root: Where,
    pack_id: str,
    documents: Mapping[str, Any],
    sources: Mapping[str, str],
    parent: PackDefinition | None,
    problems: list[Problem],
) -> dict[str, Clause]:
    """The parent's clauses and this pack's own (`data` is clauses.yaml as read, `root` its place), by ref."""
    spec = validate(ClausesFile, data, root, PackError)
    clauses: dict[str, Clause] = dict(parent.clauses) if parent else {}
    first_doc = next(iter(documents))
    for clause_id, clause in spec.clauses.items():
        where = root.at("clauses", clause_id)
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
            problems.append(where.at("text").problem(not_verbatim(clause.text, text, documents[doc_id].source)))
        clauses[f"{pack_id}:{clause_id}"] = Clause(
            pack_id=pack_id,
            id=clause_id,
            doc_id=doc_id,
            doc=documents[doc_id].number,
            label=clause.label or clause_id,
            text=clause.text,
            encoded=clause.encoded is True,
            reason=clause.reason,
            pending=clause.encoded == "pending",
            where=where,
        )
    return clauses
