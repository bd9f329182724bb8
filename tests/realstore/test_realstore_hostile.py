"""Hostile input to every parameter of every route: nothing leaks, nothing breaks."""

from __future__ import annotations

import pytest
from realstore_client import ContractClient

HOSTILE_VALUES = [
    "'",
    '"',
    "1' OR '1'='1",
    "1; DROP TABLE oc_order; --",
    "1) UNION SELECT * FROM oc_api -- ",
    "99999999999999999999999999999",
    "-1",
    "1e9",
    "0x10",
    "\\",
    "%",
    "2024-01-01' OR 1=1 -- ",
]
PARAMETERS = {
    "orders": [
        "status_ids",
        "modified_from",
        "after_modified",
        "after_id",
        "filter_store_id",
        "order_ids",
        "limit",
    ],
    "products": ["after_id", "limit"],
    "statuses": ["language_id"],
}
LEAKS = ("sql", "mysql", "mariadb", "warning", "notice", "fatal", "stack trace", "exception", "<b>", "oc_")


def assert_clean(reply, what: str) -> dict:
    assert reply.status_code in (200, 400), f"{what}: HTTP {reply.status_code} {reply.text[:200]}"
    assert reply.headers["Content-Type"].startswith("application/json"), what
    body = reply.json()
    if reply.status_code == 400:
        assert body["error"]["code"] == "invalid_parameter", what
        text = body["error"]["message"].lower()
        assert all(leak not in text for leak in LEAKS), f"{what}: {text}"
    return body


@pytest.mark.parametrize("op", sorted(PARAMETERS))
def test_hostile_scalars_never_leak(client: ContractClient, op: str) -> None:
    for name in PARAMETERS[op]:
        for value in HOSTILE_VALUES:
            params = {name: value}
            if name == "after_id":
                params["after_modified"] = "2020-01-01 00:00:00"
            body = assert_clean(client.call(op, params), f"{op} {name}={value!r}")
            if "error" in body:
                assert name in body["error"]["message"]


@pytest.mark.parametrize("op", sorted(PARAMETERS))
def test_arrays_where_scalars_belong_are_invalid_parameter(client: ContractClient, op: str) -> None:
    for name in PARAMETERS[op]:
        reply = client.call(op, [(f"{name}[]", "1"), (f"{name}[]", "2")])
        assert reply.status_code == 400, f"{op} {name}[]: {reply.text[:200]}"
        assert reply.json()["error"] == {
            "code": "invalid_parameter",
            "message": f"Invalid parameter {name}: expected a single value",
        }


def test_hostile_stock_items_are_answered_per_item(client: ContractClient) -> None:
    items = [{"sku": value, "quantity": 1} for value in HOSTILE_VALUES]
    items += [{"model": value, "option": value, "value": value, "quantity": 1} for value in HOSTILE_VALUES]
    items += [
        {"sku": ["a"], "quantity": 1},
        {"sku": "x", "quantity": 10**30},
        {"sku": "x", "quantity": 2**31},
        {"sku": {"a": 1}, "quantity": 1},
        "not an object",
        None,
        {"quantity": 1},
    ]
    reply = client.call("stock", body={"items": items})
    body = assert_clean(reply, "stock")
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["not_found"] * (2 * len(HOSTILE_VALUES)) + ["invalid"] * 7
    assert all(leak not in reply.text.lower() for leak in ("mysql", "warning", "notice", "fatal"))


def test_hostile_bodies_are_invalid_parameter(client: ContractClient) -> None:
    url = f"{client.store.url}/index.php"
    for raw in ("{", "null", '{"items": "x"}', "\x00\xff", '{"items": [' + ",".join(["{}"] * 501) + "]}"):
        reply = client.http.post(
            url,
            params=client.auth_params("stock", raw.encode("latin-1")),
            data=raw.encode("latin-1"),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        body = assert_clean(reply, f"stock body {raw[:20]!r}")
        assert body["error"]["code"] == "invalid_parameter"
