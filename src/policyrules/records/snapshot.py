"""Pack snapshots: a pack, every pack it extends and the pack that supersedes it, file by file, with the content
hash that identifies them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..engines import Pack
from ..packs import PackDefinition, Where, inside_pack, shipped_pack_ids
from .canonical import canonical_json


@dataclass(frozen=True)
class PackFile:
    pack_id: str  # the pack (or ancestor) the file belongs to
    directory: str  # that pack's directory name, which `extends:` resolves against
    path: str  # relative to the pack directory, '/'-separated
    sha256: str


@dataclass(frozen=True)
class PackSnapshot:
    """A pack and everything it extends, file by file: what `replay` needs to rebuild it."""

    pack_id: str
    version: str
    content_hash: str
    files: tuple[PackFile, ...]
    blobs: Mapping[str, bytes] = field(repr=False, compare=False)

    def manifest(self) -> str:
        return canonical_json([[f.pack_id, f.directory, f.path, f.sha256] for f in self.files])


def _pack_chain(definition: PackDefinition) -> list[PackDefinition]:
    """The pack, every pack it extends, and the pack that supersedes it (with its own chain): every pack whose
    rules its decisions rest on."""
    chain: list[PackDefinition] = []
    todo: list[PackDefinition] = [definition]
    while todo:
        current: PackDefinition | None = todo.pop(0)
        while current is not None:
            if all(c.id != current.id for c in chain):
                chain.append(current)
            if current.superseding is not None:
                todo.append(current.superseding)
            current = current.parent
    return chain


def _files_of(definition: PackDefinition) -> Iterator[tuple[str, Path]]:
    """The files the pack reads (its three YAML files and its source texts), resolved inside its directory:
    never a case, an example, or a file a link points to outside."""
    directory = Path(definition.directory)
    for rel in definition.files:
        yield rel, inside_pack(directory, rel, Where(str(directory / rel), ()))


def content_hash(files: Iterable[PackFile]) -> str:
    """sha256 over the lines '<pack id>/<path> <sha256 of the file>', sorted: every file the pack reads
    (pack.yaml, clauses.yaml, rules.yaml and its source texts) and those of each pack it extends. Directory
    names do not enter it, so the same pack installed elsewhere has the same hash."""
    lines = sorted(f"{f.pack_id}/{f.path} {f.sha256}\n" for f in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def snapshot_pack(pack: Pack) -> PackSnapshot:
    files: list[PackFile] = []
    blobs: dict[str, bytes] = {}
    for definition in _pack_chain(pack.definition):
        directory = Path(definition.directory)
        for rel, path in _files_of(definition):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            blobs[digest] = data
            files.append(PackFile(definition.meta.id, directory.resolve().name, rel, digest))
    return PackSnapshot(pack.id, pack.version, content_hash(files), tuple(files), blobs)


def pack_ref(given: str, pack: Pack) -> str:
    """What to load as 'the current pack' when replaying: the shipped id, or the directory's absolute path."""
    if given in shipped_pack_ids() and not Path(given).is_dir():
        return given
    return str(Path(pack.definition.directory).resolve())
