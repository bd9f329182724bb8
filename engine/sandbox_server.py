"""A small base for the sandbox servers that connectors ship (sandbox store, sandbox WMS).

The servers are real HTTP/1.1 servers on 127.0.0.1 with keep-alive. Nagle's algorithm is
disabled on every accepted socket: with it on, each keep-alive request stalls ~40 ms on the
delayed ACK, and every test and benchmark would measure that stall instead of cartsync.

`latency` (seconds) delays every reply of the system's API, as a distant server does; operator
routes (`/_sandbox/...`) answer at once. Requests wait in parallel, each on its own thread, so a
client that sends several at a time gains what it would gain from a real server.
"""

from __future__ import annotations

import errno
import gc
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cartsync.engine.errors import ConfigError


def parse_form(body: bytes) -> dict[str, str]:
    """A form-encoded body as PHP's $_POST gives it: the last value of a repeated name wins."""
    text = body.decode("utf-8", "replace")
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


OPERATOR_PREFIX = "/_sandbox/"


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Build a large data set (generated orders, items) without the garbage collector walking it
    again and again, and keep it out of later collections: it lives as long as the sandbox, and
    requests stay as fast with a hundred thousand orders as with ten."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class JsonRequestHandler(BaseHTTPRequestHandler):
    """Request handler with JSON helpers. Subclasses implement do_GET / do_POST."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
        return

    _date: tuple[int, str] = (0, "")  # the Date header of the current second, shared by every request

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, formatted once a second (formatting it took a tenth of a request)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        second = int(time.time())
        if JsonRequestHandler._date[0] != second:
            JsonRequestHandler._date = (second, super().date_time_string(second))
        return JsonRequestHandler._date[1]

    def wait_latency(self) -> None:
        """The configured delay of an API request (see the module's docstring)."""
        latency = self.server.latency  # type: ignore[attr-defined]
        if latency > 0 and not self.path_only.startswith(OPERATOR_PREFIX):
            time.sleep(latency)

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        """Query parameters; a repeated name keeps its last value."""
        return {key: values[-1] for key, values in parse_qs(urlsplit(self.path).query,
                                                             keep_blank_values=True).items()}

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_json(self) -> Any:
        body = self.read_body()
        return json.loads(body) if body else None

    def read_form(self) -> dict[str, str]:
        return parse_form(self.read_body())

    def send_body(self, status: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.send_body(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)

    def send_text(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:
        self.send_body(status, text.encode(), content_type, headers)


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """A client that goes away mid-request (killed, timed out) is normal for a sandbox: no traceback."""

    daemon_threads = True
    request_queue_size = 128  # a burst of new connections (benchmarks) is queued, not refused

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _listen(handler: type[BaseHTTPRequestHandler], port: int) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:`port`; a port that cannot be used is a ConfigError (exit 2)."""
    hint = "choose another --port, or 0 for a free one"
    try:
        return QuietThreadingHTTPServer(("127.0.0.1", port), handler)
    except OverflowError:
        raise ConfigError(f"Port {port} is not a port number (0 to 65535).", hint=hint) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(f"Port {port} on 127.0.0.1 is already in use.", hint=hint) from None
        raise ConfigError(f"Cannot listen on 127.0.0.1:{port}: {error.strerror}.", hint=hint) from None


class SandboxServer:
    """Runs a handler class on 127.0.0.1 in a background thread.

    `port=0` picks a free port. Use as a context manager, or call `start()` / `stop()`.
    The handler reaches shared state through `self.server.state`; `latency` is in seconds.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: Any, port: int = 0,
                 latency: float = 0.0) -> None:
        self.httpd = _listen(handler, port)
        self.httpd.state = state  # type: ignore[attr-defined]
        self.latency = latency
        self._thread: threading.Thread | None = None

    @property
    def latency(self) -> float:
        return self.httpd.latency  # type: ignore[attr-defined]

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"latency must be 0 or more seconds, not {seconds}")
        self.httpd.latency = seconds  # type: ignore[attr-defined]

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Block until interrupted (the `cartsync sandbox …` commands)."""
        try:
            self.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.httpd.server_close()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
