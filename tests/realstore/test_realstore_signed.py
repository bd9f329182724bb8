"""The signed variant (4.1): a signature covers the raw body and is taken once, so a signed URL
read from an access log can neither carry another body nor be sent again."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from realstore_client import JSON, SIGNED_ROUTE, ContractClient, sign
from realstore_stores import RealStore

UNKNOWN_SKU = "CSYNC-NO-SUCH-SKU"  # the store answers not_found: nothing changes on any store


@pytest.fixture
def signed(store: RealStore) -> RealStore:
    if store.variant != "signed":
        pytest.skip("only the signed variant (4.1) authenticates each request by its signature")
    return store


def _post(client: ContractClient, query: dict[str, str], raw: bytes):
    return client.http.post(f"{client.store.url}/index.php", params=query, data=raw, headers=JSON, timeout=30)


def test_a_signed_stock_call_takes_effect_once_and_only_with_its_own_body(
    client: ContractClient, signed: RealStore
) -> None:
    raw = json.dumps({"items": [{"sku": UNKNOWN_SKU, "quantity": 5}]}).encode()
    query = client.auth_params("stock", raw)
    first = _post(client, query, raw)
    assert first.status_code == 200, first.text
    assert first.json()["results"][0]["status"] == "not_found"

    other = json.dumps({"items": [{"sku": UNKNOWN_SKU, "quantity": 0}]}).encode()
    swapped = _post(client, query, other)  # the logged URL with another body
    assert swapped.status_code == 403
    assert swapped.json()["error"]["message"].startswith("Bad signature")

    again = _post(client, query, raw)  # the same request once more
    assert again.status_code == 403
    assert again.json()["error"] == {
        "code": "permission",
        "message": "This signed request was already used; each request is signed with a new nonce",
    }


def test_a_signature_without_a_nonce_is_refused(client: ContractClient, signed: RealStore) -> None:
    query = sign(
        SIGNED_ROUTE, "version", signed.username, signed.key, urlsplit(signed.url).netloc, int(time.time())
    )
    del query["nonce"]
    reply = client.call("version", auth=query)
    assert reply.status_code == 403
    assert reply.json()["error"]["message"] == "Missing or invalid signature parameter nonce"
