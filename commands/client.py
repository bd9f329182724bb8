"""`cartsync run client FOLDER`: every pipeline of a client folder, one after the other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cartsync.commands.failures import report_error
from cartsync.commands.output import print_table
from cartsync.engine.config.client_file import CLIENT_FILE_NAME, USUAL_ORDER, read_client_file
from cartsync.engine.config.discovery import file_kind
from cartsync.engine.config.issues import ConfigIssues, errors_only
from cartsync.engine.config.model import ConfigIssue
from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.report import RunReport
from cartsync.engine.runner import RunOptions
from cartsync.engine.workspace import RunConfig, load_run_config

Execute = Callable[[RunConfig, Path | None, RunOptions], RunReport]


def client_pipeline_files(folder: Path) -> tuple[list[Path], bool]:
    """The folder's pipeline files, and whether client.yaml declares their order."""
    if not folder.is_dir():
        problem = "is a file" if folder.is_file() else "does not exist"
        hint = "`cartsync run pipeline FILE` runs one pipeline" if folder.is_file() else None
        raise ConfigError(f"The client folder {folder} {problem}.", hint=hint)
    declared = folder / CLIENT_FILE_NAME
    if declared.exists():
        files, issues = read_client_file(declared)
        if errors_only(issues):
            raise ConfigIssues(errors_only(issues))
        return files, True
    files = [
        file
        for file in sorted(folder.iterdir())
        if file.suffix in (".yaml", ".yml") and file.is_file() and file_kind(file) == "pipeline"
    ]
    if not files:
        raise ConfigError(f"The folder {folder} holds no pipeline files.", hint="is it a client folder?")
    return files, False


def _usual_place(config: RunConfig) -> tuple[int, str]:
    name = config.pipeline.name
    return (USUAL_ORDER.index(name) if name in USUAL_ORDER else len(USUAL_ORDER), config.pipeline.path.name)


def run_client_folder(
    folder: Path,
    connections: Path | None,
    state: Path | None,
    options: RunOptions,
    execute: Execute,
    print_report: Callable[[RunReport], None],
) -> int:
    """Check every pipeline first (nothing runs if one is invalid), then run each; the highest exit code."""
    files, declared = client_pipeline_files(folder)
    loaded: list[RunConfig] = []
    problems: list[ConfigIssue] = []
    for file in files:
        try:
            loaded.append(load_run_config(file, connections))
        except ConfigIssues as error:
            problems.extend(error.issues)
    if problems:
        raise ConfigIssues(problems)
    if not declared:
        loaded.sort(key=_usual_place)
    outcomes: list[tuple[str, int]] = []
    for config in loaded:
        try:
            report = execute(config, state, options)
        except CartsyncError as error:
            report_error(error)
            outcomes.append((config.pipeline.name, error.exit_code))
            continue
        print_report(report)
        outcomes.append((config.pipeline.name, report.exit_code))
    print_table(("pipeline", "exit code"), outcomes, title=f"client {folder}", title_justify="left")
    return max(code for _, code in outcomes)
