"""The console as an ASGI application: `create_app(state, users, secret=…)`.

`cartsync console` serves it with uvicorn; `cartsync serve --console` mounts one per client under
/console/<client> (console/mount.py): links and redirects follow the mount's root path.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cartsync.console import actions, pages
from cartsync.console.auth import Auth, AuthSettings
from cartsync.console.context import Console, Endpoint, Handler, NextRun, StorePool, guarded
from cartsync.console.templating import STATIC, make_templates
from cartsync.console.users import UserFile
from cartsync.engine.errors import ConfigError
from cartsync.engine.state.location import display, is_postgres

MIN_SECRET_LENGTH = 32
SESSION_COOKIE = "cartsync_console"
SESSION_HOURS = 12

CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


def create_app(
    state: str | Path,
    users: Path | UserFile,
    *,
    secret: str,
    auth: AuthSettings | None = None,
    https_only: bool = False,
    next_run: NextRun | None = None,
    client: str | None = None,
) -> Starlette:
    """The console over one state store.

    state: the state store: a SQLite file that must exist, or a postgresql:// URL.
    users: the users file (see `cartsync.console.users`), read again when it changes.
    secret: signs session cookies; at least 32 characters, from the environment.
    auth: password logins (default) or a trusted reverse proxy's user header.
    https_only: mark the session cookie Secure (when the console is reached over HTTPS).
    next_run: pipeline name → its next scheduled run, shown on the overview (`serve` knows it).
    client: the client whose pipeline health the overview shows (None: any in the store).
    """
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"The console's session secret is too short ({len(secret)} characters).",
            hint=f"Set CARTSYNC_CONSOLE_SECRET to at least {MIN_SECRET_LENGTH} random characters, "
            'e.g. python3 -c "import secrets; print(secrets.token_urlsafe(32))"',
        )
    state_text = str(state)
    if not is_postgres(state_text) and not Path(state_text).is_file():
        raise ConfigError(
            f"No state store at {display(state_text)}.",
            hint="Point --state (or CARTSYNC_STATE) at the state.db that `cartsync run` writes.",
        )
    stores = StorePool(state_text)
    stores.run(lambda store: None)  # a store it cannot open fails now, not on the first page
    user_file = users if isinstance(users, UserFile) else UserFile(Path(users))
    console = Console(stores, Auth(user_file, auth or AuthSettings()), make_templates(), next_run, client)

    def page(handler: Handler, *, act: bool = False) -> Endpoint:
        return guarded(handler, console, act=act)

    def plain(handler: Handler) -> Endpoint:  # the sign-in pages: no user yet
        async def endpoint(request: Request) -> Response:
            return await handler(console, request)

        return endpoint

    routes = [
        Route("/", page(pages.overview)),
        Route("/orders", page(pages.orders)),
        Route("/orders/actions", page(actions.ledger_action, act=True), methods=["POST"]),
        Route("/orders/{key:path}", page(pages.order)),
        Route("/runs", page(pages.runs)),
        Route("/runs/{run_id:int}", page(pages.run)),
        Route("/stock", page(pages.stock)),
        Route("/stock/{key:path}", page(pages.stock_item)),
        Route("/alerts", page(pages.alerts)),
        Route("/login", plain(actions.login_form), methods=["GET"]),
        Route("/login", plain(actions.login), methods=["POST"]),
        Route("/logout", page(actions.logout), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_HOURS * 3600,
            same_site="lax",
            https_only=https_only,
        ),
    ]
    return Starlette(routes=routes, middleware=middleware)


class SecurityHeaders:
    """Adds a strict content security policy and friends; pages, which show personal data, are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if not scope["path"].startswith(scope.get("root_path", "") + "/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
