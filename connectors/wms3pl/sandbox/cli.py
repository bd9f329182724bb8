"""`cartsync sandbox wms`: run the sandbox WMS, and drive a running one (ship, cancel, adjust stock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import requests
import typer

from cartsync.connectors.wms3pl.sandbox.server import SandboxWms

EXAMPLES = """

\b
Examples:
  cartsync sandbox wms --port 8090
  cartsync sandbox wms --port 0 --skus 50000 --latency 0.02
  cartsync sandbox wms ship --url http://127.0.0.1:8090 OC-10045 --tracking 1Z999AA10123456784 --carrier UPS
  cartsync sandbox wms ship --url http://127.0.0.1:8090 OC-10046 --tracking 1Z1 --tracking 1Z2
  cartsync sandbox wms cancel --url http://127.0.0.1:8090 OC-10047
  cartsync sandbox wms adjust-stock --url http://127.0.0.1:8090 TENT-002 25 --facility 1
  cartsync sandbox wms duplicate-check --url http://127.0.0.1:8090 off
  cartsync sandbox wms fault-mix --url http://127.0.0.1:8090 "POST /orders" 500=0.2 drop=0.05 --seed 7
  cartsync sandbox wms clear-faults --url http://127.0.0.1:8090
"""

app = typer.Typer(
    help="A sandbox Extensiv 3PL Warehouse Manager API on 127.0.0.1, for tests, demos and integrators."
    + EXAMPLES,
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)

UrlOption = Annotated[str, typer.Option("--url", help="URL of a running sandbox WMS.")]


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 8090,
    seed: Annotated[Path | None, typer.Option(help="JSON seed file (customers, facilities, stock).",
                                              exists=True, dir_okay=False)] = None,
    client_id: Annotated[str, typer.Option(help="Client id the token server accepts.")] = "sandbox-client",
    client_secret: Annotated[str, typer.Option(help="Client secret it accepts.")] = "sandbox-secret",
    user_login_id: Annotated[
        int, typer.Option(help="User login id it accepts (17: the example client's connections.yaml).")
    ] = 17,
    token_ttl: Annotated[int, typer.Option(help="Token lifetime in seconds.")] = 3600,
    skus: Annotated[int, typer.Option(min=0, help="Generated items SKU-00001, … for the first customer, "
                                      "each in stock in the first facility.")] = 0,
    latency: Annotated[float, typer.Option(min=0, help="Seconds every API reply is delayed "
                                           "(a distant WMS).")] = 0.0,
) -> None:
    """Start the sandbox WMS and run until stopped (Ctrl-C)."""
    if ctx.invoked_subcommand is not None:
        return
    wms = SandboxWms(port=port, seed=seed, client_id=client_id, client_secret=client_secret,
                     user_login_id=user_login_id, token_ttl=token_ttl, skus=skus, latency=latency)
    typer.echo(f"Sandbox WMS listening on {wms.url}")
    typer.echo(f"  client_id:     {client_id}")
    typer.echo(f"  client_secret: {client_secret}")
    typer.echo(f"  user_login_id: {user_login_id}")
    typer.echo(f"  customer_id:   {wms.customer_id}")
    typer.echo(f"  facility ids:  {', '.join(str(f) for f in wms.facility_ids)}")
    typer.echo("Press Ctrl-C to stop.")
    wms.serve_forever()


def _operate(url: str, action: str, body: dict[str, Any]) -> None:
    try:
        reply = requests.post(f"{url.rstrip('/')}/_sandbox/{action}", json=body, timeout=10)
    except requests.RequestException as exc:
        typer.echo(f"Cannot reach the sandbox WMS at {url}: {exc.__class__.__name__}", err=True)
        raise typer.Exit(3) from exc
    if reply.status_code != 200:
        typer.echo(f"The sandbox WMS refused {action}: {reply.json().get('error', reply.text)}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(reply.json(), indent=2))


@app.command()
def ship(
    url: UrlOption,
    reference_num: Annotated[str, typer.Argument(help="The order's reference number, e.g. OC-10045.")],
    tracking: Annotated[list[str], typer.Option("--tracking", help="One per package; repeat it.")],
    carrier: Annotated[str | None, typer.Option(help="Carrier, e.g. UPS.")] = None,
    mode: Annotated[str | None, typer.Option(help="Ship mode / service code.")] = None,
    scac: Annotated[str | None, typer.Option(help="SCAC code.")] = None,
) -> None:
    """Ship an order with one package per --tracking number."""
    _operate(url, "ship", {"referenceNum": reference_num, "carrier": carrier, "mode": mode, "scacCode": scac,
                           "packages": [{"trackingNumber": number} for number in tracking]})


@app.command()
def cancel(
    url: UrlOption,
    reference_num: Annotated[str, typer.Argument(help="The order's reference number.")],
) -> None:
    """Cancel an open order (its stock is released)."""
    _operate(url, "cancel", {"referenceNum": reference_num})


@app.command("adjust-stock")
def adjust_stock(
    url: UrlOption,
    sku: Annotated[str, typer.Argument(help="The SKU.")],
    delta: Annotated[float, typer.Argument(help="Quantity to add (negative to remove).")],
    facility: Annotated[int, typer.Option(help="Facility id.")] = 1,
    qualifier: Annotated[str, typer.Option(help="Stock qualifier.")] = "",
) -> None:
    """Receive or remove stock of one SKU in one facility."""
    body = {"sku": sku, "delta": delta, "facilityId": facility, "qualifier": qualifier}
    _operate(url, "adjust-stock", body)


@app.command("duplicate-check")
def duplicate_check(
    url: UrlOption,
    state: Annotated[str, typer.Argument(help="on (the WMS refuses a second order with a referenceNum) "
                                              "or off (it stores a twin).")],
    customer: Annotated[int | None, typer.Option(help="Customer id (default: the seed's first).")] = None,
) -> None:
    """Switch a customer's duplicate referenceNum check on or off."""
    if state not in ("on", "off"):
        raise typer.BadParameter("say on or off", param_hint="STATE")
    _operate(url, "duplicate-check", {"enabled": state == "on", "customerId": customer})


@app.command("fault-mix")
def fault_mix(
    url: UrlOption,
    route: Annotated[str, typer.Argument(help="METHOD /path, e.g. 'POST /orders'.")],
    chances: Annotated[list[str], typer.Argument(help="KIND=CHANCE pairs, e.g. 500=0.2 drop=0.05 "
                                                      "(kinds: 500, 500-after, 429, slow, drop, reset).")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same faults.")] = 0,
    delay: Annotated[float, typer.Option(help="Seconds a `slow` reply waits.")] = 1.0,
) -> None:
    """Fail every request to a route at random, as a seeded mix of fault kinds."""
    mix: dict[str, float] = {}
    for pair in chances:
        kind, _, chance = pair.partition("=")
        try:
            mix[kind] = float(chance)
        except ValueError:
            raise typer.BadParameter(f"{pair!r} is not KIND=CHANCE, e.g. 500=0.2",
                                     param_hint="CHANCES") from None
    _operate(url, "fault-mix", {"route": route, "mix": mix, "seed": seed, "delay": delay})


@app.command("clear-faults")
def clear_faults(url: UrlOption) -> None:
    """Stop every fault: queued ones and mixes."""
    _operate(url, "clear-faults", {})
