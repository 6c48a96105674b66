"""registers.safe_write: outputs that are inputs refused (also through links), missing folders a clear error, and
writes that either complete or leave the previous file exactly as it was."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from policyrules.registers.safe_write import OutputError, atomic_open, atomic_path, check_output, same_file


def test_an_output_that_is_the_input_is_refused_by_name_link_and_hard_link(tmp_path: Path) -> None:
    register = tmp_path / "名录.jsonl"
    register.write_text("{}\n", encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(register)
    os.link(register, tmp_path / "hard.jsonl")
    for alias in (register, tmp_path / "." / "名录.jsonl", tmp_path / "link.jsonl", tmp_path / "hard.jsonl"):
        with pytest.raises(OutputError, match="is the input"):
            check_output(alias, [register])
    check_output(tmp_path / "out.jsonl", [register, None, "-"])  # another file, standard input: fine


def test_a_link_to_a_file_not_yet_written_is_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "link.csv").symlink_to(tmp_path / "later.csv")
    assert same_file(tmp_path / "link.csv", tmp_path / "later.csv")
    assert not same_file(tmp_path / "a.csv", tmp_path / "b.csv")


def test_a_missing_folder_or_a_folder_as_output_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist") as missing:
        check_output(tmp_path / "nowhere" / "out.csv")
    assert missing.value.problems[0].path == "-o"
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path)


def test_a_complete_write_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    with atomic_open(out) as f:
        f.write("new\n")
        assert out.read_text(encoding="utf-8") == "old\n"  # not replaced before the block ends
    assert out.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]  # no temporary file left


def test_a_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_open(tmp_path / "new.csv") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


def test_an_interrupted_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"previous run")
    with pytest.raises(KeyboardInterrupt), atomic_path(out) as temp:
        temp.write_bytes(b"half of a new")
        raise KeyboardInterrupt
    assert out.read_bytes() == b"previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]


def test_writing_through_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "results.csv"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    (tmp_path / "results.csv").symlink_to(real)
    with atomic_open(tmp_path / "results.csv") as f:
        f.write("new")
    assert (tmp_path / "results.csv").is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_a_file_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write beside"), atomic_open(tmp_path / "plain.txt" / "o.csv") as f:
        f.write("x")
