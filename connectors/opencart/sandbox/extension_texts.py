"""Every text the cartsync extension answers, word for word as its PHP library says it
(`connectors/opencart/extension/src/cartsync/*.php`), and its error replies.

The texts name parameters and fields, never the value sent: hostile input is not echoed back.
The stock results are the exception, as in the PHP: they name the sku, model or option looked up.
"""

from __future__ import annotations

from cartsync.connectors.opencart.sandbox.replies import Reply, json_reply
from cartsync.connectors.opencart.signing import CLOCK_WINDOW_SECONDS

# guard.php: who may call
NO_SESSION = "No API session: log in through api/login and pass its token"
MISSING_TOKEN = "Missing api_token"
BAD_TOKEN = "Invalid or expired api_token"
USER_DISABLED = "The API user is disabled"
MISSING_SIGNED_FIELD = "Missing or invalid signature parameter {name}"
UNKNOWN_USER = "Unknown or disabled API user"
OUTSIDE_CLOCK_WINDOW = (
    f"The request time is outside the accepted clock window of {CLOCK_WINDOW_SECONDS} seconds"
)
BAD_SIGNATURE = "Bad signature (the store checked it for host {host} and path {path})"
SIGNATURE_USED = "This signed request was already used; each request is signed with a new nonce"

# params.php and catalog.php: why a parameter is invalid
SINGLE_VALUE = "expected a single value"
NON_NEGATIVE_INTEGER = "expected a non-negative integer"
POSITIVE_INTEGER = "expected a positive integer"
ID_LIST = "expected comma-separated integers"
DATE = "expected YYYY-MM-DD HH:MM:SS"
AFTER_ID_ALONE = "needs after_modified"
ITEMS_BODY = 'expected a JSON body {"items": [...]}'
TOO_MANY_ITEMS = "at most {max} items per call"
OPTION_PRODUCTS = "expected sum or keep"

# catalog.php: one stock item's result
ITEM_NOT_OBJECT = "An item must be an object"
ITEM_QUANTITY = "quantity must be an integer between -{max} and {max}"
ITEM_TEXT_FIELD = "{field} must be a non-empty string"
ITEM_NO_KEY = "An item needs sku or model"
ITEM_OPTION_PAIR = "option and value go together"
NO_PRODUCT = "No product has {field} {value}"
SHARED_KEY = "Products {ids} share {field} {value}"
NO_OPTION_VALUE = "Product {product_id} has no option value {option} = {value}"
SEVERAL_OPTION_VALUES = "Product {product_id} has several option values {option} = {value}"


class ExtensionError(Exception):
    """An error the extension answers as {"error": {"code": ..., "message": ...}} (error.php)."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    def reply(self) -> Reply:
        return json_reply({"error": {"code": self.code, "message": self.message}}, self.status)


def permission(message: str) -> ExtensionError:
    return ExtensionError("permission", 403, message)


def ip_not_allowed(ip: str) -> ExtensionError:
    return ExtensionError("ip", 403, f"Your IP {ip} is not allowed to access this API")


IP_UNKNOWN = ("Your IP cannot be told: OpenCart 4.0 put the X-Forwarded-For (or Client-IP) header in place "
              "of the connecting address, and this web server does not give PHP the original; a request "
              "with that header is refused (run PHP under PHP-FPM or Apache, or send no such header)")


def ip_unknown() -> ExtensionError:
    return ExtensionError("ip", 403, IP_UNKNOWN)


def invalid(parameter: str, why: str) -> ExtensionError:
    return ExtensionError("invalid_parameter", 400, f"Invalid parameter {parameter}: {why}")


def unknown_operation(operation: str | None) -> ExtensionError:
    """A call without `call` names the operation "(none)"."""
    name = "(none)" if operation is None else operation
    return ExtensionError("not_found", 404, f"Unknown operation {name}")
