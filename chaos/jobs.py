"""The three jobs under chaos: how each world is seeded, what changes between runs, and what the
destination holds at the end (records there, duplicated, lost, held).

- Order download: store orders → WMS orders. A duplicate is a second WMS order with the same
  referenceNum (the WMS's duplicate check is off, so it cannot refuse one).
- Shipment confirmation: WMS shipments → store order history. A duplicate is a second Shipped
  history row, or a second mail to the customer, for one order.
- Inventory sync: WMS available quantities → store stock. The WMS's quantities keep changing
  between runs; at the end each store quantity must equal the WMS's current available one. A
  different quantity is a stale value that was replayed or never corrected (counted under
  duplicated); a quantity never set is lost.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from chaos.world import ROOT, World

WMS_SEED = ROOT / "demo" / "wms_seed.json"
NEVER_SET = -1  # the store quantity of a chaos product before cartsync sets it
CUSTOMER_ID = 1077
FACILITIES = (1, 2)
STOCK_ROWS_PER_PAGE = 100  # the wms3pl connection's default page_size
STOCK_ITEMS_PER_CALL = 500  # the store's stock write stream's batch


@dataclass
class Tally:
    records: int
    at_destination: int
    duplicated: int
    lost: int
    held: int
    examples: list[str] = field(default_factory=list)  # what went wrong, a few keys each


def _examples(label: str, keys: list[Any]) -> list[str]:
    if not keys:
        return []
    shown = ", ".join(str(key) for key in sorted(keys)[:10])
    return [f"{label}: {shown}" + (f" … ({len(keys)} in all)" if len(keys) > 10 else "")]


class Job:
    """One shipped pipeline under chaos."""

    name: ClassVar[str]
    entity: ClassVar[str]
    write_mix: ClassVar[str]  # the system whose fault mix hits this job's writes
    write_route: ClassVar[str]  # the fault route of its writes, as the sandbox names it

    def __init__(self, size: int) -> None:
        self.size = size
        self.keys: list[str] = []

    def open_world(self, folder: Path, *, lease: float, store_version: str, rng: random.Random) -> World:
        return World.open(folder, lease=lease, store_version=store_version, wms_seed=WMS_SEED)

    def prepare(self, world: World) -> None:
        raise NotImplementedError

    def kill_spans(self, kills: int) -> tuple[int, int]:
        """(writes, requests): kill points fall within the first this many of a run's writes or
        requests. One write per record: `kills` runs killed at random get through about half."""
        span = max(3, self.size // kills)
        return span, span

    def runs_under_faults(self, runs: int) -> int:
        """How many runs go under a fault mix, from the suite's number."""
        return runs

    def between_runs(self, world: World, rng: random.Random) -> None:
        """What the world does between two runs (nothing, unless the job says otherwise)."""

    def tally(self, world: World) -> Tally:
        raise NotImplementedError

    def held(self, world: World) -> list[str]:
        """Keys held by a person or in error (refused, or given up on)."""
        rows = world.ledger(self.entity)
        return [key for key in self.keys if (row := rows.get(key)) is not None
                and (row.held or (row.status == "error" and not row.transient))]


class OrderDownload(Job):
    name, entity, write_mix, write_route = "order_download", "order", "wms", "POST /orders"

    def prepare(self, world: World) -> None:
        self.keys = [str(order_id) for order_id in world.place_orders(self.size)]

    def tally(self, world: World) -> Tally:
        copies = world.wms.orders_by_reference()
        missing = [key for key in self.keys if f"OC-{key}" not in copies]
        twins = [reference for reference, count in copies.items() if count > 1]
        held = self.held(world)
        return Tally(len(self.keys), len(self.keys) - len(missing),
                     sum(copies[reference] - 1 for reference in twins), len(missing), len(held),
                     _examples("WMS orders twice", twins) + _examples("not at the WMS", missing)
                     + _examples("held", held))


