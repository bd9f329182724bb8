"""The one table `make bench` prints and writes to docs/benchmarks.md."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Row:
    """One figure against its goal: a ratio to the baseline measured in the same run (or the
    absolute figure a goal names). `detail` says what was measured: min and median, the baseline."""

    workload: str
    value: float
    unit: str  # "×", " s", " KB", " calls"
    goal: float
    detail: str
    higher_is_better: bool = False

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal

    def cells(self) -> list[str]:
        bound = "≥" if self.higher_is_better else "≤"
        return [self.workload, f"{self.value:.2f}{self.unit}", f"{bound} {self.goal:g}{self.unit}",
                "met" if self.met else "**not met**", self.detail]


HEADER = ["workload", "cartsync", "goal", "", "measured (min / median over the rounds)"]


def table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def write_doc(rows: Sequence[Row], *, quick: bool, took: float) -> None:
    size = "`make bench QUICK=1` (small sizes)" if quick else "`make bench` (full sizes)"
    DOC.write_text(
        "# Benchmarks\n\n"
        f"Written by {size} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {_cores()} cores; the run took "
        f"{took / 60:.1f} minutes. Each figure is cartsync against its baseline measured in the same run, "
        "interleaved and repeated; see `bench/` for what each workload does, and README.md "
        '("Performance") for how to read them.\n\n' + table(rows) + "\n",
        encoding="utf-8",
    )


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=DOC.parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))
