"""The console inside `cartsync serve --console USERS_FILE`: one console per client, at
/console/<client>/, over that client's state store, with the next runs of its schedule.

All of them share the users file and the session secret, so one sign-in opens every client's
console. /console itself leads to the client's console, or lists the clients when there are several.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from cartsync.console.app import create_app
from cartsync.console.context import NextRun
from cartsync.console.users import UserFile
from cartsync.engine.serve.clients import ClientRuntime

PREFIX = "/console"


def console_routes(
    clients: Sequence[ClientRuntime], users: Path, *, secret: str, https_only: bool = False
) -> list[BaseRoute]:
    """Routes for serve's HTTP app: a console per client, and /console leading to them."""
    user_file = UserFile(users)
    paths = {client.name: f"{PREFIX}/{quote(client.name)}" for client in clients}
    routes: list[BaseRoute] = [
        Mount(
            paths[client.name],
            app=create_app(
                _state(client),
                user_file,
                secret=secret,
                https_only=https_only,
                next_run=next_runs(client),
                client=client.name,
            ),
        )
        for client in clients
    ]

    async def index(request: Request) -> Response:
        if len(paths) == 1:
            return RedirectResponse(next(iter(paths.values())) + "/", status_code=303)
        items = "".join(
            f'<li><a href="{escape(path)}/">{escape(name)}</a></li>' for name, path in sorted(paths.items())
        )
        return HTMLResponse(
            f"<!doctype html><title>cartsync console</title><h1>Clients</h1><ul>{items}</ul>",
            headers={"content-security-policy": "default-src 'none'"},
        )

    return [Route(PREFIX, index), Route(PREFIX + "/", index), *routes]


def next_runs(client: ClientRuntime) -> NextRun:
    """Pipeline name → when serve starts its next run (None: serve does not schedule it).

    Read at each request: a reloaded schedule changes the jobs."""

    def next_run(pipeline: str) -> datetime | None:
        return next((job.next_due for job in client.jobs if job.name == pipeline), None)

    return next_run


def _state(client: ClientRuntime) -> str:
    state = client.schedule.state
    return str(state.resolve()) if isinstance(state, Path) else state
