"""Reading input files strictly: YAML with duplicate keys refused and every key's line kept, and validation
into pydantic models with problems located by file, key path and line. Facts, packs and cases all read here."""

from __future__ import annotations

import copy
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import PolicyRulesError, Problem, did_you_mean, format_path

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int]
M = TypeVar("M", bound=BaseModel)


# --- limits ------------------------------------------------------------------------------------------------
# Facts documents, packs and cases are read with these bounds, so that a small hostile file cannot take the
# process's memory or time (docs/security.md). The shipped packs use a small fraction of each: files up to
# 45 KB, nesting 11 levels, 3,000 values a file, values up to 1,000 characters.

MAX_FILE_CHARS = 2 * 1024 * 1024  # characters of one YAML/JSON file
MAX_DEPTH = 64  # levels of nested mappings and lists
MAX_NODES = 200_000  # values in one file, counting each use of an alias (*name) as a full copy
MAX_SCALAR_CHARS = 100_000  # characters of one value
MAX_INT_BITS = 64  # integers from -2**63 to 2**64-1
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels (the limit for YAML/JSON input)"
_TOO_MANY = f"more than {MAX_NODES:,} values (aliases counted as copies): the limit for one file"
_TOO_LARGE = f"the file is larger than the limit of {MAX_FILE_CHARS:,} characters"


def excerpt(value: object, limit: int = 80) -> str:
    """repr() of a value for an error message, cut to `limit` characters: a message never echoes megabytes."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}… ({len(shown):,} characters)"


# --- reading text ----------------------------------------------------------------------------------------


def read_text(source: str | Path) -> tuple[str, str]:
    """The text of a file, or of standard input for '-'; returns (text, display name). At most MAX_FILE_CHARS
    characters are read (4 bytes a character at most in UTF-8), from a file, a pipe or a device alike."""
    if str(source) == "-":
        return _bounded(sys.stdin.read(MAX_FILE_CHARS + 1), "<stdin>"), "<stdin>"
    path = Path(source)
    try:
        with path.open("rb") as stream:
            raw = stream.read(4 * MAX_FILE_CHARS + 1)
    except FileNotFoundError:
        raise PolicyRulesError([Problem("", "file not found", str(path))]) from None
    except OSError as exc:
        raise PolicyRulesError([Problem("", f"cannot read: {exc.strerror}", str(path))]) from None
    if len(raw) > 4 * MAX_FILE_CHARS:
        raise PolicyRulesError([Problem("", _TOO_LARGE, str(path))])
    return _bounded(decode_utf8(raw, str(path), PolicyRulesError), str(path)), str(path)


def decode_utf8(raw: bytes, file: str, error: type[PolicyRulesError]) -> str:
    """Bytes as UTF-8 text, or an error naming the line and byte where the text stops being UTF-8 (a file
    saved as GBK, say)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 4].hex(" ")
        message = (
            f"not UTF-8 text: byte {exc.start} (bytes {bad}) {exc.reason}; save the file as UTF-8 (GBK is not read)"
        )
        raise error([Problem("", message, file, line)]) from None


def _bounded(text: str, file: str) -> str:
    if len(text) > MAX_FILE_CHARS:
        raise PolicyRulesError([Problem("", _TOO_LARGE, file)])
    return text


# --- strict YAML with line numbers -------------------------------------------------------------------------


def read_yaml(text: str, file: str, error: type[PolicyRulesError]) -> tuple[Any, Lines]:
    """Parse one YAML (or JSON) document; return the data and the line of every key path.

    Plain YAML only: explicit tags other than the core ones (!!python/..., !!binary, !!set, custom !tags), merge
    keys (<<), recursive aliases, keys that are lists or mappings and impossible dates are refused by name with
    their line, and the limits above hold. Values are built from the parser's events without recursion, so no
    nesting reaches Python's recursion limit."""
    if len(text) > MAX_FILE_CHARS:
        raise error([Problem("", _TOO_LARGE, file)])
    _refuse_unprintable(text, file, error)
    return _Builder(text, file, error).run()


# YAML's printable characters (YAML 1.1 §5.1); anything else is refused before parsing, located.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_STR, _MERGE = f"{_CORE}str", f"{_CORE}merge"
_OPEN = object()  # a mapping that waits for its next key


def _refuse_unprintable(text: str, file: str, error: type[PolicyRulesError]) -> None:
    bad = _UNPRINTABLE.search(text)
    if bad is None:
        return
    char = bad.group()
    line = text.count("\n", 0, bad.start()) + 1
    column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
    name = unicodedata.name(char, "a control character" if unicodedata.category(char) == "Cc" else "a non-character")
    message = f"character U+{ord(char):04X} ({name}) at column {column} is not allowed in YAML; remove it"
    raise error([Problem(_path_at_line(_UNPRINTABLE.sub(" ", text), line), message, file, line)])


