"""`make demo` and `cartsync demo`: order download, shipment confirmation and inventory sync, end to end.

Starts the sandbox store (OpenCart 3.0 unless --store-version says otherwise) and the sandbox
WMS on free ports, points the example client's connections at them through the same
environment variables a real deployment uses, and runs the example client's pipelines twice:
the second pass shows that nothing is sent again. Everything it needs is package data, so it
runs the same from a checkout and from an installed wheel; it writes only inside its folder
(the state store, and the store's status cache under `.cartsync/`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from cartsync.commands.pipeline_run import execute_pipeline, print_report
from cartsync.connectors.opencart.sandbox.store import start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import start_sandbox_wms
from cartsync.engine.errors import CartsyncError
from cartsync.engine.runner import RunOptions
from cartsync.engine.state import StateStore

PACKAGE = resources.files("cartsync")
PIPELINES = ("order_download", "shipment_confirmation", "inventory_sync")
STORE_VERSIONS = ("2.1", "2.3", "3.0", "4.0", "4.1")
STATE_FILE = "state.db"
SHIPMENTS = {  # referenceNum -> (carrier, tracking numbers, one per package)
    "OC-1002": ("UPS", ["1Z999AA10123456784"]),
    "OC-1003": ("FDX", ["794698570123", "794698570124"]),
}
console = Console()


def demo_folder(folder: Path | None) -> Path:
    """The folder the demo writes in: the one given (created if need be), else a new temporary one."""
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="cartsync-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def forget_earlier_demo(folder: Path) -> None:
    """Remove only what an earlier demo wrote in `folder`: each demo starts from the seed."""
    for name in (STATE_FILE, f"{STATE_FILE}-wal", f"{STATE_FILE}-shm", ".cartsync/opencart-statuses.json"):
        (folder / name).unlink(missing_ok=True)


def run_demo(folder: Path | None = None, store_version: str = "3.0") -> int:
    """Run the demo, writing in `folder` (a new temporary folder when None). Returns the exit code."""
    work = demo_folder(folder)
    forget_earlier_demo(work)
    with (
        resources.as_file(PACKAGE / "clients" / "example") as client,
        resources.as_file(PACKAGE / "demo" / "wms_seed.json") as wms_seed,
        contextlib.chdir(work),
    ):
        return _run_in(work, client, wms_seed, store_version)


def _run_in(work: Path, client: Path, wms_seed: Path, store_version: str) -> int:
    state = work / STATE_FILE
    with (
        start_sandbox_store(store_version, api_key="demo-store-key") as store,
        start_sandbox_wms(seed=wms_seed, client_secret="demo-wms-secret", user_login_id=17) as wms,
    ):
        os.environ.update(
            {
                "EXAMPLE_STORE_URL": store.url,
                "EXAMPLE_OC_USER": "cartsync",
                "EXAMPLE_OC_KEY": "demo-store-key",
                "EXAMPLE_WMS_URL": wms.url,
                "EXAMPLE_WMS_ID": wms.client_id,
                "EXAMPLE_WMS_SECRET": "demo-wms-secret",
            }
        )
        console.print(
            Panel.fit(
                f"sandbox store (OpenCart {store_version}): {store.url}\n"
                f"sandbox WMS: {wms.url}\nstate: {state}",
                title="cartsync demo",
            )
        )

        def run(name: str) -> None:
            console.rule(f"[bold]{name}")
            connections = client / "connections.yaml"
            report = execute_pipeline(client / f"{name}.yaml", connections, state, RunOptions())
            print_report(report)

        run("order_download")
        console.rule("[bold]the warehouse ships two orders")
        for reference, (carrier, numbers) in SHIPMENTS.items():
            wms.ship(reference, [{"trackingNumber": number} for number in numbers], carrier=carrier)
            console.print(f"  shipped {reference} with {carrier}: {', '.join(numbers)}")
        run("shipment_confirmation")
        run("inventory_sync")

        console.rule("[bold]second pass: everything again, nothing should move")
        moved_again = 0
        for name in PIPELINES:
            report = execute_pipeline(
                client / f"{name}.yaml", client / "connections.yaml", state, RunOptions(), quiet=True
            )
            moved = report.counts.get("sent", 0) + report.counts.get("rejected", 0)
            moved_again += moved
            console.print(f"  {name}: {moved} sent" + (" [green]✓[/]" if moved == 0 else " [red]✗[/]"))

        summarize(state, store.emails)
    return 1 if moved_again else 0


def summarize(state: Path, emails: list[dict[str, str]]) -> None:
    console.rule("[bold]the order ledger")
    table = Table("order", "status", "WMS id", "last message")
    store = StateStore.open(state)
    for row in sorted(store.rows("order"), key=lambda row: int(row.key)):
        table.add_row(row.key, row.status, row.dest_id or "", (row.last_error or "")[:70])
    console.print(table)
    store.close()
    if emails:
        mail = emails[0]
        console.print(
            Panel(
                f"To: {mail['to']}\nSubject: {mail['subject']}\n\n{mail['body']}",
                title="a customer notification the sandbox store captured",
            )
        )
    console.print(f"Try: [bold]cartsync orders --state {state}[/]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cartsync.demo", description=__doc__)
    parser.add_argument("--store-version", default="3.0", choices=STORE_VERSIONS)
    parser.add_argument("--folder", type=Path, help="where to write the state (default: a new temporary one)")
    args = parser.parse_args(argv)
    try:
        return run_demo(args.folder, args.store_version)
    except CartsyncError as error:
        console.print(f"[bold red]demo stopped:[/] {error}")
        return error.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
