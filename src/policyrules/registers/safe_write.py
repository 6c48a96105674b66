"""Writing outputs without destroying anything: every file the library writes for a user (batch results, the
errors file, 附表2) goes through `atomic_path` or `atomic_open`, after `check_output`.

- An output that is one of the inputs (the same file, also through a link or a hard link) is refused before
  anything is opened: `batch R.jsonl -o R.jsonl` would otherwise empty the register it is reading.
- An output in a folder that does not exist, or that is a folder, is a clear error, not a traceback.
- The bytes go to a temporary file in the output's own folder (so the rename never crosses file systems) and are
  renamed over the output only once complete and flushed to disk: an interrupted run (Ctrl-C, kill -9, a full
  disk, a bug) leaves the previous file as it was, never a half-written one. A link named as the output keeps
  pointing where it pointed; the file it points to is replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import PolicyRulesError, Problem


class OutputError(PolicyRulesError):
    """An output cannot be written where asked: it is an input, its folder is missing, it is a folder."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: the same inode (links, hard links, `./x` and `x`), or, for a file not yet
    written, the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(output: str | Path, inputs: Iterable[str | Path | None] = (), option: str = "-o") -> None:
    """Refuse an output that would destroy an input or cannot be created; `inputs` may hold None and '-'
    (standard input), which are skipped."""
    path = Path(output)
    for source in inputs:
        if source is None or str(source) == "-":
            continue
        if same_file(path, source):
            raise OutputError(
                [
                    Problem(
                        option,
                        f"the output '{path}' is the input '{source}': writing it would destroy the input; "
                        "name another output file",
                    )
                ]
            )
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise OutputError([Problem(option, f"'{path}' is a folder: name a file inside it")])
    if not target.parent.is_dir():
        raise OutputError(
            [Problem(option, f"the folder '{target.parent}' does not exist: create it first, or name another")]
        )


@contextlib.contextmanager
def atomic_path(output: str | Path) -> Iterator[Path]:
    """A temporary path beside `output` to write to (by name, e.g. for openpyxl or zipfile); once the block ends
    without an exception it replaces `output` in one rename. On an exception, the temporary file is removed and
    `output` is untouched."""
    target = Path(os.path.realpath(output))
    temp = _create_temp(target, output)
    try:
        yield temp
        _sync(temp)
        _copy_mode(target, temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _sync_folder(target.parent)


@contextlib.contextmanager
def atomic_open(
    output: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[Any]]:
    """`open(output, mode)` written through a temporary file (see `atomic_path`); text by default, UTF-8, no
    newline translation (CSV writes its own line ends)."""
    with atomic_path(output) as temp:
        if "b" in mode:
            file: IO[Any] = open(temp, mode)  # noqa: SIM115 - closed below, before the rename
        else:
            file = open(temp, mode, encoding=encoding, newline=newline)  # noqa: SIM115
        try:
            yield file
            file.flush()
        finally:
            file.close()


def _create_temp(target: Path, named: str | Path) -> Path:
    """A new file beside the target, created exclusively (never an existing file or a planted link), with the
    permissions an ordinary new file gets (0666 less the umask)."""
    for _ in range(100):
        # hidden, named after the target, and ending in its suffix (a writer may tell the format by it)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError([Problem("-o", f"cannot write beside '{named}': {exc.strerror}")]) from None
        os.close(fd)
        return temp
    raise OutputError([Problem("-o", f"cannot create a temporary file beside '{named}'")])


def _copy_mode(target: Path, temp: Path) -> None:
    """A replaced file keeps its permissions."""
    with contextlib.suppress(OSError):
        os.chmod(temp, os.stat(target).st_mode & 0o7777)


def _sync(path: Path) -> None:
    """The bytes on disk before the rename, so that a crash after it cannot leave an empty file in its place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk (POSIX; Windows cannot open a folder and needs nothing here)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
