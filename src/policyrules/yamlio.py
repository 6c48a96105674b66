"""Reading input files strictly: YAML with duplicate keys refused and every key's line kept, and validation
into pydantic models with problems located by file, key path and line. Facts, packs and cases all read here."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import PolicyRulesError, Problem, did_you_mean, format_path

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int]
M = TypeVar("M", bound=BaseModel)


# --- reading text ----------------------------------------------------------------------------------------


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


# --- strict YAML with line numbers -------------------------------------------------------------------------


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


# --- places in a file ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A place in a YAML file: the file, the key path, and the line map to find the line of any sub-path."""

    file: str
    path: tuple[str | int, ...]
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict, repr=False, compare=False)

    def at(self, *more: str | int) -> Where:
        return Where(self.file, self.path + more, self.lines)

    @property
    def line(self) -> int | None:
        path = self.path
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, message: str) -> Problem:
        return Problem(format_path(self.path), message, self.file, self.line)


# --- validating into a model -----------------------------------------------------------------------------


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


def innermost_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Listing | None` or `tuple[Violation, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = innermost_model(arg)
        if found is not None:
            return found
    return None
