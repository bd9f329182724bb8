"""Where the command prints: tables, JSON and messages, readable on a terminal and whole in a pipe.

On a terminal, tables fit the window. Piped or redirected (`cartsync runs | grep`, a CI log),
nothing is cut or wrapped: each row stays on one line with every character of every cell.

rich is loaded when something is first printed, not when the command starts: `cartsync --help`
prints through click and never needs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_UNBOUNDED = 100_000  # columns when the output is not a terminal: no row is ever wrapped


def _pipe_friendly_console(**options: Any) -> Console:
    """A rich Console that does not wrap to a made-up width when it is not writing to a terminal."""
    from rich.console import Console, ConsoleDimensions

    class PipeFriendlyConsole(Console):
        @property
        def size(self) -> ConsoleDimensions:
            dimensions = super().size
            if self.is_terminal or "COLUMNS" in os.environ:
                return dimensions
            return ConsoleDimensions(_UNBOUNDED, dimensions.height)

        @size.setter
        def size(self, new_size: tuple[int, int]) -> None:
            Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    return PipeFriendlyConsole(**options)


class _OnFirstUse:
    """A console made (and rich loaded) when it is first used."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = _pipe_friendly_console(**self._options)
        return getattr(self._console, name)


# No emoji codes: `file.yaml:100:1` must not print as `file.yaml💯1`.
console: Console = _OnFirstUse(emoji=False)  # type: ignore[assignment]
errors: Console = _OnFirstUse(stderr=True, emoji=False)  # type: ignore[assignment]


def shorten(text: str | None, length: int) -> str:
    """`text` cut to `length` characters on a terminal; whole when piped."""
    text = text or ""
    if not console.is_terminal or len(text) <= length:
        return text
    return text[: length - 1] + "…"


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None, **options: Any
) -> None:
    from rich.table import Table

    table = Table(*columns, title=title, **options)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def print_json(data: Any) -> None:
    """One JSON document on stdout, for scripts (`--json`)."""
    console.file.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def say(text: str) -> None:
    """A line of plain text, printed as written (no markup, no highlighting, never wrapped)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)
