"""How orders are rendered: which parts `detail` includes, and HAL versus plain JSON."""

from __future__ import annotations

from typing import Any

ORDER_REL = "http://api.3plCentral.com/rels/orders/order"
HAL_MEDIA_TYPE = "application/hal+json"

# detail value (lower-cased) -> the optional parts it includes
_DETAIL_PARTS: dict[str, frozenset[str]] = {
    "none": frozenset(),
    "orderitems": frozenset({"orderItems"}),
    "packages": frozenset({"packages"}),
    "smallparcel": frozenset({"packages"}),
    "all": frozenset({"orderItems", "packages"}),
}


def with_detail(order: dict[str, Any], detail: str) -> dict[str, Any]:
    """The order with only the optional parts that `detail` asks for (unknown values: none)."""
    parts = _DETAIL_PARTS.get(detail.lower(), frozenset())
    shown = {key: value for key, value in order.items() if key != "orderItems" or key in parts}
    shown["readOnly"] = {key: value for key, value in order["readOnly"].items()
                         if key != "packages" or key in parts}
    return shown


def pascal_case(value: Any) -> Any:
    """Keys with their first letter upper-cased, recursively (the plain-JSON reply shape)."""
    if isinstance(value, dict):
        return {(key[:1].upper() + key[1:]): pascal_case(item) for key, item in value.items()}
    if isinstance(value, list):
        return [pascal_case(item) for item in value]
    return value


def order_resource(order: dict[str, Any], hal: bool) -> dict[str, Any]:
    if not hal:
        return pascal_case(order)
    order_id = order["readOnly"]["orderId"]
    return {**order, "_links": {"self": {"href": f"/orders/{order_id}"}}}


def order_list(orders: list[dict[str, Any]], total: int, hal: bool, links: dict[str, str]) -> dict[str, Any]:
    resources = [order_resource(order, hal) for order in orders]
    if not hal:
        return {"TotalResults": total, "ResourceList": resources}
    return {
        "totalResults": total,
        "_links": {rel: {"href": href} for rel, href in links.items()},
        "_embedded": {ORDER_REL: resources},
    }
