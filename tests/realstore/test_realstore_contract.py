"""The extension contract, checked against real OpenCart stores (see conftest for the setup)."""

from __future__ import annotations

import pytest
from realstore_client import ContractClient
from realstore_db import Database
from realstore_seed import (
    DELETED_PRODUCT,
    DUP_MODEL,
    LARGE_POV_ID,
    MODEL_ONLY_MODEL,
    ORDER_COMPLETE,
    ORDER_IDS,
    ORDER_MISSING,
    ORDER_SHIPPED,
    PRODUCT_DUP_A,
    PRODUCT_DUP_B,
    PRODUCT_MODEL_ONLY,
    PRODUCT_SIZED,
    SIZED_MODEL,
    SIZED_SKU,
    SMALL_POV_ID,
)
from realstore_stores import RealStore

SEEDED = ",".join(map(str, ORDER_IDS))


def test_version_reports_store_and_extension(client: ContractClient, store: RealStore) -> None:
    reply = client.ok("version")
    assert reply["opencart_version"].startswith(store.version + ".")
    assert reply["extension_version"] == "1.1.0"
    assert reply["variant"] == store.variant
    assert reply["maintenance"] is False
    assert reply["api_user"] == store.username


def test_statuses_list_default_names(client: ContractClient) -> None:
    names = {s["name"]: s["order_status_id"] for s in client.ok("statuses")["statuses"]}
    assert {"Pending", "Processing", "Complete", "Canceled"} <= set(names)
    assert all(isinstance(i, int) and i > 0 for i in names.values())


def test_no_credentials_is_a_json_permission_error(client: ContractClient, store: RealStore) -> None:
    route = client.auth_params("version")["route"]
    reply = client.call(
        "version", auth={"route": route} if store.variant != "signed" else {"route": route, "call": "version"}
    )
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "permission"


def test_bad_token_or_signature_is_refused(client: ContractClient, store: RealStore) -> None:
    auth = client.auth_params("version")
    for name in ("token", "api_token", "signature"):
        if name in auth:
            auth[name] = "AAAA" + auth[name][4:]
    reply = client.call("version", auth=auth)
    if store.version == "2.1":
        # OpenCart 2.1 itself fails on an unknown token before any controller runs.
        assert (reply.status_code, reply.text) == (500, "")
        return
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "permission"


def test_signature_outside_clock_window_is_refused(client: ContractClient, store: RealStore) -> None:
    if store.variant != "signed":
        pytest.skip("only the signed variant (4.1) has a clock window")
    import time
    from urllib.parse import urlsplit

    from realstore_client import SIGNED_ROUTE, sign

    auth = sign(
        SIGNED_ROUTE, "version", store.username, store.key, urlsplit(store.url).netloc, int(time.time()) - 451
    )
    reply = client.call("version", auth=auth)
    assert reply.status_code == 403
    assert "clock window" in reply.json()["error"]["message"]


def test_unknown_operation_is_not_found(client: ContractClient, store: RealStore) -> None:
    if store.variant != "signed":
        pytest.skip(
            "only the signed variant names the operation in a parameter; elsewhere OpenCart routes it"
        )
    reply = client.call("nope")
    assert reply.status_code == 404
    assert reply.json()["error"] == {"code": "not_found", "message": "Unknown operation nope"}


def test_orders_skip_status_zero_and_carry_lines_options_totals_history(
    client: ContractClient, seeded: Database
) -> None:
    reply = client.ok("orders", {"order_ids": SEEDED})
    orders = {o["order_id"]: o for o in reply["orders"]}
    assert sorted(orders) == [ORDER_SHIPPED, ORDER_COMPLETE]
    assert ORDER_MISSING not in orders
    order = orders[ORDER_SHIPPED]
    assert order["order_status_id"] == 2 and order["order_status"] == "Processing"
    assert order["lastname"] == "O'Hara"
    assert (order["currency_code"], order["currency_value"], order["total"]) == ("EUR", 0.78460002, 93.988)
    assert (order["shipping_iso_code_2"], order["shipping_iso_code_3"], order["shipping_zone_code"]) == (
        "US",
        "USA",
        "CA",
    )
    assert (order["shipping_code"], order["shipping_method"]) == ("flat.flat", "Flat Shipping Rate")
    assert (order["payment_code"], order["payment_method"]) == ("cod", "Cash On Delivery")
    lines = {line["order_product_id"]: line for line in order["products"]}
    assert lines[990001]["sku"] == SIZED_SKU and lines[990001]["model"] == SIZED_MODEL
    assert (lines[990001]["quantity"], lines[990001]["price"], lines[990001]["tax"]) == (2, 40.0, 8.0)
    assert lines[990001]["options"] == [
        {
            "product_option_id": 990001,
            "product_option_value_id": SMALL_POV_ID,
            "name": "Size",
            "value": "Small",
            "type": "select",
        }
    ]
    assert lines[990002]["product_id"] == DELETED_PRODUCT and lines[990002]["sku"] is None
    assert [t["code"] for t in order["totals"]] == ["sub_total", "shipping", "total"]
    assert order["history"] == [
        {
            "order_status_id": 2,
            "order_status": "Processing",
            "notify": 0,
            "comment": "seeded",
            "date_added": "2031-01-02 10:00:00",
        }
    ]
    assert order["modified"] == "2031-01-02 10:00:00"


