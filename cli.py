"""The `cartsync` command. Thin: parse arguments, call the engine, print the result.

Helpers live in `commands/`: output (tables whole when piped, `--json`), failures (no traceback
reaches a user), logs (`-v`, `-q`, `--log-format`), arguments (checks of option values and of
the state store), validation (`validate`'s environment and report), testing (`test`), client
(`run client`).

What a command runs (the configuration loader, the runner, the connectors, each sandbox) is
imported by that command, not here: `cartsync --help` starts without loading any of it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from contextlib import closing, nullcontext
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
from typer.core import TyperGroup

from cartsync.commands.arguments import (
    check_entity,
    check_pipeline_known,
    check_status,
    moment_option,
    open_existing_state,
    open_state_for_run,
    state_for_dry_run,
)
from cartsync.commands.failures import GuardedGroup, Settings
from cartsync.commands.logs import LogFormat, configure_logging
from cartsync.commands.output import console, errors, print_json, print_table, say, shorten
from cartsync.console import SUMMARY as CONSOLE_SUMMARY
from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.ledger_commands import LedgerCommands, Verb
from cartsync.engine.state import DEFAULT_LEASE_SECONDS, StateStore
from cartsync.engine.state.location import DEFAULT_PATH, display, is_postgres

if TYPE_CHECKING:
    from cartsync.engine.report import RunReport
    from cartsync.engine.runner import RunOptions
    from cartsync.engine.serve.service import Mounts
    from cartsync.engine.workspace import RunConfig

log = logging.getLogger("cartsync.cli")


class LoadedOnUse(TyperGroup):
    """A sub-app imported only when it is used: `cartsync --help` lists it by its help line alone."""

    def __init__(self, name: str, module: str, help: str) -> None:
        super().__init__(name=name, help=help)
        self.module = module

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        command = typer.main.get_command(importlib.import_module(self.module).app)
        command.name = self.name
        return command.make_context(info_name, args, parent=parent, **extra)


class RootGroup(GuardedGroup):
    """`cartsync`: its own commands, and the web console's, loaded when used."""

    loaded_on_use: ClassVar[dict[str, LoadedOnUse]] = {
        "console": LoadedOnUse("console", "cartsync.console.cli", CONSOLE_SUMMARY),
    }

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.loaded_on_use]

    def get_command(self, ctx: Any, name: str) -> Any:
        return super().get_command(ctx, name) or self.loaded_on_use.get(name)


app = typer.Typer(
    name="cartsync",
    help="Declarative integration between OpenCart stores and warehouse systems.\n\n"
    "Example: cartsync run pipeline mappings/order_download.yaml --connections clients/acme/connections.yaml",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=RootGroup,
)
run_app = typer.Typer(help="Run pipelines.", no_args_is_help=True)
state_app = typer.Typer(
    help="Inspect or reset a pipeline's cursor and delivery memory; unlock a dead run's lease.",
    no_args_is_help=True,
)
orders_app = typer.Typer(
    help="The order ledger: list, inspect, resend, hold and release orders.", invoke_without_command=True
)


class SandboxGroup(TyperGroup):
    """`cartsync sandbox NAME`: a sandbox's commands are loaded only when that sandbox is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        from cartsync.engine.registry import sandbox_names

        return sandbox_names()

    def get_command(self, ctx: Any, name: str) -> Any:
        from cartsync.engine.registry import sandbox_app as registered

        found = registered(name)
        if found is None:
            return None
        command = typer.main.get_command(found)
        command.name = name
        return command


sandbox_app = typer.Typer(
    cls=SandboxGroup,
    help="Built-in sandbox servers for tests, the demo and experiments.",
    no_args_is_help=True,
)
app.add_typer(run_app, name="run")
app.add_typer(state_app, name="state")
app.add_typer(orders_app, name="orders")
app.add_typer(sandbox_app, name="sandbox")

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
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Read, filter, map and validate; send nothing.")
]
LimitOption = Annotated[
    int | None, typer.Option(min=1, help="Stop after this many source records (each run).")
]
LeaseOption = Annotated[
    float,
    typer.Option(
        "--lease",
        envvar="CARTSYNC_LEASE_SECONDS",
        min=1,
        help="Seconds of the run's lease, renewed while it runs: a run that dies blocks the "
        "pipeline at most this long.",
    ),
]
FullOption = Annotated[bool, typer.Option("--full", help="Ignore the cursor and resend unchanged records.")]
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
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]


def _guard(action: Callable[[], int | None]) -> None:
    """Run a command and exit with its code. Errors are turned into messages by GuardedGroup."""
    raise typer.Exit(action() or 0)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            say(f"cartsync {version('cartsync')}")
        except PackageNotFoundError:
            say("cartsync (not installed)")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log lines on stderr (-vv: debug).")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Errors only: no progress, notes or logs.")
    ] = False,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Log lines as text or as JSON objects.")
    ] = LogFormat.text,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="CARTSYNC_DEBUG", help="Show the traceback of an internal error."),
    ] = False,
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options for every command; give them before the command: `cartsync -v run pipeline …`."""
    Settings.debug = debug
    Settings.quiet = quiet
    configure_logging(verbose, quiet, log_format)


