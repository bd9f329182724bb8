"""The `wms3pl` connector: Extensiv 3PL Warehouse Manager's REST API.

Streams:
- `orders` (write): store orders become WMS orders (see orders.py for each outcome);
- `shipments` (read): orders closed since the cursor, shipped or canceled, with tracking;
- `stock` (read): available quantity per SKU, summed across qualifiers and facilities.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from requests.adapters import HTTPAdapter

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.auth import TokenManager
from cartsync.connectors.wms3pl.orders import ORDERS_PATH, OrderWriter
from cartsync.connectors.wms3pl.replies import HAL_MEDIA_TYPE, JSON_MEDIA_TYPE, order_page
from cartsync.connectors.wms3pl.settings import WmsSettings
from cartsync.connectors.wms3pl.shipments import ShipmentReader
from cartsync.connectors.wms3pl.stock import StockReader
from cartsync.engine.connector import CheckReport, Connector, Outcome, Page, StreamSpec
from cartsync.engine.errors import CartsyncError
from cartsync.engine.http import HttpClient, RetryPolicy
from cartsync.engine.throttle import AdaptiveLimit


class Wms3plConnector(Connector):
    name = "wms3pl"
    settings_spec = WmsSettings
    streams: ClassVar[Mapping[str, StreamSpec]] = {
        "orders": StreamSpec("orders", "write", "orders.record.schema.json", batch_size=64,
                             description="Orders created in the WMS, one POST /orders each."),
        "shipments": StreamSpec("shipments", "read", "shipments.record.schema.json",
                                params_schema="shipments.params.schema.json",
                                description="Orders the WMS closed (shipped or canceled), with tracking."),
        "stock": StreamSpec("stock", "read", "stock.record.schema.json",
                            params_schema="stock.params.schema.json",
                            description="Available quantity per SKU, from stock summaries."),
    }

    def __init__(self, connection_name: str, settings: Mapping[str, Any], *,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        """`retry` and `sleep` exist for tests and benchmarks (tiny delays, recorded waits)."""
        super().__init__(connection_name, settings)
        self.config = WmsSettings.from_mapping(settings)
        self.limit = AdaptiveLimit(self.config.concurrency, sleep=sleep)  # fewer while the WMS says 429
        self.http = HttpClient(self.config.base_url, describe=f"the WMS at {self.config.base_url}",
                               timeout=self.config.timeout, verify_tls=self.config.verify_tls,
                               retry=retry, sleep=sleep, limit=self.limit)
        # one pooled connection per concurrent order send, so none is opened and thrown away
        pool = HTTPAdapter(pool_maxsize=max(10, self.config.concurrency))
        self.http.session.mount("https://", pool)
        self.http.session.mount("http://", pool)
        self.tokens = TokenManager(self.http, client_id=self.config.client_id,
                                   client_secret=self.config.client_secret.reveal(),
                                   user_login_id=self.config.user_login_id, tpl=self.config.tpl)
        accept = HAL_MEDIA_TYPE if self.config.reply_format == "hal" else JSON_MEDIA_TYPE
        self.api = WmsApi(self.http, self.tokens, accept)
        self.orders = OrderWriter(self.api, customer_id=self.config.customer_id,
                                  facility_id=self.config.facility_id, concurrency=self.config.concurrency)
        self.shipments = ShipmentReader(self.api, customer_id=self.config.customer_id,
                                        page_size=self.config.page_size)
        self.stock = StockReader(self.api, facility_id=self.config.facility_id,
                                 concurrency=self.config.concurrency)

    def check(self) -> CheckReport:
        """Log in, then ask /orders for one order; a refused login raises ConnectError."""
        config = self.config
        report = CheckReport(self.name)
        report.add("WMS", config.base_url)
        report.add("user login id", config.user_login_id)
        self.tokens.token()
        report.add("token", f"obtained for client id {config.client_id} "
                   f"(valid {self.tokens.expires_in:g} s)")
        report.add("customer", config.customer_id if config.customer_id is not None
                   else "not set (needed to write orders)")
        report.add("facility", config.facility_id if config.facility_id is not None
                   else "not set (needed to write orders)")
        rql = query.equals(query.CUSTOMER_ID, config.customer_id) if config.customer_id else ""
        params = query.page(1, 1, **({query.RQL: rql} if rql else {}))
        try:
            total, _ = order_page(self.api.get_json(ORDERS_PATH, params, "list orders"))
        except CartsyncError as exc:
            report.add("orders", exc.message, ok=False)
        else:
            scope = f" for customer {config.customer_id}" if config.customer_id else ""
            report.add("orders", f"GET /orders answers: {total} orders{scope}")
        return report

    def read_shipments(self, params: Mapping[str, Any], cursor: Mapping[str, Any] | None) -> Iterator[Page]:
        return self.shipments.read(params, cursor)

    def read_stock(self, params: Mapping[str, Any], cursor: Mapping[str, Any] | None) -> Iterator[Page]:
        return self.stock.read(params)

    def write_orders(self, records: list[dict[str, Any]]) -> list[Outcome]:
        return self.orders.write(records)

    def reconcile_orders(self, records: list[dict[str, Any]]) -> list[Outcome | None]:
        return self.orders.reconcile(records)

    def close(self) -> None:
        self.http.close()
