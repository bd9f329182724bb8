"""The `cartsync` command. Thin: parse arguments, call the engine, print the result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cartsync.engine.config.loader import load_connections, load_pipeline, validate_paths
from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.ledger_commands import LedgerCommands
from cartsync.engine.mapping_tests import run_mapping_tests
from cartsync.engine.registry import sandbox_apps
from cartsync.engine.report import RunReport
from cartsync.engine.runner import Runner, RunOptions
from cartsync.engine.state import DEFAULT_LEASE_SECONDS, StateStore
from cartsync.engine.state.location import DEFAULT_PATH, display, is_postgres
from cartsync.engine.state.pg_copy import copy_to_postgres
from cartsync.engine.workspace import find_connections, open_connector, prepare

console = Console()
errors = Console(stderr=True)

app = typer.Typer(
    name="cartsync",
    help="Declarative integration between OpenCart stores and warehouse systems.\n\n"
    "Example: cartsync run pipeline mappings/order_download.yaml --connections clients/acme/connections.yaml",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
run_app = typer.Typer(help="Run pipelines.", no_args_is_help=True)
state_app = typer.Typer(
    help="Inspect or reset a pipeline's cursor and delivery memory; unlock a dead run's lease.",
    no_args_is_help=True,
)
orders_app = typer.Typer(
    help="The order ledger: list, inspect, resend, hold and release orders.", invoke_without_command=True
)
sandbox_app = typer.Typer(
    help="Built-in sandbox servers for tests, the demo and experiments.", no_args_is_help=True
)
app.add_typer(run_app, name="run")
app.add_typer(state_app, name="state")
app.add_typer(orders_app, name="orders")
app.add_typer(sandbox_app, name="sandbox")
for sandbox_name, sandbox in sandbox_apps().items():
    sandbox_app.add_typer(sandbox, name=sandbox_name)

StatePath = Annotated[
    str | None,
    typer.Option(
        "--state",
        envvar="CARTSYNC_STATE",
        help="State store: a SQLite file (default .cartsync/state.db) or a postgresql:// URL.",
    ),
]
ConnectionsPath = Annotated[
    Path | None,
    typer.Option(
        "--connections",
        "-c",
        envvar="CARTSYNC_CONNECTIONS",
        help="Connections file (default: connections.yaml beside the pipeline, then in the current folder).",
    ),
]


def _guard(action: Callable[[], int | None]) -> None:
    """Run a command; turn cartsync errors into a clear message and the documented exit code."""
    try:
        code = action() or 0
    except CartsyncError as error:
        errors.print(f"[bold red]error:[/] {error.message}", highlight=False)
        for issue in getattr(error, "issues", []):
            errors.print(f"  {issue}", highlight=False)
        if error.hint:
            errors.print(f"[yellow]hint:[/] {error.hint}", highlight=False)
        code = error.exit_code
    raise typer.Exit(code)


# -- validate ---------------------------------------------------------------------------------


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pipeline files, connections files or folders.")
    ] = None,
    connections: ConnectionsPath = None,
) -> None:
    """Check pipeline and connection files; print every problem at once with file:line:col.

    Exits 0 when every file is clean and 2 otherwise, so it fits a CI step before a deploy.

    Example: cartsync validate mappings/ clients/
    """

    def action() -> int:
        targets = paths or [Path(".")]
        issues = validate_paths(targets, connections)
        for issue in issues:  # one issue a line, never wrapped: CI logs and editors parse them
            console.print(str(issue), highlight=False, soft_wrap=True)
        if issues:
            console.print(
                f"[red]{len(issues)} problem(s)[/] in {len({i.position.file for i in issues})} file(s)"
            )
            return 2
        console.print("[green]all files are valid[/]")
        return 0

    _guard(action)


# -- run --------------------------------------------------------------------------------------


@run_app.command("pipeline")
def run_pipeline(
    file: Annotated[Path, typer.Argument(help="The pipeline file.")],
    connections: ConnectionsPath = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, filter, map and validate; send nothing.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many source records.")] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Ignore the cursor and resend unchanged records.")
    ] = False,
    state: StatePath = None,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            envvar="CARTSYNC_LEASE_SECONDS",
            help="Seconds of the run's lease, renewed while it runs: a run that dies blocks the "
            "pipeline at most this long.",
        ),
    ] = DEFAULT_LEASE_SECONDS,
) -> None:
    """Run one pipeline.

    Exit codes: 0 all records done, 1 some failed, are held or have an unknown outcome,
    2 invalid configuration, 3 cannot connect or authenticate, 4 another run of this pipeline
    holds its lease.

    Example: cartsync run pipeline mappings/order_download.yaml -c clients/acme/connections.yaml
    """

    def action() -> int:
        report = execute_pipeline(
            file, connections, state, RunOptions(dry_run=dry_run, limit=limit, full=full, lease_seconds=lease)
        )
        print_report(report)
        return report.exit_code

    _guard(action)


def execute_pipeline(
    file: Path, connections: Path | None, state: str | Path | None, options: RunOptions, quiet: bool = False
) -> RunReport:
    """Run a pipeline with a live progress line. Used by `run pipeline` and the demo."""
    store = StateStore.open(state)
    prepared = prepare(file, connections, store)
    try:
        with console.status(f"[bold]{prepared.pipeline.name}[/]: starting…") as status:

            def progress(report: RunReport) -> None:
                counts = ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))
                status.update(f"[bold]{prepared.pipeline.name}[/]: {counts or 'reading…'}")

            runner = Runner(
                prepared.pipeline,
                prepared.source,
                prepared.destination,
                store,
                options,
                progress=None if quiet else progress,
            )
            return runner.run()
    finally:
        prepared.close()
        store.close()


def print_report(report: RunReport) -> None:
    title = f"{report.pipeline}" + (" (dry run: nothing was sent)" if report.dry_run else "")
    table = Table(title=title, show_header=True)
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


# -- preview and test -------------------------------------------------------------------------


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The pipeline file.")],
    connections: ConnectionsPath = None,
    limit: Annotated[int, typer.Option(help="How many source records to show.")] = 3,
    state: StatePath = None,
) -> None:
    """Show mapped records beside their source records. Nothing is written.

    Example: cartsync preview mappings/order_download.yaml --limit 2
    """

    def action() -> int:
        store = StateStore.open(state)
        prepared = prepare(file, connections, store)
        try:
            runner = Runner(
                prepared.pipeline,
                prepared.source,
                prepared.destination,
                store,
                RunOptions(dry_run=True, limit=limit, full=True),
            )
            report = runner.run()
        finally:
            prepared.close()
            store.close()
        for source, mapped in report.previews:
            table = Table(show_header=True, expand=True)
            table.add_column("source record")
            table.add_column("mapped record")
            table.add_row(_json(source), _json(mapped))
            console.print(table)
        for problem in report.problems:
            console.print(f"[red]✗ {problem.key}[/]: {problem.message}", highlight=False)
        for reason, count in report.skip_reasons.items():
            console.print(f"skipped {count}: {reason}", highlight=False)
        return 0

    _guard(action)


@app.command("test")
def test_mappings(
    files: Annotated[list[Path], typer.Argument(help="Pipeline files with a `tests:` section.")],
) -> None:
    """Run the inline `tests:` of pipeline files: sample input → expected output, no live system.

    Example: cartsync test mappings/order_download.yaml
    """

    def action() -> int:
        failures = 0
        for file in files:
            for result in run_mapping_tests(load_pipeline(file)):
                mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
                console.print(f"{mark} {file}:{result.line} {result.name}", highlight=False)
                if not result.passed:
                    failures += 1
                    console.print(f"    {result.message}", highlight=False)
        console.print(f"{failures} failed" if failures else "all mapping tests passed")
        return 1 if failures else 0

    _guard(action)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# -- check ------------------------------------------------------------------------------------


@app.command()
def check(
    name: Annotated[str | None, typer.Argument(help="Connection name (default: all).")] = None,
    connections: ConnectionsPath = None,
) -> None:
    """Log in to each connection and report what was found (✓ fine, ! a warning, ✗ a failure).
    Exits 3 when one fails; warnings alone exit 0.

    Example: cartsync check store -c clients/acme/connections.yaml
    """

    def action() -> int:
        entries = load_connections(find_connections(None, connections))
        if name and name not in entries:
            raise ConfigError(f"No connection named '{name}'.", hint="Known: " + ", ".join(sorted(entries)))
        failed = 0
        for entry in [entries[name]] if name else entries.values():
            connector = open_connector(entry)
            try:
                report = connector.check()
            except CartsyncError as error:
                errors.print(
                    f"[bold red]✗ {entry.name}[/] ({entry.connector}): {error.message}", highlight=False
                )
                if error.hint:
                    errors.print(f"  [yellow]hint:[/] {error.hint}", highlight=False)
                failed = max(failed, error.exit_code)
                continue
            finally:
                connector.close()
            table = Table(title=f"{entry.name} ({entry.connector})", show_header=False)
            for item in report.items:
                mark = "✗ " if not item.ok else "! " if item.warning else "✓ "
                table.add_row(mark + item.label, item.value)
            console.print(table)
            if not report.ok:
                failed = max(failed, 3)
        return failed

    _guard(action)


# -- state and runs ---------------------------------------------------------------------------


@state_app.command("show")
def state_show(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name.")], state: StatePath = None
) -> None:
    """Show a pipeline's cursor and its last runs.

    Example: cartsync state show order_download
    """

    def action() -> int:
        store = StateStore.open(state)
        console.print(f"cursor: {store.cursor(pipeline)}", highlight=False)
        _print_runs(store.runs(pipeline, limit=5))
        return 0

    _guard(action)


@state_app.command("reset")
def state_reset(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name.")],
    since: Annotated[
        str | None, typer.Option(help="Only forget deliveries made since this date (ISO).")
    ] = None,
    state: StatePath = None,
) -> None:
    """Forget a pipeline's cursor and what it delivered, so the next run reads and sends again.

    Rows the ledger shows as done stay done (an order at the WMS is not sent again). It waits for
    no run: a pipeline whose run holds the lease exits 4; an expired lease is taken over.

    Example: cartsync state reset inventory_sync --since 2024-05-01
    """

    def action() -> int:
        store = StateStore.open(state)
        with store.hold_lease(pipeline):  # never under a running run; an expired lease is taken over
            cursor = store.reset_cursor(pipeline)
            forgotten = store.forget_deliveries(pipeline, since=since)
        console.print(
            f"{pipeline}: cursor {'cleared' if cursor else 'was not set'}, {forgotten} deliveries forgotten",
            highlight=False,
        )
        return 0

    _guard(action)


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
        removed = StateStore.open(state).unlock(pipeline)
        if removed is None:
            console.print(f"'{pipeline}' is not locked: no run holds its lease.", highlight=False)
        else:
            console.print(
                f"removed the lease of '{pipeline}' held by {removed.holder} since {removed.acquired_at} "
                f"(its lease ran until {removed.until}); the next run starts without waiting.",
                highlight=False,
            )
        return 0

    _guard(action)


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
        report = copy_to_postgres(state, to)
        table = Table("table", "rows copied", title=f"{report.source} → {report.target}")
        for name, count in sorted(report.rows.items()):
            table.add_row(name, str(count))
        console.print(table)
        console.print("Point CARTSYNC_STATE (or --state) at the new store.", highlight=False)
        return 0

    _guard(action)


@app.command()
def runs(
    pipeline: Annotated[str | None, typer.Argument()] = None,
    limit: Annotated[int, typer.Option()] = 20,
    state: StatePath = None,
) -> None:
    """Recent runs with their counts. A run that was killed shows as `died`.

    Example: cartsync runs order_download
    """

    def action() -> int:
        _print_runs(StateStore.open(state).runs(pipeline, limit=limit))
        return 0

    _guard(action)


def _print_runs(rows: list[dict[str, Any]]) -> None:
    table = Table("run", "pipeline", "started", "ended", "status", "counts")
    for row in rows:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(row["counts"].items()))
        table.add_row(
            str(row["id"]), row["pipeline"], row["started_at"], row["ended_at"] or "", row["status"], counts
        )
    console.print(table)


# -- the order ledger -------------------------------------------------------------------------


EntityOption = Annotated[
    str | None,
    typer.Option(
        "--entity",
        help="Ledger entity: order (default) or stock (inventory sync's SKUs), or a pipeline's own.",
    ),
]


def _ledger(ctx: typer.Context, entity: str | None, state: str | None) -> LedgerCommands:
    """The ledger the command works on: its own --entity/--state, else those given to `orders`."""
    chosen = ctx.obj or {}
    return LedgerCommands(
        StateStore.open(state or chosen.get("state")), entity or chosen.get("entity") or "order"
    )


@orders_app.callback()
def orders(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            help="Only this status (new, at_wms, shipped, confirmed, error, canceled, skipped; "
            "stock rows: done, not_found, error), or unknown: sent without a reliable reply, looked up by "
            "the next run."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only rows changed since this date (ISO).")] = None,
    entity: EntityOption = None,
    state: StatePath = None,
) -> None:
    """The order ledger as a table (--entity stock: inventory sync's SKUs).

    Example: cartsync orders --status error
    """
    ctx.obj = {"entity": entity, "state": state}
    if ctx.invoked_subcommand:
        return
    ledger = _ledger(ctx, None, None)
    table = Table(ledger.entity, "status", "destination id", "attempts", "updated", "last message")
    for row in ledger.list(status=status, since=since):
        flags = (" (unknown)" if row.in_flight else "") + (" (held)" if row.held else "")
        table.add_row(
            row.key,
            row.status + flags,
            row.dest_id or "",
            str(row.attempts),
            row.updated_at,
            (row.last_error or "")[:80],
        )
    console.print(table)


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
        table = Table("when", "pipeline", "event", "status", "message")
        for event in events:
            table.add_row(
                event["at"],
                event["pipeline"] or "",
                event["event"],
                event["status"] or "",
                event["message"] or "",
            )
        console.print(table)
        return 0

    _guard(action)


def _ledger_action(verb: str, doc: str) -> None:
    def command(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The order id (or the SKU, with --entity stock).")],
        entity: EntityOption = None,
        state: StatePath = None,
    ) -> None:
        def action() -> int:
            console.print(getattr(_ledger(ctx, entity, state), verb)(key), highlight=False)
            return 0

        _guard(action)

    command.__doc__ = doc
    orders_app.command(verb)(command)


_ledger_action(
    "resend",
    "Send a row again on the next run of its pipeline (after fixing its cause).\n\n"
    "Examples: cartsync orders resend 10045; cartsync orders resend TENT-002 --entity stock",
)
_ledger_action(
    "hold",
    "Hold a row: no pipeline sends it until it is released.\n\n"
    "Examples: cartsync orders hold 10045; cartsync orders hold TENT-002 --entity stock",
)
_ledger_action("release", "Release a held row.\n\nExample: cartsync orders release 10045")


# -- workers ----------------------------------------------------------------------------------


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Runs at once in this worker (processes).")] = 2,
    name: Annotated[str | None, typer.Option(help="Worker name (default: celery@HOST).")] = None,
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
) -> None:
    """Run pipelines as Celery tasks, beside other workers on this or other machines.

    Reads CARTSYNC_STATE (postgresql://…: each client gets its own schema there), CARTSYNC_BROKER
    (default redis://127.0.0.1:6379/0) and the clients' secrets from the environment. Every
    worker must see the client folders at the same paths. `cartsync beat` schedules the runs.
    Same as: celery -A cartsync.engine.workers.app worker

    Example: CARTSYNC_STATE=postgresql://cartsync@db/cartsync cartsync worker --concurrency 4
    """

    def action() -> int:
        celery_app = _celery_app()
        argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
        celery_app.worker_main([*argv, *([f"--hostname={name}@%h"] if name else [])])
        return 0

    _guard(action)


def _celery_app() -> Any:
    """The Celery app, after checking what workers need: celery installed, PostgreSQL state."""
    try:
        import celery  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "Workers need the celery package, which is not installed.",
            hint="pip install 'cartsync[celery,postgres]'",
        ) from error
    from cartsync.engine.workers.app import app as celery_app
    from cartsync.engine.workers.settings import client_state

    client_state("any")  # CARTSYNC_STATE must be PostgreSQL: a ConfigError says so before starting
    return celery_app


def main() -> None:
    app(prog_name="cartsync")


if __name__ == "__main__":
    sys.exit(main())
