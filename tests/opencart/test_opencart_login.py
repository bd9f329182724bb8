"""The login table of every version, over real HTTP: what the sandbox store answers, and what
the connector makes of it (including every refusal, as a message a store owner can act on)."""

from __future__ import annotations

import re

import pytest
import requests
from forwarding_proxy import forwarding_proxy

from cartsync.connectors.opencart.sandbox import SandboxStore, start_sandbox_store
from cartsync.engine.errors import ConnectError

TOKEN_VERSIONS = ("2.1", "2.3", "3.0", "4.0")
LOGIN = {"2.1": ("api/login", "token"), "2.3": ("api/login", "token"), "3.0": ("api/login", "api_token"),
         "4.0": ("api/account/login", "api_token")}


def post(store: SandboxStore, route: str, data: dict[str, str], **params: str) -> requests.Response:
    return requests.post(f"{store.url}/index.php", params={"route": route, **params}, data=data, timeout=5)


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_login_route_fields_and_token_name(version: str) -> None:
    route, token_name = LOGIN[version]
    with start_sandbox_store(version) as store:
        reply = post(store, route, {"username": "cartsync", "key": "sandbox-key"})
        assert reply.json()["success"] == "Success: API session successfully started!"
        assert len(reply.json()[token_name]) == 32
        assert ("PHPSESSID" in reply.cookies) is (version == "2.3")


def test_2x_login_ignores_the_username() -> None:
    for version in ("2.1", "2.3"):
        with start_sandbox_store(version) as store:
            assert "token" in post(store, "api/login", {"username": "nobody", "key": "sandbox-key"}).json()


def test_3_0_key_alone_means_user_default() -> None:
    with start_sandbox_store("3.0") as store:
        assert post(store, "api/login", {"key": "sandbox-key"}).json() == []
    with start_sandbox_store("3.0", api_username="Default") as store:
        assert "api_token" in post(store, "api/login", {"key": "sandbox-key"}).json()


def test_4_0_needs_username_and_key() -> None:
    with start_sandbox_store("4.0") as store:
        assert post(store, "api/account/login", {"key": "sandbox-key"}).json() == {
            "error": "Warning: Incorrect API Key!"}


def test_2_3_calls_need_the_login_cookie_too(make_connector) -> None:
    with start_sandbox_store("2.3") as store:
        token = post(store, "api/login", {"key": "sandbox-key"}).json()["token"]
        bare = post(store, "api/order/history", {"order_status_id": "2"}, token=token, order_id="1002")
        assert bare.json() == {"error": {"warning": "Warning: You do not have permission to access the API!"}}
        outcomes = make_connector(store).write("order_history", [{"order_id": 1002, "status": "Shipped"}])
        assert outcomes[0].status == "ok"


@pytest.mark.parametrize("version", ("2.1", "2.3", "3.0", "4.0", "4.1"))
def test_auto_detection_logs_in_as_each_version(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        connector = make_connector(store)
        connector.session.login()
        expected = {"2.1": "2.x", "2.3": "2.x"}.get(version, version)
        assert connector.session.login_answered_as == expected


@pytest.mark.parametrize("version", ("2.1", "2.3", "3.0", "4.0", "4.1"))
def test_explicit_version_setting_skips_detection(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        outcomes = make_connector(store, version=version).write(
            "order_history", [{"order_id": 1003, "status": "Shipped"}])
        assert outcomes[0].status == "ok"
        assert store.order(1003)["order_status"] == "Shipped"


BAD_KEY_ANSWERS = {
    "2.1": "(the store answered 'Warning: Incorrect API Key!'). "
           "OpenCart 2.x finds the API user by its key alone.",
    "2.3": "(the store answered []). OpenCart 2.3/3.0 answers a bare [] for a wrong key",
    "3.0": "(the store answered []). OpenCart 2.3/3.0 answers a bare [] for a wrong key",
    "4.0": "(the store answered 'Warning: Incorrect API Key!').",
}


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_bad_key_message(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store, pytest.raises(ConnectError) as caught:
        make_connector(store, api_key="wrong-key").check()
    message = str(caught.value)
    assert message.startswith("OpenCart rejected the API key for user 'cartsync' — System > Users > API: "
                              "check the key")
    assert BAD_KEY_ANSWERS[version] in message
    assert "wrong-key" not in message  # the key is a secret
    assert caught.value.exit_code == 3


def test_4_1_bad_key_is_a_refused_signed_call(make_connector) -> None:
    with start_sandbox_store("4.1") as store:
        other_route = post(store, "api/sale/order", {})
        assert (other_route.status_code, other_route.json()) == (
            403, {"error": "You do not have permission to access this page."})
        with pytest.raises(ConnectError) as caught:
            make_connector(store, api_key="wrong-key").write(
                "order_history", [{"order_id": 1002, "status": "x"}])
    # the store was asked what is wrong: not key, IP and clocks blindly
    assert caught.value.message.startswith("OpenCart 4.1 refused the signed call of API user 'cartsync': "
                                           "api_key is not that user's key")
    assert "clocks agree" in caught.value.message
    assert "IP" not in caught.value.message and "450" not in str(caught.value)


def test_4_1_signature_outside_the_clock_window(make_connector) -> None:
    with start_sandbox_store("4.1") as store:
        connector = make_connector(store)
        assert connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])[0].status == "ok"
        store.advance_clock(451)
        with pytest.raises(ConnectError) as caught:
            connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])
        # the Date header has whole seconds
        ahead = re.search(r"the store's clock is (\d+) seconds ahead of this machine's", caught.value.message)
        assert ahead and 450 <= int(ahead.group(1)) <= 452
        assert "key" not in caught.value.message
        store.advance_clock(-2)  # 449 s apart: still accepted
        assert connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])[0].status == "ok"


