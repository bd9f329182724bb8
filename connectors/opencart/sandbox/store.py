"""The sandbox store: a real HTTP server on 127.0.0.1 that behaves like an OpenCart store of one
version (2.1, 2.3, 3.0, 4.0 or 4.1), with the cartsync extension installed.

In-process use (tests, demos)::

    from cartsync.connectors.opencart.sandbox import start_sandbox_store

    with start_sandbox_store("3.0") as store:          # api user 'cartsync', key 'sandbox-key'
        store.url                                       # http://127.0.0.1:PORT
        store.set_maintenance(True)                     # non-api routes answer the 503 page
        store.set_order_status(1002, "Shipped")         # as an admin would, with stock moves
        store.emails                                    # "Order Update" mails sent so far
        store.inject_fault("history", "500-after", times=2)   # commit the row, then answer 500
        store.inject_fault("history", "drop-after", probability=0.05, seed=7)
        store.set_setting("cartsync_trusted_proxies", "10.0.0.0/8")   # a proxy in front of the store

    with start_sandbox_store("3.0", orders=100_000, products=50_000, latency=0.02):
        ...                                             # generated data, 20 ms per API request

Its operator methods change the store the way its admin, its clock or its network would. The
same switches, and read-only views of history rows and mails, are HTTP routes under
`/_sandbox/` for a store in another process (`cartsync sandbox store --help`); `operator.py`
lists them and `handler.py` the fault kinds. Like a real store, it cleans every POST field
before use (`cleaning.py`): history comments are stored HTML-escaped, and trimmed from 3.0 on.
"""

from __future__ import annotations

import json
import ssl
import threading
from pathlib import Path
from typing import Any

from cartsync.connectors.opencart.sandbox import generated
from cartsync.connectors.opencart.sandbox.auth import ApiUser, StoreAuth
from cartsync.connectors.opencart.sandbox.extension_api import EXTENSION_VERSION
from cartsync.connectors.opencart.sandbox.handler import FAULT_KINDS, StoreRequestHandler
from cartsync.connectors.opencart.sandbox.push import PushNotifier
from cartsync.connectors.opencart.sandbox.state import StoreState
from cartsync.connectors.opencart.versions import VARIANTS_FOR_VERSION, VERSIONS
from cartsync.engine.sandbox_faults import Fault, FaultPlan
from cartsync.engine.sandbox_server import SandboxServer, long_lived_objects

DEFAULT_SEED = Path(__file__).with_name("seed.json")
DEFAULT_USER_KEY = "default-user-key-of-the-store"  # the store's own 'Default' API user (config_api_id)
PRODUCTS_FOR_ORDERS = 1000  # generated products when orders are generated and no product count is given


