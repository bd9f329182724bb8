"""Records as the streams give them: the contract's shapes, with JSON types made exact.

The extension sends integers and numbers as JSON numbers, but PHP code easily lets a string
through ("93.9880"); normalising here keeps record schemas and mappings simple.
"""

from __future__ import annotations

from typing import Any

_ORDER_INTS = ("order_id", "store_id", "customer_id", "order_status_id", "shipping_country_id",
               "shipping_zone_id", "payment_country_id", "payment_zone_id")
_ORDER_NUMBERS = ("currency_value", "total")
_LINE_INTS = ("order_product_id", "product_id", "quantity")
_LINE_NUMBERS = ("price", "total", "tax")
_OPTION_INTS = ("product_option_id", "product_option_value_id")
_TOTAL_INTS = ("sort_order",)
_HISTORY_INTS = ("order_status_id", "notify")
_PRODUCT_INTS = ("product_id", "quantity", "subtract", "status")
_PRODUCT_OPTION_INTS = ("product_option_id", "option_id")
_VALUE_INTS = ("product_option_value_id", "option_value_id", "quantity", "subtract")


def _coerce(row: dict[str, Any], ints: tuple[str, ...], numbers: tuple[str, ...] = ()) -> dict[str, Any]:
    for name in ints:
        if row.get(name) is not None:
            row[name] = int(float(row[name]))
    for name in numbers:
        if row.get(name) is not None:
            row[name] = float(row[name])
    return row


def order_record(order: dict[str, Any]) -> dict[str, Any]:
    record = _coerce(dict(order), _ORDER_INTS, _ORDER_NUMBERS)
    record["products"] = [
        dict(_coerce(dict(line), _LINE_INTS, _LINE_NUMBERS), sku=line.get("sku") or None,
             options=[_coerce(dict(option), _OPTION_INTS) for option in line.get("options") or []])
        for line in order.get("products") or []
    ]
    record["totals"] = [_coerce(dict(total), _TOTAL_INTS, ("value",)) for total in order.get("totals") or []]
    record["history"] = [_coerce(dict(entry), _HISTORY_INTS) for entry in order.get("history") or []]
    return record


def product_record(product: dict[str, Any]) -> dict[str, Any]:
    record = _coerce(dict(product), _PRODUCT_INTS)
    record["sku"] = product.get("sku") or None
    record["options"] = [
        dict(_coerce(dict(option), _PRODUCT_OPTION_INTS),
             values=[_coerce(dict(value), _VALUE_INTS) for value in option.get("values") or []])
        for option in product.get("options") or []
    ]
    return record
