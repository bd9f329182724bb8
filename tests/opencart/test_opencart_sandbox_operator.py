"""The sandbox store's fault and operator interface, over HTTP as a chaos run or a person drives it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from cartsync.connectors.opencart.sandbox import SandboxStore, start_sandbox_store
from cartsync.connectors.opencart.sandbox.cli import app


@pytest.fixture
def store30() -> Iterator[SandboxStore]:
    with start_sandbox_store("3.0") as running:
        yield running


def _operator(store: SandboxStore, method: str, action: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{store.url}/_sandbox/{action}", timeout=5, **kwargs)


def _login(store: SandboxStore) -> str:
    reply = requests.post(f"{store.url}/index.php", params={"route": "api/login"}, timeout=5,
                          data={"username": store.api_username, "key": store.api_key})
    return reply.json()["api_token"]


def _add_history(store: SandboxStore, token: str, order_id: int, comment: str) -> requests.Response:
    return requests.post(f"{store.url}/index.php", timeout=5,
                         params={"route": "api/order/history", "api_token": token, "order_id": order_id},
                         data={"order_status_id": store.status_id("Shipped"), "comment": comment,
                               "notify": 1})


def _shipped_rows(store: SandboxStore, order_id: int) -> list[dict[str, Any]]:
    rows = _operator(store, "GET", "history", params={"order_id": order_id}).json()["history"]
    return [row for row in rows if row["order_status"] == "Shipped"]


def test_500_before_changes_nothing_500_after_commits_then_fails(store30: SandboxStore) -> None:
    token = _login(store30)
    _operator(store30, "POST", "faults", json={"route": "history", "kind": "500-before"})
    _operator(store30, "POST", "faults", json={"route": "history", "kind": "500-after"})
    before = _add_history(store30, token, 1002, "first")
    assert (before.status_code, before.text) == (500, "")
    assert _shipped_rows(store30, 1002) == [] and store30.emails == []
    after = _add_history(store30, token, 1002, "second")
    assert (after.status_code, after.text) == (500, "")
    assert [row["comment"] for row in _shipped_rows(store30, 1002)] == ["second"]
    mail = _operator(store30, "GET", "mail", params={"order_id": 1002}).json()["mail"]
    assert [(m["order_id"], m["order_status"]) for m in mail] == [(1002, "Shipped")]
    third = _add_history(store30, token, 1002, "third")
    assert third.json() == {"success": "Success: You have modified orders!"}


def test_drop_after_commits_and_closes_the_connection(store30: SandboxStore) -> None:
    token = _login(store30)
    _operator(store30, "POST", "faults", json={"route": "history", "kind": "drop-after", "after": 1})
    assert _add_history(store30, token, 1002, "goes through").status_code == 200
    with pytest.raises(requests.ConnectionError):
        _add_history(store30, token, 1003, "lost reply")
    assert [row["comment"] for row in _shipped_rows(store30, 1003)] == ["lost reply"]
    report = _operator(store30, "GET", "faults").json()
    assert report["faults"] == []
    assert report["requests"]["history"] == 2 and report["requests"]["login"] == 1
    assert report["fired"] == [{"route": "history", "kind": "drop-after", "count": 1}]


def test_slow_reply_times_out_the_client_but_is_carried_out(store30: SandboxStore) -> None:
    token = _login(store30)
    store30.inject_fault("history", "slow", delay=0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{store30.url}/index.php", timeout=(5, 0.1),
                      params={"route": "api/order/history", "api_token": token, "order_id": 1002},
                      data={"order_status_id": store30.status_id("Shipped"), "comment": "late"})
    for _ in range(100):  # the store finishes the request after its delay
        if store30.history_rows(1002)[-1]["comment"] == "late":
            break
        time.sleep(0.05)
    assert store30.history_rows(1002)[-1]["comment"] == "late"


def _failed_requests(seed: int) -> list[int]:
    with start_sandbox_store("3.0") as store:
        store.inject_fault("version", "500-before", probability=0.2, seed=seed)
        store.inject_fault("version", "500-after", probability=0.1)
        failed = [i for i in range(60) if requests.get(
            f"{store.url}/index.php", params={"route": "extension/module/cartsync/version"}, timeout=5,
        ).status_code == 500]
        fired = {entry["kind"]: entry["count"] for entry in store.faults.report()["fired"]}
    assert sum(fired.values()) == len(failed)  # one draw per request: never two faults at once
    assert set(fired) == {"500-before", "500-after"}
    return failed


def test_random_faults_form_one_mix_and_repeat_with_the_seed() -> None:
    first, again, other = _failed_requests(7), _failed_requests(7), _failed_requests(8)
    assert first == again != other
    assert 6 <= len(first) <= 30  # about 30% of 60 requests


def test_operator_switches_maintenance_notices_and_sessions(store30: SandboxStore) -> None:
    token = _login(store30)
    assert _operator(store30, "POST", "maintenance", json={"on": True}).json() == {"maintenance": True}
    page = requests.get(f"{store30.url}/index.php", params={"route": "extension/module/cartsync/version"})
    assert page.status_code == 503 and "Maintenance" in page.text
    _operator(store30, "POST", "maintenance", json={"on": False})
    assert _operator(store30, "POST", "php-notices", json={"on": True}).json() == {"php_notices": True}
    assert _add_history(store30, token, 1002, "x").text.startswith("<br />\n<b>Warning</b>")
    _operator(store30, "POST", "php-notices", json={"on": False})
    assert _operator(store30, "POST", "expire-sessions").json() == {"expired": True}
    refused = _add_history(store30, token, 1002, "y").json()
    assert refused == {"error": {"warning": "Warning: You do not have permission to access the API!"}}


def test_operator_places_orders_and_refuses_bad_requests_clearly(store30: SandboxStore) -> None:
    placed = _operator(store30, "POST", "orders", json={"count": 2, "status": "Processing"}).json()
    assert [store30.order(i)["order_status"] for i in placed["order_ids"]] == ["Processing", "Processing"]
    bad_kind = _operator(store30, "POST", "faults", json={"route": "history", "kind": "explode"})
    assert bad_kind.status_code == 400
    assert bad_kind.json()["error"] == ("unknown fault kind 'explode'; choose one of 500-before, 500-after, "
                                        "drop-after, slow")
    both = _operator(store30, "POST", "faults", json={"route": "history", "kind": "slow", "times": 1,
                                                      "probability": 0.5})
    assert both.json()["error"] == "give either times (and after) or probability, not both"
    missing = _operator(store30, "GET", "nothing")
    assert missing.status_code == 404 and "GET /_sandbox/history" in missing.json()["error"]
    not_json = _operator(store30, "POST", "maintenance", data="on")
    assert not_json.json()["error"] == "the body must be a JSON object"


@pytest.mark.parametrize(("version", "stored"), [
    ("2.3", "UPS &amp; DHL: &lt;1Z&gt;\n"),
    ("3.0", "UPS &amp; DHL: &lt;1Z&gt;"),
])
def test_comments_are_stored_as_opencart_cleans_them(version: str, stored: str) -> None:
    with start_sandbox_store(version) as store, requests.Session() as session:  # 2.3 wants its cookie
        login = session.post(f"{store.url}/index.php", params={"route": "api/login"}, timeout=5,
                             data={"username": store.api_username, "key": store.api_key}).json()
        token = {"token": login["token"]} if version == "2.3" else {"api_token": login["api_token"]}
        added = session.post(f"{store.url}/index.php", timeout=5,
                             params={"route": "api/order/history", "order_id": 1002, **token},
                             data={"order_status_id": 3, "comment": "UPS & DHL: <1Z>\n"})
        assert added.json() == {"success": "Success: You have modified orders!"}
        assert store.history_rows(1002)[-1]["comment"] == stored


def test_cli_drives_a_running_store(store30: SandboxStore) -> None:
    runner = CliRunner()
    fault = runner.invoke(app, ["fault", "--url", store30.url, "history", "500-after", "--times", "2"])
    assert fault.exit_code == 0, fault.output
    assert '"kind": "500-after"' in fault.output
    assert runner.invoke(app, ["maintenance", "--url", store30.url, "on"]).exit_code == 0
    assert store30.maintenance
    assert runner.invoke(app, ["clear-faults", "--url", store30.url]).exit_code == 0
    assert store30.faults.report()["faults"] == []
    store30.set_order_status(1002, "Shipped", "by hand", notify=True)
    shown = runner.invoke(app, ["history", "--url", store30.url, "--order-id", "1002"])
    assert shown.exit_code == 0 and '"comment": "by hand"' in shown.output
    mail = runner.invoke(app, ["mail", "--url", store30.url])
    assert '"subject": "Sandbox Outdoor Store - Order Update 1002"' in mail.output
    refused = runner.invoke(app, ["fault", "--url", store30.url, "history", "explode"])
    assert refused.exit_code == 1 and "unknown fault kind 'explode'" in refused.output


def test_store_settings_set_over_http_decide_whom_the_extension_sees(store30: SandboxStore) -> None:
    token = _login(store30)
    version = {"route": "extension/module/cartsync/version", "api_token": token}
    store30.allow_ips(["203.0.113.9"])  # the API user's list no longer holds this machine's 127.0.0.1
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    refused = requests.get(f"{store30.url}/index.php", params=version, headers=forwarded, timeout=5)
    assert refused.json()["error"]["message"] == "Your IP 127.0.0.1 is not allowed to access this API"
    reply = _operator(store30, "POST", "settings", json={"cartsync_trusted_proxies": "127.0.0.1"})
    assert reply.json() == {"settings": {"cartsync_trusted_proxies": "127.0.0.1"}}
    assert requests.get(f"{store30.url}/index.php", params=version, headers=forwarded, timeout=5).ok
    reply = _operator(store30, "POST", "settings", json={"trusted": "127.0.0.1"})
    assert reply.status_code == 400 and "settings are cartsync_... names" in reply.json()["error"]


def test_on_4_0_a_forwarded_header_without_the_servers_own_address_is_refused() -> None:
    """OpenCart 4.0 replaces REMOTE_ADDR with X-Forwarded-For; where the web server gives PHP no
    address of its own, the extension cannot tell a proxy's header from a forged one."""
    with start_sandbox_store("4.0") as store:
        store.server_gives_remote_addr = False  # as PHP's built-in server
        store.set_setting("cartsync_trusted_proxies", "127.0.0.1")
        token = requests.post(f"{store.url}/index.php", params={"route": "api/account/login"}, timeout=5,
                              data={"username": store.api_username, "key": store.api_key}).json()["api_token"]
        version = {"route": "extension/cartsync/api/cartsync.version", "api_token": token}
        forged = requests.get(f"{store.url}/index.php", params=version, timeout=5,
                              headers={"X-Forwarded-For": "127.0.0.1"})
        assert forged.status_code == 403
        assert forged.json()["error"]["message"].startswith("Your IP cannot be told: OpenCart 4.0 put")
        assert requests.get(f"{store.url}/index.php", params=version, timeout=5).ok  # no header: as it came
