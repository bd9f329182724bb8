"""The sandbox WMS's data: customers, items, facilities, stock rows and orders.

Stock moves as in the WMS: creating an order allocates stock (available → allocated, the rest
is ordered-not-allocated), shipping takes the shipped quantity off on-hand (allocated keeps
counting it, which is why integrations use `available`), and cancelling releases the allocation.
"""

from __future__ import annotations

import copy
import threading
from bisect import insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cartsync.connectors.wms3pl.sandbox import exceptions
from cartsync.connectors.wms3pl.sandbox.rql import compile_rql, lookup, required_values, supported_paths
from cartsync.connectors.wms3pl.sandbox.seeding import Seed

ORDER_STATUS_OPEN, ORDER_STATUS_CLOSED, ORDER_STATUS_CANCELED = 0, 1, 2
_NUMBERS = ("totalReceived", "allocated", "available", "onHold", "onHand", "orderedNotAllocated")
_ADDRESS = {key: "" for key in ("companyName", "name", "address1", "address2", "city", "state", "zip",
                                "country", "phoneNumber", "emailAddress")}

ORDER_FIELDS = supported_paths({
    "readOnly": {"orderId": 0, "status": 0, "isClosed": False, "creationDate": "", "lastModifiedDate": "",
                 "processDate": "", "customerIdentifier": {"id": 0, "name": ""},
                 "facilityIdentifier": {"id": 0, "name": ""}},
    "referenceNum": "", "poNum": "", "externalId": "", "description": "", "notes": "", "shippingNotes": "",
    "billingCode": "", "earliestShipDate": "", "shipCancelDate": "",
    "routingInfo": {"carrier": "", "mode": "", "scacCode": "", "account": "", "trackingNumber": ""},
    "shipTo": _ADDRESS, "billTo": _ADDRESS, "soldTo": _ADDRESS,
})
STOCK_FIELDS = supported_paths({
    "itemIdentifier": {"sku": "", "id": 0}, "qualifier": "", "facilityId": 0, **dict.fromkeys(_NUMBERS, 0),
})
WRITABLE_ORDER_FIELDS = ("referenceNum", "poNum", "externalId", "description", "notes", "shippingNotes",
                         "billingCode", "earliestShipDate", "shipCancelDate", "routingInfo", "shipTo",
                         "billTo", "soldTo", "savedElements", "fulfillInvInfo", "deferNotification")

StockKey = tuple[str, str, int]  # sku, qualifier, facility id


@dataclass
class _Allocation:
    order_id: int
    taken: list[tuple[StockKey, float]] = field(default_factory=list)
    missing: list[tuple[StockKey, float]] = field(default_factory=list)


