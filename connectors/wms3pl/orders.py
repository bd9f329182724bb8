"""The `orders` write stream: one POST /orders per order, several at a time.

What each reply becomes:

| reply | outcome |
|---|---|
| 201 | ok, with the WMS order id |
| duplicate referenceNum | duplicate, with the id of the order already there |
| ValueNotSupported, validation and other 4xx refusals | rejected, with the WMS's words and a hint |
| sent but no reply (connection dropped) | looked up by referenceNum: found → ok; not found → sent once more |
| 5xx / 429 / timeouts still failing after the retries | retryable |

The referenceNum is the idempotency key: the WMS refuses a second order with the same one for the
same customer, so a resend can never create a twin.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cartsync.connectors.wms3pl import query
from cartsync.connectors.wms3pl.api import WmsApi
from cartsync.connectors.wms3pl.errors import order_hint, parse_fault
from cartsync.connectors.wms3pl.replies import camel_case, order_page
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import ConfigError, ConnectError, OutcomeUnknown, TransientError

ORDERS_PATH = "/orders"


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
        """ok(id) for each order the WMS already has (by referenceNum); None where it has none."""
        found = [self.find_order_id(record["referenceNum"]) for record in records]
        return [Outcome.ok(order_id) if order_id else None for order_id in found]

    def find_order_id(self, reference_num: str) -> str | None:
        """The WMS id of this customer's order with `reference_num`, or None."""
        customer = query.equals(query.CUSTOMER_ID, self.customer_id) if self.customer_id else None
        rql = query.all_of(query.equals(query.REFERENCE_NUM, reference_num), customer)
        payload = self.api.get_json(ORDERS_PATH, query.page(1, 1, **{query.RQL: rql}),
                                    f"look up order {reference_num}")
        _, orders = order_page(payload)
        return str(orders[0]["readOnly"]["orderId"]) if orders else None

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
        except OutcomeUnknown:
            pass
        except TransientError as exc:
            return Outcome.retryable(str(exc))
        # The order may or may not have been stored: ask before sending it again.
        try:
            order_id = self.find_order_id(reference)
            if order_id:
                return Outcome.ok(order_id)
            return self._send(record)
        except OutcomeUnknown as exc:
            return Outcome.retryable(f"{exc} It will be looked up by referenceNum {reference} before "
                                     "any resend.")
        except TransientError as exc:
            return Outcome.retryable(str(exc))

    def _send(self, record: dict[str, Any]) -> Outcome:
        response = self.api.request("POST", ORDERS_PATH, json=self._body(record))
        if response.status_code in (200, 201):
            return Outcome.ok(str(camel_case(response.json())["readOnly"]["orderId"]))
        fault = parse_fault(response)
        if response.status_code in (403, 404):
            raise ConnectError(
                f"The WMS refused POST {ORDERS_PATH} (HTTP {response.status_code}): {fault.text}",
                hint=f"Check base_url, and that the user may create orders for customer {self.customer_id}.")
        if fault.is_duplicate_reference:
            return Outcome.duplicate(self.find_order_id(record["referenceNum"]), message=fault.text)
        hint = order_hint(fault, self.customer_id, self.facility_id)
        return Outcome.rejected(f"{fault.text} — {hint}" if hint else fault.text)
