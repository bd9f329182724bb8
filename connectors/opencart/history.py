"""The `order_history` write stream: shipment confirmations through OpenCart's own API.

It uses each version's stock API route, which works in maintenance mode too:
2.x/3.0 `api/order/history` (order_id in the query), 4.0 `api/sale/order.addHistory`
(order_id in the body), 4.1 the signed call `history_add`.
"""

from __future__ import annotations

from typing import Any

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.session import StoreSession
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.connectors.opencart.versions import HISTORY_CALL_41, HISTORY_ROUTE, SIGNED_API_ROUTE
from cartsync.engine.connector import Outcome

ORDER_NOT_FOUND = "Order could not be found"


def write_history(session: StoreSession, statuses: StatusBook,
                  records: list[dict[str, Any]]) -> list[Outcome]:
    return [_add_history(session, statuses, record) for record in records]


def _add_history(session: StoreSession, statuses: StatusBook, record: dict[str, Any]) -> Outcome:
    status_id = statuses.find(str(record["status"]))
    if status_id is None:
        return Outcome.rejected(statuses.unknown_message(str(record["status"])))
    order_id = int(record["order_id"])
    fields = {"order_status_id": status_id, "comment": record.get("comment") or "",
              "notify": int(bool(record.get("notify"))), "override": int(bool(record.get("override")))}
    version = session.route_version
    if version == "4.1":
        route, params, call = SIGNED_API_ROUTE, {}, HISTORY_CALL_41
        fields["order_id"] = order_id
    elif version == "4.0":
        route, params, call = HISTORY_ROUTE[version], {}, None
        fields["order_id"] = order_id
    else:
        route, params, call = HISTORY_ROUTE[version], {"order_id": order_id}, None
    response = session.request("POST", route, params=params, data=fields, call=call)
    payload = errors.decode(response, store_url=session.settings.store_url, route=route)
    if isinstance(payload, dict) and payload.get("success"):
        return Outcome.ok(str(order_id))
    text = errors.error_text(payload) or f"unexpected reply {payload!r}"
    return Outcome.rejected(f"OpenCart: {text}")
