"""The HTTP side of the sandbox store: turns a request into a `routes.Request`, applies the fault
plan, and writes the reply. `/_sandbox/...` requests go to the operator routes (`operator.py`).

Fault kinds, as a real store and the network in front of it fail:

| kind | what happens |
|---|---|
| `500-before` | HTTP 500 as when PHP fails (`replies.server_error`); nothing is done |
| `500-after` | the request is carried out (a history row is committed, its mail sent), then the same 500 |
| `drop-after` | the request is carried out, then the connection is closed without a reply |
| `slow` | the reply comes `delay` seconds late (the request is carried out after the wait) |
"""

from __future__ import annotations

import json
import time
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING

from cartsync.connectors.opencart.cleaning import clean_form
from cartsync.connectors.opencart.sandbox import operator
from cartsync.connectors.opencart.sandbox.client_ip import php_remote_addr
from cartsync.connectors.opencart.sandbox.replies import Reply, not_found_page, server_error, with_php_notices
from cartsync.connectors.opencart.sandbox.routes import Request, dispatch, fault_route
from cartsync.engine.sandbox_server import JsonRequestHandler, parse_form

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.store import SandboxStore

FAULT_KINDS = ("500-before", "500-after", "drop-after", "slow")


class StoreRequestHandler(JsonRequestHandler):
    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, by the store's clock (`SandboxStore.advance_clock`)."""
        store: SandboxStore = self.server.state  # type: ignore[attr-defined]
        return super().date_time_string(store.state.now() if timestamp is None else timestamp)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        store: SandboxStore = self.server.state  # type: ignore[attr-defined]
        self.wait_latency()
        if self.path_only.startswith(operator.PREFIX):
            body = self.read_body() if method == "POST" else b""
            status, payload = operator.handle(store, method, self.path_only, self.query, body)
            self.send_json(status, payload)
            return
        query = self.query
        store.requests.append(" ".join(filter(None, (query.get("route", ""), query.get("call")))))
        if self.path_only not in ("/", "/index.php"):
            self._send(not_found_page())
            return
        request = self._request(method, store)
        fault = store.faults.take(fault_route(store, request))
        kind = fault.kind if fault else None
        if fault is not None and kind == "slow":
            time.sleep(fault.delay)
        if kind == "500-before":
            self._send(server_error(store.version))
            return
        reply = dispatch(store, request)
        if store.notices and reply.body:
            reply = with_php_notices(reply)
        if kind == "drop-after":
            self.close_connection = True
            return
        self._send(server_error(store.version) if kind == "500-after" else reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_body(reply.status, reply.body.encode(), reply.content_type, reply.headers)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a slow reply)
            self.close_connection = True

    def _request(self, method: str, store: SandboxStore) -> Request:
        form: dict[str, str] = {}
        body = None
        raw = self.read_body() if method == "POST" else b""
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
        elif raw:
            # as OpenCart's Request does
            form = clean_form(parse_form(raw), store.cleans_post_as or store.version)
        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        query = self.query
        headers = {name.lower(): value for name, value in self.headers.items()}
        connecting = store.seen_ip or self.client_address[0]
        return Request(method=method, route=query.get("route", "common/home"), query=query, form=form,
                       body=body, raw_body=raw, ip=php_remote_addr(store.version, connecting, headers),
                       host=self.headers.get("Host") or "", script_path=self.path_only or "/",
                       cookie=cookies["PHPSESSID"].value if "PHPSESSID" in cookies else None,
                       headers=headers, server_remote=connecting if store.server_gives_remote_addr else None)
