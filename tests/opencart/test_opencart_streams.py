"""The streams over real HTTP against sandbox stores of every version."""

from __future__ import annotations

import pytest

from cartsync.connectors.opencart.sandbox import SandboxStore, start_sandbox_store
from cartsync.connectors.opencart.versions import RELEASES
from cartsync.engine.errors import ConfigError

REAL_ORDERS = [1001, 1002, 1003, 1004, 1005, 1006, 1008, 1009, 1010, 1012, 1013, 1014]  # 1007, 1011: status 0


def ids(pages) -> list[int]:
    return [order["order_id"] for page in pages for order in page.records]


def test_check_reports_the_version(store: SandboxStore, connector, version: str) -> None:
    report = connector.check()
    items = {item.label: item.value for item in report.items}
    assert items["OpenCart version"].startswith(f"{RELEASES[version]} (reported by the extension")
    assert items["maintenance mode"] == "off"
    assert items["extension"].startswith("cartsync 1.1.0 answers (variant ")
    assert items["API user may"].startswith("read statuses, read orders, read products, add order history")
    assert report.ok
    assert connector.session.version == version


def test_orders_never_include_status_0_and_page_by_modified(store: SandboxStore, make_connector) -> None:
    pages = list(make_connector(store, page_size=5).read("orders", {}, None))
    assert [len(page.records) for page in pages] == [5, 5, 2]
    assert sorted(ids(pages)) == REAL_ORDERS
    keys = [(o["modified"], o["order_id"]) for page in pages for o in page.records]
    assert keys == sorted(keys)
    assert pages[0].cursor == {"modified": keys[4][0], "order_id": keys[4][1]}


def test_statuses_are_resolved_by_name(store: SandboxStore, connector) -> None:
    pages = list(connector.read("orders", {"statuses": ["processing", "Shipped"]}, None))
    assert sorted(ids(pages)) == [1002, 1003, 1004, 1008, 1014]
    assert store.status_id("Shipped") == 17  # not the default id 3, which is "On Hold" in this store
    with pytest.raises(ConfigError) as caught:
        list(connector.read("orders", {"statuses": ["Dispatched"]}, None))
    assert ("source.params.statuses: the store has no order status named 'Dispatched'; its statuses are: "
            "Canceled, Canceled Reversal, Chargeback, Complete") in str(caught.value)


def test_order_contents(store: SandboxStore, connector) -> None:
    pages = list(connector.read("orders", {"statuses": ["Complete"]}, None))
    (order,) = pages[0].records
    lines = [(line["model"], line["sku"]) for line in order["products"]]
    assert lines == [("CMP-OLD", None), ("CS-100", "STOVE-100")]  # CMP-OLD's product was deleted
    assert (order["shipping_code"], order["shipping_method"]) == ("free.free", "Free Shipping")
    assert (order["shipping_iso_code_2"], order["shipping_iso_code_3"], order["shipping_zone_code"]) == (
        "US", "USA", "NY")
    assert [total["code"] for total in order["totals"]] == ["sub_total", "shipping", "tax", "total"]
    assert order["order_status"] == "Complete"
    (hat,) = next(iter(connector.read("orders", {"statuses": ["Processing"]}, None))).records[:1]
    assert hat["order_id"] == 1002 and hat["currency_code"] == "GBP" and hat["currency_value"] == 0.61250001
    option = hat["products"][0]["options"][0]
    assert (option["name"], option["value"], option["product_option_value_id"]) == ("Size", "Medium", 802)


def test_store_id_filter(store: SandboxStore, connector) -> None:
    assert ids(connector.read("orders", {"store_id": 1}, None)) == [1008]


