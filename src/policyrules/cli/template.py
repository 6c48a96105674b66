"""`policyrules template`: a blank register (XLSX) to fill in, with a 说明 sheet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import Problem
from .common import EXIT_OK, Handler, UsageError


def register(sub: Any) -> dict[str, Handler]:
    """The `template` subcommand."""
    cmd = sub.add_parser(
        "template", help="a blank register (.xlsx) with every column batch reads and a 说明 sheet explaining each"
    )
    cmd.add_argument("-o", "--output", default="排污单位名录模板.xlsx", help="the .xlsx to write (default %(default)s)")
    cmd.add_argument("--force", action="store_true", help="replace the file if it exists")
    return {"template": cmd_template}


def cmd_template(args: argparse.Namespace) -> int:
    from ..registers import check_output, write_template  # loaded for this command only: tests/test_startup.py

    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise UsageError([Problem("-o", f"the template is an .xlsx workbook, not '{out.name}'")])
    if out.exists() and not args.force:
        raise UsageError([Problem("-o", f"{out} exists: give --force to replace it, or another name")])
    check_output(out)  # a missing folder, a folder named as the file: a clear error
    count = write_template(out)
    print(f"policyrules: 空白名录（{count} 列，另有“说明”工作表）→ {out}", file=sys.stderr)
    return EXIT_OK