class Clock:
    """Strictly increasing naive-UTC timestamps, so that sorting by date is a total order."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC).replace(tzinfo=None))
        self._last: datetime | None = None

    def stamp(self) -> str:
        moment = self._now()
        if self._last is not None and moment <= self._last:
            moment = self._last + timedelta(microseconds=1)
        self._last = moment
        return moment.isoformat(timespec="microseconds")


class WmsStore:
    """All state, behind one lock (the HTTP server is threaded).

    Indexes keep every request about one page or one order fast however much the WMS holds:
    stock rows by key (sorted) and by (SKU, facility), orders by referenceNum, closed orders.
    """

    def __init__(self, seed: Seed, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.customers = {int(c["id"]): c.get("name", f"Customer {c['id']}") for c in seed["customers"]}
        self.facilities = {int(f["id"]): f.get("name", f"Facility {f['id']}") for f in seed["facilities"]}
        self.items: dict[str, dict[str, Any]] = {}
        for customer in seed["customers"]:
            for sku in customer.get("skus", []):
                self.add_item(sku, int(customer["id"]))
        self.stock: dict[StockKey, dict[str, Any]] = {}
        self._stock_keys: list[StockKey] = []  # sorted
        self._stock_of_item: dict[tuple[str, int], list[StockKey]] = {}  # (sku, facility) -> sorted keys
        self._orders_with_reference: dict[str, list[dict[str, Any]]] = {}  # lower-cased, every customer
        self._closed: list[dict[str, Any]] = []
        for row in seed.get("stock", []):
            self.adjust_stock(row["sku"], row.get("onHand", 0), facility_id=int(row["facilityId"]),
                              qualifier=row.get("qualifier", ""), on_hold=row.get("onHold", 0))
        self.orders: list[dict[str, Any]] = []
        self._by_reference: dict[tuple[int, str], dict[str, Any]] = {}
        self._allocations: dict[int, _Allocation] = {}
        # Customers whose duplicate referenceNum check is switched off (a per-customer setting in
        # the WMS): a second order with the same referenceNum is then stored as a twin.
        self.duplicates_allowed: set[int] = set()
        for body in seed.get("orders", []):
            self.create_order(body)

    # ---- items and stock -------------------------------------------------------------

    def add_item(self, sku: str, customer_id: int) -> None:
        with self.lock:
            if sku not in self.items:
                self.items[sku] = {"sku": sku, "id": len(self.items) + 1, "customerId": customer_id}

    def adjust_stock(self, sku: str, delta: float, *, facility_id: int, qualifier: str = "",
                     on_hold: float = 0) -> dict[str, Any]:
        """Receive (positive) or remove (negative) stock of one SKU/qualifier/facility row."""
        with self.lock:
            if sku not in self.items:
                raise KeyError(f"SKU {sku!r} is not set up in the sandbox (add it to the seed)")
            if facility_id not in self.facilities:
                raise KeyError(f"facility {facility_id} does not exist in the sandbox")
            row = self._row((sku, qualifier, facility_id))
            if row["available"] + delta - on_hold < 0:
                raise ValueError(f"only {row['available']:g} of {sku} is available in facility {facility_id}")
            row["onHand"] += delta
            row["onHold"] += on_hold
            row["available"] += delta - on_hold
            row["totalReceived"] += max(delta, 0)
            return dict(row)

    def _row(self, key: StockKey) -> dict[str, Any]:
        row = self.stock.get(key)
        if row is None:
            sku, qualifier, facility_id = key
            row = {"itemIdentifier": {"sku": sku, "id": self.items[sku]["id"]}, "qualifier": qualifier,
                   **{name: 0.0 for name in _NUMBERS}, "facilityId": facility_id}
            self.stock[key] = row
            insort(self._stock_keys, key)
            insort(self._stock_of_item.setdefault((sku, facility_id), []), key)
        return row

    def stock_summaries(self, rql: str, *, offset: int = 0,
                        limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(how many stock rows match `rql`, copies of the ones in [offset, offset+limit)), by key."""
        matches = compile_rql(rql, STOCK_FIELDS)
        end = None if limit is None else offset + limit
        with self.lock:
            keys = self._stock_keys
            if rql.strip():
                keys = [key for key in keys if matches(self.stock[key])]
            return len(keys), [copy.deepcopy(self.stock[key]) for key in keys[offset:end]]

    # ---- orders ----------------------------------------------------------------------

    def create_order(self, body: Any) -> dict[str, Any]:
        """Validate and store an order as POST /orders does; raises exceptions.WmsException."""
        customer_id, facility_id, items = _validate_shape(body)
        if customer_id not in self.customers:
            raise exceptions.value_not_supported("CustomerIdentifier.Id", customer_id)
        if facility_id not in self.facilities:
            raise exceptions.value_not_supported("FacilityIdentifier.Id", facility_id)
        for index, item in enumerate(items):
            sku = item["itemIdentifier"]["sku"]
            known = self.items.get(sku)
            if known is None or known["customerId"] != customer_id:
                raise exceptions.value_not_supported(f"OrderItems[{index}].ItemIdentifier.Sku", sku)
        reference = body["referenceNum"]
        with self.lock:
            taken = (customer_id, reference.lower()) in self._by_reference
            if taken and customer_id not in self.duplicates_allowed:
                raise exceptions.model_validation(
                    "DuplicateReferenceNum", "ReferenceNum",
                    f"An order with reference number '{reference}' already exists for customer "
                    f"{customer_id}.", reference)
            order = self._new_order(body, customer_id, facility_id, items)
            self.orders.append(order)
            self._by_reference.setdefault((customer_id, reference.lower()), order)
            self._orders_with_reference.setdefault(reference.lower(), []).append(order)
            self._allocate(order)
        return copy.deepcopy(order)

    def set_duplicate_check(self, customer_id: int, enabled: bool) -> None:
        """Switch the customer's duplicate referenceNum check on (the default) or off."""
        with self.lock:
            if customer_id not in self.customers:
                raise KeyError(f"customer {customer_id} does not exist in the sandbox")
            if enabled:
                self.duplicates_allowed.discard(customer_id)
            else:
                self.duplicates_allowed.add(customer_id)

    def _new_order(self, body: Mapping[str, Any], customer_id: int, facility_id: int,
                   items: list[dict[str, Any]]) -> dict[str, Any]:
        order_id = len(self.orders) + 1
        now = self.clock.stamp()
        order: dict[str, Any] = {
            "readOnly": {
                "orderId": order_id, "status": ORDER_STATUS_OPEN, "isClosed": False,
                "fullyAllocated": False, "creationDate": now, "lastModifiedDate": now, "processDate": None,
                "customerIdentifier": {"id": customer_id, "name": self.customers[customer_id]},
                "facilityIdentifier": {"id": facility_id, "name": self.facilities[facility_id]},
                "packages": [],
            },
        }
        order.update({key: copy.deepcopy(body[key]) for key in WRITABLE_ORDER_FIELDS if key in body})
        order.setdefault("routingInfo", {})
        order["orderItems"] = [
            {"readOnly": {"orderItemId": order_id * 1000 + n},
             "itemIdentifier": {"sku": item["itemIdentifier"]["sku"],
                                "id": self.items[item["itemIdentifier"]["sku"]]["id"]},
             "qty": item["qty"]}
            for n, item in enumerate(items, start=1)
        ]
        return order

    def _allocate(self, order: dict[str, Any]) -> None:
        facility_id = order["readOnly"]["facilityIdentifier"]["id"]
        allocation = _Allocation(order["readOnly"]["orderId"])
        for item in order["orderItems"]:
            sku, need = item["itemIdentifier"]["sku"], float(item["qty"])
            for key in list(self._stock_of_item.get((sku, facility_id), ())):
                take = min(need, self.stock[key]["available"])
                if take > 0:
                    self.stock[key]["available"] -= take
                    self.stock[key]["allocated"] += take
                    allocation.taken.append((key, take))
                    need -= take
            if need > 0:
                key = next(iter(self._stock_of_item.get((sku, facility_id), ())), (sku, "", facility_id))
                self._row(key)["orderedNotAllocated"] += need
                allocation.missing.append((key, need))
        order["readOnly"]["fullyAllocated"] = not allocation.missing
        self._allocations[allocation.order_id] = allocation

    def find_orders(self, rql: str, sort: str, *, offset: int = 0,
                    limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(how many orders match `rql`, copies of the ones in [offset, offset+limit)), sorted by
        `sort` (comma-separated paths, `-` for descending; ties in creation order)."""
        matches = compile_rql(rql, ORDER_FIELDS)
        keys = [part.strip() for part in sort.split(",") if part.strip()]
        unsupported = [k.lstrip("-+") for k in keys if k.lstrip("-+").lower() not in ORDER_FIELDS]
        if unsupported:
            raise exceptions.query_parameter("sort", "NotParsable",
                                             "Properties not supported: " + ", ".join(unsupported))
        with self.lock:
            found = [order for order in self._candidates(rql) if matches(order)]
            for key in reversed(keys):  # stable sorts, last key first
                path = tuple(key.lstrip("-+").lower().split("."))
                found.sort(key=lambda order, p=path: _sort_value(lookup(order, p)),
                           reverse=key.startswith("-"))
            end = None if limit is None else offset + limit
            return len(found), copy.deepcopy(found[offset:end])

    def _candidates(self, rql: str) -> list[dict[str, Any]]:
        """The orders that may match `rql`, in creation order: by the referenceNum or closed-orders
        index when the filter requires one, else all of them."""
        references = required_values(rql, "referencenum")
        if references is not None:
            found = [order for ref in references for order in self._orders_with_reference.get(ref, ())]
        elif required_values(rql, "readonly.isclosed") == {"true"}:
            found = list(self._closed)
        else:
            return self.orders
        return sorted(found, key=lambda order: order["readOnly"]["orderId"])

    def order_by_reference(self, reference_num: str, customer_id: int | None = None) -> dict[str, Any]:
        with self.lock:
            for (customer, reference), order in self._by_reference.items():
                if reference == reference_num.lower() and customer_id in (None, customer):
                    return order
        raise KeyError(f"no order with reference number {reference_num!r}")

    def ship(self, reference_num: str, packages: Iterable[Mapping[str, Any] | str], *,
             carrier: str | None = None, mode: str | None = None, scac_code: str | None = None,
             tracking_number: str | None = None, customer_id: int | None = None) -> dict[str, Any]:
        """Close an order as shipped, with its packages (tracking numbers) and routing."""
        with self.lock:
            order = self._open_order(reference_num, customer_id)
            routing = order["routingInfo"]
            for key, value in (("carrier", carrier), ("mode", mode), ("scacCode", scac_code),
                               ("trackingNumber", tracking_number)):
                if value is not None:
                    routing[key] = value
            order["readOnly"]["packages"] = [
                {"packageId": order["readOnly"]["orderId"] * 100 + n,
                 **({"trackingNumber": p} if isinstance(p, str) else dict(p))}
                for n, p in enumerate(packages, start=1)
            ]
            allocation = self._allocations.pop(order["readOnly"]["orderId"])
            for key, qty in allocation.taken:
                self.stock[key]["onHand"] -= qty
            for key, qty in allocation.missing:
                self.stock[key]["orderedNotAllocated"] -= qty
            now = self.clock.stamp()
            order["readOnly"].update(status=ORDER_STATUS_CLOSED, isClosed=True, processDate=now,
                                     lastModifiedDate=now)
            self._closed.append(order)
            return copy.deepcopy(order)

    def cancel(self, reference_num: str, *, customer_id: int | None = None) -> dict[str, Any]:
        """Cancel an open order (it is closed with status 2) and release its stock."""
        with self.lock:
            order = self._open_order(reference_num, customer_id)
            allocation = self._allocations.pop(order["readOnly"]["orderId"])
            for key, qty in allocation.taken:
                self.stock[key]["available"] += qty
                self.stock[key]["allocated"] -= qty
            for key, qty in allocation.missing:
                self.stock[key]["orderedNotAllocated"] -= qty
            now = self.clock.stamp()
            order["readOnly"].update(status=ORDER_STATUS_CANCELED, isClosed=True, lastModifiedDate=now)
            self._closed.append(order)
            return copy.deepcopy(order)

    def _open_order(self, reference_num: str, customer_id: int | None) -> dict[str, Any]:
        order = self.order_by_reference(reference_num, customer_id)
        if order["readOnly"]["isClosed"]:
            raise ValueError(f"order {reference_num!r} is already closed")
        return order


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value.lower())
    return (1, value)


def _validate_shape(body: Any) -> tuple[int, int, list[dict[str, Any]]]:
    """Required fields of POST /orders, checked in the WMS's order."""
    if not isinstance(body, Mapping):
        raise exceptions.model_validation("Required", "Order", "The request body must be an order object.")
    customer_id = _identifier(body, "customerIdentifier", "CustomerIdentifier")
    facility_id = _identifier(body, "facilityIdentifier", "FacilityIdentifier")
    reference = body.get("referenceNum")
    if not isinstance(reference, str) or not reference.strip():
        raise exceptions.model_validation("Required", "ReferenceNum", "ReferenceNum is required.")
    if len(reference) > 255:
        raise exceptions.model_validation("MaxLength", "ReferenceNum",
                                          "ReferenceNum must be 255 characters or fewer.", reference)
    if not isinstance(body.get("shipTo"), Mapping):
        raise exceptions.model_validation("Required", "ShipTo", "ShipTo is required.")
    items = body.get("orderItems") or []
    if not isinstance(items, list):
        raise exceptions.model_validation("Invalid", "OrderItems", "OrderItems must be a list.")
    for index, item in enumerate(items):
        identifier = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        sku = identifier.get("sku") if isinstance(identifier, Mapping) else None
        if not isinstance(sku, str) or not sku:
            raise exceptions.model_validation("Required", f"OrderItems[{index}].ItemIdentifier.Sku",
                                              f"OrderItems[{index}].ItemIdentifier.Sku is required.")
        qty = item.get("qty")
        if isinstance(qty, bool) or not isinstance(qty, int | float) or qty <= 0:
            raise exceptions.model_validation("Invalid", f"OrderItems[{index}].Qty",
                                              f"OrderItems[{index}].Qty must be a number above 0.", qty)
    return customer_id, facility_id, items


def _identifier(body: Mapping[str, Any], key: str, name: str) -> int:
    value = body.get(key)
    identifier = value.get("id") if isinstance(value, Mapping) else None
    if identifier is None:
        raise exceptions.model_validation("Required", f"{name}.Id", f"{name}.Id is required.")
    try:
        return int(identifier)
    except (TypeError, ValueError):
        raise exceptions.value_not_supported(f"{name}.Id", identifier) from None
