"""Walking numbered pages (`pgnum` 1, 2, …) until the total the WMS reported is read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

FetchPage = Callable[[int], tuple[int, list[dict[str, Any]]]]


def pages(fetch: FetchPage, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Yield each non-empty page; stop at the reported total, a short page or an empty one."""
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
