"""The OpenCart connector (`connector: opencart`): OpenCart 2.1–4.1 through its own API (login,
order history) and the cartsync extension (orders, products, stock).

Streams: `orders`, `order_statuses` and `products` (read); `order_history` and `stock` (write).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from cartsync.connectors.opencart.check import check_store
from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.history import reconcile_history, write_history
from cartsync.connectors.opencart.reading import orders_changed, read_orders, read_products, read_statuses
from cartsync.connectors.opencart.session import StoreSession
from cartsync.connectors.opencart.settings import StoreSettings
from cartsync.connectors.opencart.status_cache import StatusCache
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.connectors.opencart.stock import MAX_ITEMS, write_stock
from cartsync.engine.connector import CheckReport, Connector, Outcome, Page, StreamSpec
from cartsync.engine.http import HttpClient, RetryPolicy

STREAMS = {
    "orders": StreamSpec("orders", "read", "orders.record.schema.json",
                         params_schema="orders.params.schema.json",
                         description="Orders with lines, options, totals and history; never status 0."),
    "order_statuses": StreamSpec("order_statuses", "read", "order_statuses.record.schema.json",
                                 description="The store's order statuses (ids differ per store)."),
    "products": StreamSpec("products", "read", "products.record.schema.json",
                           description="Products with sku, model, quantity and option value quantities."),
    "order_history": StreamSpec("order_history", "write", "order_history.record.schema.json",
                                batch_size=20,
                                description="Add a status (by name), comment and notify flag to an order."),
    "stock": StreamSpec("stock", "write", "stock.record.schema.json", batch_size=MAX_ITEMS,
                        description="Set product or option value quantities by sku or model.",
                        recovery="recompute"),
}


class OpenCartConnector(Connector):
    name = "opencart"
    settings_spec = StoreSettings
    streams: ClassVar[Mapping[str, StreamSpec]] = STREAMS

    def __init__(self, connection_name: str, settings: Mapping[str, Any], *,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(connection_name, settings)
        self.store = StoreSettings.from_mapping(settings)
        self.http = HttpClient(self.store.store_url, describe=f"the OpenCart store at {self.store.store_url}",
                               timeout=self.store.timeout, verify_tls=self.store.verify_tls, retry=retry)
        self.session = StoreSession(self.store, self.http)
        self.extension = ExtensionClient(self.session, self.store.extension)
        self.statuses = StatusBook(self.extension, self.store.status_ids,
                                   StatusCache(self.store.status_cache, self.store.store_url))

    def check(self) -> CheckReport:
        return check_store(self.session, self.extension, self.statuses)

    def read(self, stream: str, params: Mapping[str, Any],
             cursor: Mapping[str, Any] | None) -> Iterator[Page]:
        if stream == "orders":
            return read_orders(self.extension, self.statuses, params, cursor, page_size=self.store.page_size,
                               overlap=self.store.overlap)
        if stream == "order_statuses":
            return read_statuses(self.statuses)
        if stream == "products":
            return read_products(self.extension, page_size=self.store.page_size)
        return super().read(stream, params, cursor)

    def has_changes(self, stream: str, params: Mapping[str, Any],
                    cursor: Mapping[str, Any] | None) -> bool | None:
        if stream == "orders":
            return orders_changed(self.extension, self.statuses, params, cursor)
        return None

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        if stream == "order_history":
            return write_history(self.extension, self.statuses, records)
        if stream == "stock":
            return write_stock(self.extension, records, option_products=self.store.option_products)
        return super().write(stream, records)

    def reconcile(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome | None]:
        if stream == "order_history":
            return reconcile_history(self.extension, self.statuses, records)
        return super().reconcile(stream, records)

    def close(self) -> None:
        self.http.close()
