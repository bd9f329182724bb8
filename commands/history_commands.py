"""The history: `runs` (recent runs and why one aborted or died) and `orders` (the order ledger:
list, show one row's history, resend, hold, release)."""

from __future__ import annotations

from contextlib import closing
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

import typer

from cartsync.commands.arguments import (
    check_entity,
    check_pipeline_known,
    check_status,
    moment_option,
    open_existing_state,
)
from cartsync.commands.failures import guard
from cartsync.commands.options import JsonOption, StatePath
from cartsync.commands.output import console, errors, print_json, print_table, say, shorten
from cartsync.engine.errors import ConfigError
from cartsync.engine.ledger_commands import LedgerCommands, Verb

app = typer.Typer()


@app.command()
def runs(
    pipeline: Annotated[str | None, typer.Argument(help="Only this pipeline's runs.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="How many runs to show, newest first.")] = 20,
    state: StatePath = None,
    json_output: JsonOption = False,
) -> None:
    """Recent runs with their counts, and why a run aborted or died. A run that was killed shows
    as `died`.

    Example: cartsync runs order_download
    """

    def action() -> int:
        with closing(open_existing_state(state)) as store:
            if pipeline is not None:
                check_pipeline_known(store, pipeline)
            rows = store.runs(pipeline, limit=limit)
        if json_output:
            print_json(rows)
        else:
            print_runs(rows)
        return 0

    guard(action)


def print_runs(rows: list[dict[str, Any]]) -> None:
    """Runs as a table, newest first (`runs`, `state show`)."""
    print_table(
        ("run", "pipeline", "started", "ended", "status", "counts", "message"),
        (
            (
                row["id"],
                row["pipeline"],
                _to_the_second(row["started_at"]),
                _to_the_second(row["ended_at"]),
                row["status"],
                ", ".join(f"{n} {k}" for k, n in sorted(row["counts"].items())),
                # why it aborted or died; an ok or failed run's message only repeats its counts
                row["message"] if row["status"] in ("aborted", "died") else None,
            )
            for row in rows
        ),
    )


def _to_the_second(moment: str | None) -> str | None:
    """A run's time as people read it (the store keeps microseconds; --json shows them)."""
    return datetime.fromisoformat(moment).isoformat(timespec="seconds") if moment else None


# -- the order ledger -------------------------------------------------------------------------


orders_app = typer.Typer(
    help="The order ledger: list, inspect, resend, hold and release orders.", invoke_without_command=True
)
app.add_typer(orders_app, name="orders")

StatusOption = Annotated[
    str | None,
    typer.Option(
        help="Only rows with this status (new, at_wms, shipped, confirmed, error, canceled, skipped; "
        "stock rows: done, not_found, error), or unknown: sent without a reliable reply, looked up by "
        "the next run."
    ),
]
SinceOption = Annotated[
    str | None, typer.Option(help="Only rows changed since this moment (2024-05-01, '3 days ago').")
]
EntityOption = Annotated[
    str | None,
    typer.Option(
        "--entity",
        help="Ledger entity: order (default) or stock (inventory sync's SKUs), or a pipeline's own.",
    ),
]


def _ledger(ctx: typer.Context, entity: str | None, state: str | None) -> LedgerCommands:
    """The ledger the command works on: its own --entity/--state, else those given to `orders`.

    The state store must exist (nothing is created) and hold rows of the entity (or be one of the
    shipped entities); it is closed when the command ends.
    """
    chosen = ctx.obj or {}
    store = open_existing_state(state or chosen.get("state"))
    ctx.call_on_close(store.close)
    ledger = LedgerCommands(store, entity or chosen.get("entity") or "order")
    check_entity(store, ledger.entity)
    return ledger


@orders_app.callback()
def orders(
    ctx: typer.Context,
    status: StatusOption = None,
    since: SinceOption = None,
    entity: EntityOption = None,
    state: StatePath = None,
    json_output: JsonOption = False,
) -> None:
    """The order ledger as a table (--entity stock: inventory sync's SKUs).

    Examples: cartsync orders --status error --since '7 days ago'
              cartsync orders --entity stock --status not_found --json
    """
    since_text = moment_option(since, "--since")
    ctx.obj = {"entity": entity, "state": state}
    if ctx.invoked_subcommand:
        return
    ledger = _ledger(ctx, None, None)
    check_status(ledger.store, ledger.entity, status)
    rows = ledger.list(status=status, since=since_text)
    if json_output:
        print_json([{k: v for k, v in asdict(row).items() if k not in ("record", "payload")} for row in rows])
        return
    print_table(
        (ledger.entity, "status", "destination id", "attempts", "updated", "last message"),
        (
            (
                row.key,
                row.status + (" (unknown)" if row.in_flight else "") + (" (held)" if row.held else ""),
                row.dest_id,
                row.attempts,
                row.updated_at,
                shorten(row.last_error, 80),
            )
            for row in rows
        ),
    )


@orders_app.command("show")
def orders_show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The order id (or the SKU, with --entity stock).")],
    entity: EntityOption = None,
    state: StatePath = None,
) -> None:
    """One row's whole history: every attempt, its outcome and its message.

    Examples: cartsync orders show 10045; cartsync orders show TENT-002 --entity stock
    """

    def action() -> int:
        ledger = _ledger(ctx, entity, state)
        row, events = ledger.show(key)
        console.print(
            f"{ledger.entity} {row.key}: [bold]{row.status}[/]"
            + (" (unknown: sent, no reliable reply; looked up by the next run)" if row.in_flight else "")
            + (" (held)" if row.held else "")
            + (f", destination id {row.dest_id}" if row.dest_id else ""),
            highlight=False,
        )
        if row.last_error:
            console.print(f"last error: {row.last_error}", highlight=False)
        print_table(
            ("when", "pipeline", "event", "status", "message"),
            ((e["at"], e["pipeline"], e["event"], e["status"], e["message"]) for e in events),
        )
        return 0

    guard(action)


def _ledger_action(verb: Verb, doc: str) -> None:
    def command(
        ctx: typer.Context,
        keys: Annotated[
            list[str] | None, typer.Argument(help="Order ids (or SKUs, with --entity stock).")
        ] = None,
        status: StatusOption = None,
        since: SinceOption = None,
        entity: EntityOption = None,
        state: StatePath = None,
    ) -> None:
        def action() -> int:
            if bool(keys) == bool(status):
                raise ConfigError(
                    f"Give the ids to {verb}, or --status (and --since) to {verb} every such row.",
                    hint=f"e.g. cartsync orders {verb} 10045 10046, or cartsync orders {verb} --status error",
                )
            since_text = moment_option(since, "--since")
            ledger = _ledger(ctx, entity, state)
            if keys:
                for key in keys:
                    say(ledger.apply(verb, key))
                return 0
            check_status(ledger.store, ledger.entity, status)
            result = ledger.apply_to_all(verb, status or "", since_text)
            for key, why in result.refused:
                errors.print(f"[yellow]{ledger.entity} {key}[/]: {why}", highlight=False, soft_wrap=True)
            say(
                f"{verb}: {len(result.done)} {ledger.entity}(s) with status {status}"
                + (f", {len(result.refused)} refused" if result.refused else "")
            )
            return 1 if result.refused else 0

        guard(action)

    command.__doc__ = doc
    orders_app.command(verb)(command)


_ledger_action(
    "resend",
    "Send rows again on the next run of their pipeline (after fixing the cause).\n\n"
    "Examples: cartsync orders resend 10045; cartsync orders resend TENT-002 --entity stock; "
    "cartsync orders resend --status error --since 2024-05-01",
)
_ledger_action(
    "hold",
    "Hold rows: no pipeline sends them until they are released.\n\n"
    "Examples: cartsync orders hold 10045; cartsync orders hold TENT-002 --entity stock",
)
_ledger_action(
    "release",
    "Release held rows.\n\nExamples: cartsync orders release 10045; cartsync orders release --status error",
)
