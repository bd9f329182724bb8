"""The HTTP helper every connector uses: one keep-alive session, retries, clear errors.

What happens to a reply is decided by one table from status code to action (`STATUS_ACTIONS`),
in the spirit of Airbyte's default error mapping:

| status | idempotent request (GET, PUT, …) | other requests (POST) |
|---|---|---|
| 429 | wait Retry-After (or back off), retry | the same: a 429 was not carried out |
| 408 | back off with jitter, retry | the same: the server never read the request |
| 500–599 | back off with jitter, retry | `OutcomeUnknown`: it may have been applied |
| anything else | returned to the connector, which knows what it means | the same |

Network failures follow the same idea. A failure before the request left this machine
(DNS, refused connection, connect timeout) is retried. A failure after it was sent (read
timeout, connection reset) is retried only for idempotent requests; for others it raises
`OutcomeUnknown`, so the engine asks the destination before anything is sent again.

With a `limit` (throttle.py), a connection keeps at most that many requests under way, fewer
while the system answers 429.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import requests

from cartsync.engine.errors import ConnectError, OutcomeUnknown, TransientError
from cartsync.engine.secrets import redact
from cartsync.engine.throttle import AdaptiveLimit


class Action(Enum):
    RETURN = "return"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    UNKNOWN = "unknown"  # a non-idempotent request may have been applied: never repeat it


def action_for_status(status: int, *, idempotent: bool = True) -> Action:
    """The status → action table."""
    if status == 429:
        return Action.RATE_LIMITED
    if status == 408:
        return Action.RETRY
    if 500 <= status <= 599:
        return Action.RETRY if idempotent else Action.UNKNOWN
    return Action.RETURN


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; Retry-After is honoured up to `max_wait`."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 120.0

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """One `requests.Session` per connection, with keep-alive, timeouts and TLS verification on.

    `describe` names the system in messages ("the OpenCart store at https://…").
    `sleep` is injectable only so that callers can observe waits; it defaults to `time.sleep`.
    `limit` bounds the requests under way at once (shared by every thread using this client).
    """

    def __init__(
        self,
        base_url: str,
        *,
        describe: str,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        verify_tls: bool = True,
        retry: RetryPolicy | None = None,
        user_agent: str = "cartsync/0.1",
        sleep: Callable[[float], None] = time.sleep,
        limit: AdaptiveLimit | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.describe = describe
        self.timeout = (connect_timeout, timeout)
        self.retry = retry or RetryPolicy()
        self.session = _session(self.base_url, verify_tls)
        self.session.headers["User-Agent"] = user_agent
        self._sleep = sleep
        self.limit = limit
        self.waits: list[float] = []  # every wait taken, for run reports and tests

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        retry_statuses: bool = True,
    ) -> requests.Response:
        """Send a request, retrying transient failures; return the final response.

        Raises `ConnectError` when the host cannot be reached at all, `TransientError` when
        retries ran out, and `OutcomeUnknown` when a non-idempotent request was sent but its
        reply was lost or was a 5xx. `retry_statuses=False` returns every reply as it came.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.url(path)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, params=params, json=json, data=data, headers=headers)
            except requests.exceptions.SSLError as exc:
                raise ConnectError(
                    f"TLS verification failed for {self.describe}: {_reason(exc)}",
                    hint="Install a valid certificate on the server (or fix the URL). "
                    "cartsync keeps TLS verification on; set verify_tls: false only for a test host.",
                ) from exc
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                sent = _was_sent(exc)
                if sent and not idempotent:
                    raise OutcomeUnknown(
                        f"{method} {_safe(url)} was sent to {self.describe}, but no reply came "
                        f"back ({_reason(exc)})."
                    ) from exc
                if attempt >= self.retry.attempts:
                    if sent:
                        raise TransientError(
                            f"{self.describe} did not answer {method} {_safe(url)} after "
                            f"{attempt} attempts ({_reason(exc)}).",
                            hint="The system may be overloaded; the run can be repeated safely.",
                        ) from exc
                    raise ConnectError(
                        f"Cannot reach {self._where(url)}: {_reason(exc)}",
                        hint="Check the URL in connections.yaml, DNS, and that the server is up.",
                    ) from exc
                self._wait(self.retry.backoff(attempt))
                continue

            action = (action_for_status(response.status_code, idempotent=idempotent)
                      if retry_statuses else Action.RETURN)
            if action is Action.RETURN:
                return response
            if action is Action.UNKNOWN:
                raise OutcomeUnknown(
                    f"{self.describe} answered {response.status_code} to {method} {_safe(url)} after "
                    f"the request was sent, so it may have been applied: {_snippet(response)}",
                    response=response,
                )
            if attempt >= self.retry.attempts:
                raise TransientError(
                    f"{self.describe} answered {response.status_code} to {method} {_safe(url)} "
                    f"{attempt} times: {_snippet(response)}",
                    hint="Records that were not sent stay pending and are retried on the next run.",
                )
            delay = self.retry.backoff(attempt)
            if action is Action.RATE_LIMITED:
                told = retry_after_seconds(response.headers.get("Retry-After"))
                if told is not None:
                    delay = min(told, self.retry.max_wait)
            self._wait(delay)

    def _where(self, url: str) -> str:
        """`describe`, followed by the address unless `describe` already names it."""
        origin = _origin(url)
        return self.describe if origin in self.describe else f"{self.describe} at {origin}"

    def _send(self, method: str, url: str, **arguments: Any) -> requests.Response:
        """One attempt, within the limit (which learns from a 429)."""
        if self.limit is None:
            return self.session.request(method, url, timeout=self.timeout, **arguments)
        with self.limit.slot() as ticket:
            response = self.session.request(method, url, timeout=self.timeout, **arguments)
        if response.status_code == 429:
            self.limit.rate_limited(ticket, retry_after_seconds(response.headers.get("Retry-After")))
        else:
            self.limit.succeeded()
        return response

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self._sleep(seconds)

    def close(self) -> None:
        self.session.close()