def _path_at_line(text: str, line: int) -> str:
    """The deepest key path that starts on `line` of a document, to locate a problem found in the raw text."""
    try:
        _, lines = _Builder(text, "", PolicyRulesError).run()
    except PolicyRulesError:
        return ""
    here: list[Path_] = sorted((path for path, at in lines.items() if at == line), key=len)
    return format_path(here[-1]) if here else ""


def _shown(path: Path_) -> str:
    """A key path for a message, its first 12 steps only: a path 10,000 levels deep is not a location."""
    return format_path(path[:12]) + ("…" if len(path) > 12 else "")


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


@dataclass
class _Frame:
    """A mapping or list being built: its value, key path, and (for a mapping) the key waiting for its value."""

    value: dict[Any, Any] | list[Any]
    path: Path_
    anchor: str | None
    first_node: int
    key: Any = _OPEN


class _Builder:
    """Builds plain Python values from the parser's events with an explicit stack, counting values (aliases
    included, so a 'billion laughs' document stops at MAX_NODES) and nesting."""

    def __init__(self, text: str, file: str, error: type[PolicyRulesError]) -> None:
        self.loader = _Loader(text)
        self.file, self.error = file, error
        self.lines: Lines = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, number of values in it)
        self.nodes = 0
        self.root: Any = None
        self.done = False

    def run(self) -> tuple[Any, Lines]:
        try:
            self._events()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(exc, "problem", None) or str(exc)
            message = f"not valid YAML/JSON: {reason}"
            if "nesting depth" in reason:  # libyaml's own bound (1000), met while it looks ahead of ours
                message = _TOO_DEEP
            path = self._here()[0] if self.stack else ()
            raise self.error([Problem(_shown(path), message, self.file, line)]) from None
        finally:
            self.loader.dispose()
        if not self.done:
            raise self.error([Problem("", "the file is empty", self.file, 1)])
        return self.root, self.lines

    def fail(self, path: Path_, line: int, message: str) -> NoReturn:
        raise self.error([Problem(_shown(path), message, self.file, line)])

    def _events(self) -> None:
        # the loop of every file read (a pack's load is mostly this): one parser call an event, the event's
        # class compared by identity (the parsers make these classes, never subclasses), scalars first
        get_event = self.loader.get_event
        while True:
            event: Any = get_event()  # type: ignore[no-untyped-call]
            kind = type(event)
            if kind is yaml.StreamEndEvent:
                return
            line = event.start_mark.line + 1
            if kind is yaml.ScalarEvent:
                self._add(self._scalar(event, line), line, event.anchor, 1)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = self.stack.pop()
                self._add(frame.value, None, frame.anchor, self.nodes - frame.first_node, built=True)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._open(event, line)
            elif kind is yaml.AliasEvent:
                self._alias(event.anchor, line)
            elif kind is yaml.DocumentStartEvent and self.done:
                self.fail((), line, "a file holds one YAML document; found a second one ('---')")

    def _child_path(self, line: int) -> Path_:
        """The key path of a list or mapping about to open; a mapping key cannot be one."""
        path, is_key = self._here()
        if is_key:
            self.fail(path, line, "a mapping key must be a single value, not a list or a mapping")
        return path

    def _open(self, event: Any, line: int) -> None:
        self._check_tag(event.tag, "map" if isinstance(event, yaml.MappingStartEvent) else "seq", line)
        path = self._child_path(line)
        if len(self.stack) >= MAX_DEPTH:
            self.fail(path, line, _TOO_DEEP)
        self._count(path, line, 1)
        self.lines.setdefault(path, line)
        value: dict[Any, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append(_Frame(value, path, event.anchor, self.nodes - 1))

    def _alias(self, anchor: Any, line: int) -> None:
        if any(frame.anchor == anchor for frame in self.stack):
            self.fail(self._here()[0], line, f"alias *{anchor} refers to a value that contains it (recursive)")
        if anchor not in self.anchors:
            self.fail(self._here()[0], line, f"alias *{anchor} names no anchor &{anchor} given before it")
        value, size = self.anchors[anchor]
        self._add(copy.deepcopy(value) if size > 1 else value, line, None, size)

    def _count(self, path: Path_, line: int, size: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            self.fail(path, line, _TOO_MANY)

    def _here(self) -> tuple[Path_, bool]:
        """The key path of the value the parser is at, and whether it is a mapping's key."""
        if not self.stack:
            return (), False
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value)), False
        if frame.key is _OPEN:
            return frame.path, True
        return (*frame.path, frame.key), False

    def _add(self, value: Any, line: int | None, anchor: str | None, size: int, built: bool = False) -> None:
        """Place a finished value: as the root, as a list item, or as a mapping's key or value. A value not
        built here (a scalar or an alias) is counted and, as the root or a list item, gets its line; a mapping's
        value has the line its key gave the path (_key)."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not built:
            self.nodes += size
            if self.nodes > MAX_NODES:  # the path is worked out only to report the limit
                self.fail(self._here()[0], line or 0, _TOO_MANY)
        if not self.stack:
            if not built:
                self.lines.setdefault((), line or 0)
            self.root, self.done = value, True
            return
        frame = self.stack[-1]
        container = frame.value
        if isinstance(container, list):
            if not built:
                self.lines.setdefault((*frame.path, len(container)), line or 0)
            container.append(value)
        elif frame.key is _OPEN:
            self._key(frame, value, line or 0)
        else:
            container[frame.key] = value
            frame.key = _OPEN

    def _key(self, frame: _Frame, key: Any, line: int) -> None:
        assert isinstance(frame.value, dict)
        if isinstance(key, _MergeKey):
            self.fail(frame.path, line, "YAML merge keys (<<) are not supported; write the keys out")
        if isinstance(key, dict | list):
            self.fail(frame.path, line, "a mapping key must be a single value, not a list or a mapping")
        if key in frame.value:
            first = self.lines.get((*frame.path, key))
            where = (*frame.path, key)
            self.fail(where, line, f"duplicate key '{key}' (first given on line {first}); a key may appear once")
        frame.key = key
        self.lines[(*frame.path, key)] = line

    def _check_tag(self, tag: str | None, kind: str, line: int) -> None:
        if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS | {f"{_CORE}{kind}"}:
            self.fail(
                self._here()[0],
                line,
                f"YAML tag {_short_tag(tag)} is not supported: facts and packs are plain YAML "
                "(text, numbers, true/false, dates, lists, mappings)",
            )

    def _scalar(self, event: Any, line: int) -> Any:
        text = event.value
        if len(text) > MAX_SCALAR_CHARS:
            self.fail(self._here()[0], line, f"a value of {len(text):,} characters: the limit is {MAX_SCALAR_CHARS:,}")
        if _LONE_SURROGATE.search(text):  # "\ud800" escaped in a quoted value (the pure-Python parser lets it by)
            self.fail(self._here()[0], line, "a lone surrogate (\\ud800–\\udfff) is no character; remove it")
        if event.tag is None:
            tag = self.loader.resolve(yaml.ScalarNode, text, event.implicit)  # type: ignore[no-untyped-call]
        else:
            self._check_tag(event.tag, "str", line)
            tag = _STR if event.tag == "!" else event.tag
        if tag == _MERGE:
            return _MergeKey()
        if tag not in _ALLOWED_TAGS or tag.endswith((":str", ":map", ":seq")):
            return text  # '=' (YAML 1.1's value key) and any other oddity stays text
        return self._construct(tag, text, event, line)

    def _construct(self, tag: str, text: str, event: Any, line: int) -> Any:
        kind = tag.removeprefix(_CORE)
        if kind == "int" and _LEADING_ZERO.fullmatch(text) and event.tag is None:
            return text  # YAML 1.1 reads 0131 as octal 89; a code with a leading zero is text (industry codes)
        if kind == "int" and len(text.replace("_", "").lstrip("+-")) > 24:
            self.fail(self._here()[0], line, f"integer {excerpt(text, 40)} is beyond {MAX_INT_BITS} bits")
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            value = getattr(self.loader, f"construct_yaml_{kind}")(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            what = "a calendar date" if kind == "timestamp" else f"a valid {kind}"
            self.fail(self._here()[0], line, f"{excerpt(text, 40)} is not {what} ({exc})")
        if kind == "int" and not -(2**63) <= value < 2**MAX_INT_BITS:
            self.fail(self._here()[0], line, f"integer {excerpt(text, 40)} is beyond {MAX_INT_BITS} bits")
        return value


_LEADING_ZERO = re.compile(r"0[0-9_]+")


class _MergeKey:
    """A plain `<<` in key position: YAML 1.1's merge key, refused by name."""


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


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
    shown = "" if isinstance(found, dict | list) else f"; found {excerpt(found)}"
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
