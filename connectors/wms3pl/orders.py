"""The `orders` write stream: one POST /orders per order, several at a time.

What each reply becomes:

| reply | outcome |
|---|---|
| 201 | ok, with the WMS order id |
| duplicate referenceNum | duplicate, with the id of the order already there |
| ValueNotSupported, validation and other 4xx refusals | rejected, with the WMS's words and a hint |
| 429 (or a refused connection) still failing after the retries | retryable: it was not carried out |
| sent, then no reply, a read timeout or a 5xx | looked up once by referenceNum: found → ok, else unknown |

A POST is never repeated in the same call: "not found" right after a lost reply proves nothing (the
WMS may still be writing it), so the order stays unknown and the engine asks again (`reconcile`)
before it is ever sent again. The answer never depends on the WMS's duplicate check, a
per-customer setting that may be off: `reconcile` looks orders up by referenceNum, in bulk
(`referenceNum=in=(…)`, up to `LOOKUP_GROUP` a query, `concurrency` queries at a time).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.errors import order_hint, parse_fault
from cartsync.connectors.wms3pl.replies import created_order_id, order_page
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import CartsyncError, ConfigError, ConnectError, OutcomeUnknown, TransientError
from cartsync.engine.paging import numbered_pages

ORDERS_PATH = "/orders"
LOOKUP_GROUP = 100  # referenceNums per lookup query (keeps the URL short)


class OrderWriter:
    def __init__(self, api: WmsApi, *, customer_id: int | None, facility_id: int | None,
                 concurrency: int) -> None:
        self.api = api
        self.customer_id = customer_id
        self.facility_id = facility_id
        self.concurrency = max(1, concurrency)

    def write(self, records: list[dict[str, Any]]) -> list[Outcome]:
        """One outcome per record, in the records' order."""
        self._require_ids()
        if not records:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(records))) as pool:
            return list(pool.map(self._deliver, records))

    def reconcile(self, records: list[dict[str, Any]]) -> list[Outcome | None]:
        """For each order: ok(id) when the WMS has one with its referenceNum (the first, should the
        duplicate check be off), None when it has none, unknown when the lookup failed."""
        references = [str(record["referenceNum"]) for record in records]
        groups = [references[start:start + LOOKUP_GROUP] for start in range(0, len(references), LOOKUP_GROUP)]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(groups) or 1)) as pool:
            answers = list(pool.map(self._look_up_group, groups))
        return [answer for group in answers for answer in group]

    def find_order_id(self, reference_num: str) -> str | None:
        """The WMS id of this customer's (first) order with `reference_num`, or None."""
        rql = query.all_of(query.equals(query.REFERENCE_NUM, reference_num), self._customer_clause())
        params = query.page(1, 1, **{query.RQL: rql, query.SORT: query.ORDER_ID})
        payload = self.api.get_json(ORDERS_PATH, params, f"look up order {reference_num}")
        _, orders = order_page(payload)
        return str(orders[0]["readOnly"]["orderId"]) if orders else None

    def _look_up_group(self, references: list[str]) -> list[Outcome | None]:
        rql = query.all_of(query.one_of(query.REFERENCE_NUM, references), self._customer_clause())

        def fetch(number: int) -> tuple[int, list[dict[str, Any]]]:
            params = query.page(LOOKUP_GROUP, number, **{query.RQL: rql, query.SORT: query.ORDER_ID})
            return order_page(self.api.get_json(ORDERS_PATH, params, f"look up {len(references)} orders"))

        found: dict[str, str] = {}
        try:
            for page in numbered_pages(fetch, LOOKUP_GROUP):
                for order in page:
                    found.setdefault(str(order["referenceNum"]).lower(), str(order["readOnly"]["orderId"]))
        except ConnectError:
            raise
        except CartsyncError as exc:
            return [Outcome.unknown(f"the WMS could not be asked: {exc.message}")] * len(references)
        return [Outcome.ok(found[ref.lower()]) if ref.lower() in found else None for ref in references]

    def _customer_clause(self) -> str | None:
        return query.equals(query.CUSTOMER_ID, self.customer_id) if self.customer_id else None

    def _require_ids(self) -> None:
        missing = [name for name in ("customer_id", "facility_id") if getattr(self, name) is None]
        if missing:
            raise ConfigError(
                f"The orders stream needs {' and '.join(missing)} in the wms3pl connection.",
                hint="Add the ids the warehouse gave you, e.g. customer_id: 1077, facility_id: 2.",
            )

    def _body(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {"customerIdentifier": {"id": self.customer_id},
                "facilityIdentifier": {"id": self.facility_id}, **record}

    def _deliver(self, record: dict[str, Any]) -> Outcome:
        reference = record["referenceNum"]
        try:
            return self._send(record)
        except OutcomeUnknown as exc:
            lost = exc
        except TransientError as exc:
            return Outcome.retryable(str(exc))
        # It left and no reliable reply came back: if the WMS already shows it, it is done.
        try:
            order_id = self.find_order_id(reference)
        except (ConnectError, TransientError) as exc:
            order_id = None
            lost = OutcomeUnknown(f"{lost.message} Looking it up failed too: {exc.message}")
        if order_id:
            return Outcome.ok(order_id)
        return Outcome.unknown(f"{lost.message} It will be looked up by referenceNum {reference} before any "
                               "resend.")

    def _send(self, record: dict[str, Any]) -> Outcome:
        response = self.api.request("POST", ORDERS_PATH, json=self._body(record))
        if response.status_code in (200, 201):
            return Outcome.ok(created_order_id(response.json()))
        fault = parse_fault(response)
        if response.status_code in (403, 404):
            raise ConnectError(
                f"The WMS refused POST {ORDERS_PATH} (HTTP {response.status_code}): {fault.text}",
                hint=f"Check base_url, and that the user may create orders for customer {self.customer_id}.")
        if fault.is_duplicate_reference:
            return Outcome.duplicate(self.find_order_id(record["referenceNum"]), message=fault.text)
        hint = order_hint(fault, self.customer_id, self.facility_id)
        return Outcome.rejected(f"{fault.text} — {hint}" if hint else fault.text)