def test_text_is_given_as_people_see_it_not_as_stored(client: ContractClient, seeded: Database) -> None:
    """OpenCart keeps input HTML-escaped (`&amp;`); the contract gives it unescaped, once."""
    assert seeded.value(f"SELECT shipping_company FROM oc_order WHERE order_id = {ORDER_SHIPPED}") == (
        "Smith &amp; Sons &lt;Ltd&gt;"
    )
    [order] = client.ok("orders", {"order_ids": str(ORDER_SHIPPED)})["orders"]
    assert order["shipping_company"] == "Smith & Sons <Ltd>"
    assert order["shipping_address_1"] == '12 "Quoted" Straße'
    assert order["comment"] == "Leave at door & ring"
    [product] = client.ok("products", {"after_id": PRODUCT_SIZED - 1, "limit": 1})["products"]
    assert product["name"] == "Sized shirt & cap"


def test_orders_keyset_paging_and_filters(client: ContractClient, seeded: Database) -> None:
    first = client.ok("orders", {"order_ids": SEEDED, "limit": 1})
    assert [o["order_id"] for o in first["orders"]] == [ORDER_SHIPPED]
    assert first["next"] == {"after_modified": "2031-01-02 10:00:00", "after_id": ORDER_SHIPPED}
    second = client.ok("orders", {"order_ids": SEEDED, "limit": 1, **first["next"]})
    assert [o["order_id"] for o in second["orders"]] == [ORDER_COMPLETE]
    assert second["next"] is None
    assert [
        o["order_id"] for o in client.ok("orders", {"order_ids": SEEDED, "status_ids": "5,0"})["orders"]
    ] == [ORDER_COMPLETE]
    assert [
        o["order_id"]
        for o in client.ok("orders", {"order_ids": SEEDED, "modified_from": "2031-01-02 11:00:00"})["orders"]
    ] == [ORDER_COMPLETE]
    assert client.ok("orders", {"order_ids": SEEDED, "filter_store_id": 7})["orders"] == []
    assert len(client.ok("orders", {"limit": 100000})["orders"]) <= 200


def test_products_carry_option_values(client: ContractClient, seeded: Database) -> None:
    reply = client.ok("products", {"after_id": PRODUCT_SIZED - 1, "limit": 1})
    product = reply["products"][0]
    assert (product["product_id"], product["model"], product["sku"], product["quantity"]) == (
        PRODUCT_SIZED,
        SIZED_MODEL,
        SIZED_SKU,
        7,
    )
    [option] = product["options"]
    assert (option["name"], option["type"]) == ("Size", "select")
    assert [(v["product_option_value_id"], v["name"], v["quantity"]) for v in option["values"]] == [
        (SMALL_POV_ID, "Small", 3),
        (LARGE_POV_ID, "Large", 4),
    ]


