"""Capture every user-visible output of the `policyrules` command, to compare two versions byte for byte.

    python benchmarks/outputs.py capture /tmp/outputs-before      # on the old code
    python benchmarks/outputs.py capture /tmp/outputs-after       # on the new code
    python benchmarks/outputs.py compare /tmp/outputs-before /tmp/outputs-after   # exit 0: no user noticed

What is captured, through the real command line (`python -m policyrules` is not assumed; the console script's
entry point `policyrules.cli:main` is called in a subprocess per command, so that imports, exit codes and
standard error are those a user sees):
- `evaluate --format json` (and `--trace`), `explain` in Chinese and English, for every shipped example on the
  date its first line names;
- `diff --format json` and `--format text` for the variant pairs of docs/variants.md;
- `batch` of a seeded generated register (CSV in, CSV, JSONL and XLSX out), with a share of bad rows so the
  errors files are captured too: with `--lang en` (the contract's columns, for systems; compared byte for byte
  with a version that has no `--lang`, whose only output was this one) and in Chinese (the default for people
  since `--lang` exists: `batch-zh.*`); XLSX files are compared by their sheet XML, since the zip container
  stamps times;
- `packs`, `show`, `coverage`, `validate` and the exit code of each command.

`compare` checks two captures byte for byte, except the batch summary's elapsed time and rows per second, which
differ on every run. An output only the newer capture has (a new command's, a new format's) is listed as added
and does not fail the comparison; one that is gone, or differs, does.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
sys.path.insert(0, str(Path(__file__).resolve().parent))

VARIANT_PAIRS = (("mee_2021", "chongqing"), ("mee_2021", "luohe_2021"), ("shanxi_2020", "mee_2021"))
AS_OF_LINE = re.compile(r"^# as-of: (\d{4}-\d{2}-\d{2})", re.M)
# the batch summary's time and rate: "1.2 s (2,500 rows/s)", and in Chinese "1.2 秒（每秒 2,500 行"
TIMING = re.compile(rb"[0-9.]+ s \([0-9,]+ rows/s\)|[0-9.]+ " + "秒（每秒 ".encode() + rb"[0-9,]+ " + "行".encode())


def run(out: Path, name: str, *argv: str) -> None:
    """Run one command and keep its standard output, standard error and exit code under `name`."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from policyrules.cli import main; sys.exit(main())", *argv],
        capture_output=True,
        cwd=ROOT,
    )
    here = str(out).encode()  # the capture directory differs between runs; the rest must not
    (out / f"{name}.stdout").write_bytes(proc.stdout.replace(here, b"OUT"))
    (out / f"{name}.stderr").write_bytes(proc.stderr.replace(here, b"OUT"))
    (out / f"{name}.exit").write_text(f"{proc.returncode}\n")


def examples() -> list[tuple[str, Path, str]]:
    found = []
    for path in sorted(POLICIES.glob("*/examples/*.yaml")):
        match = AS_OF_LINE.search(path.read_text(encoding="utf-8"))
        found.append((path.parent.parent.name, path, match.group(1) if match else "2022-03-01"))
    return found


def capture_examples(out: Path) -> None:
    for pack, path, as_of in examples():
        stem = f"{pack}.{path.stem}"
        common = ("--pack", pack, "--as-of", as_of, str(path))
        run(out, f"evaluate.{stem}", "evaluate", *common, "--format", "json")
        run(out, f"evaluate-trace.{stem}", "evaluate", *common, "--format", "json", "--trace")
        run(out, f"explain-zh.{stem}", "explain", *common)
        run(out, f"explain-en.{stem}", "explain", *common, "--lang", "en")


