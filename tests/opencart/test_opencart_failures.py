"""Store failures other than login, each turned into a message the store owner can act on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from cartsync.connectors.opencart.sandbox import start_sandbox_store
from cartsync.engine.errors import ConnectError, TransientError
from cartsync.engine.sandbox_server import JsonRequestHandler, SandboxServer


def test_maintenance_page_on_non_api_routes_only() -> None:
    with start_sandbox_store("3.0") as store:
        store.set_maintenance(True)
        page = requests.get(f"{store.url}/index.php", params={"route": "extension/module/cartsync/version"})
        assert page.status_code == 503 and page.headers["Retry-After"] == "3600"
        assert "<h1>Maintenance</h1>" in page.text
        login = requests.post(f"{store.url}/index.php", params={"route": "api/login"},
                              data={"username": "cartsync", "key": "sandbox-key"})
        assert "api_token" in login.json()


@pytest.mark.parametrize("version", ["3.0", "4.0", "4.1"])
def test_maintenance_blocks_extension_reads_with_a_clear_message(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        store.set_maintenance(True)
        with pytest.raises(ConnectError) as caught:
            list(make_connector(store).read("orders", {}, None))
    text = str(caught.value)
    assert text.startswith(f"The store at {store.url} is in maintenance mode: it answered ")
    assert "with its 503 'Maintenance' page" in text
    assert "What still works: the API login, order history (shipment confirmation)" in text


@pytest.mark.parametrize("version", ["2.1", "2.3", "3.0", "4.0", "4.1"])
def test_order_history_still_works_in_maintenance_mode(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        store.set_maintenance(True)
        shipped = store.status_id("Shipped")
        connector = make_connector(store, status_ids={"Shipped": shipped})
        outcomes = connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])
        assert outcomes[0].status == "ok"
        assert store.order(1002)["order_status"] == "Shipped"


def test_2x_api_variant_reads_in_maintenance_mode(make_connector) -> None:
    with start_sandbox_store("2.3") as store:
        store.set_maintenance(True)
        pages = list(make_connector(store).read("orders", {"statuses": ["Complete"]}, None))
        assert [o["order_id"] for o in pages[0].records] == [1005]


def test_check_reports_maintenance_mode(make_connector) -> None:
    with start_sandbox_store("3.0") as store:
        store.set_maintenance(True)
        report = make_connector(store).check()
    items = {item.label: item for item in report.items}
    assert items["maintenance mode"].value == (
        "ON: order download and inventory sync wait until it is off (the extension's routes answer the 503 "
        "page); shipment confirmation needs status_ids in the connection (no run with the store open saved "
        "them yet)")
    assert items["extension"].value == "blocked by maintenance mode (its routes are outside api/)"
    assert items["API user may"].value == "add order history (api/order/history)"
    assert not report.ok


@pytest.mark.parametrize("version", ["2.1", "2.3"])
def test_php_notices_before_json(version: str, make_connector) -> None:
    with start_sandbox_store(version) as store:
        store.php_notices(True)
        with pytest.raises(ConnectError) as caught:
            make_connector(store).check()
    text = str(caught.value)
    assert f"The store at {store.url} printed PHP messages before its JSON reply to api/login" in text
    assert "Warning: Undefined array key" in text
    assert "Set Display Errors = No in System > Settings > edit the store > Server" in text
    assert "display_errors=Off" in text


class _NotAStore(JsonRequestHandler):
    def do_POST(self) -> None:
        self.read_body()
        self.send_text(404, "<html><body>Not Found</body></html>", "text/html")


def test_wrong_url_no_opencart_there(make_connector) -> None:
    with SandboxServer(_NotAStore, None) as other, start_sandbox_store("3.0") as store:
        with pytest.raises(ConnectError) as caught:
            make_connector(store, store_url=other.url).check()
        with pytest.raises(ConnectError) as admin:
            make_connector(store, store_url=f"{other.url}/admin").check()
    assert str(caught.value).startswith(f"No OpenCart store answers at {other.url}: "
                                        f"index.php?route=api/login answered HTTP 404")
    assert "store_url must be the shop's own address" in str(caught.value)
    assert "store_url points at the admin; use the shop's own address (drop /admin)." in str(admin.value)


def test_nothing_listening(make_connector) -> None:
    with start_sandbox_store("3.0") as store:
        url = store.url
    with pytest.raises(ConnectError) as caught:
        make_connector(store).check()
    message = caught.value.message
    assert message.startswith(f"Cannot reach the OpenCart store at {url}: connection refused")
    assert message.count(url) == 1  # the address is named once, not "at URL at URL"


@pytest.mark.parametrize(("version", "hint"), [
    ("2.3", "Copy the extension's upload/ folder into the store"),
    ("3.0", "Upload cartsync.ocmod.zip in Extensions > Installer, then enable it in Extensions > Extensions"),
    ("4.0", "Upload cartsync.ocmod.zip in Extensions > Installer and press Install"),
    ("4.1", "Upload cartsync.ocmod.zip in Extensions > Installer and press Install"),
])
def test_extension_not_installed(version: str, hint: str, make_connector) -> None:
    with start_sandbox_store(version, extension_installed=False) as store:
        connector = make_connector(store)
        with pytest.raises(ConnectError) as caught:
            list(connector.read("products", {}, None))
        report = make_connector(store).check()
    text = str(caught.value)
    assert text.startswith(f"The cartsync extension is not installed on this OpenCart {version[0]}")
    assert "answered 'page not found'" in text and hint in text
    extension = next(item for item in report.items if item.label == "extension")
    assert not extension.ok and hint in extension.value


def test_tls_certificate_not_trusted(make_connector, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                           "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], capture_output=True)
    if made.returncode != 0:
        pytest.skip("openssl cannot make a test certificate here")
    with start_sandbox_store("3.0") as store:
        store.use_tls(cert, key)
        url = store.url
        with pytest.raises(ConnectError) as caught:
            make_connector(store).check()
    text = str(caught.value)
    assert text.startswith(f"TLS verification failed for the OpenCart store at {url}")
    assert "The store's HTTPS certificate is expired, self-signed, or issued for another name" in text


def test_an_extension_older_than_this_cartsync_is_named(make_connector) -> None:
    with start_sandbox_store("3.0") as store:
        store.extension_version = "1.0.0"
        with pytest.raises(ConnectError) as caught:
            list(make_connector(store).read("products", {}, None))
    assert caught.value.message == (
        "The cartsync extension on the store is version 1.0.0; this cartsync needs 1.1.0 or later.")
    assert "install the one for the store's version again" in str(caught.value)


def test_a_signed_read_whose_reply_was_lost_is_signed_anew(make_connector) -> None:
    """4.1: the store took the signature, then the reply was lost; the same signature would be
    refused as a replay, so the read is signed again."""
    with start_sandbox_store("4.1") as store:
        store.inject_fault("products", "drop-after", times=1)
        products = [p for page in make_connector(store).read("products", {}, None) for p in page.records]
        report = store.faults.report()
    assert len(products) == 9
    assert report["requests"]["products"] == 3  # taken and lost, refused as used, signed anew


def test_a_read_the_store_keeps_failing_says_its_reply_was_empty(make_connector) -> None:
    with start_sandbox_store("3.0") as store:
        connector = make_connector(store)
        connector.check()
        store.inject_fault("orders", "500-before", times=10)
        with pytest.raises(TransientError) as caught:
            list(connector.read("orders", {}, None))
    assert f"answered 500 to GET {store.url}/index.php " in caught.value.message
    assert caught.value.message.endswith(" times: (an empty reply)")
