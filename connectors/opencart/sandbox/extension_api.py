"""The cartsync extension's operations as the sandbox store serves them.

This follows `connectors/opencart/schemas/extension.openapi.yaml` and the PHP extension itself
(`src/cartsync/service.php`, `orders.php`, `catalog.php`): the same operations, parameters,
replies, messages and error codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cartsync.connectors.opencart.cleaning import html_escape, plain
from cartsync.connectors.opencart.sandbox import extension_texts as texts
from cartsync.connectors.opencart.sandbox.extension_params import Params
from cartsync.connectors.opencart.sandbox.replies import Reply, json_reply
from cartsync.connectors.opencart.versions import RELEASES

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.state import StoreState
    from cartsync.connectors.opencart.sandbox.store import SandboxStore

EXTENSION_VERSION = "1.1.0"
OPERATIONS = ("version", "statuses", "orders", "products", "stock")
LANGUAGE_ID = 1  # the store's one language (config_language_id)
ORDER_LIMITS = (50, 200)  # (default, largest) page size
PRODUCT_LIMITS = (100, 500)
MAX_STOCK_ITEMS = 500
MAX_QUANTITY = 2147483647  # the quantity columns are signed 32-bit
OPTION_PRODUCTS = ("sum", "keep")  # how a product with option values set follows them


def handle(store: SandboxStore, operation: str | None, query: Mapping[str, str], body: Any,
           api_user: str) -> Reply:
    """The reply to an authenticated call; raises `ExtensionError` for an unknown operation or a bad
    parameter."""
    params = Params(query)
    if operation == "version":
        return json_reply({"extension_version": store.extension_version,
                           "opencart_version": RELEASES[store.version],
                           "maintenance": store.maintenance, "variant": store.variant,
                           "api_user": api_user})
    if operation == "statuses":
        language_id = params.id("language_id", LANGUAGE_ID)
        statuses = sorted(store.state.statuses.items()) if language_id == LANGUAGE_ID else []
        return json_reply({"statuses": [{"order_status_id": i, "name": plain(n)} for i, n in statuses]})
    if operation == "orders":
        return _orders(store.state, params)
    if operation == "products":
        limit = params.limit("limit", *PRODUCT_LIMITS)
        products, following = store.state.products_page(params.id("after_id", 0) or 0, limit)
        return json_reply({"products": products, "next": following})
    if operation == "stock":
        return _stock(store.state, body)
    raise texts.unknown_operation(operation)


def _orders(state: StoreState, params: Params) -> Reply:
    limit = params.limit("limit", *ORDER_LIMITS)
    status_ids = params.id_list("status_ids")
    order_ids = params.id_list("order_ids")
    store_id = params.id("filter_store_id")  # not `store_id`: a signature field on 4.1
    modified_from = params.date("modified_from")
    after_modified = params.date("after_modified")
    after_id = params.id("after_id", 0) or 0
    if after_modified is None and params.text("after_id") is not None:
        raise texts.invalid("after_id", texts.AFTER_ID_ALONE)
    orders, following = state.orders_page(
        status_ids=status_ids, modified_from=modified_from, store_id=store_id, order_ids=order_ids,
        after=None if after_modified is None else (after_modified, after_id), limit=limit)
    return json_reply({"orders": orders, "next": following})


# -- stock ------------------------------------------------------------------------------------

def _stock(state: StoreState, body: Any) -> Reply:
    """Sets quantities; with `option_products: sum` (the default) a product whose option values
    were set follows them in the same call (`_follow_option_stock`)."""
    items = _item_list(body.get("items") if isinstance(body, dict) else None)
    if items is None:
        raise texts.invalid("items", texts.ITEMS_BODY)
    if len(items) > MAX_STOCK_ITEMS:
        raise texts.invalid("items", texts.TOO_MANY_ITEMS.format(max=MAX_STOCK_ITEMS))
    option_products = "sum" if body.get("option_products") is None else body["option_products"]
    if option_products not in OPTION_PRODUCTS:
        raise texts.invalid("option_products", texts.OPTION_PRODUCTS)
    with state.lock:
        results = [_set_item(state, item) for item in items]
        followed = [r["product_id"] for r in results if "product_option_value_id" in r]
        if option_products == "sum" and followed:
            quantities = _follow_option_stock(state, followed)
            for result in results:
                if "product_option_value_id" in result and result["product_id"] in quantities:
                    result["product_quantity"] = quantities[result["product_id"]]
        return json_reply({"results": results})


def _follow_option_stock(state: StoreState, product_ids: list[int]) -> dict[int, int]:
    """Each product's quantity set to what its option values allow (catalog.php followOptionStock):
    per option, the sum of its values that take stock (an oversold value counts as 0); the
    smallest such sum over the options. A product none of whose values take stock is left alone."""
    quantities = {}
    for product_id in dict.fromkeys(product_ids):
        product = state.products[product_id]
        sums = [sum(max(value["quantity"], 0) for value in option["values"] if value["subtract"])
                for option in product["options"] if any(value["subtract"] for value in option["values"])]
        if sums:
            product["quantity"] = quantities[product_id] = min(min(sums), MAX_QUANTITY)
    return quantities


def _item_list(items: Any) -> list[Any] | None:
    """The items, or None when they are not a list. PHP decodes a JSON object keyed "0".."n-1"
    (and so `{}`) to the same array as a list, so the extension takes those too."""
    if isinstance(items, dict) and list(items) == [str(i) for i in range(len(items))]:
        return list(items.values())
    return items if isinstance(items, list) else None


def _item_problem(item: Any) -> str | None:
    """Why an item cannot be applied, or None when it can."""
    if isinstance(item, list):
        item = {}  # a PHP array too: an item without fields
    if not isinstance(item, dict):
        return texts.ITEM_NOT_OBJECT
    quantity = item.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or abs(quantity) > MAX_QUANTITY:
        return texts.ITEM_QUANTITY.format(max=MAX_QUANTITY)
    for field in ("sku", "model", "option", "value"):
        if item.get(field) is not None and (not isinstance(item[field], str) or item[field] == ""):
            return texts.ITEM_TEXT_FIELD.format(field=field)
    if item.get("sku") is None and item.get("model") is None:
        return texts.ITEM_NO_KEY
    if (item.get("option") is None) != (item.get("value") is None):
        return texts.ITEM_OPTION_PAIR
    return None


def _named(stored: str, wanted: str) -> bool:
    """Whether a stored name is `wanted`, sent as people see it or as OpenCart stores it
    (catalog.php namesSql)."""
    return stored in (wanted, html_escape(wanted))


def _products_with(state: StoreState, field: str, wanted: str) -> list[dict[str, Any]]:
    """The products named `wanted` (see `_named`), by id, through the store's index."""
    names = dict.fromkeys((wanted, html_escape(wanted)))
    found = {product["product_id"]: product for name in names for product in state.products_with(field, name)}
    return [found[product_id] for product_id in sorted(found)]