def test_paging_is_stable_while_orders_change(store: SandboxStore, make_connector) -> None:
    pages = make_connector(store, page_size=4).read("orders", {}, None)
    first = next(pages)
    seen = [o["order_id"] for o in first.records]
    store.set_order_status(seen[0], "Shipped")  # already read: comes again, changed
    not_yet = [i for i in REAL_ORDERS if i not in seen][-1]
    store.touch_order(not_yet)  # not read yet: moves to the end, still read once
    new_order = store.add_order("Processing")
    for page in pages:
        seen.extend(o["order_id"] for o in page.records)
    assert sorted(set(seen)) == sorted([*REAL_ORDERS, new_order])
    repeated = sorted({i for i in seen if seen.count(i) > 1})
    assert repeated == [seen[0]]  # on 4.1 too: its new history entry moves `modified`


def test_later_run_starts_an_overlap_before_the_cursor(store: SandboxStore, make_connector) -> None:
    connector = make_connector(store, overlap="1 hour")
    last = list(connector.read("orders", {}, None))[-1].cursor
    assert ids(connector.read("orders", {}, last)) == [1014]  # modified within the hour before
    store.set_order_status(1001, "Processing")
    again = ids(connector.read("orders", {}, last))
    assert again == [1014, 1001]


def test_earliest_applies_only_without_a_cursor(store: SandboxStore, connector) -> None:
    since = ids(connector.read("orders", {"earliest": "2024-05-04 00:00:00"}, None))
    assert since == [1010, 1012, 1013, 1014]
    assert ids(connector.read("orders", {"earliest": "2099-01-01"}, None)) == []
    with pytest.raises(ConfigError):
        list(connector.read("orders", {"earliest": "last tuesday"}, None))


def test_4_1_modified_comes_from_history(make_connector) -> None:
    with start_sandbox_store("4.1") as store:
        before = store.order(1001)["date_modified"]
        store.set_order_status(1001, "Processing")
        order = store.order(1001)
        assert order["date_modified"] == before
        assert order["modified"] == order["history"][-1]["date_added"] > before
        assert ids(make_connector(store).read("orders", {}, None))[-1] == 1001


def test_order_statuses_stream(store: SandboxStore, connector) -> None:
    (page,) = list(connector.read("order_statuses", {}, None))
    assert {"order_status_id": 17, "name": "Shipped"} in page.records and len(page.records) == 16


def test_products_stream(store: SandboxStore, make_connector) -> None:
    pages = list(make_connector(store, page_size=4).read("products", {}, None))
    assert [len(page.records) for page in pages] == [4, 4, 1]
    shirt = next(p for page in pages for p in page.records if p["model"] == "HTS")
    assert shirt["sku"] == "SHIRT-HIKE"
    assert [(v["name"], v["quantity"]) for v in shirt["options"][0]["values"]] == [
        ("Small", 10), ("Medium", 15), ("Large", 7), ("X-Large", 0)]
    bottle = next(p for page in pages for p in page.records if p["model"] == "WB-750")
    assert bottle["sku"] is None


def test_order_history_with_notify_sends_the_comment(store: SandboxStore, connector) -> None:
    outcomes = connector.write("order_history", [
        {"order_id": 1003, "status": "Shipped", "comment": "Tracking: 1Z999AA10123456784", "notify": True},
        {"order_id": 4242, "status": "Shipped"},
        {"order_id": 1002, "status": "Teleported"},
    ])
    assert outcomes[0].status == "ok" and outcomes[0].dest_id == "1003"
    assert outcomes[1].status == "rejected"
    assert outcomes[1].message == "OpenCart: Warning: Order could not be found!"
    assert outcomes[2].status == "rejected" and "no order status named 'Teleported'" in outcomes[2].message
    (mail,) = store.emails
    assert mail["to"] == "clara.weber@example.de"
    assert mail["subject"] == "Sandbox Outdoor Store - Order Update 1003"
    assert "Shipped" in mail["body"] and "Tracking: 1Z999AA10123456784" in mail["body"]
    history = store.order(1003)["history"][-1]
    assert (history["order_status_id"], history["notify"], history["order_status"]) == (17, 1, "Shipped")


def test_order_history_without_notify_sends_no_mail(store: SandboxStore, connector) -> None:
    assert connector.write("order_history", [{"order_id": 1003, "status": "Shipped"}])[0].status == "ok"
    assert store.emails == []


