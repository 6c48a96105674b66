"""The house rules of docs/architecture.md as tests: small modules, the command line apart, and layers that only
look down. A change that breaks one of them fails here, with the module and the line that broke it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "policyrules"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 500

# Low to high: a module may import its own package and any package of a lower (or equal-rank, unrelated) layer.
LAYERS: dict[str, int] = {
    "textsafe": -1,
    "errors": 0,
    "yamlio": 1,
    "facts": 2,
    "packs": 3,
    "conditions": 4,
    "engines": 5,
    "explain": 6,
    "analysis": 6,
    "cases": 6,
    "records": 6,
    "schema": 7,
    "registers": 7,
    "service": 8,
    "cli": 9,
}


def part_of(path: Path) -> str:
    """The top-level package (or module) of policyrules a file belongs to."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else ""


def imported_parts(path: Path) -> list[tuple[int, str]]:
    """(line, top-level part of policyrules) for every import of policyrules code in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for policyrules/x.py, 1 for policyrules/pkg/x.py
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1  # levels above the module's own package
            if up > depth:
                continue
            if up == depth:  # relative to policyrules itself: the first name is the part
                first = (node.module or "").split(".")[0]
                parts = [first] if first else [a.name for a in node.names]
                found += [(node.lineno, p) for p in parts]
            else:
                found.append((node.lineno, path.relative_to(PACKAGE).parts[0].removesuffix(".py")))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("policyrules."):
            found.append((node.lineno, (node.module or "").split(".")[1]))
    return found


def rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_no_module_is_over_500_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{rel(path)} has {lines} lines: split it by what each part does"


def test_only_the_command_line_parses_arguments_prints_or_exits() -> None:
    offenders = []
    for path in MODULES:
        if part_of(path) == "cli" or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if "argparse" in names:
                    offenders.append(f"{rel(path)}:{node.lineno}: imports argparse")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{rel(path)}:{node.lineno}: print()")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "exit"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "sys"
            ):
                offenders.append(f"{rel(path)}:{node.lineno}: sys.exit()")
    assert not offenders, "command-line work outside cli/:\n" + "\n".join(offenders)


def test_every_part_has_a_layer() -> None:
    parts = {part_of(p) for p in MODULES} - {"", "__main__", "policies"}
    assert parts <= set(LAYERS), f"add {sorted(parts - set(LAYERS))} to LAYERS and to docs/architecture.md"


def test_a_lower_stage_never_imports_a_higher_one() -> None:
    offenders = []
    for path in MODULES:
        own = part_of(path)
        if own not in LAYERS:
            continue
        for line, part in imported_parts(path):
            if part in LAYERS and part != own and LAYERS[part] >= LAYERS[own]:
                offenders.append(f"{rel(path)}:{line}: {own} (layer {LAYERS[own]}) imports {part} ({LAYERS[part]})")
    assert not offenders, "imports against the layers of docs/architecture.md:\n" + "\n".join(offenders)


def test_every_package_ships_in_the_wheel() -> None:
    """pyproject.toml lists the packages by hand (the packs map in as policyrules.policies): a new subpackage missing
    there would install without its code."""
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(("policyrules", *init.parent.relative_to(PACKAGE).parts))
        for init in PACKAGE.rglob("__init__.py")
        if init.parent.name != "__pycache__"
    }
    assert found - listed == set(), f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
