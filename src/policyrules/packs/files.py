"""The files a pack reads, and only those: every name a pack gives (its `source:` files) is resolved inside the
pack directory, links resolved first, and anything that leads outside is refused. A pack directory from
elsewhere is untrusted input (docs/security.md): it must not make the library read /etc/passwd and quote it
back a few characters at a time in a "not found verbatim" message."""

from __future__ import annotations

from pathlib import Path

from ..errors import PackError, Problem
from ..yamlio import MAX_FILE_CHARS, Where, decode_utf8

MAX_NAME_CHARS = 255  # a file name a pack gives (one path component on common file systems)
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # a pack's source text


def inside_pack(directory: Path, name: str, where: Where) -> Path:
    """The file `name` (relative, '/'-separated) of the pack in `directory`, links resolved; a PackError located
    at `where` when it is absolute, too long, leads outside the pack directory, or is not a regular file."""
    if len(name) > MAX_NAME_CHARS:
        raise PackError([where.problem(f"a file name of {len(name):,} characters: the limit is {MAX_NAME_CHARS}")])
    if not name or "\0" in name or Path(name).is_absolute() or "\\" in name or ".." in name.split("/"):
        raise PackError(
            [where.problem(f"'{name[:80]}' must be a file name relative to the pack directory, without '..'")]
        )
    try:
        root = directory.resolve(strict=True)
        path = (root / name).resolve(strict=True)
    except FileNotFoundError:
        raise PackError([where.problem(f"'{name}' not found in the pack directory {directory}")]) from None
    except (OSError, RuntimeError) as exc:  # a loop of links, a name too long for the system
        raise PackError([where.problem(f"'{name[:80]}' cannot be opened: {exc}")]) from None
    if not path.is_relative_to(root):
        raise PackError(
            [where.problem(f"'{name[:80]}' leads outside the pack directory; a pack reads only its own files")]
        )
    if not path.is_file():
        raise PackError([where.problem(f"'{name[:80]}' is not a regular file in the pack directory")])
    return path


def read_pack_text(path: Path, limit: int = MAX_FILE_CHARS) -> str:
    """A pack file as UTF-8 text (its size bounded), or a PackError naming the file and the line of a bad byte."""
    try:
        size = path.stat().st_size
        if size > 4 * limit:
            raise PackError([Problem("", f"larger than the limit of {limit:,} characters", str(path))])
        text = decode_utf8(path.read_bytes(), str(path), PackError)
    except OSError as exc:
        raise PackError([Problem("", f"cannot read: {exc.strerror or exc}", str(path))]) from None
    if len(text) > limit:
        raise PackError([Problem("", f"larger than the limit of {limit:,} characters", str(path))])
    return text
