"""The `stock` read stream: available quantity per SKU, from GET /inventory/stocksummaries.

The WMS answers one row per (SKU, qualifier, facility). Rows are summed per SKU across
qualifiers, and across facilities unless `facility: configured` keeps only the connection's
`facility_id`. `available` is the quantity to push to a store: `allocated` still counts stock
that has shipped, so `onHand − allocated` would undercount.

A SKU's rows may be on any page, so every page is read before the first record is handed on.
The pages are read at the API's largest size (500 rows), the first one alone (it tells how many
there are), then the others several at a time (the connection's `concurrency`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from typing import Any

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.replies import stock_page
from cartsync.engine.connector import Page
from cartsync.engine.errors import ConfigError

STOCK_PATH = "/inventory/stocksummaries"
RECORDS_PER_PAGE = 500
_SUMMED = ("available", "onHand", "allocated")


def _quantity(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def sum_stock(rows: Iterable[Mapping[str, Any]], facility_id: int | None) -> list[dict[str, Any]]:
    """One record per SKU, sorted by SKU; rows of other facilities are left out when
    `facility_id` is given."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        facility = row.get("facilityId")
        if facility_id is not None and facility != facility_id:
            continue
        sku = (row.get("itemIdentifier") or {}).get("sku")
        if not sku:
            continue
        total = totals.setdefault(sku, {"sku": sku, **dict.fromkeys(_SUMMED, 0.0), "facilities": {}})
        for name in _SUMMED:
            total[name] += float(row.get(name) or 0)
        per_facility = total["facilities"]
        per_facility[str(facility)] = per_facility.get(str(facility), 0.0) + float(row.get("available") or 0)
    records = []
    for sku in sorted(totals):
        record = totals[sku]
        for name in _SUMMED:
            record[name] = _quantity(record[name])
        record["facilities"] = {key: _quantity(value) for key, value in record["facilities"].items()}
        records.append(record)
    return records


class StockReader:
    """Reads every stock row at the API's largest page (500 rows): the fewest round trips."""

    def __init__(self, api: WmsApi, *, facility_id: int | None, concurrency: int) -> None:
        self.api = api
        self.facility_id = facility_id
        self.page_size = query.STOCK_MAX_PAGE_SIZE
        self.concurrency = max(1, concurrency)

    def _facility(self, params: Mapping[str, Any]) -> int | None:
        choice = params.get("facility", "all")
        if choice == "all":
            return None
        if choice != "configured":
            raise ConfigError(f"stock: facility must be 'all' or 'configured', not {choice!r}")
        if self.facility_id is None:
            raise ConfigError("stock: facility: configured needs facility_id in the wms3pl connection.")
        return self.facility_id

    def read(self, params: Mapping[str, Any]) -> Iterator[Page]:
        records = sum_stock(self._rows(), self._facility(params))
        for start in range(0, len(records), RECORDS_PER_PAGE):
            yield Page(records[start:start + RECORDS_PER_PAGE])

    def _rows(self) -> Iterable[dict[str, Any]]:
        """Every stock row: the first page, then the rest of the pages its total promises."""
        total, first = self._page(1)
        if len(first) < self.page_size or total <= len(first):
            return first
        numbers = range(2, math.ceil(total / self.page_size) + 1)
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(numbers))) as pool:
            rest = list(pool.map(lambda number: self._page(number)[1], numbers))
        return chain(first, *rest)

    def _page(self, number: int) -> tuple[int, list[dict[str, Any]]]:
        sent = query.page(self.page_size, number)
        return stock_page(self.api.get_json(STOCK_PATH, sent, "read stock summaries"))
