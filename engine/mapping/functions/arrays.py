"""Array functions for order lines and other lists."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from cartsync.engine.mapping.declare import mapping_function
from cartsync.engine.mapping.errors import MappingError
from cartsync.engine.mapping.functions.coerce import as_decimal, json_number


def _identity(value: Any) -> Any:
    """A hashable stand-in for any JSON value, so that `1` and `true` stay distinct."""
    return json.dumps(value, sort_keys=True)


@mapping_function("array|null", examples=(("unique(['A', 'B', 'A'])", ["A", "B"]),))
def unique(items: list[Any] | None) -> list[Any] | None:
    """`items` without repeats, in first-seen order."""
    if items is None:
        return None
    seen: set[str] = set()
    kept = []
    for item in items:
        identity = _identity(item)
        if identity not in seen:
            seen.add(identity)
            kept.append(item)
    return kept


@mapping_function("array|null", examples=(("compact(['A', null, '', `[]`, 'B'])", ["A", "B"]),))
def compact(items: list[Any] | None) -> list[Any] | None:
    """`items` without `null`, empty text, empty arrays and empty objects (`0` and `false` stay)."""
    if items is None:
        return None
    return [item for item in items if item is not None and item != "" and item != [] and item != {}]


@mapping_function(
    "array|null",
    "string",
    "string",
    examples=(
        (
            "group_sum(products[].{sku: sku || model, quantity: quantity}, 'sku', 'quantity')",
            [{"sku": "FER-1", "quantity": 3}, {"sku": "M-2", "quantity": 1}],
        ),
    ),
)
def group_sum(items: list[Any] | None, key_field: str, sum_field: str) -> list[dict[str, Any]] | None:
    """One `{key_field, sum_field}` object per distinct `key_field`, with `sum_field` summed.

    Merges order lines that share a SKU into one line per SKU, in first-seen order.
    """
    if items is None:
        return None
    totals: dict[str, tuple[Any, Decimal]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise MappingError(f"group_sum(): item {position} is not an object")
        if item.get(sum_field) is None:
            raise MappingError(f"group_sum(): item {position} has no '{sum_field}'")
        key = item.get(key_field)
        identity = _identity(key)
        previous = totals.get(identity, (key, Decimal(0)))[1]
        totals[identity] = (key, previous + as_decimal(item[sum_field], "group_sum"))
    return [{key_field: key, sum_field: json_number(total)} for key, total in totals.values()]


FUNCTIONS = (unique, compact, group_sum)
