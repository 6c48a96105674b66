"""What a batch did: every row read accounted for (evaluated, in the errors file, or skipped), outcomes counted,
where the results went; rendered as text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..packs import DECISION_LABELS, DECISIONS, OUTCOME_LABELS, OUTCOMES
from ..textsafe import printable
from .chunks import ChunkResult


@dataclass
class Summary:
    rows: int = 0  # rows read as enterprises (blank rows are not rows): always evaluated + errors
    evaluated: int = 0  # rows with a line in the results
    errors: int = 0  # rows that could not be evaluated: their problems are in the errors file
    problems: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    recorded: int = 0
    warnings: tuple[str, ...] = ()
    output: str = ""
    error_file: str = ""
    records_db: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)  # footer rows (合计…, 备注…): (row, text)
    lang: str = "en"
    replaced: tuple[str, ...] = ()  # files of a previous run this batch replaced

    @property
    def rows_read(self) -> int:
        """Every row read: evaluated + with errors + skipped."""
        return self.rows + len(self.skipped)

    def add(self, result: ChunkResult) -> None:
        """A chunk's rows into the totals; a chunk whose rows do not add up is a bug, never a silent loss."""
        if result.rows != result.evaluated + result.failed:
            raise AssertionError(f"chunk of {result.rows} rows: {result.evaluated} evaluated + {result.failed} failed")
        self.rows += result.rows
        self.evaluated += result.evaluated
        self.errors += result.failed
        self.skipped += result.skipped
        self.problems += len(result.errors)
        self.counts.update(result.counts)

    def render(self) -> str:
        """The summary in the batch's language; control characters (a file name can hold them) as escapes."""
        return printable(self._render_zh() if self.lang == "zh" else self._render_en())

    def _render_en(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{self.rows} rows: {self.evaluated} evaluated, {self.errors} with errors"
            + (f" ({self.problems} problems in {self.error_file})" if self.errors else "")
            + f"; {self.seconds:.1f} s ({rate:,.0f} rows/s) → {self.output}"
        ]
        if self.skipped:
            lines.append(f"  skipped {len(self.skipped)} footer rows: " + "; ".join(_shown(self.skipped)))
        for decision in DECISIONS:
            per = [(o, self.counts[(decision, o)]) for o in OUTCOMES[decision] if self.counts[(decision, o)]]
            if per:
                lines.append(f"  {decision}: " + ", ".join(f"{o} {n}" for o, n in per))
        if self.records_db is not None:
            lines.append(f"  recorded {self.recorded} evaluations in {self.records_db}")
        if self.replaced:
            lines.append("  replaced the previous run's " + ", ".join(self.replaced))
        return "\n".join(lines)

    def _render_zh(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"共 {self.rows} 家企业：{self.evaluated} 家已评估，{self.errors} 家有错误"
            + (f"（{self.problems} 个问题，见 {self.error_file}）" if self.errors else "")
            + f"；用时 {self.seconds:.1f} 秒（每秒 {rate:,.0f} 行）→ {self.output}"
        ]
        if self.skipped:
            lines.append(f"  跳过表尾 {len(self.skipped)} 行：" + "；".join(_shown(self.skipped, "第 {} 行")))
        for decision in DECISIONS:
            per = [(o, self.counts[(decision, o)]) for o in OUTCOMES[decision] if self.counts[(decision, o)]]
            if per:
                label = DECISION_LABELS[decision][0]
                lines.append(f"  {label}：" + "，".join(f"{OUTCOME_LABELS[o][0]} {n}" for o, n in per))
        if self.records_db is not None:
            lines.append(f"  已记录 {self.recorded} 次评估 → {self.records_db}")
        if self.replaced:
            lines.append("  已替换上次运行的 " + "、".join(self.replaced))
        return "\n".join(lines)


def _shown(skipped: list[tuple[int, str]], row: str = "row {}", most: int = 5) -> list[str]:
    """The first few skipped rows as 'row 12 「合计：10 家」'."""
    shown = [f"{row.format(n)}「{text[:20] + ('…' if len(text) > 20 else '')}」" for n, text in skipped[:most]]
    return shown + (["…"] if len(skipped) > most else [])
