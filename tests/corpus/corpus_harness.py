"""Runs one corpus case and checks what every malformed input must get.

A case changes the tree (replaces text in a file, or writes a file), then runs commands on it.
Each command must exit 2, print the expected `file:line:col` and message, show no traceback,
and leave every file as it was (nothing created, nothing changed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from cartsync.cli import app

CONNECTIONS = "clients/acme/connections.yaml"
runner = CliRunner()


@dataclass(frozen=True)
class At:
    """The place a case expects in the output: in `file`, where `needle` starts (its `nth`
    occurrence), plus `shift` characters; with no needle, the start of the file."""

    file: str
    needle: str
    nth: int = 0
    shift: int = 0

    def resolve(self, root: Path) -> str:
        if not self.needle:  # the start of the file (or of a folder that should be a file)
            return f"{self.file}:1:1"
        text = (root / self.file).read_text(encoding="utf-8", errors="replace")
        index = -1
        for _ in range(self.nth + 1):
            index = text.index(self.needle, index + 1)
        index += self.shift
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return f"{self.file}:{line}:{column}"


@dataclass(frozen=True)
class Case:
    """One malformed input. `edits` replace text in existing files (each `old` must be there);
    `files` write files (text, or bytes). `commands` are the argument lists to run; each must
    fail at `at` (when given) with `says` in its output (`absent` must not be in it)."""

    id: str
    commands: tuple[tuple[str, ...], ...]
    says: str
    at: At | None = None
    edits: dict[str, tuple[str, str]] = field(default_factory=dict)
    files: dict[str, str | bytes] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    prepare: Callable[[Path], None] | None = None


def validate(*paths: str) -> tuple[str, ...]:
    return ("validate", *paths)


def dry_run(pipeline: str) -> tuple[str, ...]:
    return ("run", "pipeline", pipeline, "-c", CONNECTIONS, "--dry-run")


def real_run(pipeline: str) -> tuple[str, ...]:
    return ("run", "pipeline", pipeline, "-c", CONNECTIONS)


def checks(pipeline: str, target: str | None = None) -> tuple[tuple[str, ...], ...]:
    """`validate` on `target` (default: the pipeline) and a dry run of the pipeline."""
    return (validate(target or pipeline), dry_run(pipeline))


class Tree:
    def __init__(self, root: Path) -> None:
        self.root = root

    def apply(self, case: Case) -> None:
        for name, (old, new) in case.edits.items():
            path = self.root / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{case.id}: {old!r} is not in {name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        for name, content in case.files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        if case.prepare is not None:
            case.prepare(self.root)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Every file and folder under the tree, with its size and modification time."""
        found = {}
        for folder, folders, files in os.walk(self.root):
            for name in folders + files:
                path = Path(folder, name)
                stat = path.lstat()
                found[str(path.relative_to(self.root))] = (stat.st_size, stat.st_mtime_ns)
        return found

    def check(self, case: Case) -> None:
        self.apply(case)
        expected = case.at.resolve(self.root) if case.at else None
        before = self.snapshot()
        for command in case.commands:
            result = runner.invoke(app, list(command))
            output = result.output
            shown = f"{case.id}: cartsync {' '.join(command)}\n{output}"
            assert result.exit_code == 2, shown
            assert result.exception is None or isinstance(result.exception, SystemExit), shown
            assert "Traceback" not in output, shown
            assert case.says in output, shown
            if expected:
                assert expected in output, f"expected {expected}\n{shown}"
            for text in case.absent:
                assert text not in output, shown
            assert self.snapshot() == before, f"{case.id}: files changed\n{shown}"
