"""The sandbox WMS at scale: generated items with stock, stock pages and order lookups through its
indexes, with what a scan of everything would give."""

from __future__ import annotations

from cartsync.connectors.wms3pl.sandbox import start_sandbox_wms
from cartsync.connectors.wms3pl.sandbox.samples import order_body, order_record


def test_generated_items_are_in_stock_and_read_in_key_order(make_wms_connector):
    with start_sandbox_wms(skus=1300) as wms:
        pages = make_wms_connector(wms).read("stock", {}, None)
        stock = [record for page in pages for record in page.records]
        generated = [record for record in stock if record["sku"].startswith("SKU-")]
        assert [record["sku"] for record in generated] == [f"SKU-{n:05d}" for n in range(1, 1301)]
        assert {record["available"] for record in generated} == {1_000_000}
        total, page = wms.store.stock_summaries("", offset=500, limit=500)
        keys = sorted(wms.store.stock)
        assert total == len(keys)
        assert [row["itemIdentifier"]["sku"] for row in page] == [key[0] for key in keys[500:1000]]
        assert wms.store.stock_summaries("itemIdentifier.sku==SKU-00007", offset=0, limit=10)[0] == 1


def test_an_order_for_a_generated_item_allocates_its_stock(make_wms_connector):
    with start_sandbox_wms(skus=500) as wms:
        [outcome] = make_wms_connector(wms).write("orders", [order_record("OC-1", sku="SKU-00321", qty=4)])
        assert outcome.status == "ok"
        row = wms.store.stock[("SKU-00321", "", 1)]
        assert (row["available"], row["allocated"]) == (1_000_000 - 4, 4)


def test_lookups_by_reference_find_every_twin_and_closed_orders_by_their_index(wms, make_wms_connector):
    wms.set_duplicate_check(False)
    for reference in ("OC-1", "OC-2", "OC-1", "oc-3"):
        wms.create_order(order_body(reference))
    wms.ship("OC-2", ["1Z"])
    total, found = wms.store.find_orders("referenceNum=in=(OC-1,OC-3);readOnly.customerIdentifier.id==1077",
                                         "readOnly.orderId")
    assert (total, [o["readOnly"]["orderId"] for o in found]) == (3, [1, 3, 4])
    total, closed = wms.store.find_orders("readOnly.isClosed==true", "")
    assert (total, closed[0]["referenceNum"]) == (1, "OC-2")
    answers = make_wms_connector(wms).reconcile("orders", [order_record("OC-1"), order_record("OC-9")])
    assert [a.dest_id if a else None for a in answers] == ["1", None], "the first of the twins"
