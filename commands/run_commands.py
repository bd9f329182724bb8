"""The commands that run pipelines (`run pipeline`, `run client`) or try them without sending
anything: `preview` (mapped records beside their sources), `test` (a file's inline tests) and
`check` (log in to each connection)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from cartsync.commands.failures import guard
from cartsync.commands.options import ConnectionsPath, JsonOption, LeaseOption, StatePath
from cartsync.commands.output import console, errors, print_json, print_table
from cartsync.commands.pipeline_run import execute_loaded, execute_pipeline, print_report
from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.state import DEFAULT_LEASE_SECONDS

app = typer.Typer()
run_app = typer.Typer(help="Run pipelines.", no_args_is_help=True)
app.add_typer(run_app, name="run")

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Read, filter, map and validate; send nothing.")
]
LimitOption = Annotated[
    int | None, typer.Option(min=1, help="Stop after this many source records (each run).")
]
FullOption = Annotated[bool, typer.Option("--full", help="Ignore the cursor and resend unchanged records.")]


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

    guard(action)


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

    guard(action)


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

    guard(action)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@app.command("test")
def test_mappings(
    files: Annotated[list[Path], typer.Argument(help="Pipeline files with a `tests:` section.")],
) -> None:
    """Run the inline `tests:` of pipeline files: sample input → expected output, no live system.

    Example: cartsync test mappings/order_download.yaml
    """

    from cartsync.commands.testing import run_tests

    guard(lambda: run_tests(files))


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

    guard(action)
