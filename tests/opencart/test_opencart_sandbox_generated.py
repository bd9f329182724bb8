"""The sandbox store at scale: generated orders and products, paged and found through its indexes
with the same results a scan gives, and a latency setting."""

from __future__ import annotations

import time

from cartsync.connectors.opencart.sandbox import start_sandbox_store

ORDERS = 2500


def test_generated_orders_are_read_in_modified_order_once_each_and_a_changed_one_comes_last(
        make_connector):
    with start_sandbox_store("3.0", orders=ORDERS, products=40) as store:
        connector = make_connector(store)
        pages = list(connector.read("orders", {"statuses": ["Processing"]}, None))
        records = [order for page in pages for order in page.records]
        generated = [order for order in records if order["order_id"] > 1014]
        assert len(generated) == ORDERS and len({o["order_id"] for o in records}) == len(records)
        keys = [(order["modified"], order["order_id"]) for order in records]
        assert keys == sorted(keys)
        assert [len(page.records) for page in pages][:-1] == [200] * (len(pages) - 1)
        assert {line["sku"] for order in generated for line in order["products"]} == {
            f"SKU-{n:05d}" for n in range(1, 41)}

        early = generated[0]["order_id"]
        store.advance_clock(5)
        store.set_order_status(early, "Processing", "address checked")  # modified moves to now
        again = list(connector.read("orders", {"statuses": ["Processing"]}, pages[-1].cursor))
        assert [order["order_id"] for page in again for order in page.records][-1] == early


def test_stock_of_a_generated_product_is_set_by_its_sku(make_connector):
    with start_sandbox_store("3.0", products=3000) as store:
        [outcome] = make_connector(store).write("stock", [{"sku": "SKU-02999", "quantity": 7}])
        assert outcome.status == "ok"
        assert store.product_quantity("SKU-02999") == 7


def test_a_latency_delays_every_api_reply(make_connector):
    with start_sandbox_store("3.0", latency=0.3) as store:
        connector = make_connector(store, version="3.0", extension="extension3")
        started = time.perf_counter()
        list(connector.read("order_statuses", {}, None))  # login, version, statuses: three requests
        assert time.perf_counter() - started >= 3 * 0.3, "no reply comes before its latency"
