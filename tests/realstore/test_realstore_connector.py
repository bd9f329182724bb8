"""The OpenCart connector against real stores: read orders, statuses and products; write order
history and stock; then check the database. Also what the delivery protocol relies on: the
comment as the store keeps it (4.1 signs it so), reconcile from the order's history, and a
write after the store dropped the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from realstore_db import Database
from realstore_seed import ORDER_COMPLETE, ORDER_MISSING, ORDER_SHIPPED, PRODUCT_SIZED, SIZED_SKU
from realstore_stores import RealStore

from cartsync.connectors.opencart.cleaning import clean
from cartsync.connectors.opencart.connector import OpenCartConnector
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import ConnectError
from cartsync.engine.http import RetryPolicy

# The shipped pipeline's comment for a carrier without a URL ends in a newline; & < > are escaped.
ODD_COMMENT = "Shipped with UPS & DHL <express>. Tracking: LV-1\n"


@pytest.fixture(scope="module")
def connector(store: RealStore, seeded: Database) -> Iterator[OpenCartConnector]:
    settings = {"store_url": store.url, "api_username": store.username, "api_key": store.key,
                "version": store.version, "extension": store.variant}
    connector = OpenCartConnector("shop", settings, retry=RetryPolicy(attempts=2, base_delay=0.01))
    yield connector
    connector.close()


def records(connector: OpenCartConnector, stream: str) -> list[dict]:
    return [r for page in connector.read(stream, {}, None) for r in page.records]


def test_connector_reads_statuses_orders_products(connector: OpenCartConnector) -> None:
    assert "Processing" in {r["name"] for r in records(connector, "order_statuses")}
    ids = [r["order_id"] for r in records(connector, "orders")]
    assert ORDER_SHIPPED in ids and ORDER_COMPLETE in ids and ORDER_MISSING not in ids
    products = {r["product_id"]: r for r in records(connector, "products")}
    assert products[PRODUCT_SIZED]["sku"] == SIZED_SKU


def test_connector_writes_stock_and_history(connector: OpenCartConnector, seeded: Database) -> None:
    [stock] = connector.write("stock", [{"sku": SIZED_SKU, "quantity": 21}])
    assert stock.status == "ok", stock.message
    assert seeded.run(f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_SIZED}") == [["21"]]
    [history] = connector.write("order_history", [{"order_id": ORDER_SHIPPED, "status": "Shipped",
                                                   "comment": "cartsync test", "notify": False}])
    assert history.status == "ok", history.message
    assert seeded.run(
        f"SELECT order_status_id, comment FROM oc_order_history WHERE order_id = {ORDER_SHIPPED}"
        " ORDER BY order_history_id DESC LIMIT 1"
    ) == [["3", "cartsync test"]]
    assert seeded.value(f"SELECT order_status_id FROM oc_order WHERE order_id = {ORDER_SHIPPED}") == "3"


def _comments(db: Database, order_id: int) -> list[str]:
    """The order's history comments, oldest first (read as hex: they may hold newlines)."""
    rows = db.run(f"SELECT HEX(comment) FROM oc_order_history WHERE order_id = {order_id}"
                  " ORDER BY order_history_id")
    return [bytes.fromhex(row[0]).decode() for row in rows]


def test_history_comment_is_kept_as_the_store_cleans_it_and_reconciled(
        connector: OpenCartConnector, seeded: Database, store: RealStore) -> None:
    record = {"order_id": ORDER_COMPLETE, "status": "Complete", "comment": ODD_COMMENT, "notify": False}
    [outcome] = connector.write("order_history", [record])
    assert outcome.status == "ok", outcome.message
    assert _comments(seeded, ORDER_COMPLETE)[-1] == clean(ODD_COMMENT, store.version)
    answers = connector.reconcile("order_history", [record, {**record, "comment": "another parcel"}])
    assert answers == [Outcome.ok(str(ORDER_COMPLETE)), None]


def test_a_dropped_session_is_renewed_and_each_write_sent_once(
        connector: OpenCartConnector, seeded: Database, store: RealStore) -> None:
    if store.version == "4.1":
        pytest.skip("4.1 signs every call: there is no session to drop")
    comments = [f"cartsync session test {n}" for n in range(3)]
    writes = [{"order_id": ORDER_COMPLETE, "status": "Complete", "comment": c} for c in comments]
    assert connector.write("order_history", writes[:1])[0].status == "ok"
    column = "token" if store.version.startswith("2") else "session_id"
    token = connector.session._token  # only this connector's session: the store may be shared
    seeded.run(f"DELETE FROM oc_api_session WHERE {column} = '{token}'")
    assert [o.status for o in connector.write("order_history", writes[1:])] == ["ok", "ok"]
    kept = _comments(seeded, ORDER_COMPLETE)
    assert [kept.count(c) for c in comments] == [1, 1, 1]


