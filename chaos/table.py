"""The suite's verdict as a table per job and mode, and how to replay what failed."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from chaos.suite import Result, Settings


def results_table(results: list[Result], settings: Settings) -> Table:
    table = Table(title=f"cartsync chaos, seed {settings.seed} (WMS duplicate check off)")
    for name in ("job", "mode", "store", "records", "at destination", "duplicated", "lost", "held", "runs",
                 "kills", "faults fired", "longest block", "seconds"):
        table.add_column(name, justify="left" if name in ("job", "mode", "store") else "right")
    for result in results:
        tally = result.tally
        block = "—" if result.longest_block is None else f"{result.longest_block:.1f} s"
        table.add_row(result.job, result.mode, result.store_version, str(tally.records),
                      str(tally.at_destination), _flag(tally.duplicated), _flag(tally.lost), str(tally.held),
                      str(result.runs), str(result.kills), str(result.faults), block, f"{result.seconds:.0f}")
    return table


def print_verdict(console: Console, results: list[Result], settings: Settings) -> bool:
    """The table, the details of what failed and the command that replays it; True when all held."""
    console.print(results_table(results, settings))
    console.print("duplicated: for inventory_sync, store quantities that differ from the WMS's available; "
                  "longest block: from a kill until the pipeline could run again "
                  f"(lease {settings.lease:g} s)", highlight=False)
    failed = [result for result in results if not result.ok]
    for result in failed:
        console.print(f"[bold red]✗ {result.job} / {result.mode}[/]", highlight=False)
        for line in result.tally.examples + result.problems:
            console.print(f"    {line}", highlight=False)
        console.print(f"    replay: make chaos CHAOS_ARGS=\"{settings.replay(result.job, result.mode)}\"",
                      highlight=False)
    if not failed:
        console.print("[bold green]0 duplicated, 0 lost[/] in every job and mode", highlight=False)
    return not failed


def _flag(count: int) -> str:
    return f"[bold red]{count}[/]" if count else "0"
