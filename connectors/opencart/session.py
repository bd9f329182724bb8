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
again. Two 5xx replies are OpenCart's own signals that nothing was done: the 503 maintenance
page, and 2.1's empty 500 for a dead token. The same empty 500 is what any PHP fatal error gives
with display_errors off, so for a write on 2.1 the token is tested first (`_token_alive`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.cleaning import clean_form
from cartsync.connectors.opencart.settings import StoreSettings
from cartsync.connectors.opencart.signing import form_digest, signature, store_host_and_path
from cartsync.connectors.opencart.versions import LOGIN_ROUTE, TOKEN_PARAM, extension_route
from cartsync.engine.errors import CartsyncError, ConnectError, OutcomeUnknown
from cartsync.engine.http import IDEMPOTENT_METHODS, Action, HttpClient, action_for_status
from cartsync.engine.secrets import register

SIGNED_STORE_ID = 0
SIGNED_LANGUAGE = "en-gb"
SIGNED_CURRENCY = "USD"
FORBIDDEN_41 = "You do not have permission to access this page"


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
            return {"key": self.settings.api_key}
        return {"username": self.settings.api_username, "key": self.settings.api_key}

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
        fields = {"username": self.settings.api_username, "key": self.settings.api_key}
        response = self._post_login("api/login", fields)
        if response.status_code == 403 and FORBIDDEN_41 in response.text:
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
        """An authenticated call. `call` is the 4.1 signed call's name (its `call` parameter)."""
        self.ensure_login()
        response = self._send(method, route, params, data, json, call)
        if self._session_died(route, response):
            self.login()
            response = self._send(method, route, params, data, json, call)
            if self._session_died(route, response):
                raise errors.call_refused(self.settings.api_username, route,
                                          errors.snippet(response.text) or f"HTTP {response.status_code}")
        if self.version == "4.1" and response.status_code == 403 and FORBIDDEN_41 in response.text:
            raise errors.signed_call_refused(self.settings.api_username, errors.snippet(response.text))
        return response

    def _send(self, method: str, route: str, params: Mapping[str, Any] | None,
              data: Mapping[str, Any] | None, json: Any, call: str | None) -> requests.Response:
        query: dict[str, Any] = {"route": route, **(params or {})}
        if self.version == "4.1":
            query.update(self._signed(route, call or "", data))
        else:
            query[TOKEN_PARAM[self.route_version]] = self._token
        return self._http(method, query, data=data, json=json)

    def _http(self, method: str, query: Mapping[str, Any], *, data: Mapping[str, Any] | None = None,
              json: Any = None, idempotent: bool | None = None) -> requests.Response:
        """One call. A reply the status table retries is retried, unless it is one of OpenCart's
        signals that nothing was done; a write answered 5xx is never repeated (`OutcomeUnknown`)."""
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        try:
            response = self.http.request(method, "index.php", params=query, data=data, json=json,
                                         idempotent=idempotent, retry_statuses=False)
            action = action_for_status(response.status_code, idempotent=idempotent)
            if action is Action.RETURN or self._nothing_done(str(query.get("route")), response, idempotent):
                return response
            if action is Action.UNKNOWN:
                reply = errors.snippet(response.text) or "an empty reply"
                raise OutcomeUnknown(
                    f"{self.http.describe} answered HTTP {response.status_code} to {query.get('route')} "
                    f"after the request was sent, so it may have been applied (\"{reply}\").",
                    response=response)
            return self.http.request(method, "index.php", params=query, data=data, json=json,
                                     idempotent=idempotent)
        except ConnectError as exc:
            if exc.message.startswith("TLS"):
                raise errors.tls_problem(self.settings.store_url, exc) from exc
            raise

    def _nothing_done(self, route: str, response: requests.Response, idempotent: bool) -> bool:
        """Whether a reply is OpenCart saying that the call did nothing: its maintenance page, or
        this version's dead-session reply (on 2.1, for a write, once the token proved dead)."""
        if errors.is_maintenance_page(response):
            return True
        if not self._session_died(route, response):
            return False
        return idempotent or not _empty_500(response) or not self._token_alive()

    def _token_alive(self) -> bool:
        """2.1: whether the token still opens a session. 2.1 answers any api/ route called with a
        dead token with an empty 500 before a controller runs; the extension's `version` route
        (or the 'page not found' a store without it gives) answers otherwise. When the store
        cannot be asked, the token counts as alive: a write is then unknown, never resent."""
        route, _ = extension_route("api", "version")
        try:
            probe = self.http.request("GET", "index.php", params={"route": route, "token": self._token},
                                      retry_statuses=False)
        except CartsyncError:
            return True
        return not _empty_500(probe)

    def _signed(self, route: str, call: str, form: Mapping[str, Any] | None) -> dict[str, str]:
        host, path = store_host_and_path(self.settings.store_url)
        now = int(time.time())
        values = {"username": self.settings.api_username, "store_id": str(SIGNED_STORE_ID),
                  "language": SIGNED_LANGUAGE, "currency": SIGNED_CURRENCY, "time": str(now)}
        values["signature"] = signature(self.settings.api_key, route=route, call=call, host=host, path=path,
                                        form_md5=form_digest(clean_form(form or {}, "4.1")), **values)
        return {"call": call, **values}

    def _session_died(self, route: str, response: requests.Response) -> bool:
        """Whether a reply is this version's way of saying the token is gone."""
        if self.version == "4.1" or not self._logged_in or route in LOGIN_ROUTE.values():
            return False
        if self.version in ("2.1", "2.x") and _empty_500(response):
            return True
        if self.version == "4.0" and (errors.is_php_fatal(response) or (
                route.startswith("api/") and errors.is_html_not_found(response))):
            return True
        if "json" not in response.headers.get("Content-Type", ""):
            return False
        payload = errors.json_or_none(response.text)
        error = payload.get("error") if isinstance(payload, dict) else None
        return (isinstance(error, dict) and error.get("code") == "permission") or (
            errors.NO_API_PERMISSION in errors.error_text(payload))


def _empty_500(response: requests.Response) -> bool:
    return response.status_code == 500 and not response.text.strip()


def _version_from_refusal(payload: Any) -> str:
    """The version a refused `api/login` reveals: 2.1 answers with an error object, but no `key`
    entry beside `ip`; 2.3 and 3.0 answer `[]` or `ip` + `key`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and ("ip" not in error or "key" not in error):
        return "2.1"
    return "2.3/3.0"
