"""`cartsync console`: start the web console, and manage its users."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console as Terminal

from cartsync.console import SUMMARY
from cartsync.console.users import (
    OPERATOR,
    VIEWER,
    User,
    UserFile,
    check_name,
    check_password,
    check_role,
    hash_password,
)
from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.state.location import display, resolve

DEFAULT_USERS = Path(".cartsync/console-users.yaml")
DEFAULT_PORT = 8808
SECRET_ENV = "CARTSYNC_CONSOLE_SECRET"

out = Terminal()
errors = Terminal(stderr=True)

app = typer.Typer(
    help=f"{SUMMARY}\n\n"
    "Start it with `cartsync console` (http://127.0.0.1:8808); add a user first with "
    "`cartsync console add-user NAME`.",
    invoke_without_command=True,
)

UsersPath = Annotated[
    Path,
    typer.Option("--users", envvar="CARTSYNC_CONSOLE_USERS", help="The console's users file."),
]


StateOption = Annotated[
    str | None,
    typer.Option(
        "--state",
        envvar="CARTSYNC_STATE",
        help="State store: a SQLite file (default .cartsync/state.db) or a postgresql:// URL.",
    ),
]


@app.callback()
def serve_console(
    ctx: typer.Context,
    state: StateOption = None,
    users: UsersPath = DEFAULT_USERS,
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep 127.0.0.1 behind a reverse proxy.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    auth: Annotated[
        str,
        typer.Option(help="password: users sign in (users file). proxy: a reverse proxy names the user."),
    ] = "password",
    proxy_header: Annotated[str, typer.Option(help="proxy mode: the header naming the user.")] = (
        "X-Forwarded-User"
    ),
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="proxy mode: address or network of a proxy to believe (repeat; default 127.0.0.1, ::1)."
        ),
    ] = None,
    proxy_role: Annotated[
        str, typer.Option(help="proxy mode: role of a user the users file does not list.")
    ] = VIEWER,
    https_only: Annotated[
        bool,
        typer.Option("--https-only", help="Send the session cookie only over HTTPS (behind a TLS proxy)."),
    ] = False,
) -> None:
    """Serve the console until Ctrl-C. The session secret comes from CARTSYNC_CONSOLE_SECRET.

    Example: CARTSYNC_CONSOLE_SECRET=… cartsync console --state clients/acme/.cartsync/state.db

    `cartsync serve --console USERS_FILE` serves it too, beside the schedule it runs.
    """
    if ctx.invoked_subcommand:
        return
    try:
        _serve(state, users, host, port, auth, proxy_header, trusted_proxy, proxy_role, https_only)
    except CartsyncError as error:
        _fail(error)


def require_web_packages() -> None:
    """The console's web packages (the `console` extra), or a ConfigError saying how to install them."""
    try:
        import itsdangerous  # noqa: F401  (signed session cookies)
        import jinja2  # noqa: F401
        import python_multipart  # noqa: F401  (forms)
    except ImportError as error:
        raise ConfigError(
            f"The console's web packages are not installed ({error.name}).",
            hint="pip install 'cartsync[console]'",
        ) from error


def session_secret() -> str:
    """CARTSYNC_CONSOLE_SECRET, else a random secret for this process (and a note saying so)."""
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        secret = secrets.token_urlsafe(32)
        errors.print(
            f"[yellow]note:[/] {SECRET_ENV} is not set: console sessions end when this process stops.",
            highlight=False,
        )
    return secret


def warn_if_users_missing(users: Path) -> None:
    if not UserFile(users).users():
        errors.print(
            f"[yellow]note:[/] {users} lists no user yet: add one with `cartsync console add-user NAME`.",
            highlight=False,
        )


def warn_if_exposed(host: str, https_only: bool) -> None:
    if host not in ("127.0.0.1", "::1", "localhost") and not https_only:
        errors.print(
            f"[yellow]warning:[/] listening on {host} without --https-only: put the console behind an "
            "HTTPS proxy, or passwords and customers' data cross the network in clear text.",
            highlight=False,
        )


def _serve(
    state: str | None,
    users: Path,
    host: str,
    port: int,
    auth: str,
    proxy_header: str,
    trusted_proxy: list[str] | None,
    proxy_role: str,
    https_only: bool,
) -> None:
    require_web_packages()
    from cartsync.console.app import create_app
    from cartsync.console.auth import AuthSettings, parse_networks
    from cartsync.engine.serve.http import listening_socket, uvicorn_server

    if auth not in ("password", "proxy"):
        raise ConfigError(f"--auth must be password or proxy, not '{auth}'.")
    try:
        networks = parse_networks(trusted_proxy) if trusted_proxy else None
    except ValueError as error:
        raise ConfigError(f"--trusted-proxy: {error}") from error
    settings = AuthSettings(
        mode=auth,
        proxy_header=proxy_header,
        proxy_role=check_role(proxy_role),
        **({"trusted_proxies": networks} if networks else {}),
    )
    location = resolve(state)
    application = create_app(location, users, secret=session_secret(), auth=settings, https_only=https_only)
    if auth == "password":
        warn_if_users_missing(users)
    warn_if_exposed(host, https_only)
    out.print(
        f"cartsync console on http://{host}:{port}/ (state {display(location)}, {auth} sign-in)",
        highlight=False,
    )
    uvicorn_server(application, "info").run(sockets=[listening_socket(host, port)])


@app.command("add-user")
def add_user(
    name: Annotated[str, typer.Argument(help="The user name people sign in with.")],
    role: Annotated[
        str, typer.Option(help=f"{OPERATOR}: may hold, release and resend. {VIEWER}: read-only.")
    ] = (VIEWER),
    users: UsersPath = DEFAULT_USERS,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the user signs in only through the proxy.")
    ] = False,
) -> None:
    """Add a console user (or replace one), asking for the password.

    Example: cartsync console add-user alice --role operator
    """
    try:
        check_name(name)
        check_role(role)
        password_hash = None if no_password else hash_password(_new_password(password_stdin))
        UserFile(users).save(User(name, role, password_hash))
    except CartsyncError as error:
        _fail(error)
    out.print(f"{name} ({role}) saved in {users}", highlight=False)


@app.command("passwd")
def passwd(
    name: Annotated[str, typer.Argument(help="The user whose password changes.")],
    users: UsersPath = DEFAULT_USERS,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Change a console user's password; the user's open sessions end.

    Example: cartsync console passwd alice
    """
    try:
        user_file = UserFile(users)
        user = user_file.get(name)
        if user is None:
            raise ConfigError(
                f"{users} has no user '{name}'.", hint="Add one with `cartsync console add-user`."
            )
        user_file.save(User(name, user.role, hash_password(_new_password(password_stdin))))
    except CartsyncError as error:
        _fail(error)
    out.print(f"password of {name} changed", highlight=False)


@app.command("users")
def list_users(users: UsersPath = DEFAULT_USERS) -> None:
    """List the console's users and their roles."""
    try:
        entries = UserFile(users).users()
    except CartsyncError as error:
        _fail(error)
    for user in entries.values():
        sign_in = "password" if user.password_hash else "proxy only"
        out.print(f"{user.name:<24} {user.role:<9} {sign_in}", highlight=False)
    if not entries:
        out.print(f"no users in {users}", highlight=False)


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return check_password(sys.stdin.readline().rstrip("\n"))
    return check_password(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail(error: CartsyncError) -> None:
    errors.print(f"[bold red]error:[/] {error.message}", highlight=False)
    if error.hint:
        errors.print(f"[yellow]hint:[/] {error.hint}", highlight=False)
    raise typer.Exit(error.exit_code)