class SandboxStore:
    """A running (or ready to run) sandbox store. Use `start_sandbox_store` to get one."""

    def __init__(self, version: str = "3.0", *, port: int = 0, seed: Path | None = None,
                 api_username: str = "cartsync", api_key: str = "sandbox-key",
                 variant: str | None = None, extension_installed: bool = True, orders: int = 0,
                 products: int = 0, order_status: str = "Processing", latency: float = 0.0) -> None:
        """`orders` and `products` add that many generated ones to the seed's (see generated.py),
        the orders in `order_status`; `latency` delays each API reply by that many seconds."""
        if version not in VERSIONS:
            raise ValueError(f"version must be one of {', '.join(VERSIONS)}, not {version!r}")
        variants = VARIANTS_FOR_VERSION[version]
        if variant is not None and variant not in variants:
            raise ValueError(f"OpenCart {version} can run the extension variant {' or '.join(variants)}, "
                             f"not {variant!r}")
        self.version = version
        self.variant = variant or variants[0]
        self.api_username = api_username
        self.api_key = api_key
        self.extension_installed = extension_installed
        self.extension_version = EXTENSION_VERSION  # an older one: a store whose extension was not upgraded
        self.maintenance = False
        self.notices = False
        self.seen_ip: str | None = None
        self.settings: dict[str, str] = {}  # the cartsync_* rows of oc_setting (store 0)
        # PHP-FPM and Apache give PHP the connecting address (getenv); PHP's built-in server does not
        self.server_gives_remote_addr = True
        self.cleans_post_as: str | None = None  # another version's POST cleaning (a later release, a patch)
        self.tls = False
        self.faults = FaultPlan(FAULT_KINDS)
        self.requests: list[str] = []  # the route of every request, in order (calls: `route call`)
        self.push: PushNotifier | None = None
        data = json.loads((seed or DEFAULT_SEED).read_text(encoding="utf-8"))
        self.state = StoreState(data, version)
        self._generate(orders, products, order_status)
        users = [ApiUser(1, "Default", api_key if api_username == "Default" else DEFAULT_USER_KEY)]
        if api_username != "Default":
            users.append(ApiUser(2, api_username, api_key))
        self.auth = StoreAuth(version, users, default_api_id=1, clock=self.state.now)
        self._server = SandboxServer(StoreRequestHandler, self, port=port, latency=latency)
        self._thread: threading.Thread | None = None

    def _generate(self, orders: int, products: int, order_status: str) -> None:
        if orders < 0 or products < 0:
            raise ValueError("the numbers of generated orders and products must be 0 or more")
        if not (orders or products):
            return
        with long_lived_objects():
            products = products or (PRODUCTS_FOR_ORDERS if orders else 0)
            product_ids = generated.add_products(self.state, products)
            if orders:
                generated.add_orders(self.state, orders, self.state.status_id(order_status), product_ids)

    # -- running -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._server.url.replace("http://", "https://") if self.tls else self._server.url

    def use_tls(self, certfile: Path, keyfile: Path) -> None:
        """Serve HTTPS with this certificate (e.g. a self-signed one, to see TLS failures)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self._server.httpd.socket = context.wrap_socket(self._server.httpd.socket, server_side=True)
        self.tls = True

    @property
    def port(self) -> int:
        return self._server.port

    def start(self) -> SandboxStore:
        """Serve in a background thread (polling for shutdown often, so `stop` is quick)."""
        self._thread = threading.Thread(target=self._server.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.httpd.server_close()

    def __enter__(self) -> SandboxStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the admin's switches ----------------------------------------------------------------

    def set_maintenance(self, on: bool = True) -> None:
        """System > Settings > Server > Maintenance Mode."""
        self.maintenance = on

    def php_notices(self, on: bool = True) -> None:
        """PHP display_errors on: a notice precedes every reply."""
        self.notices = on

    def allow_ips(self, ips: list[str], username: str | None = None) -> None:
        """Set an API user's IP list (System > Users > API > IP Addresses); default: our user."""
        self.auth.user(username or self.api_username).ips = list(ips)

    def deny(self, ip: str = "127.0.0.1") -> None:
        """Remove an IP from every API user's list."""
        for user in self.auth.users.values():
            user.ips = [allowed for allowed in user.ips if allowed != ip]

    def disable_api_user(self, username: str | None = None) -> None:
        self.auth.user(username or self.api_username).enabled = False

    def set_latency(self, seconds: float) -> None:
        """Delay every API reply by `seconds` from now on (a distant store)."""
        self._server.latency = seconds

    def set_seen_ip(self, ip: str | None) -> None:
        """Make the store see callers connect from `ip` (REMOTE_ADDR), as behind a proxy such as
        Cloudflare."""
        self.seen_ip = ip

    def set_setting(self, key: str, value: str | None) -> None:
        """A store setting the extension reads (oc_setting, code `cartsync`), e.g.
        `cartsync_trusted_proxies`; None removes it."""
        if value is None:
            self.settings.pop(key, None)
        else:
            self.settings[key] = value

    def inject_fault(self, route: str, kind: str, *, times: int | None = None, after: int = 0,
                     probability: float | None = None, seed: int | None = None, delay: float = 1.0) -> Fault:
        """Make requests to `route` (`history`, `login`, an extension operation, or `*`) fail as
        `kind` (500-before, 500-after, drop-after, slow): the next `times` of them (default 1)
        once `after` more have gone through, or each with `probability` (draws seeded by `seed`)."""
        return self.faults.add(route, kind, times=times, after=after, probability=probability, seed=seed,
                               delay=delay)

    def clear_faults(self) -> None:
        self.faults.clear()

    def notify_to(self, url: str, secret: str) -> PushNotifier:
        """Turn on the extension's push notification to cartsync serve at `url`."""
        self.push = PushNotifier(url, secret)
        self.state.history_listeners.append(self.push.order_history_added)
        return self.push

    # -- time --------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every API session dies, as after an idle hour (24 minutes on 3.0)."""
        with self.state.lock:
            self.auth.expire_all()

    def advance_clock(self, seconds: float) -> None:
        """Move the store's clock: sessions idle longer, and 4.1 signatures fall out of the window."""
        self.state.clock_offset += seconds

    # -- orders, stock, mail -----------------------------------------------------------------

    @property
    def emails(self) -> list[dict[str, Any]]:
        """Mails sent so far, each with order_id, order_status, to, from, date, subject and body."""
        return self.mail()

    def mail(self, order_id: int | None = None) -> list[dict[str, Any]]:
        """The mails sent so far (about one order, if given), oldest first."""
        with self.state.lock:
            return [dict(mail) for mail in self.state.emails if order_id in (None, mail["order_id"])]

    def history_rows(self, order_id: int | None = None) -> list[dict[str, Any]]:
        """The oc_order_history rows (of one order, if given), each with its order_id and status
        name: order by order, oldest first."""
        with self.state.lock:
            return [{"order_id": order["order_id"], **entry,
                     "order_status": self.state.statuses.get(entry["order_status_id"])}
                    for order in self.state.orders.values() if order_id in (None, order["order_id"])
                    for entry in order["history"]]

    def status_id(self, name: str) -> int:
        return self.state.status_id(name)

    def order(self, order_id: int) -> dict[str, Any]:
        """The order as the extension returns it (with order_status, modified, history)."""
        with self.state.lock:
            return self.state.order_view(self.state.orders[order_id])

    def add_order(self, status: str = "Pending", *, template: int = 1001, **fields: Any) -> int:
        """Place a new order (a copy of order `template`, overridden by `fields` as the shopper
        typed them: stored HTML-escaped, as OpenCart's checkout stores them); returns its id.
        `status=""` leaves it a status-0 "missing order"."""
        return self.state.add_order(template, self.status_id(status) if status else 0, fields)

    def set_order_status(self, order_id: int, status: str, comment: str = "", notify: bool = False) -> None:
        """Add a history entry as the admin would (stock moves, mail, date_modified; the comment
        is stored as OpenCart stores what the admin typed)."""
        self.state.add_history(order_id, self.status_id(status), self.state.typed(comment), notify)

    def touch_order(self, order_id: int) -> None:
        """Save the order in the admin without changing its status: date_modified moves."""
        self.state.touch(order_id)

    def product(self, sku: str | None = None, *, model: str | None = None,
                product_id: int | None = None) -> dict[str, Any]:
        with self.state.lock:
            for product in self.state.products.values():
                if (product_id is not None and product["product_id"] == product_id) or (
                        sku is not None and product["sku"] == sku) or (
                        model is not None and product["model"] == model):
                    return product
        raise KeyError(f"no product with sku={sku!r} model={model!r} product_id={product_id!r}")

    def product_quantity(self, sku: str | None = None, *, model: str | None = None) -> int:
        return self.product(sku, model=model)["quantity"]

    def option_quantity(self, sku: str, option: str, value: str) -> int:
        for product_option in self.product(sku)["options"]:
            if product_option["name"] == option:
                for option_value in product_option["values"]:
                    if option_value["name"] == value:
                        return option_value["quantity"]
        raise KeyError(f"product {sku!r} has no option {option!r} value {value!r}")


def start_sandbox_store(version: str = "3.0", *, port: int = 0, seed: Path | None = None,
                        api_username: str = "cartsync", api_key: str = "sandbox-key",
                        variant: str | None = None, extension_installed: bool = True, orders: int = 0,
                        products: int = 0, order_status: str = "Processing",
                        latency: float = 0.0) -> SandboxStore:
    """Start a sandbox store in a background thread; stop it with `.stop()` or a `with` block."""
    return SandboxStore(version, port=port, seed=seed, api_username=api_username, api_key=api_key,
                        variant=variant, extension_installed=extension_installed, orders=orders,
                        products=products, order_status=order_status, latency=latency).start()
