"""One pipeline run from the command line: a live progress line on a terminal, the report as a table.

Used by `run pipeline`, `run client`, `preview` and the demo. The runner is imported when a run
starts, not with this module.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from cartsync.commands.arguments import open_state_for_run, state_for_dry_run
from cartsync.commands.failures import Settings
from cartsync.commands.output import console

if TYPE_CHECKING:
    from cartsync.engine.report import RunReport
    from cartsync.engine.runner import RunOptions
    from cartsync.engine.state import StateStore
    from cartsync.engine.workspace import RunConfig

log = logging.getLogger("cartsync.cli")  # the command's own log lines, under the name they always had


def execute_pipeline(
    file: Path, connections: Path | None, state: str | Path | None, options: RunOptions, quiet: bool = False
) -> RunReport:
    """Check a pipeline and run it with a live progress line. Used by `run pipeline` and the demo.

    A configuration problem stops it before the state store is opened: nothing is written.
    """
    from cartsync.engine.workspace import load_run_config

    return execute_loaded(load_run_config(file, connections), state, options, quiet)


def execute_loaded(
    loaded: RunConfig, state: str | Path | None, options: RunOptions, quiet: bool = False
) -> RunReport:
    """Run a checked pipeline; a dry run never creates the state store."""
    if options.dry_run:
        with state_for_dry_run(state) as store:
            return _run_with_store(loaded, store, options, quiet)
    store = open_state_for_run(state)
    try:
        return _run_with_store(loaded, store, options, quiet)
    finally:
        store.close()


def _run_with_store(loaded: RunConfig, store: StateStore, options: RunOptions, quiet: bool) -> RunReport:
    from cartsync.engine.run_file import OpenPipeline

    with OpenPipeline(loaded, store) as pipeline:
        name = pipeline.name
        log.info("run of %s started%s", name, " (dry run)" if options.dry_run else "")
        live = console.is_terminal and not (quiet or Settings.quiet)  # a progress line, on a terminal only
        with console.status(f"[bold]{name}[/]: starting…") if live else nullcontext() as status:

            def progress(report: RunReport) -> None:
                counts = ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))
                status.update(f"[bold]{name}[/]: {counts or 'reading…'}")

            report = pipeline.run(options, progress=progress if live else None)
    log.info("run of %s ended: exit code %s", name, report.exit_code)
    return report


def print_report(report: RunReport) -> None:
    title = f"{report.pipeline}" + (" (dry run: nothing was sent)" if report.dry_run else "")
    from rich.table import Table

    table = Table(title=title, show_header=True, title_justify="left")
    table.add_column("outcome")
    table.add_column("records", justify="right")
    for name, count in sorted(report.counts.items()):
        table.add_row(name, str(count))
    if not report.counts:
        table.add_row("nothing to do", "0")
    console.print(table)
    for reason, count in report.skip_reasons.most_common(10):
        console.print(f"  skipped {count}: {reason}", highlight=False)
    for problem in report.problems:
        console.print(f"  [red]✗ {problem.key}[/]: {problem.message}", highlight=False)
    if report.not_found:
        console.print(
            f"  [yellow]{len(report.not_found)} item(s) unknown to the destination:[/] "
            + ", ".join(p.key for p in report.not_found[:50]),
            highlight=False,
        )
    for _source, mapped in report.previews[:5]:
        console.print_json(data={"mapped": mapped})
