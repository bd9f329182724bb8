"""The ledger's compact storage: records and payloads packed, read back exactly, small; rows written
as JSON text before still read; a payload follows its row's record; a dictionary made in a
transaction that rolled back is never used."""

from __future__ import annotations

import json
import sqlite3

import pytest

from cartsync.engine.state import RowChange, StateStore
from cartsync.engine.state.packing import SAMPLE

ORDER = {
    "order_id": 1017, "email": "customer1017@example.com", "shipping_firstname": "Ann",
    "shipping_lastname": "Lee", "shipping_address_1": "12 Market St", "shipping_city": "San Francisco",
    "shipping_postcode": "94105", "shipping_iso_code_2": "US", "total": 60.0, "comment": "Leave at the door",
    "products": [{"order_product_id": n, "sku": f"SKU-{n:05d}", "quantity": n, "price": 10.0, "options": []}
                 for n in range(1, 4)],
    "totals": [{"code": "sub_total", "value": 60.0}, {"code": "shipping", "value": 5.0}],
}
PAYLOAD = {"referenceNum": "OC-1017", "shipTo": {"name": "Ann Lee", "address1": "12 Market St",
                                                 "city": "San Francisco", "zip": "94105", "country": "US"},
           "orderItems": [{"itemIdentifier": {"sku": f"SKU-{n:05d}"}, "qty": n} for n in range(1, 4)]}


@pytest.fixture
def store(tmp_path):
    opened = StateStore.open(tmp_path / "state.db")
    yield opened
    opened.close()


def send(store: StateStore, key: str, record=ORDER, payload=PAYLOAD) -> None:
    with store.transaction() as tx:
        assert tx.start_send("order", key, pipeline="order_download", run_id=None, status="new",
                             record=record, payload=payload)


def test_a_record_and_its_payload_read_back_as_they_were_and_take_little_room(store):
    send(store, "1017")
    row = store.row("order", "1017")
    assert (row.record, row.payload, row.in_flight) == (ORDER, PAYLOAD, True)
    record, = store.db.execute("SELECT record FROM ledger").fetchone()
    payload, = store.db.execute("SELECT payload FROM payloads").fetchone()
    assert len(record) < len(json.dumps(ORDER)) / 2
    assert len(payload) < len(json.dumps(PAYLOAD)) / 3, "packed against the record, whose values it repeats"
    for key in range(2000, 2010):
        send(store, str(key), {**ORDER, "order_id": key}, PAYLOAD)
    assert store.records_in_status("order", ["new"])[-1] == {**ORDER, "order_id": 2009}


def test_a_payload_changed_to_none_leaves_no_payload_row(store):
    send(store, "1017")
    with store.transaction() as tx:
        tx.change(RowChange("order", "1017", "order_download", "ok", "1017", status="at_wms", in_flight=False,
                            payload=None))
    row = store.row("order", "1017")
    assert (row.status, row.record, row.payload) == ("at_wms", ORDER, None)
    assert store.db.execute("SELECT COUNT(*) FROM payloads").fetchone()[0] == 0


def test_a_payload_still_reads_after_its_row_gets_another_record(store):
    send(store, "1017")
    changed = {**ORDER, "comment": "Ring twice"}
    with store.transaction() as tx:  # e.g. a resend that a filter now skips: the record is replaced
        tx.change(RowChange("order", "1017", "order_download", "skipped", "filtered", record=changed,
                            in_flight=False))
    row = store.row("order", "1017")
    assert (row.record, row.payload) == (changed, PAYLOAD)


def test_rows_written_as_json_text_by_an_older_version_still_read(tmp_path):
    path = tmp_path / "state.db"
    StateStore.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO ledger (entity, key, status, pipeline, record, created_at, updated_at) "
                   "VALUES ('order', '7', 'at_wms', 'order_download', ?, 'x', 'x')", (json.dumps(ORDER),))
        db.execute("INSERT INTO payloads VALUES ('order', '7', ?)", (json.dumps(PAYLOAD),))
    store = StateStore.open(path)
    row = store.row("order", "7")
    assert (row.record, row.payload) == (ORDER, PAYLOAD)


def test_a_dictionary_made_in_a_transaction_that_rolled_back_is_not_used(store):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.start_send("order", "1", pipeline="order_download", run_id=None, status="new", record=ORDER,
                      payload=PAYLOAD)
        raise RuntimeError("the run died before its commit")
    assert store.db.execute("SELECT COUNT(*) FROM dictionaries").fetchone()[0] == 0
    send(store, "2")
    other = StateStore.open(store.location)  # a fresh connection knows only what was committed
    assert other.row("order", "2").record == ORDER
    other.close()


def customer_order(n: int) -> dict:
    """ORDER for another customer: what every order shares stays, what is theirs changes."""
    return {**ORDER, "order_id": n, "email": f"customer{n}@example.com", "shipping_firstname": f"First{n}",
            "shipping_lastname": f"Last{n}", "shipping_address_1": f"{n} Oak Ave"}


def send_batch(store: StateStore, numbers: range) -> None:
    with store.transaction() as tx:
        sends = [(str(n), customer_order(n), {**PAYLOAD, "referenceNum": f"OC-{n}"}) for n in numbers]
        assert len(tx.start_sends("order", sends, pipeline="order_download", status="new")) == len(sends)


def stored_size(store: StateStore, key: str) -> int:
    return store.db.execute("SELECT LENGTH(record) FROM ledger WHERE key = ?", (key,)).fetchone()[0]


def test_a_batch_of_orders_teaches_the_dictionary_what_they_share_and_nothing_of_one_customer(store):
    send_batch(store, range(1, SAMPLE))  # too few to learn from: keys alone
    blank = stored_size(store, "1")
    send_batch(store, range(100, 100 + SAMPLE))
    learned = stored_size(store, "100")
    assert learned < blank * 0.8, "values every order shares cost (almost) nothing"
    [(sample,)] = store.db.execute("SELECT sample FROM dictionaries WHERE learned = 1 AND name LIKE '%order'")
    assert b"San Francisco" in sample and b"sub_total" in sample
    assert not [text for text in (b"customer1", b"First1", b"Last1", b"Oak Ave") if text in sample]
    assert store.row("order", "1").record == customer_order(1), "values packed before still read"
    assert store.row("order", "100").record == customer_order(100)
    send_batch(store, range(200, 200 + SAMPLE))
    assert store.db.execute("SELECT COUNT(*) FROM dictionaries WHERE learned = 1").fetchone()[0] == 2, (
        "one learned dictionary for records, one for payloads: never made again")