def capture_packs(out: Path) -> None:
    run(out, "packs", "packs")
    run(out, "packs-json", "packs", "--format", "json")
    run(out, "validate", "validate")
    for pack in sorted(p.name for p in POLICIES.iterdir() if (p / "pack.yaml").is_file()):
        run(out, f"show.{pack}", "show", "--pack", pack, "--format", "json")
        run(out, f"coverage.{pack}", "coverage", "--pack", pack, "--format", "json")
    for a, b in VARIANT_PAIRS:
        run(out, f"diff-json.{a}.{b}", "diff", a, b, "--format", "json")
        run(out, f"diff-text.{a}.{b}", "diff", a, b)


def _has_lang() -> bool:
    """Whether this version's `batch` has `--lang` (before it, batch wrote the English results only)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from policyrules.cli import main; sys.exit(main())", "batch", "--help"],
        capture_output=True,
        cwd=ROOT,
    )
    return b"--lang" in proc.stdout


def _keep(out: Path, name: str, data: bytes) -> None:
    """A captured file, the capture directory masked (the Chinese errors file names the register it read)."""
    (out / name).write_bytes(data.replace(str(out).encode(), b"OUT"))


def _keep_xlsx(out: Path, name: str, book_path: Path) -> None:
    with zipfile.ZipFile(book_path) as book:
        for member in sorted(book.namelist()):
            if member.endswith(".xml") and "docProps" not in member:
                _keep(out, f"{name}.{member.replace('/', '_')}", book.read(member))


def capture_batch(out: Path, rows: int) -> None:
    from register import generate  # benchmarks/register.py: the seeded synthetic register

    work = out / "_batch"
    work.mkdir()
    register = generate(rows, seed=2021, fmt="csv", bad_rate=0.02, path=work / "register.csv")
    langs = (("batch", ["--lang", "en"]), ("batch-zh", [])) if _has_lang() else (("batch", []),)
    for prefix, lang in langs:
        for suffix in ("csv", "jsonl", "xlsx"):
            target = work / f"results.{suffix}"
            run(
                out,
                f"{prefix}.{suffix}",
                "batch",
                "--pack",
                "chongqing",
                "--as-of",
                "2022-03-01",
                str(register),
                "-o",
                str(target),
                "--workers",
                "2",
                "--progress",
                "never",
                *lang,
            )
            if suffix == "xlsx":
                _keep_xlsx(out, f"{prefix}.xlsx", target)
            else:
                _keep(out, f"{prefix}.{suffix}.results", target.read_bytes())
        for errors in sorted(work.glob("*errors*")):
            if errors.suffix == ".xlsx":
                _keep_xlsx(out, f"{prefix}.{errors.name}", errors)
            else:
                _keep(out, f"{prefix}.{errors.name}", errors.read_bytes())
            errors.unlink()
    for path in sorted(work.iterdir()):
        path.unlink()
    work.rmdir()


def compare(before: Path, after: Path) -> tuple[list[str], list[str]]:
    """The files that differ between two captures or are gone from the newer (timing figures aside), and the
    files only the newer has."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differ = []
    added = []
    for name in names:
        a, b = before / name, after / name
        if not b.is_file():
            differ.append(f"{name}: only in {before}")
        elif not a.is_file():
            added.append(f"{name}: added in {after}")
        elif TIMING.sub(b"T", a.read_bytes()) != TIMING.sub(b"T", b.read_bytes()):
            differ.append(f"{name}: differs (diff {a} {b})")
    return differ, added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="write every output into a fresh directory")
    cap.add_argument("directory", type=Path)
    cap.add_argument("--rows", type=int, default=3000, help="rows of the generated register")
    cmp = sub.add_parser("compare", help="compare two captures; exit 1 when any output differs")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "compare":
        differ, added = compare(args.before, args.after)
        print("\n".join([*differ, *added]) or f"identical: {sum(1 for _ in args.before.iterdir())} files")
        sys.exit(1 if differ else 0)
    out: Path = args.directory
    out.mkdir(parents=True, exist_ok=False)
    capture_examples(out)
    capture_packs(out)
    capture_batch(out, args.rows)
    print(f"captured {sum(1 for _ in out.iterdir())} files in {out}")


if __name__ == "__main__":
    main()
