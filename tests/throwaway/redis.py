"""A throwaway Redis server on a free port, with its append-only file in a temporary folder.

`restart()` stops it gracefully and starts it again on the same port with the same data, as an
operator restarting the broker would. `CARTSYNC_TEST_REDIS` uses a running server instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from throwaway.ports import Missing, free_port

ENV = "CARTSYNC_TEST_REDIS"


@dataclass
class RedisServer:
    port: int
    folder: Path | None = None  # None: a server this code did not start (cannot restart it)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    given_url: str | None = None

    def url(self, db: int = 0) -> str:
        if self.given_url:
            return self.given_url.rsplit("/", 1)[0] + f"/{db}"
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        assert self.folder is not None, "a server given by CARTSYNC_TEST_REDIS is not restarted here"
        self.process = subprocess.Popen(
            [binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "yes", "--protected-mode", "no",
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_pong(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise Missing(
            "Redis is not installed: no redis-server on PATH. "
            f"Install it (apt-get install redis-server) or set {ENV}=redis://host:port/0."
        )
    return found


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """The server named by CARTSYNC_TEST_REDIS, else a throwaway one."""
    if os.environ.get(ENV):
        yield RedisServer(port=0, given_url=os.environ[ENV])
        return
    with throwaway_redis() as server:
        yield server


@contextmanager
def throwaway_redis() -> Iterator[RedisServer]:
    binary()
    folder = Path(tempfile.mkdtemp(prefix="cartsync-redis-"))
    server = RedisServer(port=free_port(), folder=folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_pong(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode} on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on port {port} within {timeout} s")
