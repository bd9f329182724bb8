"""A reverse proxy in front of a sandbox store, as Cloudflare or a load balancer is: it passes each
request on with its Host header, and adds the client address it saw as X-Forwarded-For (here a
public address, as the proxy of a store on the internet sees the cartsync server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import requests

from cartsync.engine.sandbox_server import SandboxServer

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")

    def _forward(self, method: str) -> None:
        upstream, client = self.server.state  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_HEADERS}
        headers["X-Forwarded-For"] = client
        reply = requests.request(method, upstream + self.path, data=body, headers=headers, timeout=30,
                                 allow_redirects=False)
        self.send_response(reply.status_code)
        for name, value in reply.headers.items():
            if name.lower() not in HOP_HEADERS | {"date", "server"}:
                self.send_header(name, value)
        self.send_header("Date", reply.headers.get("Date", self.date_time_string()))
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)


@contextmanager
def forwarding_proxy(upstream: str, client: str) -> Iterator[str]:
    """The proxy's URL; it tells the store the client is at `client`."""
    server = SandboxServer(_Forward, (upstream, client)).start()
    try:
        yield server.url
    finally:
        server.stop()