# -- validate ---------------------------------------------------------------------------------


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pipeline files, connections files or folders.")
    ] = None,
    connections: ConnectionsPath = None,
    no_env: Annotated[
        bool,
        typer.Option(
            "--no-env",
            help="Do not read variable values (CI without production secrets): check each ${VAR}'s "
            "syntax, and with --env-names that it is declared.",
        ),
    ] = False,
    env_names: Annotated[
        list[Path] | None,
        typer.Option(
            "--env-names",
            help="A .env-style file (NAME=… lines, values ignored) listing the variables a deployment "
            "provides; implies --no-env. Repeatable.",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Check pipeline, connections and client files; print every problem at once with file:line:col.

    Exits 0 when every file is valid (warnings allowed) and 2 otherwise, so it fits a CI step
    before a deploy. Whatever it accepts, `run` loads: both use the same checks.

    Examples: cartsync validate mappings/ clients/
              cartsync validate --no-env --env-names deploy/acme.env.example clients/acme
    """

    def action() -> int:
        from cartsync.commands.validation import environment_for_validation, print_validation
        from cartsync.engine.config.loader import validate_paths

        env = environment_for_validation(no_env, env_names or [])
        result = validate_paths(paths or [Path(".")], connections, env)
        print_validation(result, json_output=json_output)
        return 2 if result.errors or not result.files else 0

    _guard(action)


# -- run --------------------------------------------------------------------------------------


@run_app.command("pipeline")
def run_pipeline(
    file: Annotated[Path, typer.Argument(help="The pipeline file.")],
    connections: ConnectionsPath = None,
    dry_run: DryRunOption = False,
    limit: LimitOption = None,
    full: FullOption = False,
    state: StatePath = None,
    lease: LeaseOption = DEFAULT_LEASE_SECONDS,
) -> None:
    """Run one pipeline.

    Exit codes: 0 all records done, 1 some failed, are held or have an unknown outcome,
    2 invalid configuration, 3 cannot connect or authenticate, 4 another run of this pipeline
    holds its lease.

    Example: cartsync run pipeline mappings/order_download.yaml -c clients/acme/connections.yaml
    """

    def action() -> int:
        from cartsync.engine.runner import RunOptions

        report = execute_pipeline(
            file, connections, state, RunOptions(dry_run=dry_run, limit=limit, full=full, lease_seconds=lease)
        )
        print_report(report)
        return report.exit_code

    _guard(action)


@run_app.command("client")
def run_client(
    folder: Annotated[Path, typer.Argument(help="The client folder, e.g. clients/acme.")],
    connections: ConnectionsPath = None,
    dry_run: DryRunOption = False,
    limit: LimitOption = None,
    full: FullOption = False,
    state: StatePath = None,
    lease: LeaseOption = DEFAULT_LEASE_SECONDS,
) -> None:
    """Run every pipeline of a client folder, one after the other.

    The order is the folder's client.yaml (`pipelines: [...]`) if it has one, else
    order_download, shipment_confirmation, inventory_sync, then the others by file name. Every
    pipeline is checked before the first one runs; a failing run does not stop the next ones.
    Exits with the highest exit code of the runs.

    Example: cartsync run client clients/acme
    """

    def action() -> int:
        from cartsync.commands.client import run_client_folder
        from cartsync.engine.runner import RunOptions

        options = RunOptions(dry_run=dry_run, limit=limit, full=full, lease_seconds=lease)
        return run_client_folder(folder, connections, state, options, execute_loaded, print_report)

    _guard(action)


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


# -- preview and test -------------------------------------------------------------------------


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The pipeline file.")],
    connections: ConnectionsPath = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many source records to show.")] = 3,
    state: StatePath = None,
) -> None:
    """Show mapped records beside their source records. Nothing is written.

    Example: cartsync preview mappings/order_download.yaml --limit 2
    """

    def action() -> int:
        from cartsync.engine.runner import RunOptions
        from cartsync.engine.workspace import load_run_config

        options = RunOptions(dry_run=True, limit=limit, full=True)
        report = execute_loaded(load_run_config(file, connections), state, options, quiet=True)
        from rich.table import Table

        for source, mapped in report.previews:
            table = Table(show_header=True, expand=console.is_terminal)
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

    from cartsync.commands.testing import run_tests

    _guard(lambda: run_tests(files))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# -- check ------------------------------------------------------------------------------------


@app.command()
def check(
    name: Annotated[str | None, typer.Argument(help="Connection name (default: all).")] = None,
    connections: ConnectionsPath = None,
    json_output: JsonOption = False,
) -> None:
    """Log in to each connection and report what was found (✓ fine, ! a warning, ✗ a failure).
    Exits 3 when one fails; warnings alone exit 0.

    Example: cartsync check store -c clients/acme/connections.yaml
    """

    def action() -> int:
        from cartsync.engine.config.loader import load_connections
        from cartsync.engine.workspace import find_connections, open_connector

        entries = load_connections(find_connections(None, connections))
        if name and name not in entries:
            raise ConfigError(f"No connection named '{name}'.", hint="Known: " + ", ".join(sorted(entries)))
        failed = 0
        found: list[dict[str, Any]] = []
        for entry in [entries[name]] if name else entries.values():
            result: dict[str, Any] = {"connection": entry.name, "connector": entry.connector, "ok": False}
            found.append(result)
            connector = open_connector(entry)
            try:
                report = connector.check()
            except CartsyncError as error:
                result.update(error=error.message, hint=error.hint)
                if not json_output:
                    errors.print(
                        f"[bold red]✗ {entry.name}[/] ({entry.connector}): {error.message}", highlight=False
                    )
                    if error.hint:
                        errors.print(f"  [yellow]hint:[/] {error.hint}", highlight=False)
                failed = max(failed, error.exit_code)
                continue
            finally:
                connector.close()
            result.update(ok=report.ok, items=[asdict(item) for item in report.items])
            if not json_output:
                rows = [
                    (("✗ " if not item.ok else "! " if item.warning else "✓ ") + item.label, item.value)
                    for item in report.items
                ]
                print_table(("", ""), rows, title=f"{entry.name} ({entry.connector})", show_header=False)
            if not report.ok:
                failed = max(failed, 3)
        if json_output:
            print_json(found)
        return failed

    _guard(action)


# -- serve ------------------------------------------------------------------------------------


@app.command()
def serve(
    clients: Annotated[
        list[Path], typer.Argument(help="Client folders, each with a schedule.yaml (or the schedule files).")
    ],
    host: Annotated[
        str,
        typer.Option(help="Address for /metrics, /healthz, /readyz and /push (and /console with --console)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of that address (0: any free port).")] = 8787,
    log_format: Annotated[
        str, typer.Option("--log-format", help="`text` (default) or `json`, one object per line.")
    ] = "text",
    reload_every: Annotated[
        float, typer.Option(help="Seconds between looks for changed files (applied only when valid).")
    ] = 2.0,
    alert_check_every: Annotated[
        float, typer.Option(help="Seconds between checks for stalled pipelines and the daily digest.")
    ] = 30.0,
    lease: LeaseOption = DEFAULT_LEASE_SECONDS,
    console_users: Annotated[
        Path | None,
        typer.Option(
            "--console",
            metavar="USERS_FILE",
            help="Also serve the web console, at /console/<client>/ on --host and --port, to the users "
            "of this file (`cartsync console add-user NAME --users FILE`). Off by default. Its "
            "session secret comes from CARTSYNC_CONSOLE_SECRET.",
        ),
    ] = None,
    console_https_only: Annotated[
        bool,
        typer.Option(
            "--console-https-only",
            help="Send the console's session cookie only over HTTPS (behind a TLS proxy).",
        ),
    ] = False,
) -> None:
    """Run every client's schedule until stopped: its own scheduler, alerts, metrics and logs.

    Each client folder holds a schedule.yaml naming its pipelines and when they run. Runs of one
    pipeline never overlap, across processes and hosts: each holds its pipeline's lease, as
    `cartsync run pipeline` does. One client's failure never stops another; changed files are
    applied once they validate. SIGTERM stops cleanly: running runs finish their current page,
    and a send without an answer is looked up by the next run, never sent again blindly.

    Example: cartsync serve clients/acme clients/bravo --port 8787 --log-format json
    With the console: cartsync serve clients/acme --console .cartsync/console-users.yaml
    """

    def action() -> int:
        from cartsync.engine.serve.logs import setup_logging
        from cartsync.engine.serve.service import Serve

        if log_format not in ("text", "json"):
            raise ConfigError(f"--log-format must be text or json, not {log_format!r}.")
        mounts = _console_mounts(console_users, host, console_https_only) if console_users else None
        setup_logging("json" if log_format == "json" else "text")
        service = Serve(
            clients,
            host=host,
            port=port,
            reload_every=reload_every,
            check_every=alert_check_every,
            lease_seconds=lease,
            mounts=mounts,
        )
        return service.run_until_signal()

    _guard(action)


def _console_mounts(users: Path, host: str, https_only: bool) -> Mounts:
    """What `serve --console` mounts: a console per client (cartsync.console.mount)."""
    from cartsync.console import cli as console_cli

    console_cli.require_web_packages()
    from cartsync.console.mount import console_routes

    console_cli.warn_if_users_missing(users)
    console_cli.warn_if_exposed(host, https_only)
    secret = console_cli.session_secret()
    return lambda clients: console_routes(clients, users, secret=secret, https_only=https_only)


# -- state and runs ---------------------------------------------------------------------------


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
            _print_runs(store.runs(pipeline, limit=5))
        return 0

    _guard(action)


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

    _guard(action)


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
        from cartsync.engine.state.pg_copy import copy_to_postgres

        report = copy_to_postgres(state, to)
        from rich.table import Table

        table = Table("table", "rows copied", title=f"{report.source} → {report.target}")
        for name, count in sorted(report.rows.items()):
            table.add_row(name, str(count))
        console.print(table)
        console.print("Point CARTSYNC_STATE (or --state) at the new store.", highlight=False)
        return 0

    _guard(action)


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
            _print_runs(rows)
        return 0

    _guard(action)


def _print_runs(rows: list[dict[str, Any]]) -> None:
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

    _guard(action)


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

        _guard(action)

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


# -- workers ----------------------------------------------------------------------------------


LogFormatOption = Annotated[
    str,
    typer.Option("--log-format", help="cartsync's own lines: `text` (default) or `json`, one object a line."),
]


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Runs at once in this worker (processes).")] = 2,
    name: Annotated[str | None, typer.Option(help="Worker name (default: celery@HOST).")] = None,
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_format: LogFormatOption = "text",
) -> None:
    """Run pipelines as Celery tasks, beside other workers on this or other machines.

    Reads CARTSYNC_STATE (postgresql://…: each client gets its own schema there), CARTSYNC_BROKER
    (default redis://127.0.0.1:6379/0) and the clients' secrets from the environment. Every
    worker must see the client folders at the same paths. `cartsync beat` schedules the runs.
    Each run logs one `run_finished` line, as under `cartsync serve`.
    Same as: celery -A cartsync.engine.workers.app worker

    Example: CARTSYNC_STATE=postgresql://cartsync@db/cartsync cartsync worker --concurrency 4
    """

    def action() -> int:
        celery_app = _celery_app(log_format)
        argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
        celery_app.worker_main([*argv, *([f"--hostname={name}@%h"] if name else [])])
        return 0

    _guard(action)


@app.command()
def schemas(
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            file_okay=False,
            help="Write the pipeline, client, schedule and connections schemas into this folder instead "
            "of printing the connections schema.",
        ),
    ] = None,
) -> None:
    """The JSON Schemas editors use for completion; the connections schema is generated from the
    installed connectors, so a connector added by any package is in it.

    Example: cartsync schemas --write schemas/   (then `# yaml-language-server: $schema=schemas/…`)
    """
    from importlib import resources

    from cartsync.engine.config.connections_schema import FILE_NAME, connections_schema_text
    from cartsync.engine.connector import SCHEMAS_FOLDER

    def action() -> int:
        text = connections_schema_text()
        if write is None:
            sys.stdout.write(text)
            return 0
        write.mkdir(parents=True, exist_ok=True)
        written = [FILE_NAME]
        for schema in (resources.files("cartsync") / SCHEMAS_FOLDER).iterdir():
            if schema.name.endswith(".schema.json") and schema.name != FILE_NAME:
                (write / schema.name).write_text(schema.read_text(encoding="utf-8"), encoding="utf-8")
                written.append(schema.name)
        (write / FILE_NAME).write_text(text, encoding="utf-8")
        say(f"wrote {', '.join(sorted(written))} in {write}")
        return 0

    _guard(action)


@app.command()
def beat(
    clients: Annotated[
        list[Path], typer.Argument(help="Client folders, each with a schedule.yaml (or the schedule files).")
    ],
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_format: LogFormatOption = "text",
) -> None:
    """Schedule the clients' pipelines on the workers: Celery beat, from the same schedule.yaml
    files `cartsync serve` runs (intervals, cron, quiet hours, timeouts).

    Checks every client first, as serve does (schedule, pipelines, connections; distinct names
    and state stores); changed schedules are applied within seconds once they validate. Run
    exactly one beat. Reads the same environment as the workers.
    Same as: CARTSYNC_CLIENTS=clients/acme:clients/bravo celery -A cartsync.engine.workers.app beat

    Example: cartsync beat clients/acme clients/bravo
    """

    def action() -> int:
        celery_app = _celery_app(log_format)
        from cartsync.engine.workers.beat import CLIENTS_SETTING, load_beat_clients
        from cartsync.engine.workers.settings import worker_settings

        found = load_beat_clients(clients, worker_settings().max_run_timeout)  # exits 2 on a problem
        names = [name for client in found for name in client.entries]
        console.print(f"beat: {len(names)} pipeline(s) of {len(found)} client(s)", highlight=False)
        celery_app.conf[CLIENTS_SETTING] = [str(folder) for folder in clients]
        celery_app.start(["beat", f"--loglevel={loglevel}"])
        return 0

    _guard(action)


@app.command()
def demo(
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder",
            file_okay=False,
            help="Where the demo writes its state (default: a new temporary folder).",
        ),
    ] = None,
    store_version: Annotated[
        str,
        typer.Option("--store-version", help="The sandbox store's OpenCart version (2.1–4.1)."),
    ] = "3.0",
) -> None:
    """The three jobs end to end against the built-in sandbox store and WMS, twice (the second
    pass sends nothing). Needs no configuration: the example client ships with cartsync.

    Example: cartsync demo --folder demo-state --store-version 4.1
    """
    from cartsync.demo.__main__ import STORE_VERSIONS, run_demo

    if store_version not in STORE_VERSIONS:
        raise typer.BadParameter(f"choose one of {', '.join(STORE_VERSIONS)}", param_hint="--store-version")
    _guard(lambda: run_demo(folder, store_version))


def _celery_app(log_format: str) -> Any:
    """The Celery app, after checking what workers and beat need: celery installed, PostgreSQL
    state; cartsync's own log lines in `log_format`."""
    try:
        import celery  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "Workers need the celery package, which is not installed.",
            hint="pip install 'cartsync[celery,postgres]'",
        ) from error
    if log_format not in ("text", "json"):
        raise ConfigError(f"--log-format must be text or json, not {log_format!r}.")
    from cartsync.engine.serve.logs import setup_logging
    from cartsync.engine.workers.app import app as celery_app
    from cartsync.engine.workers.settings import shared_state

    shared_state()  # CARTSYNC_STATE must be PostgreSQL: a ConfigError says so before starting
    setup_logging("json" if log_format == "json" else "text")
    return celery_app


def main() -> None:
    app(prog_name="cartsync")


if __name__ == "__main__":
    sys.exit(main())
