"""`cartsync sandbox store`: run a sandbox OpenCart store until Ctrl-C, and drive a running one
through its operator routes (faults, maintenance, sessions, history rows, mails)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import requests
import typer

from cartsync.connectors.opencart.sandbox.handler import FAULT_KINDS
from cartsync.connectors.opencart.sandbox.operator import PREFIX
from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.opencart.versions import VARIANTS_FOR_VERSION, VERSIONS

EXAMPLES = """

\b
Examples:
  cartsync sandbox store --version 3.0 --port 8080 --api-username cartsync --api-key sandbox-key
  cartsync sandbox store --orders 100000 --products 50000 --latency 0.02
  cartsync sandbox store fault --url http://127.0.0.1:8080 history 500-after --times 2
  cartsync sandbox store fault --url http://127.0.0.1:8080 history drop-after --probability 0.05 --seed 7
  cartsync sandbox store clear-faults --url http://127.0.0.1:8080
  cartsync sandbox store maintenance --url http://127.0.0.1:8080 on
  cartsync sandbox store expire-sessions --url http://127.0.0.1:8080
  cartsync sandbox store history --url http://127.0.0.1:8080 --order-id 1002
  cartsync sandbox store mail --url http://127.0.0.1:8080

\b
The same over HTTP, e.g.:
  curl -X POST http://127.0.0.1:8080/_sandbox/faults \\
       -d '{"route": "history", "kind": "500-after", "times": 2}'
  curl http://127.0.0.1:8080/_sandbox/history?order_id=1002
