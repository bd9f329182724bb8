"""The sandbox store's indexes, as the store's database keeps them: orders by (modified,
order_id) for the extension's keyset pages, and products by id, sku and model.

With them a page of orders is a bisect and a walk of about one page, and a stock item finds its
product at once, whether the store holds twenty orders or a hundred thousand.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from typing import Any

OrderKey = tuple[str, int]  # (modified, order_id)


class OrderIndex:
    """Every order's paging key, sorted. `put` it again whenever its `modified` changes."""

    def __init__(self) -> None:
        self._keys: list[OrderKey] = []
        self._by_id: dict[int, OrderKey] = {}

    def put(self, order_id: int, modified: str) -> None:
        key = (modified, order_id)
        old = self._by_id.get(order_id)
        if old == key:
            return
        if old is not None:
            del self._keys[bisect_left(self._keys, old)]
        insort(self._keys, key)
        self._by_id[order_id] = key

    def key(self, order_id: int) -> OrderKey | None:
        return self._by_id.get(order_id)

    def walk(self, modified_from: str | None, after: OrderKey | None) -> Iterator[OrderKey]:
        """Keys in order with `modified >= modified_from` and strictly after `after` (either may
        be None). The caller holds the store's lock while it walks."""
        start = 0
        if modified_from is not None:
            start = bisect_left(self._keys, (modified_from, -1))
        if after is not None:
            start = max(start, bisect_right(self._keys, after))
        for position in range(start, len(self._keys)):
            yield self._keys[position]


class ProductIndex:
    """Product ids in order, and the ids that carry each sku and each model."""

    FIELDS = ("sku", "model")

    def __init__(self, products: Iterable[dict[str, Any]] = ()) -> None:
        self.ids: list[int] = []
        self._by_field: dict[str, dict[str, list[int]]] = {name: {} for name in self.FIELDS}
        for product in products:
            self.add(product)

    def add(self, product: dict[str, Any]) -> None:
        product_id = product["product_id"]
        insort(self.ids, product_id)
        for name, index in self._by_field.items():
            if product.get(name):
                insort(index.setdefault(product[name], []), product_id)

    def having(self, field: str, value: str) -> list[int]:
        """Ids of the products whose `field` (sku or model) is `value`, in id order."""
        return list(self._by_field[field].get(value, ()))

    def after(self, product_id: int, count: int) -> list[int]:
        """The first `count` ids greater than `product_id`, in order."""
        start = bisect_right(self.ids, product_id)
        return self.ids[start:start + count]
