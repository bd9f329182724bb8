"""What the console changes: signing in and out, and hold, release and resend of orders.

Ledger actions go through `LedgerCommands`, the same code as `cartsync orders hold|release|resend`,
so both behave alike; each event names the user ("held by alice (console)").
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cartsync.console.auth import CSRF_FIELD, TooManyAttempts, csrf_ok
from cartsync.console.context import Console
from cartsync.engine.errors import CartsyncError
from cartsync.engine.ledger_commands import LedgerCommands
from cartsync.engine.state import StateStore
from cartsync.engine.state.browse import MAX_PAGE_SIZE

VERBS = {"hold": "Hold", "release": "Release", "resend": "Resend"}
MAX_ERRORS_SHOWN = 5


async def login_form(console: Console, request: Request) -> Response:
    if not console.auth.uses_passwords:
        return console.redirect(request, "/")
    return console.render(request, "login.html", title="Sign in", next=request.query_params.get("next", ""))


async def login(console: Console, request: Request) -> Response:
    if not console.auth.uses_passwords:
        return console.redirect(request, "/")
    form = await request.form()
    target = console.local_path(request, str(form.get("next") or ""), "/")
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return console.render(
            request,
            "login.html",
            status_code=403,
            title="Sign in",
            next=target,
            problem="The sign-in form was out of date. Please try again.",
        )
    name, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    try:
        user = await run_in_threadpool(console.auth.login, request, name, password)  # scrypt: off the loop
    except TooManyAttempts as refused:
        seconds = max(1, round(refused.wait))
        response = console.render(
            request,
            "login.html",
            status_code=429,
            title="Sign in",
            next=target,
            username=name,
            problem=f"Too many wrong passwords for {name} from your address: try again in {seconds} s.",
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    if user is None:
        return console.render(
            request,
            "login.html",
            status_code=401,
            title="Sign in",
            next=target,
            username=name,
            problem="Wrong user name or password.",
        )
    return console.redirect(request, target)


async def logout(console: Console, request: Request) -> Response:
    console.auth.logout(request)
    return console.redirect(request, "/login" if console.auth.uses_passwords else "/")


async def ledger_action(console: Console, request: Request) -> Response:
    """POST /orders/actions: action=hold|release|resend, one `key` per order (one or a page's worth)."""
    form = request.state.form
    verb = str(form.get("action") or "")
    keys = list(dict.fromkeys(str(key) for key in form.getlist("key") if key))
    back = console.local_path(request, str(form.get("next") or ""), "/orders")
    if verb not in VERBS:
        return console.error(request, 400, f"Unknown action '{verb}'; one of {', '.join(VERBS)}.")
    if not keys:
        console.flash(request, "warn", "Select at least one order first.")
        return console.redirect(request, back)
    if len(keys) > MAX_PAGE_SIZE:
        return console.error(request, 400, f"At most {MAX_PAGE_SIZE} orders at a time.")
    actor = f"{request.state.user.name} (console)"

    def act(store: StateStore) -> tuple[list[str], list[str]]:
        commands = LedgerCommands(store, "order", actor=actor)
        done, failed = [], []
        for key in keys:
            try:
                done.append(getattr(commands, verb)(key))
            except CartsyncError as error:
                failed.append(error.message)
        return done, failed

    done, failed = await console.write(act)
    if len(done) == 1 and not failed:
        console.flash(request, "good", done[0])
    elif done:
        console.flash(request, "good", f"{VERBS[verb]}: done for {len(done)} order(s).")
    for message in failed[:MAX_ERRORS_SHOWN]:
        console.flash(request, "bad", message)
    if len(failed) > MAX_ERRORS_SHOWN:
        console.flash(request, "bad", f"… and {len(failed) - MAX_ERRORS_SHOWN} more failed.")
    return console.redirect(request, back)
