"""The read streams: orders (keyset paging with an overlap window), order statuses, products."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.records import order_record, product_record
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.engine.connector import Page
from cartsync.engine.cursor import IncrementalCursor
from cartsync.engine.paging import Marker, keyset_pages

STORE_DATE = "%Y-%m-%d %H:%M:%S"


def _store_date(text: str) -> datetime:
    return datetime.strptime(text, STORE_DATE)


def orders_cursor(overlap: timedelta) -> IncrementalCursor:
    """Orders by (modified, order_id), re-read from `overlap` before the last one."""
    return IncrementalCursor("modified", overlap, _store_date, keys=("order_id",))


def read_orders(extension: ExtensionClient, statuses: StatusBook, params: Mapping[str, Any],
                cursor: Mapping[str, Any] | None, *, page_size: int, overlap: timedelta) -> Iterator[Page]:
    """Orders by (modified, order_id). A later run starts `overlap` before the cursor's
    `modified`; the engine's ledger drops the repeats. Status-0 orders never come back."""
    query = _order_filters(statuses, params, limit=page_size)
    incremental = orders_cursor(overlap)
    start = incremental.start(cursor, params.get("earliest") or None, where="source.params.earliest")
    if start:
        query["modified_from"] = start.strftime(STORE_DATE)
    fetch = partial(_fetch, extension, "orders", query, order_record)
    for records in keyset_pages(fetch):
        yield Page(records, cursor=incremental.after(records[-1]))


def orders_changed(extension: ExtensionClient, statuses: StatusBook, params: Mapping[str, Any],
                   cursor: Mapping[str, Any] | None) -> bool | None:
    """Whether an order matching `params` was modified past `cursor`: one orders call with limit 1.
    None without a cursor (the first run reads everything anyway)."""
    if not cursor or not cursor.get("modified"):
        return None
    query = _order_filters(statuses, params, limit=1)
    query.update(after_modified=cursor["modified"], after_id=cursor.get("order_id") or 0)
    return bool(extension.call("orders", params=query)["orders"])


def _order_filters(statuses: StatusBook, params: Mapping[str, Any], *, limit: int) -> dict[str, Any]:
    query: dict[str, Any] = {"limit": limit}
    names = params.get("statuses")
    if names:
        query["status_ids"] = ",".join(str(i) for i in statuses.ids(list(names), "source.params.statuses"))
    if params.get("store_id") is not None:
        query["filter_store_id"] = int(params["store_id"])
    return query


def _fetch(extension: ExtensionClient, route: str, query: dict[str, Any], record: Any,
           marker: Marker | None) -> tuple[list[dict[str, Any]], Marker | None]:
    """One page of `route`, after `marker` (the extension's `next` of the page before)."""
    reply = extension.call(route, params={**query, **(marker or {})})
    return [record(item) for item in reply[route]], reply.get("next")


def read_statuses(statuses: StatusBook) -> Iterator[Page]:
    yield Page(statuses.statuses())


def read_products(extension: ExtensionClient, *, page_size: int) -> Iterator[Page]:
    """Every product, by product_id. A full listing each time, so there is no cursor."""
    fetch = partial(_fetch, extension, "products", {"limit": page_size}, product_record)
    for records in keyset_pages(fetch):
        yield Page(records)
