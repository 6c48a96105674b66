"""Finding packs: the shipped packs' directory, their ids, and the directory a pack id or path names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import PackError, Problem, did_you_mean


def shipped_packs_dir() -> Path:
    """Where the shipped packs are: $POLICYRULES_PACKS_DIR when set (a bureau's own set of packs), else inside
    the installed package, else policies/ in a source checkout."""
    override = os.environ.get("POLICYRULES_PACKS_DIR")
    if override:
        return Path(override)
    # Installed, the wheel maps policies/ to the data directory policyrules/policies in the package
    # (a namespace package: importlib.resources would hand back a MultiplexedPath, not a directory).
    package = Path(__file__).resolve().parents[1]  # src/policyrules, or site-packages/policyrules
    installed = package / "policies"
    if any(installed.glob("*/pack.yaml")):
        return installed
    return package.parents[1] / "policies"


def shipped_pack_ids() -> list[str]:
    return sorted(p.parent.name for p in shipped_packs_dir().glob("*/pack.yaml"))


def resolve_pack_dir(ref: str | Path, near: Path | None = None) -> Path:
    """A pack directory. A bare id (no path separator) names a sibling of `near` (the pack that extends it) or
    a shipped pack; anything else is a path to a directory holding pack.yaml."""
    text = str(ref)
    is_id = re.fullmatch(r"[a-z][a-z0-9_]*", text) is not None
    if is_id:
        for base in ([near.parent] if near else []) + [shipped_packs_dir()]:
            if (base / text / "pack.yaml").is_file():
                return base / text
    # a path in `extends:` is relative to the extending pack's directory; on the command line, to the cwd
    path = Path(ref) if near is None or Path(ref).is_absolute() else near / ref
    if (path / "pack.yaml").is_file() and (not is_id or near is None):
        return path
    known = shipped_pack_ids()
    raise PackError(
        [
            Problem(
                "",
                f"no pack '{ref}': not a directory and not a shipped pack{did_you_mean(str(ref), known)} "
                f"(shipped: {', '.join(known)})",
                str(ref),
            )
        ]
    )
