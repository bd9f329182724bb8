"""One rule for the caller's IP, on every variant whose routes the extension guards itself: the
connecting address (REMOTE_ADDR), unless it is one of the store's trusted proxies
(`cartsync_trusted_proxies`); then the client address the proxy forwarded (X-Forwarded-For read
from the right, or `cartsync_client_ip_header`, e.g. CF-Connecting-IP). The tests connect from
127.0.0.1, which is on the API user's IP list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from realstore_admin import StoreAdmin
from realstore_client import ContractClient
from realstore_stores import RealStore

CLIENT = "203.0.113.9"  # a documentation address, as a client behind a proxy
OTHER = "198.51.100.7"


@pytest.fixture
def rule(store: RealStore, admin: StoreAdmin, client: ContractClient) -> Iterator[StoreAdmin]:
    if store.variant == "api":
        pytest.skip("the api variant's IP check is OpenCart's own (REMOTE_ADDR, at login and per call)")
    client.auth_params("version")  # token variants: log in first, from the listed 127.0.0.1
    yield admin
    for key in ("cartsync_trusted_proxies", "cartsync_client_ip_header"):
        admin.setting(key, None)
    admin.forbid_ip(CLIENT)


def _seen(reply) -> str:
    """The IP the store saw: 'listed' when it let the call through, else the one it names."""
    if reply.status_code == 200:
        return "listed"
    error = reply.json()["error"]
    assert error["code"] == "ip", error
    return error["message"].split("Your IP ", 1)[1].split(" ", 1)[0]  # "cannot" when it cannot be told


def _version(client: ContractClient, **headers: str):
    return client.http.get(f"{client.store.url}/index.php", params=client.auth_params("version"),
                           headers=headers, timeout=30)


def _address_lost_to_the_header(client: ContractClient) -> bool:
    """OpenCart 4.0 puts X-Forwarded-For in place of REMOTE_ADDR; under a web server that gives PHP
    no address of its own (PHP's built-in server) the extension cannot tell who sent the header."""
    reply = _version(client, **{"X-Forwarded-For": "127.0.0.2"})  # not the address connecting
    return reply.status_code == 403 and "Your IP cannot be told" in reply.json()["error"]["message"]


def test_forwarded_headers_count_only_from_a_trusted_proxy(client: ContractClient, rule: StoreAdmin) -> None:
    if _address_lost_to_the_header(client):
        rule.setting("cartsync_trusted_proxies", "127.0.0.1")
        assert _seen(_version(client, **{"X-Forwarded-For": CLIENT})) == "cannot"  # refused, not taken
        pytest.skip("X-Forwarded-For hid the connecting address (OpenCart 4.0 on a web server that does not "
                    "give PHP its own): requests with it are refused; the rest needs PHP-FPM or Apache")
    # no trusted proxy: a caller cannot claim another address (4.1 took the header as it came)
    assert _seen(_version(client, **{"X-Forwarded-For": CLIENT, "CF-Connecting-IP": CLIENT})) == "listed"
    rule.setting("cartsync_trusted_proxies", "10.0.0.0/8, 127.0.0.1")
    assert _seen(_version(client, **{"X-Forwarded-For": f"{OTHER}, {CLIENT}"})) == CLIENT
    rule.allow_ip(CLIENT)
    assert _seen(_version(client, **{"X-Forwarded-For": f"{OTHER}, {CLIENT}"})) == "listed"
    assert _seen(_version(client, **{"X-Forwarded-For": f"{CLIENT}, 10.1.2.3"})) == "listed"  # proxy chain
    assert _seen(_version(client)) == "listed"  # a request without the header: the proxy itself


def test_cf_connecting_ip_when_configured(client: ContractClient, rule: StoreAdmin) -> None:
    rule.setting("cartsync_trusted_proxies", "127.0.0.0/8")
    rule.setting("cartsync_client_ip_header", "CF-Connecting-IP")
    headers = {"CF-Connecting-IP": OTHER, "X-Real-IP": CLIENT}  # only the configured header counts
    assert _seen(_version(client, **headers)) == OTHER
    rule.allow_ip(CLIENT)
    headers = {"CF-Connecting-IP": CLIENT, "X-Real-IP": OTHER}
    assert _seen(_version(client, **headers)) == "listed"
