"""serve's HTTP side: /metrics, /healthz, /readyz and /push/<client>, on uvicorn + Starlette.

The app is plain ASGI, so other ASGI apps mount beside these routes through `mounts`: the web
console goes in as one `Mount("/console/<client>", app=create_app(...))` per client
(`cartsync serve --console`). `HttpServer` also serves the console on its own in tests and benchmarks.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cartsync.engine.serve.metrics import ServeMetrics
from cartsync.engine.serve.push import SIGNATURE_HEADER, TIMESTAMP_HEADER, refusal
from cartsync.engine.serve.scheduler import Scheduler

HEARTBEAT_LIMIT = 30.0  # seconds without a scheduler loop turn before /healthz fails
MAX_PUSH_BODY = 64 * 1024


@dataclass
class ServeStatus:
    """What the health endpoints look at."""

    scheduler: Scheduler
    metrics: ServeMetrics
    ready: Callable[[], bool]


def build_app(status: ServeStatus, mounts: Sequence[BaseRoute] = ()) -> Starlette:
    scheduler, metrics = status.scheduler, status.metrics

    async def healthz(request: Request) -> Response:
        silent = time.monotonic() - scheduler.heartbeat
        if silent > HEARTBEAT_LIMIT:
            return JSONResponse({"status": "stuck", "scheduler_silent_seconds": round(silent, 1)}, 503)
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if scheduler.stopping.is_set():
            return JSONResponse({"status": "stopping"}, 503)
        if not status.ready():
            return JSONResponse({"status": "starting"}, 503)
        clients = {
            client.name: [{"pipeline": job.name, "running": job.running} for job in client.jobs]
            for client in scheduler.clients.values()
        }
        return JSONResponse({"status": "ready", "clients": clients})

    async def prometheus(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    async def push(request: Request) -> Response:
        name = request.path_params["client"]
        client = scheduler.clients.get(name)
        if client is None or client.schedule.push_secret is None:
            metrics.pushes.labels("(unknown)", "unknown_client").inc()
            return JSONResponse({"error": f"no client {name!r} takes notifications"}, 404)
        body = await request.body()
        if len(body) > MAX_PUSH_BODY:
            metrics.pushes.labels(name, "refused").inc()
            return JSONResponse({"error": "body too large"}, 413)
        why = refusal(
            client.schedule.push_secret,
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            body,
            time.time(),
        )
        if why is not None:
            metrics.pushes.labels(name, "refused").inc()
            return JSONResponse({"error": why}, 401)
        if scheduler.stopping.is_set():
            return JSONResponse({"error": "shutting down"}, 503)
        metrics.pushes.labels(name, "accepted").inc()
        return JSONResponse({"triggered": scheduler.push(name)}, 202)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", prometheus),
        Route("/push/{client}", push, methods=["POST"]),
        *mounts,
    ]
    return Starlette(routes=routes)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound up front (port 0 picks a free one) whose connections send at once.

    Without TCP_NODELAY (which accepted sockets inherit), a reply's body can wait behind its
    headers for the client's delayed ACK: about 40 ms on every keep-alive request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    return listener


def uvicorn_server(app: Any, log_level: str = "warning") -> uvicorn.Server:
    """uvicorn as serve and the console run it. proxy_headers=False: a request's client address
    stays the TCP peer (X-Forwarded-For is not believed), which the console's sign-in limits and
    its proxy mode rely on."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
    )
    return uvicorn.Server(config)


class HttpServer:
    """uvicorn in a background thread, on a socket bound up front (port 0 picks a free one)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self.socket = listening_socket(host, port)
        self.host, self.port = host, self.socket.getsockname()[1]
        self.server = uvicorn_server(app)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="cartsync-http", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the HTTP server on {self.url} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)
        self.socket.close()

    def __enter__(self) -> HttpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
