"""`cartsync state …`: a pipeline's cursor and delivery memory (show, reset), the retention of
personal data (prune), a dead run's lease (unlock), and the move of a SQLite store to PostgreSQL
(migrate)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from cartsync.commands.arguments import check_pipeline_known, moment_option, open_existing_state
from cartsync.commands.failures import guard
from cartsync.commands.history_commands import print_runs
from cartsync.commands.options import StatePath
from cartsync.commands.output import console, say
from cartsync.engine.errors import ConfigError
from cartsync.engine.state.location import DEFAULT_PATH, display, is_postgres

app = typer.Typer()
state_app = typer.Typer(
    help="Inspect or reset a pipeline's cursor and delivery memory; unlock a dead run's lease.",
    no_args_is_help=True,
)
app.add_typer(state_app, name="state")


@state_app.command("show")
def state_show(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name.")], state: StatePath = None
) -> None:
    """Show a pipeline's cursor and its last runs.

    Example: cartsync state show order_download
    """

    def action() -> int:
        with closing(open_existing_state(state)) as store:
            check_pipeline_known(store, pipeline)
            say(f"cursor: {store.cursor(pipeline)}")
            print_runs(store.runs(pipeline, limit=5))
        return 0

    guard(action)


@state_app.command("reset")
def state_reset(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name.")],
    since: Annotated[
        str | None,
        typer.Option(help="Only forget deliveries made since this date (2024-05-01, '3 days ago')."),
    ] = None,
    state: StatePath = None,
) -> None:
    """Forget a pipeline's cursor and what it delivered, so the next run reads and sends again.

    Rows the ledger shows as done stay done (an order at the WMS is not sent again). It waits for
    no run: a pipeline whose run holds the lease exits 4; an expired lease is taken over.

    Example: cartsync state reset inventory_sync --since 2024-05-01
    """

    def action() -> int:
        since_text = moment_option(since, "--since")
        with closing(open_existing_state(state)) as store:
            check_pipeline_known(store, pipeline)
            with store.hold_lease(pipeline):  # never under a running run; an expired lease is taken over
                cursor = store.reset_cursor(pipeline)
                forgotten = store.forget_deliveries(pipeline, since=since_text)
        console.print(
            f"{pipeline}: cursor {'cleared' if cursor else 'was not set'}, {forgotten} deliveries forgotten",
            highlight=False,
        )
        return 0

    guard(action)


@state_app.command("prune")
def state_prune(
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            envvar="CARTSYNC_RETENTION",
            help="Age of the finished rows to prune, e.g. '90 days' (default 90 days).",
        ),
    ] = None,
    state: StatePath = None,
) -> None:
    """Remove personal data from rows finished longer ago than the retention age.

    A finished row (delivered, skipped, canceled: nothing left to do, not held, not in error)
    loses its source record, any payload and its older event history; it keeps its status, ids
    and dates, so nothing is ever sent twice. Rows in `new` or `error` keep everything. A pruned
    row cannot be resent. Run it daily from cron.

    Example: cartsync state prune --older-than "30 days"
    """

    def action() -> int:
        from cartsync.engine.state.retention import RETENTION, retention_cutoff

        before = retention_cutoff(older_than or RETENTION)
        with closing(open_existing_state(state)) as store:
            pruned = store.prune(before.isoformat(timespec="seconds"))
        say(
            f"rows finished before {before:%Y-%m-%d %H:%M} UTC: source records {pruned.records}, "
            f"payloads {pruned.payloads}, events {pruned.events} removed"
        )
        return 0

    guard(action)


@state_app.command("unlock")
def state_unlock(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name.")], state: StatePath = None
) -> None:
    """Remove a pipeline's lease now, instead of waiting for it to expire.

    For a run you know is dead (its machine is gone). If it is still alive, it stops before its
    next batch; what it sent is looked up by the next run.

    Example: cartsync state unlock order_download
    """

    def action() -> int:
        with closing(open_existing_state(state)) as store:
            check_pipeline_known(store, pipeline)
            removed = store.unlock(pipeline)
        if removed is None:
            console.print(f"'{pipeline}' is not locked: no run holds its lease.", highlight=False)
        else:
            console.print(
                f"removed the lease of '{pipeline}' held by {removed.holder} since {removed.acquired_at} "
                f"(its lease ran until {removed.until}); the next run starts without waiting.",
                highlight=False,
            )
        return 0

    guard(action)


@state_app.command("migrate")
def state_migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The PostgreSQL state store: postgresql://user@host/database?schema=CLIENT "
            "(one schema per client).",
        ),
    ],
    state: Annotated[
        Path,
        typer.Option("--state", help="The SQLite state store to copy (default .cartsync/state.db)."),
    ] = DEFAULT_PATH,
) -> None:
    """Copy a SQLite state store into an empty PostgreSQL one: the move from `serve` to workers.

    Stop `serve` and scheduled runs first. The SQLite file is left as it was.

    Example: cartsync state migrate --state clients/acme/.cartsync/state.db \\
    --to 'postgresql://cartsync@db/cartsync?schema=acme'
    """

    def action() -> int:
        if not is_postgres(to):
            raise ConfigError(
                f"--to must be a postgresql:// URL, not '{display(to)}'.",
                hint="Example: --to 'postgresql://cartsync@db.example.com/cartsync?schema=acme'",
            )
        from cartsync.engine.state.pg_copy import copy_to_postgres

        report = copy_to_postgres(state, to)
        from rich.table import Table

        table = Table("table", "rows copied", title=f"{report.source} → {report.target}")
        for name, count in sorted(report.rows.items()):
            table.add_row(name, str(count))
        console.print(table)
        console.print("Point CARTSYNC_STATE (or --state) at the new store.", highlight=False)
        return 0

    guard(action)
