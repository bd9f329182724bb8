"""The scale run's verdict: one table of runs per pipeline and schedule, one of records, and
every problem found, client by client."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from scale.evidence import RAN, PipelineTally, RecordTally
from scale.run import Outcome


def runs_table(outcome: Outcome) -> Table:
    settings = outcome.settings
    table = Table(
        title=f"cartsync scale: {settings.clients} clients × 3 pipelines, beat for "
        f"{outcome.beat_seconds:.0f} s, {settings.workers} workers × {settings.concurrency} processes, "
        "PostgreSQL (a schema per client), Redis"
    )
    for name in ("pipeline", "schedule", "clients", "due (schedule)", "sent by beat", "ran", "lease held",
                 "not run", "overlapping", "problems"):
        table.add_column(name, justify="left" if name in ("pipeline", "schedule") else "right")
    groups: dict[tuple[str, str], list[PipelineTally]] = defaultdict(list)
    for key, tally in sorted(outcome.pipelines.items()):
        groups[(key[1], outcome.schedules.get(key, "?"))].append(tally)
    for (pipeline, schedule), tallies in sorted(groups.items()):
        least, most = sum(t.due_least for t in tallies), sum(t.due_most for t in tallies)
        sent = sum(t.sent for t in tallies)
        table.add_row(
            pipeline,
            schedule,
            str(len(tallies)),
            str(most) if least == most else f"{least}–{most}",
            str(sent),
            str(sum(t.runs for t in tallies)),
            str(sum(t.turns["lease_held"] for t in tallies)),
            _flag(sent - sum(sum(t.turns.values()) for t in tallies)),
            _flag(sum(t.overlaps for t in tallies)),
            _flag(sum(1 for t in tallies if t.problems())),
        )
    return table


def records_table(records: dict[str, RecordTally]) -> Table:
    table = Table(title="records (orders placed and shipped during the run)")
    for name in ("clients", "orders placed", "at the WMS", "duplicated at the WMS", "other clients' orders",
                 "shipped", "confirmed in the store", "duplicated in the store"):
        table.add_column(name, justify="right")
    tallies = list(records.values())
    table.add_row(
        str(len(tallies)),
        str(sum(t.placed for t in tallies)),
        str(sum(t.delivered for t in tallies)),
        _flag(sum(t.duplicated_at_wms for t in tallies)),
        _flag(sum(t.strangers for t in tallies)),
        str(sum(t.shipped for t in tallies)),
        str(sum(t.confirmed for t in tallies)),
        _flag(sum(t.duplicated_in_store for t in tallies)),
    )
    return table


def print_verdict(console: Console, outcome: Outcome) -> bool:
    """Both tables, the figures and every problem; True when there is none."""
    console.print(runs_table(outcome))
    console.print(records_table(outcome.records))
    runs = sum(sum(t.turns[s] for s in RAN) for t in outcome.pipelines.values())
    console.print(
        f"{runs} runs in {outcome.beat_seconds:.0f} s: {runs / outcome.beat_seconds * 60:.0f} runs a minute; "
        f"deepest queue {outcome.deepest_queue}; due (schedule): the times the schedule model names while "
        "beat ran (a range: the last few seconds may fall either side); overlapping: runs of one pipeline "
        f"whose start came before the end of the one before, to the microsecond. Wall time "
        f"{outcome.wall_seconds / 60:.1f} min.",
        highlight=False,
    )
    problems = [f"{client}/{pipeline}: {problem}"
                for (client, pipeline), tally in sorted(outcome.pipelines.items())
                for problem in tally.problems()]
    problems += [f"{client}: {problem}" for client, tally in sorted(outcome.records.items())
                 for problem in tally.problems()]
    for problem in problems:
        console.print(f"[bold red]✗[/] {problem}", highlight=False)
    if not problems:
        console.print("[bold green]every due run happened, no pipeline ran twice at once, no record was "
                      "duplicated or lost[/]", highlight=False)
    return not problems


def _flag(count: int) -> str:
    return f"[bold red]{count}[/]" if count else "0"
