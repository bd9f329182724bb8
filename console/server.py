"""Serving the console with uvicorn: in the foreground (`cartsync console`), or from a background
thread of another process on a free port of 127.0.0.1 (tests, benchmarks, screenshots)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket whose connections send at once.

    Without TCP_NODELAY (which accepted sockets inherit), a page's body waits behind its headers
    for the browser's delayed ACK: about 40 ms on every keep-alive request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def server(app: Any, log_level: str) -> uvicorn.Server:
    # proxy_headers=False: the client address stays the TCP peer, which proxy sign-in checks.
    config = uvicorn.Config(
        app, log_level=log_level, proxy_headers=False, server_header=False, lifespan="off"
    )
    return uvicorn.Server(config)


def serve_forever(app: Any, host: str, port: int) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    server(app, "info").run(sockets=[listening_socket(host, port)])


class ConsoleThread:
    def __init__(self, app: Any) -> None:
        self.socket = listening_socket("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = server(app, "warning")
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> ConsoleThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the console server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
