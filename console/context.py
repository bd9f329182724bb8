"""What every console handler shares: the state store, the users, the templates, and the guard
that signs people in, checks CSRF tokens and roles before a handler runs."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from cartsync.console.auth import CSRF_FIELD, Auth, NotTrusted, csrf_ok, csrf_token
from cartsync.engine.state import StateStore
from cartsync.engine.state.browse import StateBrowser
from cartsync.engine.state.location import is_postgres

T = TypeVar("T")
NextRun = Callable[[str], datetime | None]  # pipeline name → its next scheduled run (from `serve`)
Handler = Callable[["Console", Request], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class StorePool:
    """State stores opened once and lent to one request at a time.

    A connection that stays open keeps its page cache: the indexes a page walks are read from
    memory on the next request instead of being parsed again from the file (a PostgreSQL server
    keeps its own cache; there an open connection saves the connection's setup).
    """

    CACHE_KIB = 16 * 1024  # page cache of each connection

    def __init__(self, state: str) -> None:
        self.state = state
        self._idle: list[StateStore] = []
        self._lock = threading.Lock()

    def run(self, work: Callable[[StateStore], T]) -> T:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = StateStore.open(self.state)
            if not is_postgres(self.state):
                store.db.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")
        try:
            return work(store)
        finally:
            with self._lock:
                self._idle.append(store)


@dataclass
class Console:
    stores: StorePool
    auth: Auth
    templates: Jinja2Templates
    next_run: NextRun | None = None
    client: str | None = None  # whose pipeline health to show (None: every client in the store)

    # -- the state store, off the event loop ----------------------------------------------

    async def read(self, work: Callable[[StateBrowser], T]) -> T:
        return await self.write(lambda store: work(StateBrowser(store)))

    async def write(self, work: Callable[[StateStore], T]) -> T:
        """Run `work` on a store of the pool, in a worker thread."""
        return await run_in_threadpool(self.stores.run, work)

    # -- responses ------------------------------------------------------------------------

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
        flashes = request.session.pop("flash", []) if "session" in request.scope else []
        response = self.templates.TemplateResponse(
            request,
            template,
            {
                "user": getattr(request.state, "user", None),
                "csrf_token": csrf_token(request),
                "csrf_field": CSRF_FIELD,
                "flashes": flashes,
                "root": request.scope.get("root_path", ""),
                "uses_passwords": self.auth.uses_passwords,
                **context,
            },
            status_code=status_code,
        )
        return response

    def error(self, request: Request, status_code: int, message: str) -> Response:
        return self.render(
            request, "error.html", status_code=status_code, code=status_code, message=message, title="Error"
        )

    @staticmethod
    def redirect(request: Request, path: str) -> RedirectResponse:
        return RedirectResponse(request.scope.get("root_path", "") + path, status_code=303)

    @staticmethod
    def flash(request: Request, kind: str, text: str) -> None:
        request.session.setdefault("flash", []).append([kind, text])

    @staticmethod
    def local_path(request: Request, target: str | None, default: str) -> str:
        """`target` if it is a path inside this console (no other host), else `default`; root-relative."""
        root = request.scope.get("root_path", "")
        parts = urlsplit(target or "")
        if (
            parts.scheme
            or parts.netloc
            or not parts.path.startswith(root + "/")
            or parts.path.startswith("//")
        ):
            return default
        return parts.path[len(root) :] + (f"?{parts.query}" if parts.query else "")


def guarded(handler: Handler, console: Console, *, act: bool = False) -> Endpoint:
    """Wrap a handler: a signed-in user, and on POST a valid CSRF token; `act` needs the operator role."""

    async def endpoint(request: Request) -> Response:
        try:
            user = console.auth.current_user(request)
        except NotTrusted as problem:
            return console.error(request, 403, str(problem))
        if user is None:
            if request.method != "GET":
                return console.error(request, 401, "Your session has ended: sign in again.")
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return console.redirect(request, "/login?next=" + quote(wanted, safe=""))
        request.state.user = user
        if request.method == "POST":
            form = await request.form()
            request.state.form = form
            if not csrf_ok(request, form.get(CSRF_FIELD)):
                return console.error(
                    request,
                    403,
                    "This form is out of date or came from another site, so nothing was changed. "
                    "Reload the page and try again.",
                )
            if act and not user.can_act:
                return console.error(request, 403, f"Your role ({user.role}) is read-only: ask an operator.")
        return await handler(console, request)

    return endpoint
