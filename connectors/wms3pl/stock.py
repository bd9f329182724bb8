"""The `stock` read stream: available quantity per SKU, from GET /inventory/stocksummaries.

The WMS answers one row per (SKU, qualifier, facility). Rows are summed per SKU across
qualifiers, and across facilities unless `facility: configured` keeps only the connection's
`facility_id`. `available` is the quantity to push to a store: `allocated` still counts stock
that has shipped, so `onHand − allocated` would undercount.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.replies import stock_page
from cartsync.engine.connector import Page
from cartsync.engine.errors import ConfigError
from cartsync.engine.paging import numbered_pages

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
    def __init__(self, api: WmsApi, *, facility_id: int | None, page_size: int) -> None:
        self.api = api
        self.facility_id = facility_id
        self.page_size = min(page_size, query.STOCK_MAX_PAGE_SIZE)

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
        facility_id = self._facility(params)

        def fetch(number: int) -> tuple[int, list[dict[str, Any]]]:
            params_sent = query.page(self.page_size, number)
            return stock_page(self.api.get_json(STOCK_PATH, params_sent, "read stock summaries"))

        rows = (row for batch in numbered_pages(fetch, self.page_size) for row in batch)
        records = sum_stock(rows, facility_id)
        for start in range(0, len(records), RECORDS_PER_PAGE):
            yield Page(records[start:start + RECORDS_PER_PAGE])
