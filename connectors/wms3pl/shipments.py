"""The `shipments` read stream: orders the WMS closed since the cursor, with their tracking.

One query serves both kinds: `readOnly.isClosed==true;readOnly.lastModifiedDate=ge=<since>`,
sorted by last-modified date, with packages (`detail=All`). A closed order with status 2 was
canceled and becomes a record of kind `canceled`; any other closed order was shipped.

The cursor is the last-modified date of the newest order read. The next run starts
`overlap_minutes` before it, so an order modified while a page was being read is not missed;
the ledger drops the repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.replies import order_page
from cartsync.engine.connector import Page
from cartsync.engine.cursor import IncrementalCursor
from cartsync.engine.dates import parse_moment
from cartsync.engine.paging import numbered_pages

ORDERS_PATH = "/orders"
STATUS_CANCELED = 2
DEFAULT_EARLIEST = "30 days ago"
DEFAULT_OVERLAP_MINUTES = 10
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")  # the WMS may send 7 fractional digits


def wms_datetime(text: str) -> datetime:
    """A WMS date/time (naive, as the WMS gives it) as a naive datetime."""
    return parse_moment(_LONG_FRACTION.sub(r"\1", text)).replace(tzinfo=None)


def shipments_cursor(params: Mapping[str, Any]) -> IncrementalCursor:
    """Closed orders by last-modified date, re-read from `overlap_minutes` before the last one."""
    overlap = timedelta(minutes=float(params.get("overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
    return IncrementalCursor("lastModifiedDate", overlap, wms_datetime)


def since_moment(params: Mapping[str, Any], cursor: Mapping[str, Any] | None) -> str:
    """The `=ge=` bound: the cursor minus the overlap, or `earliest` on a first run."""
    earliest = params.get("earliest", DEFAULT_EARLIEST)
    moment = shipments_cursor(params).start(cursor, earliest, where="shipments: earliest")
    assert moment is not None  # there is always an `earliest`
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def tracking_numbers(order: Mapping[str, Any]) -> list[str]:
    """routingInfo.trackingNumber, then every package's, without repeats, in that order."""
    routing = order.get("routingInfo") or {}
    packages = (order.get("readOnly") or {}).get("packages") or []
    candidates = [routing.get("trackingNumber"), *(p.get("trackingNumber") for p in packages)]
    unique: dict[str, None] = {}
    for number in candidates:
        if isinstance(number, str) and number.strip():
            unique.setdefault(number.strip(), None)
    return list(unique)


def shipment_record(order: Mapping[str, Any]) -> dict[str, Any]:
    read_only = order.get("readOnly") or {}
    routing = order.get("routingInfo") or {}
    return {
        "kind": "canceled" if read_only.get("status") == STATUS_CANCELED else "shipped",
        "referenceNum": order.get("referenceNum"),
        "orderId": read_only.get("orderId"),
        "carrier": routing.get("carrier"),
        "mode": routing.get("mode"),
        "scacCode": routing.get("scacCode"),
        "trackingNumbers": tracking_numbers(order),
        "packages": list(read_only.get("packages") or []),
        "closedDate": read_only.get("processDate") or read_only.get("lastModifiedDate"),
        "lastModifiedDate": read_only.get("lastModifiedDate"),
    }


class ShipmentReader:
    def __init__(self, api: WmsApi, *, customer_id: int | None, page_size: int) -> None:
        self.api = api
        self.customer_id = customer_id
        self.page_size = page_size

    def read(self, params: Mapping[str, Any], cursor: Mapping[str, Any] | None) -> Iterator[Page]:
        page_size = min(int(params.get("page_size", self.page_size)), query.ORDERS_MAX_PAGE_SIZE)
        rql = query.all_of(
            query.equals(query.IS_CLOSED, True),
            query.at_least(query.LAST_MODIFIED, since_moment(params, cursor)),
            query.equals(query.CUSTOMER_ID, self.customer_id) if self.customer_id else None,
        )

        def fetch(number: int) -> tuple[int, list[dict[str, Any]]]:
            params_sent = query.page(page_size, number, **{
                query.RQL: rql, query.SORT: query.LAST_MODIFIED, query.DETAIL: query.DETAIL_ALL})
            return order_page(self.api.get_json(ORDERS_PATH, params_sent, "list closed orders"))

        incremental = shipments_cursor(params)
        for orders in numbered_pages(fetch, page_size):
            records = [shipment_record(order) for order in orders]
            yield Page(records, incremental.after(records[-1]))