def test_stock_moves_with_stock_taking_statuses(store: SandboxStore, connector) -> None:
    # 1006 is Canceled (takes no stock): 2 x PEG-ALU. Processing takes them; Canceled puts them back.
    assert store.product_quantity("PEG-ALU") == 200
    connector.write("order_history", [{"order_id": 1006, "status": "Processing"}])
    assert store.product_quantity("PEG-ALU") == 198
    connector.write("order_history", [{"order_id": 1006, "status": "Shipped"}])
    assert store.product_quantity("PEG-ALU") == 198
    connector.write("order_history", [{"order_id": 1006, "status": "Canceled"}])
    assert store.product_quantity("PEG-ALU") == 200
    # option stock moves on its own: 1014 (Processing) holds 1 x Small shirt
    connector.write("order_history", [{"order_id": 1014, "status": "Canceled"}])
    assert store.option_quantity("SHIRT-HIKE", "Size", "Small") == 11
    assert store.product_quantity("SHIRT-HIKE") == 101


def test_stock_updates_products_and_options(store: SandboxStore, connector) -> None:
    outcomes = connector.write("stock", [
        {"sku": "TENT-002", "quantity": 7},
        {"model": "WB-750", "quantity": 0},
        {"sku": "SHIRT-HIKE", "option": "Size", "value": "Large", "quantity": 33},
        {"sku": "NO-SUCH-SKU", "quantity": 1},
        {"model": "PEG-10", "quantity": 5},
        {"sku": "SHIRT-HIKE", "option": "Size", "value": "XXS", "quantity": 1},
        {"sku": "WB-750", "quantity": 4},
    ])
    assert [o.status for o in outcomes] == ["ok", "ok", "ok", "rejected", "rejected", "rejected", "ok"]
    assert store.product_quantity("TENT-002") == 7
    assert store.product_quantity(model="WB-750") == 4  # sent by sku, found by model: it has no SKU
    assert store.option_quantity("SHIRT-HIKE", "Size", "Large") == 33
    # the product follows its tracked option values in the same call: Small 10, Medium 15, Large 33, X-Large 0
    assert store.product_quantity("SHIRT-HIKE") == 10 + 15 + 33 + 0
    assert outcomes[2].detail == {"quantity": 33, "product_quantity": 58}
    assert outcomes[3].detail == {"not_found": True, "sku": "NO-SUCH-SKU"}
    assert outcomes[3].message == ("OpenCart has no product for sku 'NO-SUCH-SKU': "
                                   "No product has sku or model NO-SUCH-SKU")
    assert "model 'PEG-10' matches more than one product (Products 56, 57 share model PEG-10)" in (
        outcomes[4].message)
    assert outcomes[5].detail == {"not_found": True, "sku": "SHIRT-HIKE"}


def test_stock_sends_batches_of_at_most_500(store: SandboxStore, connector) -> None:
    records = [{"sku": "TENT-002", "quantity": n} for n in range(1, 1202)]
    outcomes = connector.write("stock", records)
    assert len(outcomes) == 1201 and all(o.status == "ok" for o in outcomes)
    assert store.product_quantity("TENT-002") == 1201


def test_option_products_follow_their_tracked_option_values(store: SandboxStore, make_connector) -> None:
    # BAG-5C (18): Red 9 takes stock (subtract=1), Blue 9 does not; an oversold value counts as 0
    red, blue = ({"sku": "BAG-5C", "option": "Color", "value": color} for color in ("Red", "Blue"))
    make_connector(store).write("stock", [{**red, "quantity": 4}, {**blue, "quantity": 50}])
    assert store.product_quantity("BAG-5C") == 4
    make_connector(store).write("stock", [{**red, "quantity": -3}])
    assert store.product_quantity("BAG-5C") == 0
    kept = make_connector(store, option_products="keep").write(
        "stock", [{"sku": "SHIRT-HIKE", "option": "Size", "value": "Large", "quantity": 1}])
    assert kept[0].status == "ok" and store.product_quantity("SHIRT-HIKE") == 100  # left as it was
