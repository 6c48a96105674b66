"""The flat view as code: one straight-line function per pack that computes every atom of the view, generated
from the atoms themselves as the rule conditions are (engines/compiled.py).

An atom that reads a fact as recorded (`reads == ("fact", path)`, read on the evaluation date) becomes an
attribute chain in the function — what `path_getter` does, without a loop and a call per atom; an absent part
on the way gives None, an enumeration its code, a credit grade its code on the pack's scheme. Every other atom
(counts, years since, derived facts, membership, presence) is computed by its own getter, called from the
function: its meaning is defined once, in view.py. The test suite checks that the function gives the view the
getters give, on generated facts for every shipped pack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from .view import Atom, Context, Value

ViewFunction = Callable[[Context], dict[str, Value]]


def compile_view(atoms: Mapping[str, Atom], pack_id: str) -> ViewFunction:
    source, getters = generate_view_source(atoms)
    namespace: dict[str, Any] = {"StrEnum": StrEnum, **getters}
    exec(compile(source, f"<policyrules view {pack_id}>", "exec"), namespace)
    return namespace["view"]  # type: ignore[no-any-return]


def generate_view_source(atoms: Mapping[str, Atom]) -> tuple[str, dict[str, Callable[[Context], Value]]]:
    """The source of `view(ctx) -> dict`, and the getters it calls by name. Generated from the atoms' keys,
    kinds and paths (validated against the fact model when the pack was compiled), never from pack text."""
    lines = ["def view(ctx):", "    facts = ctx.facts"]
    getters: dict[str, Callable[[Context], Value]] = {}
    names = []
    for i, (key, atom) in enumerate(atoms.items()):
        name = f"a{i}"
        names.append((key, name))
        path = _inline_path(atom)
        if path is None:
            getters[f"get{i}"] = atom.read
            lines.append(f"    {name} = get{i}(ctx)")
        else:
            lines += _path_lines(name, path, atom.kind)
    lines.append("    return {" + ", ".join(f"{key!r}: {name}" for key, name in names) + "}")
    return "\n".join(lines) + "\n", getters


def _inline_path(atom: Atom) -> list[str] | None:
    """The attribute path of an atom that reads a recorded fact on the evaluation date, else None."""
    if len(atom.reads) != 2 or atom.reads[0] != "fact" or getattr(atom, "on", None) is not None:
        return None
    parts = str(atom.reads[1]).split(".")
    return parts if all(p.isidentifier() for p in parts) else None


def _path_lines(name: str, parts: list[str], kind: str) -> list[str]:
    """`name` = the fact at `parts` (None when a part on the way is absent), as path_getter/grade_getter give."""
    lines = [f"    {name} = facts"]
    for part in parts:
        lines.append(f"    if {name} is not None:")
        lines.append(f"        {name} = {name}.{part}")
    if kind == "enum":
        lines.append(f"    if isinstance({name}, StrEnum):")
        lines.append(f"        {name} = str({name}.value)")
    elif kind == "grade":
        lines.append(f"    if {name} is not None:")
        lines.append(f"        {name} = ctx.grade_codes[str({name})]")
    return lines
