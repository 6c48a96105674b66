"""`policyrules serve`: the decision service over HTTP (`pip install "policyrules[serve]"`), on uvicorn."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from typing import Any

from ..errors import PolicyRulesError, Problem
from .common import EXIT_OK, Handler


def register(sub: Any) -> dict[str, Handler]:
    cmd = sub.add_parser("serve", help="the decision service over HTTP (needs policyrules[serve])")
    cmd.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1: this machine only)")
    cmd.add_argument("--port", type=_port, default=8000, help="the port (default 8000)")
    cmd.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1); each loads the packs")
    cmd.add_argument(
        "--record", metavar="DB", default=None, help="append every decision to this records database (SQLite)"
    )
    cmd.add_argument(
        "--token-file", metavar="FILE", default=None, help="require 'Authorization: Bearer <the token in FILE>' on /v1"
    )
    cmd.add_argument(
        "--pack",
        dest="packs",
        action="append",
        default=[],
        metavar="DIR",
        help="also serve the pack in this directory, by its id (repeatable); requests name packs only by id",
    )
    cmd.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="info")
    return {"serve": cmd_serve}


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number 1–65535, found '{text}'")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes ≥ 1, found '{text}'")
    return int(text)


def _check_address(host: str, port: int) -> None:
    """Stop with exit 2 and the reason when the address cannot be listened on (taken, not this machine's), rather
    than after the workers have started."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PolicyRulesError([Problem("--port", f"cannot listen on {host}:{port}: {reason}")]) from None


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..service import ServiceConfig, load_packs
    except ImportError as exc:
        missing = f"the service needs FastAPI and uvicorn ({exc.name} is missing)"
        raise PolicyRulesError([Problem("", f"{missing}: pip install 'policyrules[serve]'")]) from None
    config = ServiceConfig.from_files(args.record, args.token_file, tuple(str(Path(p).resolve()) for p in args.packs))
    load_packs(config.pack_dirs)  # a broken pack, or an id served twice, stops here (exit 2), not in each worker
    if config.record is not None:
        from ..records import RecordStore

        RecordStore.open(config.record).close()  # an unusable database stops here, before any request
    _check_address(args.host, args.port)
    os.environ.update(config.environment(args.token_file))
    uvicorn.run(
        "policyrules.service:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=False,
    )
    return EXIT_OK
