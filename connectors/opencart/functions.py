"""OpenCart's meanings: order totals by code, and the item keys of products with options.

An *item key* names what a store sells: the SKU (or the model, when the product has none),
followed by `|Option:Value` when an option value has its own stock, e.g. `SHIRT-HIKE|Size:Medium`.
Alias tables map item keys to WMS SKUs (`alias`, `reverse_alias`), so one table serves order
download and inventory sync.

Registered under the `cartsync.functions` entry point `opencart`: every pipeline can call them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cartsync.engine.mapping import mapping_function
from cartsync.engine.mapping.functions.coerce import as_decimal, json_number

TITLE = "OpenCart"
_STOCK_OPTION_TYPES = frozenset({"select", "radio", "checkbox", "image"})


@mapping_function(
    "string|null",
    "array|null",
    examples=(
        (
            "item_key('SHIRT-HIKE', [{name: 'Size', value: 'Medium', type: 'select'}])",
            "SHIRT-HIKE|Size:Medium",
        ),
        ("item_key('TENT-002', `[]`)", "TENT-002"),
    ),
)
def item_key(sku: str | None, options: list[Any] | None) -> str | None:
    """The item key of an order line: `sku`, plus `|Name:Value` for each option that has stock.

    Options of type select, radio, checkbox and image carry stock; text options (an engraving)
    do not and are left out. Several options are joined in the order given.
    """
    if sku is None:
        return None
    parts = [
        f"{option.get('name')}:{option.get('value')}"
        for option in options or []
        if isinstance(option, dict) and option.get("type", "select") in _STOCK_OPTION_TYPES
    ]
    return "|".join([sku, *parts])


@mapping_function(
    "string|null",
    examples=(
        (
            "split_item_key('SHIRT-HIKE|Size:Medium')",
            {"sku": "SHIRT-HIKE", "option": "Size", "value": "Medium"},
        ),
        ("split_item_key('TENT-002')", {"sku": "TENT-002", "option": None, "value": None}),
    ),
)
def split_item_key(key: str | None) -> dict[str, Any] | None:
    """An item key as `{sku, option, value}` (option and value are null for a plain product)."""
    if key is None:
        return None
    sku, _, rest = key.partition("|")
    option, _, value = rest.partition(":")
    return {"sku": sku, "option": option or None, "value": value or None}


@mapping_function(
    "array|null",
    "string",
    examples=(("total_by_code(totals, 'shipping')", 8.988), ("total_by_code(totals, 'coupon')", 0)),
)
def total_by_code(totals: list[Any] | None, code: str) -> int | float:
    """The sum of `value` over the order totals whose `code` is `code` (0 when there is none).

    OpenCart keeps an order's totals as rows of `{code, title, value}`; codes include
    `sub_total`, `shipping`, `tax` (one row per rate), `coupon` and `total`.
    """
    found = Decimal(0)
    for row in totals or ():
        if isinstance(row, dict) and row.get("code") == code:
            found += as_decimal(row.get("value"), "total_by_code")
    return json_number(found)


FUNCTIONS = (item_key, split_item_key, total_by_code)