class ShipmentConfirmation(Job):
    name, entity, write_mix, write_route = "shipment_confirmation", "order", "store", "history"
    SHIPPED = "Shipped"

    def prepare(self, world: World) -> None:
        """Orders placed, downloaded by a real run, then shipped by the WMS with tracking."""
        self.keys = [str(order_id) for order_id in world.place_orders(self.size)]
        downloaded = world.run("order_download")
        if downloaded.code != 0:
            raise RuntimeError(f"setting up {self.name}: order download exited {downloaded.code}; "
                               f"see {downloaded.log}")
        for key in self.keys:
            world.wms.ship(f"OC-{key}", [f"1Z{int(key):09d}"], carrier="UPS")

    def tally(self, world: World) -> Tally:
        shipped = self.SHIPPED
        rows = Counter(str(row["order_id"]) for row in world.history() if row["order_status"] == shipped)
        mails = Counter(str(mail["order_id"]) for mail in world.mail() if mail["order_status"] == shipped)
        twice = [key for key in self.keys if rows[key] > 1 or mails[key] > 1]
        missing = [key for key in self.keys if rows[key] == 0 or mails[key] == 0]
        held = self.held(world)
        extra_rows = sum(max(0, rows[key] - 1) for key in self.keys)
        extra_mails = sum(max(0, mails[key] - 1) for key in self.keys)
        notes = [f"{extra_rows} extra history row(s), {extra_mails} extra mail(s)"] if twice else []
        return Tally(len(self.keys), sum(rows[key] > 0 for key in self.keys), len(twice), len(missing),
                     len(held), notes + _examples("orders confirmed twice", twice)
                     + _examples("orders not confirmed", missing) + _examples("held", held))


class InventorySync(Job):
    name, entity, write_mix, write_route = "inventory_sync", "stock", "store", "stock"

    def open_world(self, folder: Path, *, lease: float, store_version: str, rng: random.Random) -> World:
        """A store with `size` products nobody has set yet, a WMS with their stock in two facilities."""
        self.keys = [f"CHAOS-{n:05d}" for n in range(1, self.size + 1)]
        products = [{"product_id": 10_000 + n, "name": f"Chaos item {n}", "model": f"CM-{n}", "sku": sku,
                     "quantity": NEVER_SET, "subtract": 1, "status": 1, "price": 1.0, "options": []}
                    for n, sku in enumerate(self.keys, start=1)]
        seed = {"customers": [{"id": CUSTOMER_ID, "name": "Acme Outdoor", "skus": self.keys}],
                "facilities": [{"id": facility, "name": f"DC {facility}"} for facility in FACILITIES],
                "stock": [{"sku": sku, "facilityId": facility, "qualifier": "", "onHand": rng.randint(0, 60)}
                          for sku in self.keys for facility in FACILITIES]}
        return World.open(folder, lease=lease, store_version=store_version, products=products, wms_seed=seed)

    def prepare(self, world: World) -> None:
        """Nothing to place: the world was seeded with the products and their stock."""

    def kill_spans(self, kills: int) -> tuple[int, int]:
        """A run reads every stock page (100 rows, two rows a SKU), then writes in bulk calls."""
        writes = -(-self.size // STOCK_ITEMS_PER_CALL)
        return writes, -(-len(FACILITIES) * self.size // STOCK_ROWS_PER_PAGE) + 4 + writes

    def runs_under_faults(self, runs: int) -> int:
        """Three times as many: a run writes in a few bulk calls, where the other jobs write once
        per record, so it takes more runs for the faults to hit writes often."""
        return 3 * runs

    def between_runs(self, world: World, rng: random.Random) -> None:
        """Stock moves in the warehouse: a twentieth of the SKUs are received or picked."""
        for sku in rng.sample(self.keys, max(1, len(self.keys) // 20)):
            facility = rng.choice(FACILITIES)
            available = world.wms.store.stock[(sku, "", facility)]["available"]
            world.wms.adjust_stock(sku, max(-available, rng.randint(-8, 12)), facility_id=facility)

    def tally(self, world: World) -> Tally:
        available: Counter[str] = Counter()
        with world.wms.store.lock:
            for (sku, _, _), row in world.wms.store.stock.items():
                available[sku] += row["available"]
        never, stale = [], []
        for sku in self.keys:
            quantity = world.store.product(sku)["quantity"]
            if quantity == NEVER_SET:
                never.append(sku)
            elif quantity != max(0, int(available[sku])):
                stale.append(f"{sku} (store {quantity}, WMS {available[sku]:g})")
        held = self.held(world)
        right = len(self.keys) - len(never) - len(stale)
        return Tally(len(self.keys), right, len(stale), len(never), len(held),
                     _examples("stale quantities", stale) + _examples("never set", never)
                     + _examples("held", held))


JOBS: dict[str, type[Job]] = {job.name: job for job in (OrderDownload, ShipmentConfirmation, InventorySync)}
