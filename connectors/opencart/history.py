"""The `order_history` write stream: shipment confirmations through OpenCart's own API, and how
to learn what became of one whose result is unknown.

Writing uses each version's stock API route, which works in maintenance mode too: 2.x/3.0
`api/order/history` (order_id in the query), 4.0 `api/sale/order.addHistory` (order_id in the
body), 4.1 the signed call `history_add`. OpenCart cannot refuse a duplicate history row, and
each row with notify mails the customer, so every record ends in its own outcome:

| what happened | outcome |
|---|---|
| `{"success": …}` | ok (dest_id: the order id) |
| the store's refusal of this record (unknown order, unknown status name) | rejected, in its words |
| a 5xx after the request left, a dropped reply, a read timeout | unknown: never sent again blindly |
| 429 / 408 still failing after the retries (never carried out) | retryable |
| a dead session | one new login, then the call once more (a dead session did nothing) |
| 2.1/4.0: a dead session's reply (also a PHP failure's) | new login; once more only if its row is missing |
| the whole store fails (key, IP, signature, unreachable, PHP notices, maintenance) | ConnectError |

Reconcile: the extension's `orders` operation, asked for the orders concerned (`order_ids`, at
most `RECONCILE_BATCH` per call), gives each order's history rows. A record is done when its
order has a row with the record's status and the record's comment as OpenCart keeps it (the
extension gives stored text unescaped; 3.0 and later trim it, so both sides are trimmed); with
no such row it is
safe to send (None); when the store cannot be asked (the extension's routes blocked by
maintenance mode on 3.0's installer package and 4.x, the store unreachable) it stays unknown.

Why that comparison is safe:
- A row only appears through `addOrderHistory`, which commits the row before it mails, so "no
  row" means the write had no effect: sending it is the first delivery, not a second one.
- Status and comment together identify a confirmation: the shipped pipeline's comment carries
  the shipment's tracking numbers, so an older row of the same status (e.g. set by hand with
  other words) does not match. A matching row written by someone else already told the customer
  exactly this; adding ours would be the duplicate mail that must not happen.
- The comparison is on what the store keeps, not on what was sent: OpenCart trims whitespace
  before saving (from 3.0), so a comparison with the text as sent would miss every comment with
  a trailing newline and send it twice.
- A record without a comment is matched by any row of its status without a comment: an order
  that has been in that status once is not moved into it again by a write whose result is
  unknown.
"""

from __future__ import annotations

from typing import Any

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.cleaning import php_trim
from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.session import SessionRenewed, StoreSession
from cartsync.connectors.opencart.signed_refusal import FieldsRefused
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.connectors.opencart.versions import HISTORY_CALL_41, HISTORY_ROUTE, SIGNED_API_ROUTE
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import ConnectError, OutcomeUnknown, TransientError

ORDER_NOT_FOUND = "Order could not be found"
RECONCILE_BATCH = 50  # orders per `orders` call (the extension answers at most 200)


def write_history(extension: ExtensionClient, statuses: StatusBook,
                  records: list[dict[str, Any]]) -> list[Outcome]:
    """One outcome per record, in order. Raises ConnectError only for a whole-store failure."""
    return [_deliver(extension, statuses, record) for record in records]


def _deliver(extension: ExtensionClient, statuses: StatusBook, record: dict[str, Any]) -> Outcome:
    try:
        try:
            return _add_history(extension.session, statuses, record)
        except SessionRenewed:
            return _look_before_repeating(extension, statuses, record)
    except FieldsRefused as exc:
        return Outcome.rejected(f"order {record['order_id']}: {exc}")
    except OutcomeUnknown as exc:
        return Outcome.unknown(f"order {record['order_id']}: {exc.message} The order's history is read "
                               f"before it is ever sent again.")
    except TransientError as exc:
        return Outcome.retryable(f"order {record['order_id']}: {exc.message}")


def _look_before_repeating(extension: ExtensionClient, statuses: StatusBook,
                           record: dict[str, Any]) -> Outcome:
    """After a reply that a dead session and a PHP failure both give: the row is looked for in the
    new session, and the write sent once more only when it is not there. PHP had ended the first
    request (its reply came), so a missing row means the first write did nothing."""
    try:
        [found] = _look_up(extension, statuses, [record])
    except (ConnectError, TransientError) as exc:
        raise OutcomeUnknown(f"the store answered as for a dead session, and its history could not be "
                             f"read to tell whether the write took effect ({exc.message}).") from exc
    return found or _add_history(extension.session, statuses, record)


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


def reconcile_history(extension: ExtensionClient, statuses: StatusBook,
                      records: list[dict[str, Any]]) -> list[Outcome | None]:
    """For each record whose write has an unknown result: ok when its row is in the order's
    history, None when it is not, unknown when the store cannot be asked now."""
    answers: list[Outcome | None] = []
    for start in range(0, len(records), RECONCILE_BATCH):
        batch = records[start:start + RECONCILE_BATCH]
        try:
            answers += _look_up(extension, statuses, batch)
        except (ConnectError, TransientError) as exc:
            reason = Outcome.unknown(f"cartsync could not read the orders' history to learn whether the "
                                     f"write took effect ({exc.message}); it is asked again on the next run, "
                                     f"and nothing is sent until then.")
            return answers + [reason] * (len(records) - len(answers))
    return answers


def _look_up(extension: ExtensionClient, statuses: StatusBook,
             batch: list[dict[str, Any]]) -> list[Outcome | None]:
    order_ids = sorted({int(record["order_id"]) for record in batch})
    reply = extension.call("orders", params={"order_ids": ",".join(map(str, order_ids)),
                                             "limit": len(order_ids)})
    history = {int(order["order_id"]): order.get("history") or [] for order in reply["orders"]}
    return [_answer(statuses, record, history.get(int(record["order_id"]), [])) for record in batch]


def _answer(statuses: StatusBook, record: dict[str, Any], rows: list[dict[str, Any]]) -> Outcome | None:
    status_id = statuses.find(str(record["status"]))
    if status_id is None:
        return None  # a write with this status is refused, so it never took effect
    stored = php_trim(record.get("comment") or "")
    for row in rows:
        if int(row["order_status_id"]) == status_id and php_trim(str(row.get("comment") or "")) == stored:
            return Outcome.ok(str(record["order_id"]))
    return None