"""

app = typer.Typer(
    help="A sandbox OpenCart store (2.1, 2.3, 3.0, 4.0 or 4.1) with the cartsync extension, on 127.0.0.1."
    + EXAMPLES,
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)

UrlOption = Annotated[str, typer.Option("--url", help="URL of a running sandbox store.")]
OrderIdOption = Annotated[int | None, typer.Option("--order-id", help="Only this order.")]


class Switch(StrEnum):
    on = "on"
    off = "off"


@app.callback(invoke_without_command=True)
def store(
    ctx: typer.Context,
    version: Annotated[str, typer.Option("--version", help=f"One of {', '.join(VERSIONS)}.")] = "3.0",
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 picks a free one).")] = 0,
    seed: Annotated[Path | None, typer.Option("--seed", exists=True, dir_okay=False,
                                              help="Seed data (JSON) instead of the built-in store.")] = None,
    api_username: Annotated[str, typer.Option("--api-username", help="The API user's name.")] = "cartsync",
    api_key: Annotated[str, typer.Option("--api-key", help="The API user's key.")] = "sandbox-key",
    variant: Annotated[str | None, typer.Option("--variant",
                                                help="Extension variant (3.0: extension3 or api).")] = None,
    orders: Annotated[int, typer.Option("--orders", min=0, help="Generated orders to add (modified one "
                                        "second apart, the newest now; three lines each).")] = 0,
    products: Annotated[int, typer.Option("--products", min=0, help="Generated products to add: SKU-00001, "
                                          "… (1000 when only --orders is given).")] = 0,
    order_status: Annotated[str, typer.Option("--order-status",
                                              help="Status of the generated orders.")] = "Processing",
    latency: Annotated[float, typer.Option(
        "--latency", min=0, help="Seconds every API reply is delayed (a distant store).")] = 0.0,
) -> None:
    """Start the store, print its URL and credentials, and serve until stopped (Ctrl-C)."""
    if ctx.invoked_subcommand is not None:
        return
    if version not in VERSIONS:
        raise typer.BadParameter(f"choose one of {', '.join(VERSIONS)}", param_hint="--version")
    try:
        sandbox = SandboxStore(version, port=port, seed=seed, api_username=api_username, api_key=api_key,
                               variant=variant, orders=orders, products=products, order_status=order_status,
                               latency=latency)
    except (ValueError, KeyError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"Sandbox OpenCart {version} store (extension variant {sandbox.variant}) at {sandbox.url}")
    typer.echo(f"  store_url:    {sandbox.url}")
    typer.echo(f"  api_username: {api_username}")
    typer.echo(f"  api_key:      {api_key}")
    typer.echo(f"  variants on this version: {', '.join(VARIANTS_FOR_VERSION[version])}")
    typer.echo(f"  operator routes: {sandbox.url}{PREFIX}… (cartsync sandbox store --help)")
    typer.echo("Press Ctrl-C to stop.")
    sandbox.serve_forever()


def _operate(url: str, method: str, action: str, *, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None) -> None:
    """Call one operator route and print its JSON reply; exit 1 when refused, 3 when unreachable."""
    try:
        reply = requests.request(method, f"{url.rstrip('/')}{PREFIX}{action}", json=body, params=params,
                                 timeout=10)
        payload = reply.json()
    except requests.RequestException as exc:
        typer.echo(f"Cannot reach the sandbox store at {url}: {exc.__class__.__name__}", err=True)
        raise typer.Exit(3) from exc
    except ValueError as exc:
        typer.echo(f"{url} answered HTTP {reply.status_code} without JSON: is it a sandbox store?", err=True)
        raise typer.Exit(3) from exc
    if reply.status_code != 200:
        typer.echo(f"The sandbox store refused {action}: {payload.get('error', reply.text)}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(payload, indent=2))


@app.command()
def fault(
    url: UrlOption,
    route: Annotated[str, typer.Argument(help="history, login, version, statuses, orders, products, stock, "
                                              "or * for every request.")],
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(FAULT_KINDS)}.")],
    times: Annotated[int | None, typer.Option(help="Fail the next N requests (default 1).")] = None,
    after: Annotated[int | None, typer.Option(help="Let N requests through before --times fail.")] = None,
    probability: Annotated[float | None, typer.Option(help="Fail each request with this chance.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed the random draws (repeatable runs).")] = None,
    delay: Annotated[float | None, typer.Option(help="Seconds a 'slow' reply waits (default 1).")] = None,
) -> None:
    """Switch a fault on for a route: for the next --times requests, or with a --probability."""
    body = {"route": route, "kind": kind, "times": times, "after": after, "probability": probability,
            "seed": seed, "delay": delay}
    _operate(url, "POST", "faults", body={k: v for k, v in body.items() if v is not None})


@app.command("clear-faults")
def clear_faults(url: UrlOption) -> None:
    """Switch every fault off."""
    _operate(url, "POST", "faults/clear", body={})


@app.command()
def faults(url: UrlOption) -> None:
    """Show the faults that are on, the requests per route, and the faults that fired."""
    _operate(url, "GET", "faults")


@app.command()
def maintenance(url: UrlOption, switch: Annotated[Switch, typer.Argument(help="on or off.")]) -> None:
    """Maintenance mode: routes outside api/ answer the 503 'Maintenance' page."""
    _operate(url, "POST", "maintenance", body={"on": switch is Switch.on})


@app.command("php-notices")
def php_notices(url: UrlOption, switch: Annotated[Switch, typer.Argument(help="on or off.")]) -> None:
    """PHP display_errors: a notice is printed before every reply."""
    _operate(url, "POST", "php-notices", body={"on": switch is Switch.on})


@app.command("expire-sessions")
def expire_sessions(url: UrlOption) -> None:
    """Every API session dies, as after an idle hour; the next call must log in again."""
    _operate(url, "POST", "expire-sessions", body={})


@app.command("add-orders")
def add_orders(
    url: UrlOption,
    count: Annotated[int, typer.Option(help="How many orders to place.")] = 1,
    status: Annotated[str, typer.Option(help="Their status, by name.")] = "Processing",
) -> None:
    """Place new orders (copies of the seed's first order) and print their ids."""
    _operate(url, "POST", "orders", body={"count": count, "status": status})


@app.command()
def history(url: UrlOption, order_id: OrderIdOption = None) -> None:
    """The order history rows, as stored (comments HTML-escaped)."""
    _operate(url, "GET", "history", params={"order_id": order_id} if order_id is not None else None)


@app.command()
def mail(url: UrlOption, order_id: OrderIdOption = None) -> None:
    """The 'Order Update' mails the store has sent."""
    _operate(url, "GET", "mail", params={"order_id": order_id} if order_id is not None else None)
