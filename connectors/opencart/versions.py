"""What differs between OpenCart versions, as data both the client and the sandbox store read.

`VARIANT_ROUTES` follows `connectors/opencart/schemas/extension.openapi.yaml`: where each extension
operation lives for each way the cartsync extension can be installed.
"""

from __future__ import annotations

VERSIONS: tuple[str, ...] = ("2.1", "2.3", "3.0", "4.0", "4.1")

# The exact release each sandbox store reports (the releases the reference was observed on).
RELEASES: dict[str, str] = {
    "2.1": "2.1.0.2", "2.3": "2.3.0.2", "3.0": "3.0.5.1", "4.0": "4.0.2.3", "4.1": "4.1.0.4",
}

# The variants that can be installed on each version, most likely first.
VARIANTS_FOR_VERSION: dict[str, tuple[str, ...]] = {
    "2.1": ("api",),
    "2.3": ("api",),
    "3.0": ("extension3", "api"),
    "4.0": ("extension4",),
    "4.1": ("signed",),
}

LOGIN_ROUTE = {"2.1": "api/login", "2.3": "api/login", "3.0": "api/login", "4.0": "api/account/login"}
TOKEN_PARAM = {"2.1": "token", "2.3": "token", "3.0": "api_token", "4.0": "api_token"}
SIGNED_API_ROUTE = "api/order"  # 4.1: the stock API route that takes signed calls
HISTORY_ROUTE = {
    "2.1": "api/order/history", "2.3": "api/order/history", "3.0": "api/order/history",
    "4.0": "api/sale/order.addHistory",
}
HISTORY_CALL_41 = "history_add"
SIGNED_EXTENSION_ROUTE = "extension/cartsync/api/cartsync"
# The oldest extension this connector works with (1.1.0: text unescaped, option products follow
# their option values, sku falls back to the model).
MIN_EXTENSION_VERSION = (1, 1, 0)


def extension_route(variant: str, operation: str) -> tuple[str, dict[str, str]]:
    """The `route` value (and any extra query parameters) of an extension operation."""
    if variant == "api":
        return f"api/cartsync/{operation}", {}
    if variant == "extension3":
        return f"extension/module/cartsync/{operation}", {}
    if variant == "extension4":
        return f"extension/cartsync/api/cartsync.{operation}", {}
    if variant == "signed":
        return SIGNED_EXTENSION_ROUTE, {"call": operation}
    raise ValueError(f"unknown extension variant {variant!r}")

