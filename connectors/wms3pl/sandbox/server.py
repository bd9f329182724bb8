"""The sandbox WMS as an object: start it, drive it (ship, cancel, adjust stock), break it on purpose.

Everything a test does through this object, an operator (or a chaos run in another process) does
over HTTP with `POST /_sandbox/<action>` and a JSON body; the reply is JSON (404 for an unknown
order or action, 409 for an action the order's state forbids):

| action | body |
|---|---|
| `ship` | `{"referenceNum", "packages": [{"trackingNumber"}], "carrier", "mode", "scacCode"}` |
| `cancel` | `{"referenceNum"}` |
| `adjust-stock` | `{"sku", "delta", "facilityId", "qualifier"}` |
| `faults` | `{"route": "POST /orders", "kind": "500", "times": 1, "retryAfter": 1, "delay": 1.0}` |
| `fault-mix` | `{"route": "POST /orders", "mix": {"500": 0.2, "drop": 0.05, "reset": 0.05}, "seed": 7}` |
| `clear-faults` | `{}` |
| `duplicate-check` | `{"enabled": false, "customerId": 1077}` (default customer: the first in the seed) |
| `expire-tokens` | `{}` |

`GET /_sandbox/faults` answers the faults still on, the requests per route and the faults that
fired (`{"faults", "requests", "fired"}`). Routes are `METHOD /path` (e.g. `GET /orders`) or `*`;
fault kinds are described in handler.py, and the plan (counted faults, seeded mixes) is the
engine's `FaultPlan`. With the duplicate check off (a per-customer setting of the real WMS), a
second order with the same referenceNum is stored as a twin.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cartsync.connectors.wms3pl.sandbox.handler import FAULT_KINDS, WmsHandler
from cartsync.connectors.wms3pl.sandbox.seeding import Seed, add_generated_items, load_seed
from cartsync.connectors.wms3pl.sandbox.store import WmsStore
from cartsync.connectors.wms3pl.sandbox.tokens import TokenIssuer
from cartsync.engine.sandbox_faults import ANY_ROUTE, FaultPlan
from cartsync.engine.sandbox_server import SandboxServer

Package = Mapping[str, Any] | str


class SandboxWms:
    """A running sandbox WMS on 127.0.0.1.

    `requests` logs every request as `{"method", "path", "query", "accept", "status"}` so that tests can
    assert the exact query parameter names a client sent.
    """

    def __init__(self, *, port: int = 0, seed: Seed | str | Path | None = None,
                 client_id: str = "sandbox-client", client_secret: str = "sandbox-secret",
                 user_login_id: int | str = 1, tpl: str | None = None, token_ttl: int = 3600,
                 skus: int = 0, latency: float = 0.0) -> None:
        """`skus` adds that many generated items (see seeding.add_generated_items); `latency` delays
        each API reply by that many seconds."""
        self.client_id = client_id
        self.client_secret = client_secret
        self.user_login_id = str(user_login_id)
        self.tpl = tpl
        self.store = WmsStore(load_seed(seed))
        add_generated_items(self.store, skus)
        self.tokens = TokenIssuer(client_id=client_id, client_secret=client_secret,
                                  user_login_id=self.user_login_id, tpl=tpl, ttl=token_ttl)
        self.faults = FaultPlan(FAULT_KINDS)
        self.requests: list[dict[str, Any]] = []
        self._server = SandboxServer(WmsHandler, self, port, latency=latency)
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> SandboxWms:
        # Served from our own thread with a short poll interval: `stop()` then returns in ~50 ms
        # instead of the default 0.5 s, which matters to a test suite that starts many sandboxes.
        self._thread = threading.Thread(target=self._server.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxWms:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what a test or an operator does ----------------------------------------------

    @property
    def orders(self) -> list[dict[str, Any]]:
        """The stored orders, oldest first (full documents, camelCase)."""
        with self.store.lock:
            return [dict(order) for order in self.store.orders]

    @property
    def customer_id(self) -> int:
        """The first customer in the seed."""
        return next(iter(self.store.customers))

    @property
    def facility_ids(self) -> list[int]:
        return list(self.store.facilities)

    def create_order(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Store an order as POST /orders would (raises exceptions.WmsException when invalid)."""
        return self.store.create_order(body)

    def ship(self, reference_num: str, packages: Iterable[Package] = (), *, carrier: str | None = None,
             mode: str | None = None, scac_code: str | None = None, tracking_number: str | None = None,
             customer_id: int | None = None) -> dict[str, Any]:
        """Ship an order: packages are tracking numbers or dicts with `trackingNumber` and more."""
        return self.store.ship(reference_num, packages, carrier=carrier, mode=mode, scac_code=scac_code,
                               tracking_number=tracking_number, customer_id=customer_id)

    def cancel(self, reference_num: str, *, customer_id: int | None = None) -> dict[str, Any]:
        return self.store.cancel(reference_num, customer_id=customer_id)

    def adjust_stock(self, sku: str, delta: float, *, facility_id: int,
                     qualifier: str = "") -> dict[str, Any]:
        """Receive (positive delta) or remove (negative) stock; returns the stock row."""
        return self.store.adjust_stock(sku, delta, facility_id=facility_id, qualifier=qualifier)

    def inject_fault(self, route: str, kind: str, *, times: int = 1, retry_after: int = 1,
                     delay: float = 1.0) -> None:
        """Make the next `times` requests to `route` ('POST /orders', or '*') fail as `kind`
        (500, 500-after, 429, slow, drop, reset: see handler.py)."""
        self.faults.add(fault_route(route), kind, times=times, retry_after=retry_after, delay=delay)

    def mix_faults(self, route: str, chances: Mapping[str, float], *, seed: int, retry_after: int = 1,
                   delay: float = 1.0) -> None:
        """From now on, each request to `route` fails as a kind drawn from `chances`
        (`{"500": 0.2, "429": 0.05, "drop": 0.05, "reset": 0.05}`), reproducibly for a `seed`."""
        self.faults.mix(fault_route(route), chances, seed=seed, retry_after=retry_after, delay=delay)

    def clear_faults(self) -> None:
        """No more faults: queued ones and mixes are dropped."""
        self.faults.clear()

    def set_latency(self, seconds: float) -> None:
        """Delay every API reply by `seconds` from now on (a distant WMS)."""
        self._server.latency = seconds

    def set_duplicate_check(self, enabled: bool, *, customer_id: int | None = None) -> None:
        """Switch the duplicate referenceNum check of a customer (default: the first) on or off."""
        self.store.set_duplicate_check(self.customer_id if customer_id is None else customer_id, enabled)

    def orders_by_reference(self) -> dict[str, int]:
        """How many stored orders carry each referenceNum (a twin shows as 2)."""
        counts: dict[str, int] = {}
        for order in self.orders:
            counts[order["referenceNum"]] = counts.get(order["referenceNum"], 0) + 1
        return counts

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired: the next call with it gets a 401."""
        self.tokens.expire_all()

    def requests_to(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].lower() == path.lower()]

    # ---- the same actions over HTTP (`/_sandbox/<action>`) -----------------------------

    def operator_route(self, action: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        body = body if isinstance(body, dict) else {}
        try:
            result = self._operate(action, body)
        except KeyError as exc:
            return 404, {"error": str(exc.args[0] if exc.args else exc)}, {}
        except (ValueError, TypeError) as exc:
            return 409, {"error": str(exc)}, {}
        return 200, result, {}

    def _operate(self, action: str, body: dict[str, Any]) -> Any:
        if action == "ship":
            return self.ship(body["referenceNum"], body.get("packages", []), carrier=body.get("carrier"),
                             mode=body.get("mode"), scac_code=body.get("scacCode"),
                             tracking_number=body.get("trackingNumber"), customer_id=body.get("customerId"))
        if action == "cancel":
            return self.cancel(body["referenceNum"], customer_id=body.get("customerId"))
        if action == "adjust-stock":
            return self.adjust_stock(body["sku"], float(body["delta"]), facility_id=int(body["facilityId"]),
                                     qualifier=body.get("qualifier", ""))
        if action == "faults":
            self.inject_fault(body["route"], str(body["kind"]), times=int(body.get("times", 1)),
                              retry_after=int(body.get("retryAfter", 1)), delay=float(body.get("delay", 1.0)))
            return {"injected": body}
        if action == "fault-mix":
            self.mix_faults(body["route"], body["mix"], seed=int(body.get("seed", 0)),
                            retry_after=int(body.get("retryAfter", 1)), delay=float(body.get("delay", 1.0)))
            return {"mixed": body}
        if action == "clear-faults":
            self.clear_faults()
            return {"cleared": True}
        if action == "duplicate-check":
            customer = body.get("customerId")
            self.set_duplicate_check(bool(body["enabled"]),
                                     customer_id=None if customer is None else int(customer))
            return {"customerId": customer or self.customer_id, "duplicateCheck": bool(body["enabled"])}
        if action == "expire-tokens":
            self.expire_tokens()
            return {"expired": True}
        raise KeyError(f"no operator action {action!r}; use ship, cancel, adjust-stock, faults, "
                       "fault-mix, clear-faults, duplicate-check or expire-tokens")


def fault_route(route: str) -> str:
    """`METHOD /path` as the handler names a request (`post /orders` -> `POST /orders`), or `*`."""
    if route.strip() == ANY_ROUTE:
        return ANY_ROUTE
    method, _, path = route.strip().partition(" ")
    if not path.startswith("/"):
        raise ValueError(f"a route is 'METHOD /path', e.g. 'POST /orders', or '*', not {route!r}")
    return f"{method.upper()} {path}"


def start_sandbox_wms(*, port: int = 0, seed: Seed | str | Path | None = None,
                      client_id: str = "sandbox-client", client_secret: str = "sandbox-secret",
                      user_login_id: int | str = 1, tpl: str | None = None,
                      token_ttl: int = 3600, skus: int = 0, latency: float = 0.0) -> SandboxWms:
    """Start a sandbox WMS in a background thread; stop it with `.stop()` or a `with` block."""
    return SandboxWms(port=port, seed=seed, client_id=client_id, client_secret=client_secret,
                      user_login_id=user_login_id, tpl=tpl, token_ttl=token_ttl, skus=skus,
                      latency=latency).start()
