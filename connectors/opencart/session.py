"""Authenticated access to a store's API, version by version (see the OpenCart reference).

| version | login | later calls carry |
|---|---|---|
| 2.1 | `api/login` with `key` | `token` |
| 2.3 | `api/login` with `key` | `token` and the PHPSESSID cookie of the login reply |
| 3.0 | `api/login` with `username` + `key` | `api_token` |
| 4.0 | `api/account/login` with `username` + `key` | `api_token` |
| 4.1 | none | a signature on every call (see `signing.py`) |

With `version: auto` the login itself tells the versions apart: 2.x and 3.0 answer `api/login`
(2.x with `token`, 3.0 with `api_token`), 4.0 has only `api/account/login`, and 4.1 refuses every
`api/` route but its signed ones with a 403. The extension's `version` route then gives the
exact release. A session that died (idle tokens are deleted after an hour) is renewed by one
new login, and the call is repeated once: a dead session proves the call did nothing.

A write (POST) is never sent twice otherwise. A 5xx reply to it, or a reply lost after it left,
may come after the store did the work (a PHP fatal error while mailing the customer, a proxy
timeout), so it raises `OutcomeUnknown` and the engine asks the store before anything is sent
again. Two kinds of reply are OpenCart's own signals that nothing was done: the 503 maintenance
page, and a dead session's reply. 2.1 and 4.0 give the latter as a PHP failure (2.1 an empty
500, 4.0 PHP's error text) that any PHP error after the work also gives, so for a write the
token is tested first (`_token_alive`). The test is itself a request to a store that may be
failing, so its "dead" proves nothing: the session is renewed, and the write raises
`SessionRenewed` for its caller to look before it sends the write again (or to repeat it, when
the write sets absolute values).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from json import dumps
from typing import Any

import requests

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.cleaning import clean_form
from cartsync.connectors.opencart.settings import StoreSettings
from cartsync.connectors.opencart.signed_refusal import explain_refusal
from cartsync.connectors.opencart.signing import (
    body_digest,
    form_digest,
    new_nonce,
    signature,
    store_host_and_path,
)
from cartsync.connectors.opencart.versions import LOGIN_ROUTE, SIGNED_EXTENSION_ROUTE, TOKEN_PARAM
from cartsync.engine.errors import CartsyncError, ConnectError, OutcomeUnknown
from cartsync.engine.http import IDEMPOTENT_METHODS, Action, HttpClient, action_for_status
from cartsync.engine.secrets import register

SIGNED_STORE_ID = 0
SIGNED_LANGUAGE = "en-gb"
SIGNED_CURRENCY = "USD"
SESSION_PROBE_ROUTE = "api/cartsync_session_probe"  # no store has it: a live session gets 'page not found'


class SessionRenewed(OutcomeUnknown):
    """A write got the reply this version gives for a dead session, which is also how PHP failing
    after the work looks. A new session was started; the write may or may not have taken effect."""


class StoreSession:
    def __init__(self, settings: StoreSettings, http: HttpClient) -> None:
        self.settings = settings
        self.http = http
        self.version: str | None = None if settings.version == "auto" else settings.version
        self.login_answered_as: str | None = None  # what the login told apart ("2.x", "3.0", …)
        self._token: str | None = None
        self._logged_in = False

    @property
    def route_version(self) -> str:
        """The key into the per-version route tables (2.1 and 2.3 share their routes)."""
        self.ensure_login()
        assert self.version is not None
        return "2.3" if self.version == "2.x" else self.version

    def refine_version(self, release: str) -> None:
        """Take the exact version from the extension (`3.0.5.1` -> `3.0`)."""
        self.version = ".".join(release.split(".")[:2])

    # -- login -----------------------------------------------------------------------------

    def ensure_login(self) -> None:
        if not self._logged_in:
            self.login()

    def login(self) -> None:
        if self.version is None:
            self._detect_and_login()
        elif self.version == "4.1":
            self.login_answered_as = "4.1"
        else:
            self._login_as(self.version)
        self._logged_in = True

    def _login_fields(self, version: str) -> dict[str, str]:
        if version.startswith("2"):
            return {"key": self.settings.api_key.reveal()}
        return {"username": self.settings.api_username, "key": self.settings.api_key.reveal()}

    def _post_login(self, route: str, fields: Mapping[str, str]) -> requests.Response:
        self.http.session.cookies.clear()  # 2.3 binds the new token to the new PHPSESSID
        return self._http("POST", {"route": route}, data=fields, idempotent=True)  # a login changes nothing

    def _login_as(self, version: str) -> None:
        route = LOGIN_ROUTE["2.3" if version == "2.x" else version]
        response = self._post_login(route, self._login_fields(version))
        if errors.is_html_not_found(response):
            raise errors.not_opencart(self.settings.store_url,
                                      f"the OpenCart {version} login route {route} was not found; "
                                      f"check store_url and the version setting (or use version: auto)")
        self._accept_login(version, errors.decode(response, store_url=self.settings.store_url, route=route))

    def _detect_and_login(self) -> None:
        fields = {"username": self.settings.api_username, "key": self.settings.api_key.reveal()}
        response = self._post_login("api/login", fields)
        if errors.forbidden_41(response):
            self.version = self.login_answered_as = "4.1"
            return
        if not errors.is_html_not_found(response):
            payload = errors.decode(response, store_url=self.settings.store_url, route="api/login")
            if isinstance(payload, dict) and "api_token" in payload:
                version = "3.0"
            elif isinstance(payload, dict) and "token" in payload:
                version = "2.x"
            else:
                raise self._login_refused(_version_from_refusal(payload), payload)
            self._accept_login(version, payload)
            return
        response = self._post_login("api/account/login", fields)
        if errors.is_html_not_found(response) or "json" not in response.headers.get("Content-Type", ""):
            raise errors.not_opencart(self.settings.store_url,
                                      f"index.php?route=api/login answered HTTP {response.status_code} "
                                      f"with no OpenCart reply")
        payload = errors.decode(response, store_url=self.settings.store_url, route="api/account/login")
        self._accept_login("4.0", payload)

    def _accept_login(self, version: str, payload: Any) -> None:
        token = payload.get("api_token") or payload.get("token") if isinstance(payload, dict) else None
        if not token:
            raise self._login_refused(version, payload)
        register(token)
        self._token = str(token)
        self.version = self.version or version
        self.login_answered_as = version

    def _login_refused(self, version: str, payload: Any) -> ConnectError:
        text = errors.error_text(payload)
        username = self.settings.api_username
        if "not allowed" in text:
            return errors.ip_not_allowed(username, version, text)
        if payload == [] or "Incorrect API Key" in text:
            return errors.bad_key(username, version, "[]" if payload == [] else f"'{text}'")
        return ConnectError(f"OpenCart refused the login of API user '{username}': {text or payload!r}",
                            hint=f"Check the API user in {errors.API_USERS}.")

    # -- calls -----------------------------------------------------------------------------

    def request(self, method: str, route: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, json: Any = None,
                call: str | None = None) -> requests.Response:
        """An authenticated call. `call` is the 4.1 signed call's name (its `call` parameter).

        Raises `OutcomeUnknown` when a write (POST) was answered with a 5xx that is not the
        maintenance page, or got no reply: it may have been applied; `SessionRenewed` when it got
        the reply a dead session gives on 2.1 and 4.0 (a new session is ready for what follows)."""
        self.ensure_login()
        write = method.upper() not in IDEMPOTENT_METHODS
        response = self._send(method, route, params, data, json, call)
        if self._session_died(route, response, write=write):
            self.login()
            if write and not self._refused_in_json(response):
                said = errors.snippet(response.text) or "an empty reply"
                raise SessionRenewed(
                    f"{self.http.describe} answered {route} as OpenCart {self.version} answers a call whose "
                    f"session has died, which is also how PHP failing after the work looks "
                    f"(HTTP {response.status_code}: \"{said}\").", response=response)
            response = self._send(method, route, params, data, json, call)
            if self._session_died(route, response, write=write):
                raise errors.call_refused(self.settings.api_username, route,
                                          errors.snippet(response.text) or f"HTTP {response.status_code}")
        if not write and errors.signature_used(response):
            # the reply to this read was lost after the store took its signature: sign it anew
            response = self._send(method, route, params, data, json, call)
        if self.version == "4.1" and errors.forbidden_41(response):
            raise explain_refusal(self, response, route=route, call=call or "", form=data)
        if write and response.status_code >= 500 and not errors.is_maintenance_page(response):
            reply = errors.snippet(response.text) or "an empty reply"
            raise OutcomeUnknown(f"{self.http.describe} answered HTTP {response.status_code} to {route} "
                                 f"after the request was sent, so it may have been applied (\"{reply}\").",
                                 response=response)
        return response

    def send_signed(self, method: str, route: str, call: str, *, params: Mapping[str, Any] | None = None,
                    form: Mapping[str, Any] | None = None) -> requests.Response:
        """One 4.1 signed call as it comes back, refused or not (to ask the store why it refused)."""
        return self._send(method, route, params, form, None, call)

    def _send(self, method: str, route: str, params: Mapping[str, Any] | None,
              data: Mapping[str, Any] | None, json: Any, call: str | None) -> requests.Response:
        """One authenticated call. A JSON body is sent as the exact bytes the signature covers.
        A 4.1 signature holds for one request only, so a retry is signed anew."""
        body = None if json is None else dumps(json, separators=(",", ":"), ensure_ascii=False).encode()

        def query() -> dict[str, Any]:
            values: dict[str, Any] = {"route": route, **(params or {})}
            if self.version == "4.1":
                values.update(self._signed(route, call or "", data, body))
            else:
                values[TOKEN_PARAM[self.route_version]] = self._token
            return values

        return self._http(method, query, data=data, body=body)

    def _http(self, method: str, query: Mapping[str, Any] | Callable[[], Mapping[str, Any]], *,
              data: Mapping[str, Any] | None = None, body: bytes | None = None,
              idempotent: bool | None = None) -> requests.Response:
        """One call, retried as the status table says, except for OpenCart's own signals (its
        maintenance page, a dead session) and a write's 5xx, which are returned as they came.
        `query` may be a function giving a fresh query for each attempt."""
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        fresh = query if callable(query) else lambda: query
        headers = {"Content-Type": "application/json"} if body is not None else None
        sent: Any = body if body is not None else data
        try:
            first = fresh()
            response = self.http.request(method, "index.php", params=first, data=sent, headers=headers,
                                         idempotent=idempotent, retry_statuses=False)
            action = action_for_status(response.status_code, idempotent=idempotent)
            if (action in (Action.RETURN, Action.UNKNOWN) or errors.is_maintenance_page(response)
                    or self._session_died(str(first.get("route")), response)):
                return response
            return self.http.request(method, "index.php", params=fresh(), data=sent, headers=headers,
                                     idempotent=idempotent)
        except ConnectError as exc:
            if exc.message.startswith("TLS"):
                raise errors.tls_problem(self.settings.store_url, exc) from exc
            raise

    def _signed(self, route: str, call: str, form: Mapping[str, Any] | None,
                body: bytes | None) -> dict[str, str]:
        """The signature fields of one 4.1 call: OpenCart's own scheme, and for the extension's
        route also a fresh nonce and the body's sha256 (signing.py)."""
        host, path = store_host_and_path(self.settings.store_url)
        now = int(time.time())
        values = {"username": self.settings.api_username, "store_id": str(SIGNED_STORE_ID),
                  "language": SIGNED_LANGUAGE, "currency": SIGNED_CURRENCY, "time": str(now)}
        extension = None
        if route == SIGNED_EXTENSION_ROUTE:
            values["nonce"] = new_nonce()
            extension = (values["nonce"], body_digest(body or b""))
        signed = {name: value for name, value in values.items() if name != "nonce"}
        values["signature"] = signature(self.settings.api_key.reveal(),
                                        route=route, call=call, host=host, path=path,
                                        form_md5=form_digest(clean_form(form or {}, "4.1")),
                                        extension=extension, **signed)
        return {"call": call, **values}

    def _session_died(self, route: str, response: requests.Response, *, write: bool = False) -> bool:
        """Whether a reply is this version's way of saying the token is gone.

        2.3/3.0 (and the extension) refuse in JSON before doing anything. 2.1 and 4.0 fail before
        any controller runs, with an empty 500 (2.1) or PHP's error text (4.0, HTTP 200 or 500),
        which is also what a PHP error *after* the work looks like; for a write, the token is
        therefore tested first (`_token_alive`), so an applied write is never sent again."""
        if self.version == "4.1" or not self._logged_in or route in LOGIN_ROUTE.values():
            return False
        if self._refused_in_json(response):
            return True
        if not self._failed_before_routing(route, response):
            return False
        return not write or not self._token_alive()

    def _refused_in_json(self, response: requests.Response) -> bool:
        if "json" not in response.headers.get("Content-Type", ""):
            return False
        payload = errors.json_or_none(response.text)
        error = payload.get("error") if isinstance(payload, dict) else None
        return (isinstance(error, dict) and error.get("code") == "permission") or (
            errors.NO_API_PERMISSION in errors.error_text(payload))

    def _failed_before_routing(self, route: str, response: requests.Response) -> bool:
        if self.version in ("2.1", "2.x"):
            return _empty_500(response)
        return self.version == "4.0" and (errors.is_php_error(response) or (
            route.startswith("api/") and errors.is_html_not_found(response)))

    def _token_alive(self) -> bool:
        """Whether the token still opens a session, asked on a route no store has: a live session
        reaches OpenCart's router, which answers 'page not found'; a dead token fails before that.
        When the store gives no clear answer the token counts as alive, so that a write is
        reported unknown rather than sent again."""
        query = {"route": SESSION_PROBE_ROUTE, TOKEN_PARAM[self.route_version]: self._token}
        try:
            probe = self.http.request("GET", "index.php", params=query, retry_statuses=False)
        except CartsyncError:
            return True
        if errors.is_html_not_found(probe):
            return True  # the router answered: the session is alive
        return not self._failed_before_routing(SESSION_PROBE_ROUTE, probe)


def _empty_500(response: requests.Response) -> bool:
    return response.status_code == 500 and not response.text.strip()


def _version_from_refusal(payload: Any) -> str:
    """The version a refused `api/login` reveals: 2.1 answers with an error object, but no `key`
    entry beside `ip`; 2.3 and 3.0 answer `[]` or `ip` + `key`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and ("ip" not in error or "key" not in error):
        return "2.1"
    return "2.3/3.0"