def test_text_reads_back_as_written_and_is_stored_escaped_once(
        connector: OpenCartConnector, seeded: Database) -> None:
    comment = 'Smith & Sons <Ltd>, 12 "Quoted" Straße'
    record = {"order_id": ORDER_COMPLETE, "status": "Complete", "comment": comment}
    assert connector.write("order_history", [record])[0].status == "ok"
    # OpenCart escapes input once; the admin shows the comment as it was written
    stored = "Smith &amp; Sons &lt;Ltd&gt;, 12 &quot;Quoted&quot; Straße"
    assert _comments(seeded, ORDER_COMPLETE)[-1] == stored
    orders = {r["order_id"]: r for r in records(connector, "orders")}
    read_back = [entry["comment"] for entry in orders[ORDER_COMPLETE]["history"]]
    assert comment in read_back and not any("&amp;" in text for text in read_back)
    shipped = orders[ORDER_SHIPPED]
    assert (shipped["shipping_company"], shipped["shipping_address_1"], shipped["comment"]) == (
        "Smith & Sons <Ltd>", '12 "Quoted" Straße', "Leave at door & ring")


HOSTILE_COMMENTS = [
    "Shipped with UPS. Tracking: 1Z999\n",  # the shipped template for a carrier without a link
    "Smith & Sons",
    "<b>bold</b> & <i>italic</i>",
    "5 > 4 < 6",
    'He said "ring twice"',
    "  spaces around  ",
    "tab\there",
    "Straße, café, 東京",
    "100% sure; a=b&c=d?",
]


@pytest.mark.parametrize("comment", HOSTILE_COMMENTS, ids=range(len(HOSTILE_COMMENTS)))
def test_hostile_comments_are_written_once_as_sent(
        connector: OpenCartConnector, seeded: Database, store: RealStore, comment: str) -> None:
    record = {"order_id": ORDER_COMPLETE, "status": "Complete", "comment": comment}
    [outcome] = connector.write("order_history", [record])
    assert outcome.status == "ok", outcome.message
    assert _comments(seeded, ORDER_COMPLETE)[-1] == clean(comment, store.version)  # escaped once, trimmed
    [order] = connector.extension.call("orders", params={"order_ids": ORDER_COMPLETE})["orders"]
    kept = comment if store.version.startswith("2") else comment.strip(" \t\n")
    assert kept in [entry["comment"] for entry in order["history"]]
    assert connector.reconcile("order_history", [record]) == [Outcome.ok(str(ORDER_COMPLETE))]


def test_a_refused_signature_names_the_wrong_key(store: RealStore, seeded: Database) -> None:
    if store.variant != "signed":
        pytest.skip("4.1 signs every call")
    settings = {"store_url": store.url, "api_username": store.username, "api_key": "not-the-key",
                "version": store.version, "extension": store.variant, "status_ids": {"Complete": 5}}
    connector = OpenCartConnector("shop", settings, retry=RetryPolicy(attempts=1))
    try:
        history = [{"order_id": ORDER_COMPLETE, "status": "Complete"}]
        for attempt in (lambda: records(connector, "products"),  # the extension's route
                        lambda: connector.write("order_history", history)):  # 4.1's own API
            with pytest.raises(ConnectError) as caught:
                attempt()
            assert caught.value.message.startswith(
                f"OpenCart 4.1 refused the signed call of API user '{store.username}': "
                "api_key is not that user's key")
            assert "clocks agree" in caught.value.message
    finally:
        connector.close()


def test_in_maintenance_mode_shipment_confirmation_runs_and_check_says_what_waits(
        store: RealStore, seeded: Database, tmp_path) -> None:
    settings = {"store_url": store.url, "api_username": store.username, "api_key": store.key,
                "version": store.version, "extension": store.variant,
                "status_cache": str(tmp_path / "ids.json")}
    before = OpenCartConnector("shop", settings)
    assert before.check().ok  # the store is open: the check saves the status ids
    before.close()
    seeded.run("UPDATE oc_setting SET value = '1' WHERE `key` = 'config_maintenance' AND store_id = 0")
    try:
        during = OpenCartConnector("shop", {**settings, "extension": "auto"})
        report = during.check()
        [outcome] = during.write("order_history", [{"order_id": ORDER_COMPLETE, "status": "Complete",
                                                    "comment": "written in maintenance mode"}])
        used = during.extension.variant  # auto: 3.0 turns to the api variant when both are installed
        during.close()
    finally:
        seeded.run("UPDATE oc_setting SET value = '0' WHERE `key` = 'config_maintenance' AND store_id = 0")
    assert outcome.status == "ok", outcome.message
    assert _comments(seeded, ORDER_COMPLETE)[-1] == "written in maintenance mode"
    [item] = [i for i in report.items if i.label == "maintenance mode"]
    if used == "api":  # every route of the variant lives under api/: a warning, exit 0
        assert (report.ok, item.warning) == (True, True)
        assert item.value.startswith("ON: the storefront is closed; every job still runs")
    else:
        assert not report.ok
        assert item.value.startswith("ON: order download and inventory sync wait until it is off")
        assert "shipment confirmation runs, with the status ids saved on " in item.value
