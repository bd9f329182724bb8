"""Shoppers and warehouses while the scale run goes on: orders placed in the stores (each client's
with e-mail addresses of its own), orders shipped by the warehouses, the queue's depth watched."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from redis import Redis
from throwaway.fleet import Client

QUEUE = "cartsync"  # the workers' queue in Redis (app.py: task_default_queue)


def shopper_email(client: str, number: int) -> str:
    return f"{client}-{number}@shoppers.example"


@dataclass
class Traffic:
    """What the shoppers and warehouses did (the evidence checks against it)."""

    placed: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))  # client: email: id
    shipped: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # client: order ids
    deepest_queue: int = 0


class Shoppers(threading.Thread):
    """Every `every` seconds, `per_tick` stores (in turn) get an order and every warehouse ships
    the orders of this run that reached it; orders stop at `orders_until`, shipping at
    `ships_until` (Unix times), so that the schedule has time to carry the last ones through."""

    def __init__(self, clients: list[Client], broker: str, orders_until: float, ships_until: float,
                 every: float = 2.0, per_tick: int = 5) -> None:
        super().__init__(name="scale-shoppers", daemon=True)
        self.clients = clients
        self.queue = Redis.from_url(broker)
        self.orders_until, self.ships_until = orders_until, ships_until
        self.every, self.per_tick = every, per_tick
        self.traffic = Traffic()
        self.stopping = threading.Event()
        self._turn = 0

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            now = time.time()
            self.traffic.deepest_queue = max(self.traffic.deepest_queue, int(self.queue.llen(QUEUE)))
            if now < self.orders_until:
                self._place_orders()
            if now < self.ships_until:
                for client in self.clients:
                    self._ship(client)

    def _place_orders(self) -> None:
        for _ in range(self.per_tick):
            client = self.clients[self._turn % len(self.clients)]
            self._turn += 1
            email = shopper_email(client.name, self._turn)
            self.traffic.placed[client.name][email] = client.store.add_order("Processing", email=email)

    def _ship(self, client: Client) -> None:
        ours = set(self.traffic.placed[client.name].values())
        shipped = self.traffic.shipped[client.name]
        for order in client.wms.orders:
            order_id = int(order["referenceNum"].removeprefix("OC-"))
            if order_id in ours and order_id not in shipped:
                tracking = f"1Z{client.name.upper()}{order_id:08d}"
                client.wms.ship(order["referenceNum"], [tracking], carrier="UPS")
                shipped.add(order_id)

    def stop(self) -> Traffic:
        self.stopping.set()
        self.join(timeout=30)
        self.queue.close()
        return self.traffic