def _set_item(state: StoreState, item: Any) -> dict[str, Any]:
    problem = _item_problem(item)
    if problem is not None:
        return {"status": "invalid", "message": problem}
    field = "sku" if item.get("sku") is not None else "model"
    wanted = item[field]
    products = _products_with(state, field, wanted)
    if not products and field == "sku":  # a product without a SKU is known by its model
        products = _products_with(state, "model", wanted)
        field = "model" if products else "sku or model"
    if not products:
        return {"status": "not_found", "message": texts.NO_PRODUCT.format(field=field, value=wanted)}
    if len(products) > 1:
        ids = ", ".join(str(product["product_id"]) for product in products)
        return {"status": "ambiguous", "message": texts.SHARED_KEY.format(ids=ids, field=field, value=wanted)}
    product = products[0]
    product_id = product["product_id"]
    if item.get("option") is None:
        product["quantity"] = item["quantity"]
        return {"status": "updated", "product_id": product_id, "quantity": product["quantity"]}
    names = {"product_id": product_id, "option": item["option"], "value": item["value"]}
    values = [value for option in product["options"] if _named(option["name"], item["option"])
              for value in option["values"] if _named(value["name"], item["value"])]
    if not values:
        return {"status": "not_found", "product_id": product_id,
                "message": texts.NO_OPTION_VALUE.format(**names)}
    if len(values) > 1:
        return {"status": "ambiguous", "product_id": product_id,
                "message": texts.SEVERAL_OPTION_VALUES.format(**names)}
    value = values[0]
    value["quantity"] = item["quantity"]
    return {"status": "updated", "product_id": product_id,
            "product_option_value_id": value["product_option_value_id"], "quantity": value["quantity"]}
