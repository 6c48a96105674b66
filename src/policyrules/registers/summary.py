"""What a batch did: rows evaluated and in error, outcomes counted, where the results went; rendered as text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..packs import DECISIONS, OUTCOMES


@dataclass
class Summary:
    rows: int = 0
    errors: int = 0  # rows that could not be evaluated
    problems: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    recorded: int = 0
    warnings: tuple[str, ...] = ()
    output: str = ""
    error_file: str = ""
    records_db: str | None = None

    @property
    def evaluated(self) -> int:
        return self.rows - self.errors

    def render(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{self.rows} rows: {self.evaluated} evaluated, {self.errors} with errors"
            + (f" ({self.problems} problems in {self.error_file})" if self.errors else "")
            + f"; {self.seconds:.1f} s ({rate:,.0f} rows/s) → {self.output}"
        ]
        for decision in DECISIONS:
            per = [(o, self.counts[(decision, o)]) for o in OUTCOMES[decision] if self.counts[(decision, o)]]
            if per:
                lines.append(f"  {decision}: " + ", ".join(f"{o} {n}" for o, n in per))
        if self.records_db is not None:
            lines.append(f"  recorded {self.recorded} evaluations in {self.records_db}")
        return "\n".join(lines)
