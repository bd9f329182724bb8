"""The settings of a `wms3pl` connection: their types, defaults and meaning, declared once. The
connection schema is generated from this class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cartsync.engine.secrets import Secret
from cartsync.engine.settings import ConnectionSettings, setting

DEFAULT_BASE_URL = "https://secure-wms.com"


@dataclass(frozen=True)
class WmsSettings(ConnectionSettings):
    """Extensiv 3PL Warehouse Manager REST API. The warehouse gives you the client id and secret, the
    user login id, the customer id and the facility id (and for some credentials a 3PL key, tpl). Keep
    the secret in the environment: client_secret: ${WMS_CLIENT_SECRET}."""

    client_id: str = setting(
        description="OAuth2 client id, e.g. ${WMS_CLIENT_ID}.", credential=True, minLength=1
    )
    client_secret: Secret = setting(
        description="OAuth2 client secret, e.g. ${WMS_CLIENT_SECRET}. Never printed."
    )
    user_login_id: str = setting(
        description="The numeric user login id the token is issued for.", type=["integer", "string"]
    )
    base_url: str = setting(
        DEFAULT_BASE_URL,
        description="https://secure-wms.com (production) or https://box.secure-wms.com (the vendor's "
        "sandbox).",
        format="http-url",
        clean=lambda url: url.rstrip("/"),
    )
    tpl: str | None = setting(
        None, description="The 3PL key (a GUID such as {0a1b…}), only for credentials that need it."
    )
    customer_id: int | None = setting(
        None, description="The WMS customer orders are created for. Needed to write orders.", minimum=1
    )
    facility_id: int | None = setting(
        None,
        description="The warehouse (facility) orders go to; also the one `stock` reads with "
        "`facility: configured`.",
        minimum=1,
    )
    timeout: float = setting(30, description="Seconds to wait for a reply.", exclusiveMinimum=0)
    verify_tls: bool = setting(
        True, description="Verify the server's TLS certificate. Turn off only for a test host."
    )
    concurrency: int = setting(
        16,
        description="Requests under way at the same time, at most; halved on a 429 (and Retry-After "
        "honoured), grown back one by one. The WMS documents no rate limit.",
        minimum=1,
        maximum=64,
    )
    page_size: int = setting(
        100,
        description="Orders per page when reading shipments. Stock is always read at the API's largest "
        "page, 500 rows.",
        minimum=1,
        maximum=1000,
    )
    reply_format: Literal["hal", "json"] = setting(
        "hal",
        description="Ask for HAL (application/hal+json) or plain JSON replies. Both are read either way.",
    )
