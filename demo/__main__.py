"""`make demo`: order download, shipment confirmation and inventory sync, end to end.

Starts the sandbox store (OpenCart 3.0 unless --store-version says otherwise) and the sandbox
WMS on free ports, points the example client's connections at them through the same
environment variables a real deployment uses, and runs the example client's pipelines twice:
the second pass shows that nothing is sent again.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from cartsync.cli import execute_pipeline, print_report
from cartsync.connectors.opencart.sandbox.store import start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import start_sandbox_wms
from cartsync.engine.errors import CartsyncError
from cartsync.engine.runner import RunOptions
from cartsync.engine.state import StateStore

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "example"
STATE_DIR = ROOT / ".cartsync" / "demo"
PIPELINES = ("order_download", "shipment_confirmation", "inventory_sync")
SHIPMENTS = {  # referenceNum -> (carrier, tracking numbers, one per package)
    "OC-1002": ("UPS", ["1Z999AA10123456784"]),
    "OC-1003": ("FDX", ["794698570123", "794698570124"]),
}
console = Console()


def main() -> int:
    parser = argparse.ArgumentParser(prog="cartsync demo", description=__doc__)
    parser.add_argument("--store-version", default="3.0", choices=["2.1", "2.3", "3.0", "4.0", "4.1"])
    args = parser.parse_args()
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    STATE_DIR.mkdir(parents=True)
    state = STATE_DIR / "state.db"

    with (
        start_sandbox_store(args.store_version, api_key="demo-store-key") as store,
        start_sandbox_wms(
            seed=ROOT / "demo" / "wms_seed.json", client_secret="demo-wms-secret", user_login_id=17
        ) as wms,
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
                f"sandbox store (OpenCart {args.store_version}): {store.url}\n"
                f"sandbox WMS: {wms.url}\nstate: {state}",
                title="cartsync demo",
            )
        )

        def run(name: str) -> None:
            console.rule(f"[bold]{name}")
            report = execute_pipeline(
                CLIENT / f"{name}.yaml", CLIENT / "connections.yaml", state, RunOptions()
            )
            print_report(report)

        run("order_download")
        console.rule("[bold]the warehouse ships two orders")
        for reference, (carrier, numbers) in SHIPMENTS.items():
            wms.ship(reference, [{"trackingNumber": number} for number in numbers], carrier=carrier)
            console.print(f"  shipped {reference} with {carrier}: {', '.join(numbers)}")
        run("shipment_confirmation")
        run("inventory_sync")

        console.rule("[bold]second pass: everything again, nothing should move")
        for name in PIPELINES:
            report = execute_pipeline(
                CLIENT / f"{name}.yaml", CLIENT / "connections.yaml", state, RunOptions(), quiet=True
            )
            moved = report.counts.get("sent", 0) + report.counts.get("rejected", 0)
            console.print(f"  {name}: {moved} sent" + (" [green]✓[/]" if moved == 0 else " [red]✗[/]"))

        summarize(state, store.emails)
    return 0


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
    console.print("Try: [bold].venv/bin/cartsync orders --state .cartsync/demo/state.db[/]")


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except CartsyncError as error:
        console.print(f"[bold red]demo stopped:[/] {error}")
        raise SystemExit(error.exit_code) from None
