"""Tokens: client credentials, renewal before expiry, one renewal on a 401; check() and its errors."""

from __future__ import annotations

import pytest

from cartsync.connectors.wms3pl.auth import TOKEN_PATH, TokenManager
from cartsync.connectors.wms3pl.sandbox import start_sandbox_wms
from cartsync.connectors.wms3pl.sandbox.samples import order_record
from cartsync.engine.errors import ConnectError
from cartsync.engine.http import HttpClient
from cartsync.engine.secrets import redact


def test_token_is_reused_until_shortly_before_expiry_then_renewed(wms):
    now = [1000.0]
    http = HttpClient(wms.url, describe="the sandbox WMS")
    tokens = TokenManager(http, client_id="sandbox-client", client_secret="sandbox-secret",
                          user_login_id="1", clock=lambda: now[0])
    first = tokens.token()
    now[0] += 3600 - 61  # still more than the 60 s margin left
    assert tokens.token() == first
    now[0] += 2  # inside the margin: renewed before the WMS would refuse it
    second = tokens.token()
    assert second != first
    assert (tokens.obtained, wms.tokens.issued) == (2, 2)
    assert len(wms.requests_to("POST", TOKEN_PATH)) == 2
    http.close()


def test_tokens_are_registered_as_secrets(connector):
    token = connector.tokens.token()
    assert redact(f"Bearer {token}") == "Bearer ***"


def test_expired_token_on_a_read_is_renewed_once_and_the_call_repeated(wms, connector):
    list(connector.read("stock", {}, None))
    wms.expire_tokens()
    records = [r for page in connector.read("stock", {}, None) for r in page.records]
    assert len(records) == 8
    statuses = [r["status"] for r in wms.requests_to("GET", "/inventory/stocksummaries")]
    assert statuses == [200, 401, 200]
    assert connector.tokens.obtained == 2


def test_expired_token_on_a_post_creates_the_order_exactly_once(wms, connector):
    connector.tokens.token()
    wms.expire_tokens()
    [outcome] = connector.write("orders", [order_record("OC-401")])
    assert outcome.status == "ok"
    assert [o["referenceNum"] for o in wms.orders] == ["OC-401"]
    assert [r["status"] for r in wms.requests_to("POST", "/orders")] == [401, 201]


def test_check_reports_url_user_customer_facility_and_orders(wms, connector):
    wms.create_order({"customerIdentifier": {"id": 1077}, "facilityIdentifier": {"id": 1},
                      **order_record("OC-1")})
    report = connector.check()
    assert report.ok
    assert {item.label: item.value for item in report.items} == {
        "WMS": wms.url,
        "user login id": "1",
        "token": "obtained for client id sandbox-client (valid 3600 s)",
        "customer": "1077",
        "facility": "1",
        "orders": "GET /orders answers: 1 orders for customer 1077",
    }


def test_wrong_secret_is_a_clear_connect_error_without_the_secret(wms, make_wms_connector):
    connector = make_wms_connector(wms, client_secret="not-the-secret")
    with pytest.raises(ConnectError) as caught:
        connector.check()
    text = str(caught.value)
    expected = f"The WMS at {wms.url} rejected client id 'sandbox-client''s secret (HTTP 401: invalid_client)"
    assert expected in text
    assert "hint: Check WMS_CLIENT_SECRET (the environment variable client_secret names" in text
    assert "not-the-secret" not in text
    assert caught.value.exit_code == 3


def test_wrong_user_login_id_is_named_in_the_error(wms, make_wms_connector):
    connector = make_wms_connector(wms, user_login_id=99)
    with pytest.raises(ConnectError) as caught:
        connector.check()
    expected = "refused a token for user login id '99' (HTTP 400: user_login_id '99' is not valid"
    assert expected in str(caught.value)


def test_tpl_is_sent_when_configured(make_wms_connector):
    with start_sandbox_wms(tpl="{abc-123}") as wms:
        assert make_wms_connector(wms, tpl="{abc-123}").check().ok
        with pytest.raises(ConnectError, match="tpl"):
            make_wms_connector(wms).check()
