"""The shapes of what an OpenCart store sends back: JSON, its HTML pages, PHP's error text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

PHP_NOTICE = ("<br />\n<b>Warning</b>:  Undefined array key \"customer_id\" in "
              "<b>/var/www/html/catalog/controller/startup/startup.php</b> on line <b>94</b><br />\n")
PHP_FATAL = ("<br />\n<b>Fatal error</b>:  Uncaught Error: Call to a member function get() on null in "
             "/var/www/html/catalog/controller/api/sale/order.php:1102\nStack trace:\n#0 "
             "/var/www/html/system/engine/action.php(86): Opencart\\Catalog\\Controller\\Api\\Sale\\Order"
             "->addHistory()\n#1 {main}\n  thrown in <b>/var/www/html/catalog/controller/api/sale/order.php"
             "</b> on line <b>1102</b><br />\n")


@dataclass
class Reply:
    status: int
    body: str
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload), JSON_TYPE, headers or {})


def not_found_page() -> Reply:
    return Reply(404, "<!DOCTYPE html><html><head><title>The page you requested cannot be found!</title>"
                      "</head><body><h1>The page you requested cannot be found!</h1>"
                      "<p>Powered By <a href=\"https://www.opencart.com\">OpenCart</a></p></body></html>",
                 HTML_TYPE)


def maintenance_page(store_name: str) -> Reply:
    return Reply(503, f"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>"
                      f"<h1>Maintenance</h1><p>{store_name} is currently performing scheduled maintenance. "
                      f"We will be back as soon as possible. Please check back soon.</p></body></html>",
                 HTML_TYPE, {"Retry-After": "3600"})


def home_page(store_name: str) -> Reply:
    return Reply(200, f"<!DOCTYPE html><html><head><title>{store_name}</title></head><body>"
                      f"<h1>{store_name}</h1><p>Powered By <a href=\"https://www.opencart.com\">OpenCart</a>"
                      f"</p></body></html>", HTML_TYPE)


def php_fatal_error() -> Reply:
    """4.0's reply to a call with a bad or expired `api_token`: HTTP 200, PHP's fatal error text."""
    return Reply(200, PHP_FATAL, HTML_TYPE)


def server_error(version: str) -> Reply:
    """HTTP 500 from PHP failing mid-request: an empty body on 2.x and 3.0 (display_errors off),
    OpenCart 4's own error display otherwise (its `error_display` setting is on by default)."""
    if not version.startswith("4"):
        return Reply(500, "", HTML_TYPE)
    return Reply(500, "<b>Error: E-Mail message required!</b>: in <b>/var/www/html/system/library/mail.php"
                      "</b> on line <b>147</b>", HTML_TYPE)


def with_php_notices(reply: Reply) -> Reply:
    """What every reply looks like when PHP display_errors is on and a notice fires first."""
    return Reply(reply.status, PHP_NOTICE + reply.body, HTML_TYPE, reply.headers)
