"""Rebuilding a stored pack into a folder for `replay`, from a records database that may come from elsewhere:
every hash checked before anything is written, every path relative and inside, no link followed."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from .snapshot import PackFile, content_hash
from .store import RecordsError

if TYPE_CHECKING:
    from .store import RecordStore


def rebuild_pack(store: RecordStore, content_hash_: str, into: Path) -> Path:
    """Write the stored pack (and its ancestors, as siblings) under `into`; return the pack's directory.

    A records database from elsewhere is untrusted: every file's content is checked against its hash and the
    manifest against the pack's content hash BEFORE anything is written, each path must be relative and
    stay inside `into`, and files are created new, never through a link."""
    row = store.db.execute("SELECT pack_id, manifest FROM packs WHERE content_hash = ?", (content_hash_,)).fetchone()
    if row is None:
        raise RecordsError([Problem("", f"the pack {content_hash_} is not stored", str(store.path))])
    pack_id, entries = row[0], _read_manifest(row[1], store.path)
    blobs: list[tuple[str, str, bytes]] = []
    files: list[PackFile] = []
    for file_pack, directory, rel, digest in entries:
        blob = store.db.execute("SELECT content FROM pack_files WHERE sha256 = ?", (digest,)).fetchone()
        if blob is None or not isinstance(blob[0], bytes) or hashlib.sha256(blob[0]).hexdigest() != digest:
            raise RecordsError(
                [Problem("", f"stored pack file {directory}/{rel} is missing or altered", str(store.path))]
            )
        files.append(PackFile(file_pack, directory, rel, digest))
        blobs.append((directory, rel, blob[0]))
    tops = {directory for file_pack, directory, _, _ in entries if file_pack == pack_id}
    if len(tops) != 1:
        raise RecordsError([Problem("", f"the stored pack {content_hash_} has no single directory of {pack_id}")])
    rebuilt = content_hash(files)
    if rebuilt != content_hash_:
        raise RecordsError([Problem("", f"the stored files of pack {pack_id} hash to {rebuilt}, not {content_hash_}")])
    for directory, rel, data in blobs:
        write_new_file(into, (directory, *rel.split("/")), data)
    return into / tops.pop()


# One component of a path a records database may name: no separators, not '.' or '..', no control characters.
_SAFE_NAME = re.compile(r"(?!\.\.?$)[^/\\\x00-\x1f]{1,255}")


def _read_manifest(text: str, db: Path) -> list[tuple[str, str, str, str]]:
    """The stored manifest, each entry checked: four strings, a directory that is one plain name and a path
    of plain names (no '..', nothing absolute)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        data = None
    out: list[tuple[str, str, str, str]] = []
    for entry in data if isinstance(data, list) else [None]:
        if not (isinstance(entry, list) and len(entry) == 4 and all(isinstance(x, str) for x in entry)):
            raise RecordsError([Problem("", "a stored pack manifest is malformed", str(db))])
        pack, directory, rel, digest = entry
        if not _SAFE_NAME.fullmatch(directory) or not all(_SAFE_NAME.fullmatch(p) for p in rel.split("/")):
            raise RecordsError(
                [Problem("", f"a stored pack file has an unsafe path {directory[:60]!r}/{rel[:60]!r}", str(db))]
            )
        out.append((pack, directory, rel, digest))
    return out


def write_new_file(root: Path, parts: tuple[str, ...], data: bytes) -> None:
    """Create root/parts… as a new file: directories made as needed, no link followed (O_NOFOLLOW and O_EXCL)."""
    parent = root
    for part in parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            raise RecordsError([Problem("", f"refusing to write through a link: {parent}")])
        parent.mkdir(exist_ok=True)
    target = parent / parts[-1]
    if not target.resolve().is_relative_to(root.resolve()):
        raise RecordsError([Problem("", f"refusing to write outside {root}: {target}")])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise RecordsError([Problem("", f"a stored pack names the file {'/'.join(parts)} twice")]) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
