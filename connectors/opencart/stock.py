"""The `stock` write stream: quantities by sku or model, for products and option values, in bulk.

A product whose option values are set follows them in the same call (`option_products: sum`, the
default): the store sells a product only while its own quantity covers the order, so it becomes
the total of its option values that take stock. `option_products: keep` leaves it alone.

Each item sets an absolute quantity, so the stream's recovery is `recompute`: when the reply to a
call is lost (a 5xx after it left, a dropped reply), its items are unknown and the call is never
sent again as it was; the engine computes the current quantities from the source and sends those.
"""

from __future__ import annotations

from typing import Any

from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.session import SessionRenewed
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import OutcomeUnknown, TransientError

MAX_ITEMS = 500  # the extension's limit per call
_ITEM_FIELDS = ("sku", "model", "option", "value", "quantity")


def write_stock(extension: ExtensionClient, records: list[dict[str, Any]], *,
                option_products: str = "sum") -> list[Outcome]:
    outcomes: list[Outcome] = []
    for start in range(0, len(records), MAX_ITEMS):
        batch = records[start:start + MAX_ITEMS]
        items = [{k: record[k] for k in _ITEM_FIELDS if record.get(k) not in (None, "")} for record in batch]
        try:
            reply = _set(extension, {"items": items, "option_products": option_products})
        except OutcomeUnknown as exc:
            outcomes += [Outcome.unknown(f"{exc.message} These quantities are not sent again as they were: "
                                         f"they are recomputed from the source.")] * len(items)
            continue
        except TransientError as exc:  # 429 or 408 until the retries ran out: not carried out
            outcomes += [Outcome.retryable(exc.message)] * len(items)
            continue
        outcomes.extend(_outcome(item, result) for item, result in zip(items, reply["results"], strict=True))
    return outcomes


def _set(extension: ExtensionClient, body: dict[str, Any]) -> dict[str, Any]:
    """One `stock` call; repeated once in a new session after a dead session's reply (2.1, 4.0),
    since setting the quantities just read again is harmless whether or not the first call did."""
    try:
        return extension.call("stock", json=body)
    except SessionRenewed:
        return extension.call("stock", json=body)


def _outcome(item: dict[str, Any], result: dict[str, Any]) -> Outcome:
    status = result.get("status")
    if status == "updated":
        dest = result.get("product_option_value_id") or result.get("product_id")
        followed = {"product_quantity": result["product_quantity"]} if "product_quantity" in result else {}
        return Outcome.ok(str(dest), quantity=result.get("quantity"), **followed)
    what = _describe(item)
    message = result.get("message") or str(status)
    if status == "not_found":
        return Outcome.not_found(f"OpenCart has no product for {what}: {message}",
                                 **{k: item[k] for k in ("sku", "model") if k in item})
    if status == "ambiguous":
        return Outcome.rejected(f"{what} matches more than one product ({message}); give each a unique "
                                f"SKU in Catalog > Products > Data, or send the sku instead of the model")
    return Outcome.rejected(f"OpenCart refused the stock item {what}: {message}")


def _describe(item: dict[str, Any]) -> str:
    name = f"sku {item['sku']!r}" if "sku" in item else f"model {item.get('model')!r}"
    if "option" in item:
        name += f" option {item['option']!r} = {item.get('value')!r}"
    return name