def _session(base_url: str, verify_tls: bool) -> requests.Session:
    """A session that reads its environment once: proxies (HTTPS_PROXY, NO_PROXY) and a CA bundle
    (REQUESTS_CA_BUNDLE) for this connection's host. requests would read them, and look for a
    ~/.netrc, on every request, which costs a tenth of each one; the connectors send their own
    credentials, so a .netrc has nothing to add."""
    session = requests.Session()
    found = session.merge_environment_settings(base_url, {}, None, verify_tls, None)
    session.proxies.update(found["proxies"])
    session.verify = found["verify"] if verify_tls else False
    session.trust_env = False
    return session


def _was_sent(exc: Exception) -> bool:
    """True when the failure happened after the request left (so it may have taken effect)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True
    text = repr(exc)
    not_sent_markers = (
        "NewConnectionError",
        "Connection refused",
        "NameResolutionError",
        "Failed to resolve",
        "No route to host",
    )
    return not any(marker in text for marker in not_sent_markers)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "Connection refused",
        "Read timed out",
        "Connection reset",
        "Remote end closed",
        "Failed to resolve",
        "certificate verify failed",
        "hostname mismatch",
        "timed out",
        "Connection aborted",
    ):
        if marker in text:
            return marker.lower()
    return redact(type(exc).__name__)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _safe(url: str) -> str:
    """The URL without its query string (which may hold a token)."""
    parts = urlsplit(url)
    return redact(f"{parts.scheme}://{parts.netloc}{parts.path}")


def _snippet(response: requests.Response, limit: int = 200) -> str:
    text = " ".join(response.text.split())
    if not text:
        return "(an empty reply)"
    return redact(text[:limit] + ("…" if len(text) > limit else ""))
