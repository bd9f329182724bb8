"""The read streams: orders (keyset paging with an overlap window), order statuses, products."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.records import order_record, product_record
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.engine.connector import Page
from cartsync.engine.dates import parse_moment
from cartsync.engine.errors import ConfigError

STORE_DATE = "%Y-%m-%d %H:%M:%S"


def read_orders(extension: ExtensionClient, statuses: StatusBook, params: Mapping[str, Any],
                cursor: Mapping[str, Any] | None, *, page_size: int, overlap: timedelta) -> Iterator[Page]:
    """Orders by (modified, order_id). A later run starts `overlap` before the cursor's
    `modified`; the engine's ledger drops the repeats. Status-0 orders never come back."""
    query = _order_filters(statuses, params, limit=page_size)
    start = _start(params, cursor, overlap)
    if start:
        query["modified_from"] = start
    while True:
        reply = extension.call("orders", params=query)
        records = [order_record(order) for order in reply["orders"]]
        if records:
            last = records[-1]
            yield Page(records, cursor={"modified": last["modified"], "order_id": last["order_id"]})
        following = reply.get("next")
        if not following or not records:
            return
        query["after_modified"] = following["after_modified"]
        query["after_id"] = following["after_id"]


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


def _start(params: Mapping[str, Any], cursor: Mapping[str, Any] | None, overlap: timedelta) -> str | None:
    if cursor and cursor.get("modified"):
        moment = datetime.strptime(str(cursor["modified"]), STORE_DATE) - overlap
        return moment.strftime(STORE_DATE)
    if params.get("earliest"):
        try:
            moment = parse_moment(str(params["earliest"]))
        except ValueError as exc:
            raise ConfigError(f"source.params.earliest: {exc}") from None
        return moment.astimezone(UTC).strftime(STORE_DATE)
    return None


def read_statuses(statuses: StatusBook) -> Iterator[Page]:
    yield Page(statuses.statuses())


def read_products(extension: ExtensionClient, *, page_size: int) -> Iterator[Page]:
    """Every product, by product_id. A full listing each time, so there is no cursor."""
    query: dict[str, Any] = {"limit": page_size}
    while True:
        reply = extension.call("products", params=query)
        records = [product_record(product) for product in reply["products"]]
        if records:
            yield Page(records)
        following = reply.get("next")
        if not following or not records:
            return
        query["after_id"] = following["after_id"]
