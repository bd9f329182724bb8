"""The connection's settings (`connector: opencart` in connections.yaml): their types, defaults and
meaning, declared once. The connection schema is generated from this class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from cartsync.connectors.opencart.status_cache import DEFAULT_PATH
from cartsync.engine.secrets import Secret
from cartsync.engine.settings import ConnectionSettings, setting


def _no_trailing_slash(url: str) -> str:
    return url.rstrip("/")


def _off_when_empty(path: str) -> str | None:
    return path or None


@dataclass(frozen=True)
class StoreSettings(ConnectionSettings):
    """An OpenCart 2.1–4.1 store, reached with its Store URL and an API user's key (System > Users > API).
    Keep the key in the environment: api_key: ${SHOP_OC_KEY}."""

    store_url: str = setting(
        description="The shop's own address, the folder that holds its index.php, e.g. "
        "https://shop.example.com (not the admin).",
        format="http-url",
        clean=_no_trailing_slash,
    )
    api_key: Secret = setting(description="The API user's key, e.g. ${SHOP_OC_KEY}. Never printed.")
    api_username: str = setting(
        "Default",
        description="The API user's name (System > Users > API). OpenCart 2.x finds the user by its key "
        "alone.",
        minLength=1,
    )
    version: Literal["auto", "2.1", "2.3", "3.0", "4.0", "4.1"] = setting(
        "auto", description="The OpenCart version; auto detects it at login."
    )
    extension: Literal["auto", "api", "extension3", "extension4", "signed"] = setting(
        "auto",
        description="Where the cartsync extension's routes live: api (2.x, or 3.0 uploaded by hand), "
        "extension3 (3.0 Extension Installer), extension4 (4.0), signed (4.1). auto tries the ones the "
        "version allows.",
    )
    timeout: float = setting(30, description="Seconds to wait for a reply.", exclusiveMinimum=0)
    verify_tls: bool = setting(
        True, description="Verify the store's TLS certificate. Turn off only for a test store."
    )
    page_size: int = setting(
        200,
        description="Orders (or products) per page; the default is the extension's largest order page, "
        "the fewest round trips.",
        minimum=1,
        maximum=200,
    )
    overlap: timedelta = setting(
        "10 minutes",
        description="How far before the last cursor a later orders run starts again ('10 minutes', "
        "'2 hours', or seconds); the ledger drops the repeats.",
    )
    option_products: Literal["sum", "keep"] = setting(
        "sum",
        description="How the stock stream sets a product whose option values it sets: sum (the product's "
        "quantity becomes the total of its option values that take stock, in the same call, so the "
        "storefront sells what the options hold) or keep (left as it is).",
    )
    status_cache: str | None = setting(
        DEFAULT_PATH,
        description="A file (relative to the working folder) where the store's order status ids are kept "
        "after each run that can read them, so that shipment confirmation still resolves status names "
        "while maintenance mode blocks the extension's routes (3.0 installer package, 4.x). null: keep none.",
        clean=_off_when_empty,
    )
    status_ids: Mapping[str, int] = setting(
        {},
        description="Order status ids by name, e.g. {Shipped: 3}. Only needed when the extension cannot be "
        "asked (maintenance mode blocks extension/... routes); otherwise names are resolved with the store.",
        additionalProperties={"type": "integer", "minimum": 0},
    )
