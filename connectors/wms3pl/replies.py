"""Reading the WMS's list replies, in either shape it answers with.

- HAL (`Accept: application/hal+json`): `{"totalResults": N, "_embedded": {"<rel URL>": [...]}}`,
  camelCase fields; the embedded key is the full rel URL.
- Plain JSON: `{"TotalResults": N, "ResourceList": [...]}`, PascalCase fields.

Both are turned into camelCase documents, so the rest of the connector reads one shape.
"""

from __future__ import annotations

from typing import Any

HAL_MEDIA_TYPE = "application/hal+json"
JSON_MEDIA_TYPE = "application/json"
ORDER_REL = "http://api.3plCentral.com/rels/orders/order"


def camel_case(value: Any) -> Any:
    """Keys with their first letter lower-cased, recursively (`ReadOnly` → `readOnly`), in place: a
    reply just decoded is changed rather than copied (50,000 stock rows are read per sync, already
    camelCase from a HAL reply)."""
    if isinstance(value, dict):
        for key in [key for key in value if key[:1].isupper()]:
            value[key[:1].lower() + key[1:]] = value.pop(key)
        for item in value.values():
            if isinstance(item, dict | list):
                camel_case(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                camel_case(item)
    return value


def created_order_id(reply: Any) -> str:
    """The WMS id of the order a POST /orders reply holds, in either shape."""
    read_only = reply["readOnly"] if "readOnly" in reply else reply["ReadOnly"]
    return str(read_only["orderId"] if "orderId" in read_only else read_only["OrderId"])


def _total(payload: dict[str, Any], found: int) -> int:
    total = payload.get("totalResults", payload.get("TotalResults"))
    return int(total) if total is not None else found


def order_page(payload: Any) -> tuple[int, list[dict[str, Any]]]:
    """(total matching orders, this page's orders) from a GET /orders reply."""
    if not isinstance(payload, dict):
        raise ValueError("the reply is not a JSON object")
    if "_embedded" in payload:
        embedded = payload["_embedded"] or {}
        orders = embedded.get(ORDER_REL)
        if orders is None:  # a server that shortens the rel: take the one embedded list
            orders = next((v for v in embedded.values() if isinstance(v, list)), [])
    else:
        orders = payload.get("ResourceList", payload.get("resourceList", []))
    orders = camel_case(orders)
    return _total(payload, len(orders)), orders


def stock_page(payload: Any) -> tuple[int, list[dict[str, Any]]]:
    """(total rows, this page's rows) from a GET /inventory/stocksummaries reply."""
    if not isinstance(payload, dict):
        raise ValueError("the reply is not a JSON object")
    rows = camel_case(payload.get("summaries", payload.get("Summaries", [])))
    return _total(payload, len(rows)), rows