IP_REPLIES = {
    "2.1": {"error": {"ip": "Warning: Your IP 127.0.0.1 is not allowed to access this API!"}},
    "2.3": {"error": {"ip": "Warning: Your IP 127.0.0.1 is not allowed to access this API!",
                      "key": "Warning: Incorrect API Key!"}},
    "3.0": {"error": {"ip": "Warning: Your IP 127.0.0.1 is not allowed to access this API!",
                      "key": "Warning: Incorrect API Key!"}},
    "4.0": {"error": "Warning: Your IP 127.0.0.1 is not allowed to access this API!"},
}


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_ip_not_allowed(version: str, make_connector) -> None:
    route, _ = LOGIN[version]
    with start_sandbox_store(version) as store:
        store.deny("127.0.0.1")
        reply = post(store, route, {"username": "cartsync", "key": "sandbox-key"})
        assert reply.json() == IP_REPLIES[version]
        with pytest.raises(ConnectError) as caught:
            make_connector(store).check()
    text = str(caught.value)
    assert text.startswith("OpenCart refused the IP address 127.0.0.1: it is not on the API user's IP list")
    assert "Add 127.0.0.1 in " in text
    assert "IP Addresses" in text and "Cloudflare" in text
    assert ("default API user" in text) is (version == "2.1")


def test_2_1_checks_the_default_api_users_ip_list() -> None:
    with start_sandbox_store("2.1") as store:
        store.allow_ips([], username="cartsync")
        assert "token" in post(store, "api/login", {"key": "sandbox-key"}).json()
        store.allow_ips(["10.0.0.9"], username="Default")
        assert post(store, "api/login", {"key": "sandbox-key"}).json() == IP_REPLIES["2.1"]


