"""Output on a terminal that cannot write every character (a Chinese Windows console or file in GBK, an ASCII
container): every command that prints symbols finishes with exit 0 and writes plain fallbacks instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyrules.cli.terminal import fallback_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "policies" / "mee_2021" / "examples" / "listed_small_micro.yaml")

COMMANDS = {
    "explain": ("explain", "--pack", "mee_2021", "--as-of", "2021-10-01", EXAMPLE),
    "explain-en": ("explain", "--pack", "mee_2021", "--as-of", "2021-10-01", "--lang", "en", EXAMPLE),
    "diff": ("diff", "mee_2021", "luohe_2021", "--decision", "inspection"),
    "diff-en": ("diff", "mee_2021", "luohe_2021", "--decision", "inspection", "--lang", "en"),
    "coverage": ("coverage", "--pack", "luohe_2021"),
    "show": ("show", "--pack", "luohe_2021"),
    "brief": ("explain", "--pack", "mee_2021", "--as-of", "2021-10-01", "--brief", EXAMPLE),
    "whatif": (
        *("whatif", "--pack", "mee_2021", "--as-of", "2021-10-01", EXAMPLE),
        *("--decision", "inspection", "--outcome", "permitted"),
    ),
}


def run(args: tuple[str, ...], encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "policyrules", *args], capture_output=True, env=env)


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_a_narrow_terminal_gets_the_same_text_with_fallbacks(name: str, encoding: str) -> None:
    wide = run(COMMANDS[name], "utf-8")
    narrow = run(COMMANDS[name], encoding)
    assert wide.returncode == 0, wide.stderr.decode("utf-8")
    assert narrow.returncode == 0, narrow.stderr.decode(encoding, errors="replace")
    text = wide.stdout.decode("utf-8")
    assert narrow.stdout.decode(encoding) == fallback_text(text, encoding)
    if name in ("explain", "explain-en", "diff-en"):
        assert any(symbol in text for symbol in "✓✗¬∋∌"), "the command no longer prints a symbol: pick another"


def test_gbk_keeps_the_chinese_and_marks_rules_with_brackets() -> None:
    out = run(COMMANDS["explain"], "gbk").stdout.decode("gbk")
    assert "[√] 规则 small_micro_support" in out
    assert "[×] 规则 no_relisting_after_serious_violation" in out
    assert "✓" not in out and "纳入正面清单" in out


def test_ascii_marks_rules_in_ascii_and_escapes_what_it_cannot_write() -> None:
    out = run(COMMANDS["explain-en"], "ascii").stdout.decode("ascii")
    assert "[v] rule small_micro_support" in out
    assert "[x] rule no_relisting_after_serious_violation" in out


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_json_stays_json_on_a_narrow_terminal(encoding: str) -> None:
    args = ("evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", EXAMPLE)
    wide, narrow = run(args, "utf-8"), run(args, encoding)
    assert narrow.returncode == 0
    assert json.loads(narrow.stdout.decode(encoding)) == json.loads(wide.stdout.decode("utf-8"))


def test_the_fallbacks_are_what_each_encoding_can_write() -> None:
    assert fallback_text("✓ ✗ ⚠ ¬a b∋c 「x」", "gbk") == "[√] [×] [!] not a b contains c 「x」"
    assert fallback_text("✓ ✗ 是", "ascii") == "[v] [x] \\u662f"
    assert fallback_text("✓ 是", "utf-8") == "✓ 是"