def test_stock_sets_products_and_option_values(client: ContractClient, seeded: Database) -> None:
    items = [
        {"sku": SIZED_SKU, "quantity": 11},
        {"model": SIZED_MODEL, "option": "Size", "value": "Large", "quantity": 12},
        {"model": DUP_MODEL, "quantity": 5},
        {"sku": "NO-SUCH-SKU", "quantity": 1},
        {"model": SIZED_MODEL, "option": "Size", "value": "Huge", "quantity": 1},
        {"model": SIZED_MODEL, "quantity": "3"},
    ]
    results = client.ok("stock", body={"items": items})["results"]
    assert [r["status"] for r in results] == [
        "updated",
        "updated",
        "ambiguous",
        "not_found",
        "not_found",
        "invalid",
    ]
    assert (results[0]["product_id"], results[0]["quantity"]) == (PRODUCT_SIZED, 11)
    assert (results[1]["product_option_value_id"], results[1]["quantity"]) == (LARGE_POV_ID, 12)
    # the product follows its tracked option values (Small 3 + Large 12) once the call's items are set
    assert results[1]["product_quantity"] == 15
    assert f"{PRODUCT_DUP_A}, {PRODUCT_DUP_B}" in results[2]["message"]
    assert seeded.run(f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_SIZED}") == [["15"]]
    assert seeded.run(
        "SELECT product_option_value_id, quantity FROM oc_product_option_value"
        f" WHERE product_id = {PRODUCT_SIZED} ORDER BY 1"
    ) == [[str(SMALL_POV_ID), "3"], [str(LARGE_POV_ID), "12"]]
    assert seeded.run(
        f"SELECT quantity FROM oc_product WHERE product_id IN ({PRODUCT_DUP_A}, {PRODUCT_DUP_B}) ORDER BY 1"
    ) == [["1"], ["2"]]


def test_stock_keep_leaves_an_option_product_as_it_is(client: ContractClient, seeded: Database) -> None:
    product_quantity = f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_SIZED}"
    before = seeded.value(product_quantity)
    item = {"sku": SIZED_SKU, "option": "Size", "value": "Small", "quantity": 30}
    [result] = client.ok("stock", body={"items": [item], "option_products": "keep"})["results"]
    assert result["status"] == "updated" and "product_quantity" not in result
    assert seeded.value(product_quantity) == before
    reply = client.call("stock", body={"items": [item], "option_products": "max"})
    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "code": "invalid_parameter",
        "message": "Invalid parameter option_products: expected sum or keep",
    }


def test_stock_by_sku_falls_back_to_the_model(client: ContractClient, seeded: Database) -> None:
    items = [
        {"sku": MODEL_ONLY_MODEL, "quantity": 9},
        {"sku": SIZED_SKU, "quantity": 8},
        {"sku": DUP_MODEL, "quantity": 1},
        {"sku": "CSYNC-NEITHER", "quantity": 1},
    ]
    results = client.ok("stock", body={"items": items})["results"]
    assert [r["status"] for r in results] == ["updated", "updated", "ambiguous", "not_found"]
    assert (results[0]["product_id"], results[0]["quantity"]) == (PRODUCT_MODEL_ONLY, 9)
    assert results[1]["product_id"] == PRODUCT_SIZED
    assert results[2]["message"] == f"Products {PRODUCT_DUP_A}, {PRODUCT_DUP_B} share model {DUP_MODEL}"
    assert results[3]["message"] == "No product has sku or model CSYNC-NEITHER"
    assert seeded.value(f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_MODEL_ONLY}") == "9"


def test_stock_rejects_a_body_that_is_not_an_item_list(client: ContractClient) -> None:
    for body in ({"items": {"a": 1}}, {"nope": []}, [1, 2]):
        reply = client.call("stock", body=body)
        assert reply.status_code == 400
        assert reply.json()["error"]["code"] == "invalid_parameter"


def test_modified_follows_history_on_4_1_and_date_modified_before(
    client: ContractClient, store: RealStore, seeded: Database
) -> None:
    seeded.run(
        f"INSERT INTO oc_order_history SET order_id = {ORDER_COMPLETE}, order_status_id = 5, notify = 0,"
        " comment = 'later', date_added = '2031-02-01 00:00:00'"
    )
    try:
        [order] = client.ok("orders", {"order_ids": str(ORDER_COMPLETE)})["orders"]
    finally:
        seeded.run(f"DELETE FROM oc_order_history WHERE order_id = {ORDER_COMPLETE} AND comment = 'later'")
    expected = "2031-02-01 00:00:00" if store.version == "4.1" else "2031-01-02 12:00:00"
    assert order["modified"] == expected
    assert [h["comment"] for h in order["history"]] == ["seeded", "later"]


def test_maintenance_mode(client: ContractClient, store: RealStore, seeded: Database) -> None:
    client.auth_params("version")  # log in before the store closes
    seeded.run("UPDATE oc_setting SET value = '1' WHERE `key` = 'config_maintenance' AND store_id = 0")
    try:
        reply = client.call("version")
    finally:
        seeded.run("UPDATE oc_setting SET value = '0' WHERE `key` = 'config_maintenance' AND store_id = 0")
    if store.variant == "api":
        assert reply.status_code == 200
        assert reply.json()["maintenance"] is True
    else:
        # OpenCart answers every non-api route with its own maintenance page.
        assert reply.status_code == 503
        assert "Maintenance" in reply.text
