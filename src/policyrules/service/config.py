"""How a service is configured: where it records decisions and the bearer token it requires. `policyrules serve`
passes these to each worker process in the environment, since uvicorn starts workers from an import string."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import PolicyRulesError, Problem

RECORD_ENV = "POLICYRULES_SERVICE_RECORD"
TOKEN_FILE_ENV = "POLICYRULES_SERVICE_TOKEN_FILE"
PACKS_ENV = "POLICYRULES_SERVICE_PACKS"  # pack directories, separated by os.pathsep


@dataclass(frozen=True)
class ServiceConfig:
    record: Path | None = None  # the decision records database; None: decisions are not recorded
    token: str | None = None  # the bearer token every /v1 request must carry; None: no token required
    # pack directories served beside the shipped packs, named by the operator (a request names only a pack id:
    # the service never reads a path a request gives)
    pack_dirs: tuple[str, ...] = ()

    @classmethod
    def from_files(cls, record: str | None, token_file: str | None, pack_dirs: tuple[str, ...] = ()) -> ServiceConfig:
        return cls(Path(record) if record else None, read_token(token_file) if token_file else None, pack_dirs)

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        packs = tuple(p for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p)
        return cls.from_files(os.environ.get(RECORD_ENV) or None, os.environ.get(TOKEN_FILE_ENV) or None, packs)

    def environment(self, token_file: str | None) -> dict[str, str]:
        """The variables that give a worker process this configuration."""
        return {
            RECORD_ENV: str(self.record or ""),
            TOKEN_FILE_ENV: token_file or "",
            PACKS_ENV: os.pathsep.join(self.pack_dirs),
        }


def read_token(path: str) -> str:
    """The token: the file's text without surrounding whitespace; at least 16 characters."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PolicyRulesError([Problem("--token-file", f"cannot read the token file: {exc.strerror}", path)]) from None
    except UnicodeDecodeError:
        raise PolicyRulesError([Problem("--token-file", "the token file is not UTF-8 text", path)]) from None
    if len(token) < 16 or any(c.isspace() for c in token):
        raise PolicyRulesError(
            [Problem("--token-file", "expected one token of at least 16 characters without spaces", path)]
        )
    return token