@pytest.mark.parametrize("version", ("3.0", "4.1"))
def test_ip_seen_behind_a_proxy_is_named(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        store.set_seen_ip("172.70.33.12")
        with pytest.raises(ConnectError) as caught:
            make_connector(store).check()
    assert "OpenCart refused the IP address 172.70.33.12" in str(caught.value)
    assert "Add 172.70.33.12 in System > Users > API > edit 'cartsync' > IP Addresses" in str(caught.value)


DEAD_TOKEN_REPLIES = {
    "2.1": (500, ""),
    "2.3": (200, '{"error": {"warning": "Warning: You do not have permission to access the API!"}}'),
    "3.0": (200, '{"error": {"warning": "Warning: You do not have permission to access the API!"}}'),
}


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_expired_token_replies(version: str) -> None:
    route, token_name = LOGIN[version]
    history = "api/sale/order.addHistory" if version == "4.0" else "api/order/history"
    with start_sandbox_store(version) as store:
        session = requests.Session()
        token = session.post(f"{store.url}/index.php", params={"route": route},
                             data={"username": "cartsync", "key": "sandbox-key"}).json()[token_name]
        store.expire_tokens()
        reply = session.post(f"{store.url}/index.php",
                             params={"route": history, token_name: token, "order_id": "1002"},
                             data={"order_id": "1002", "order_status_id": "2"})
        if version == "4.0":
            assert reply.status_code == 200 and "Fatal error" in reply.text
            no_token = session.post(f"{store.url}/index.php", params={"route": history}, data={})
            assert no_token.status_code == 404 and "cannot be found" in no_token.text
        else:
            assert (reply.status_code, reply.text) == DEAD_TOKEN_REPLIES[version]


def test_3_0_session_dies_after_24_idle_minutes() -> None:
    with start_sandbox_store("3.0") as store:
        token = post(store, "api/login", {"username": "cartsync", "key": "sandbox-key"}).json()["api_token"]
        store.advance_clock(23 * 60)
        ok = post(store, "api/order/history", {"order_status_id": "2"}, api_token=token, order_id="1002")
        assert ok.json() == {"success": "Success: You have modified orders!"}
        store.advance_clock(24 * 60 + 1)
        dead = post(store, "api/order/history", {"order_status_id": "2"}, api_token=token, order_id="1002")
        assert "permission" in dead.text


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_dead_token_is_renewed_once_and_the_call_repeated(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        connector = make_connector(store)
        assert connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])[0].status == "ok"
        store.expire_tokens()
        assert connector.write("order_history", [{"order_id": 1003, "status": "Shipped"}])[0].status == "ok"
        store.expire_tokens()
        pages = list(connector.read("orders", {"statuses": ["Shipped"]}, None))
        assert sorted(o["order_id"] for page in pages for o in page.records) == [1002, 1003, 1004]
        assert len(store.auth.sessions) == 1  # expired twice, logged in again each time, no more


@pytest.mark.parametrize("version", TOKEN_VERSIONS)
def test_a_disabled_user_is_reported_after_one_new_login(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        connector = make_connector(store)
        connector.session.login()
        store.disable_api_user()
        with pytest.raises(ConnectError) as caught:
            connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])
    assert str(caught.value).startswith("OpenCart rejected the API key for user 'cartsync'")


def test_4_1_refused_signature_from_an_ip_not_on_the_list_names_the_ip(make_connector) -> None:
    with start_sandbox_store("4.1") as store:
        store.deny("127.0.0.1")
        with pytest.raises(ConnectError) as caught:
            make_connector(store, status_ids={"Shipped": 17}).write(
                "order_history", [{"order_id": 1002, "status": "Shipped"}])
    assert caught.value.message == ("OpenCart 4.1 refused the signed call of API user 'cartsync': its IP "
                                    "list does not hold 127.0.0.1, the address the store saw.")
    assert "Add 127.0.0.1" in str(caught.value.hint)


def test_4_1_fields_the_store_cleans_otherwise_hold_only_that_write(make_connector) -> None:
    """A store that cleans POST fields otherwise than 4.1.0.4 (a later release, a patch) refuses the
    signature of a comment with & or a trailing newline, and accepts plain fields: that write is
    held with the cause; the others go on."""
    with start_sandbox_store("4.1") as store:
        store.cleans_post_as = "2.3"  # escapes, but does not trim
        outcomes = make_connector(store).write("order_history", [
            {"order_id": 1002, "status": "Shipped", "comment": "Tracking 1Z\n"},
            {"order_id": 1003, "status": "Shipped", "comment": "Tracking 1Z"}])
    assert [o.status for o in outcomes] == ["rejected", "ok"]
    assert outcomes[0].message.startswith("order 1002: OpenCart 4.1 refused the signature of this write and "
                                          "accepts the same call without its fields")


def test_4_1_behind_a_proxy_the_refusal_names_4_1s_own_ip_reading(make_connector) -> None:
    """The extension takes the connecting address (no trusted proxy configured) and accepts; 4.1's
    own API takes the proxy's X-Forwarded-For, an address not on the list, and refuses."""
    with start_sandbox_store("4.1") as store, forwarding_proxy(store.url, "203.0.113.50") as proxy:
        connector = make_connector(store, store_url=proxy)
        first = next(iter(connector.read("products", {}, None)))  # the extension accepts the proxied call
        assert first.records[0]["sku"] == "TENT-002"
        with pytest.raises(ConnectError) as caught:
            connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])
    assert "OpenCart 4.1's own API refused it, although the cartsync extension accepts the same key, user, " \
           "IP and clock" in caught.value.message
    assert "X-Forwarded-For" in caught.value.message
