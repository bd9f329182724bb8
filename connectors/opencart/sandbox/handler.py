"""The HTTP side of the sandbox store: turns a request into a `routes.Request` and writes the reply."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import TYPE_CHECKING

from cartsync.connectors.opencart.sandbox.replies import not_found_page, with_php_notices
from cartsync.connectors.opencart.sandbox.routes import Request, dispatch
from cartsync.engine.sandbox_server import JsonRequestHandler

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.store import SandboxStore


class StoreRequestHandler(JsonRequestHandler):
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        store: SandboxStore = self.server.state  # type: ignore[attr-defined]
        if self.path_only not in ("/", "/index.php"):
            reply = not_found_page()
        else:
            reply = dispatch(store, self._request(method, store))
            if store.notices and reply.body:
                reply = with_php_notices(reply)
        self.send_body(reply.status, reply.body.encode(), reply.content_type, reply.headers)

    def _request(self, method: str, store: SandboxStore) -> Request:
        form: dict[str, str] = {}
        body = None
        if method == "POST":
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                try:
                    body = self.read_json()
                except ValueError:
                    body = None
            else:
                form = self.read_form()
        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        query = self.query
        return Request(method=method, route=query.get("route", "common/home"), query=query, form=form,
                       body=body, ip=store.seen_ip or self.client_address[0],
                       host=self.headers.get("Host") or "", script_path=self.path_only or "/",
                       cookie=cookies["PHPSESSID"].value if "PHPSESSID" in cookies else None)
