"""Paging loops a stream declares instead of writing: the engine's one copy of each.

- `numbered_pages`: page 1, 2, … until the total the system reported is read, a short page or an
  empty one (the WMS's `pgnum`/`pgsiz`).
- `keyset_pages`: each request carries the marker the previous reply gave (`after_id`, a
  (modified, id) pair), until a reply gives none or an empty page (the OpenCart extension).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")
FetchNumbered = Callable[[int], tuple[int, list[Item]]]
Marker = dict[str, Any]
FetchKeyset = Callable[[Marker | None], tuple[list[Item], Marker | None]]


def numbered_pages(fetch: FetchNumbered[Item], page_size: int) -> Iterator[list[Item]]:
    """Yield each non-empty page; `fetch(number)` gives (total reported, items)."""
    number, seen = 1, 0
    while True:
        total, items = fetch(number)
        if not items:
            return
        yield items
        seen += len(items)
        if seen >= total or len(items) < page_size:
            return
        number += 1


def keyset_pages(fetch: FetchKeyset[Item]) -> Iterator[list[Item]]:
    """Yield each non-empty page; `fetch(marker)` gives (items, the marker of the next page or None),
    and is first called with None."""
    marker: Marker | None = None
    while True:
        items, marker = fetch(marker)
        if items:
            yield items
        if not items or not marker:
            return
