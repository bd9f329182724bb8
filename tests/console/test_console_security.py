"""Sign-in, CSRF, the read-only role and the proxy header mode, over real HTTP and in the browser."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import pytest
import requests
from console_helpers import PASSWORDS, browser_sign_in, form_token, sign_in

from cartsync.console.auth import AuthSettings
from cartsync.console.limits import ATTEMPTS, SignInLimiter
from cartsync.console.users import OPERATOR, User
from cartsync.engine.state import StateStore

PAGES = ["/", "/orders", "/orders/1043", "/runs", "/runs/1", "/stock", "/stock/LAMP-9", "/alerts"]


def held(state, key="1043"):
    store = StateStore.open(state)
    try:
        return store.row("order", key).held, [e["event"] for e in store.events("order", key)]
    finally:
        store.close()


def test_every_page_needs_a_signed_in_user(ledger, start_console):
    console = start_console(ledger)
    for path in PAGES:
        reply = requests.get(console.url + path, allow_redirects=False)
        assert reply.status_code == 303, path
        assert reply.headers["location"].startswith("/login?next=")
    reply = requests.post(console.url + "/orders/actions", data={"action": "hold", "key": "1043"})
    assert reply.status_code == 401
    assert held(ledger) == (False, ["rejected"])


def test_sign_in_with_the_right_password_only(ledger, start_console):
    console = start_console(ledger)
    session = requests.Session()
    token = form_token(session.get(console.url + "/login").text)
    for name, password in (("olivia", "wrong-password"), ("nobody", "whatever-pw"), ("olivia", "")):
        reply = session.post(
            console.url + "/login", data={"username": name, "password": password, "csrf_token": token}
        )
        assert reply.status_code == 401 and "Wrong user name or password" in reply.text
        assert session.get(console.url + "/orders", allow_redirects=False).status_code == 303

    session = sign_in(console.url, "olivia")
    for path in PAGES:
        assert session.get(console.url + path).status_code == 200, path
    logout_token = form_token(session.get(console.url + "/").text)
    session.post(console.url + "/logout", data={"csrf_token": logout_token})
    assert session.get(console.url + "/orders", allow_redirects=False).status_code == 303


def test_sign_in_pauses_after_a_few_wrong_passwords_for_that_user_from_that_address(ledger, start_console):
    console = start_console(ledger)
    session = requests.Session()
    token = form_token(session.get(console.url + "/login").text)

    def attempt(name: str, password: str) -> requests.Response:
        return session.post(
            console.url + "/login", data={"username": name, "password": password, "csrf_token": token}
        )

    assert [attempt("olivia", f"guess-number-{n}").status_code for n in range(ATTEMPTS)] == [401] * ATTEMPTS
    refused = attempt("olivia", PASSWORDS["olivia"])  # even the right password waits now
    assert refused.status_code == 429 and "Too many wrong passwords for olivia" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert session.get(console.url + "/orders", allow_redirects=False).status_code == 303  # not signed in
    assert sign_in(console.url, "victor").get(console.url + "/orders").status_code == 200  # others may


def test_the_sign_in_limiter_counts_failures_per_pair_within_its_window():
    now = [1000.0]
    limiter = SignInLimiter(attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.wait("olivia", "10.0.0.1") == 0
        limiter.failed("olivia", "10.0.0.1")
    assert limiter.wait("olivia", "10.0.0.1") == 60
    assert limiter.wait("olivia", "10.0.0.2") == 0 and limiter.wait("victor", "10.0.0.1") == 0
    now[0] += 45
    assert limiter.wait("olivia", "10.0.0.1") == 15  # until the first failure leaves the window
    now[0] += 15
    assert limiter.wait("olivia", "10.0.0.1") == 0
    limiter.failed("olivia", "10.0.0.1")
    limiter.succeeded("olivia", "10.0.0.1")  # a right password forgets the failures
    for _ in range(2):
        limiter.failed("olivia", "10.0.0.1")
    assert limiter.wait("olivia", "10.0.0.1") == 0


def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(ledger, start_console):
    console = start_console(ledger)
    session = requests.Session()
    first = session.get(console.url + "/orders?status=error")  # redirected to the login form
    assert first.url.startswith(console.url + "/login?next=")
    token = form_token(first.text)
    reply = session.post(
        console.url + "/login",
        data={**_olivia(), "csrf_token": token, "next": "/orders?status=error"},
        allow_redirects=False,
    )
    assert reply.headers["location"] == "/orders?status=error"
    session = requests.Session()
    token = form_token(session.get(console.url + "/login").text)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        reply = session.post(
            console.url + "/login",
            data={**_olivia(), "csrf_token": token, "next": target},
            allow_redirects=False,
        )
        assert reply.headers["location"] == "/", target
        token = form_token(session.get(console.url + "/").text)


def test_actions_without_the_sessions_csrf_token_change_nothing(ledger, start_console):
    console = start_console(ledger)
    olivia = sign_in(console.url, "olivia")
    other = sign_in(console.url, "olivia")  # another session: its token is not olivia's first one
    foreign_token = form_token(other.get(console.url + "/orders").text)
    for data in (
        {"action": "hold", "key": "1043"},
        {"action": "hold", "key": "1043", "csrf_token": "forged"},
        {"action": "hold", "key": "1043", "csrf_token": foreign_token},
    ):
        reply = olivia.post(console.url + "/orders/actions", data=data)
        assert reply.status_code == 403 and "nothing was changed" in reply.text
    assert held(ledger) == (False, ["rejected"])

    token = form_token(olivia.get(console.url + "/orders").text)
    reply = olivia.post(
        console.url + "/orders/actions", data={"action": "hold", "key": "1043", "csrf_token": token}
    )
    assert reply.status_code == 200 and "is held" in reply.text
    assert held(ledger) == (True, ["rejected", "held"])


def test_a_cross_site_form_cannot_act_for_a_signed_in_person(ledger, start_console, page, other_site):
    """Another site (another port of 127.0.0.1: the same site for SameSite cookies) posts a form."""
    console = start_console(ledger)
    attacker = other_site(
        f"""<form method="post" action="{console.url}/orders/actions">
        <input name="action" value="resend"><input name="key" value="1043"></form>
        <script>document.forms[0].submit()</script>"""
    )
    browser_sign_in(page, console.url, "olivia")
    page.goto(attacker)
    page.wait_for_url(f"{console.url}/orders/actions")
    assert "nothing was changed" in page.inner_text("main")
    store = StateStore.open(ledger)
    assert [e["event"] for e in store.events("order", "1043")] == ["rejected"]
    assert not store.row("order", "1043").resend
    store.close()


def test_the_read_only_role_sees_no_action_and_cannot_act(ledger, start_console, page):
    console = start_console(ledger)
    browser_sign_in(page, console.url, "victor")
    page.goto(f"{console.url}/orders/1043")
    assert "Unmapped Ship Method" in page.inner_text(".reason-text")
    assert page.locator("button:has-text('Resend')").count() == 0
    page.goto(f"{console.url}/orders")
    assert page.locator("input[name=key]").count() == 0 and page.locator(".bulk").count() == 0

    victor = sign_in(console.url, "victor")
    token = form_token(victor.get(console.url + "/orders").text)  # a valid token of his own session
    for action in ("resend", "hold", "release"):
        reply = victor.post(
            console.url + "/orders/actions", data={"action": action, "key": "1043", "csrf_token": token}
        )
        assert reply.status_code == 403 and "read-only" in reply.text
    assert held(ledger) == (False, ["rejected"])


def test_a_new_password_ends_open_sessions_and_a_removed_user_is_out(ledger, start_console, users):
    console = start_console(ledger)
    session = sign_in(console.url, "olivia")
    assert session.get(console.url + "/orders", allow_redirects=False).status_code == 200
    from cartsync.console.users import hash_password

    users.save(User("olivia", OPERATOR, hash_password("a-brand-new-password")))
    assert session.get(console.url + "/orders", allow_redirects=False).status_code == 303
    sign_in(console.url, "olivia", "a-brand-new-password")


def test_pages_carry_security_headers_and_are_not_cached(ledger, start_console):
    console = start_console(ledger)
    reply = sign_in(console.url, "olivia").get(console.url + "/orders/1043")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"
    cookie = reply.request.headers["cookie"]
    assert "olivia" not in cookie and PASSWORDS["olivia"] not in cookie
    login = requests.get(console.url + "/login")
    set_cookie = login.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie


def test_proxy_mode_believes_the_user_header_only_from_trusted_proxies(ledger, start_console):
    trusted = start_console(ledger, auth=AuthSettings(mode="proxy"))  # 127.0.0.1 is the proxy
    reply = requests.get(trusted.url + "/orders", headers={"X-Forwarded-User": "victor"})
    assert reply.status_code == 200 and "victor" in reply.text
    assert requests.get(trusted.url + "/orders").status_code == 403  # no user named
    session = requests.Session()
    session.headers["X-Forwarded-User"] = "olivia"  # listed as operator in the users file
    token = form_token(session.get(trusted.url + "/orders").text)
    reply = session.post(
        trusted.url + "/orders/actions", data={"action": "hold", "key": "1043", "csrf_token": token}
    )
    assert reply.status_code == 200
    assert held(ledger) == (True, ["rejected", "held"])
    session.headers["X-Forwarded-User"] = "mallory"  # unlisted: the default role, read-only
    token = form_token(session.get(trusted.url + "/orders").text)
    reply = session.post(
        trusted.url + "/orders/actions", data={"action": "release", "key": "1043", "csrf_token": token}
    )
    assert reply.status_code == 403

    elsewhere = start_console(
        ledger, auth=AuthSettings(mode="proxy", trusted_proxies=(ip_network("10.9.9.9/32"),))
    )
    reply = requests.get(elsewhere.url + "/orders", headers={"X-Forwarded-User": "olivia"})
    assert reply.status_code == 403 and "only through its reverse proxy" in reply.text


def _olivia() -> dict[str, str]:
    return {"username": "olivia", "password": PASSWORDS["olivia"]}


@pytest.fixture
def other_site():
    """other_site(html) → the URL of a page on another port of 127.0.0.1 (another site)."""
    servers = []

    def serve(html: str) -> str:
        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
