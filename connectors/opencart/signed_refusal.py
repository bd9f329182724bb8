"""Why OpenCart 4.1 refused a signed call, found out rather than guessed.

4.1's own API answers every refused signature with the same 403 ("You do not have permission to
access this page"), whether the key, the user, the IP list, the clock or the signed fields are
wrong. So cartsync asks the store, harmlessly, in this order:

1. the clock: the reply's Date header gives the store's clock; more than the window apart names it;
2. the fields (a write): the same call for order 0 with plain fields (which changes nothing). If the
   store takes that one, it refused this write's fields only: the record is held with that cause,
   and the other records go on;
3. the cartsync extension's signed `version` route, which names what it refuses: no such user,
   the IP it saw, or a bad signature with the host and path it checked it for (different from
   what cartsync signed: the Host header is changed on the way; the same: the key is wrong). When
   the extension accepts what 4.1's own API refused, the remaining difference is how 4.1 reads
   the caller's IP: from a CF-Connecting-IP or X-Forwarded-For header when one arrives.
"""

from __future__ import annotations

import email.utils
import re
import time
from typing import TYPE_CHECKING, Any

import requests

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.signing import CLOCK_WINDOW_SECONDS, store_host_and_path
from cartsync.connectors.opencart.versions import SIGNED_API_ROUTE, SIGNED_EXTENSION_ROUTE
from cartsync.engine.errors import CartsyncError, ConnectError

if TYPE_CHECKING:
    from cartsync.connectors.opencart.session import StoreSession

CLOCK_MARGIN_SECONDS = 5  # the Date header has whole seconds, and the request takes a moment
_CHECKED_FOR = re.compile(r"checked it for host (\S*) and path (\S*)\)")
_PROBE_FIELDS = {"order_id": 0}  # no store has order 0: the call changes nothing
FIELDS_REFUSED = (
    "OpenCart 4.1 refused the signature of this write and accepts the same call without its fields: the "
    "store changed these fields before checking them otherwise than OpenCart 4.1.0.4 does (it HTML-escapes "
    "and trims them, and cartsync signs them so). The comment's & < > \" or its leading or trailing spaces "
    "and newlines are the likely cause; a firewall or another extension that rewrites POST bodies does this "
    "too."
)
FIELDS_HINT = ("Change the comment template (e.g. no trailing newline), or tell the cartsync maintainers the "
               "store's OpenCart version; then `cartsync orders resend` the order.")


class FieldsRefused(CartsyncError):
    """4.1 refused the signature of one write's fields, and takes the same call with plain fields."""


def clock_offset(response: requests.Response) -> float | None:
    """Seconds the store's clock is ahead of this machine's, from the reply's Date header."""
    try:
        stamp = email.utils.parsedate_to_datetime(response.headers.get("Date", "")).timestamp()
    except (TypeError, ValueError):
        return None
    return stamp - time.time()


def _prefix(session: StoreSession) -> str:
    return f"OpenCart 4.1 refused the signed call of API user '{session.settings.api_username}'"


def _clock(session: StoreSession, offset: float) -> ConnectError:
    side = "ahead of" if offset > 0 else "behind"
    return ConnectError(
        f"{_prefix(session)}: the store's clock is {round(abs(offset))} seconds {side} this machine's, "
        f"and it accepts a signature only within {CLOCK_WINDOW_SECONDS} seconds.",
        hint="Set both clocks right with NTP (on this machine e.g. `timedatectl set-ntp true`; on the "
        "store's server, or ask its host).",
    )


def _agreeing(offset: float | None) -> str:
    if offset is None:
        return "the store sent no Date header to compare clocks with"
    return f"the clocks agree within {max(1, round(abs(offset)))} seconds"


def explain_refusal(session: StoreSession, response: requests.Response, *, route: str, call: str,
                    form: Any) -> CartsyncError:
    """The cause of a 403 from 4.1's own signed API (`route`, `call`, with POST fields `form`)."""
    offset = clock_offset(response)
    if offset is not None and abs(offset) > CLOCK_WINDOW_SECONDS - CLOCK_MARGIN_SECONDS:
        return _clock(session, offset)
    if form and route == SIGNED_API_ROUTE:
        probe = session.send_signed("POST", route, call, form=_PROBE_FIELDS)
        if not errors.forbidden_41(probe):
            return FieldsRefused(FIELDS_REFUSED, hint=FIELDS_HINT)
    return _ask_extension(session, offset, fallback=errors.snippet(response.text))


def explain_extension_refusal(session: StoreSession, text: str,
                              response: requests.Response) -> ConnectError:
    """The cause of the cartsync extension's refusal `text` of a signed call."""
    offset = clock_offset(response)
    if "clock window" in text and offset is not None:
        return _clock(session, offset)
    return _cause(session, text, offset) or _unexplained(session, text, offset)


def _ask_extension(session: StoreSession, offset: float | None, *, fallback: str) -> ConnectError:
    reply = session.send_signed("GET", SIGNED_EXTENSION_ROUTE, "version", params={"call": "version"})
    payload = errors.json_or_none(reply.text)
    if reply.status_code == 200 and isinstance(payload, dict) and "extension_version" in payload:
        return ConnectError(
            f"{_prefix(session)}: OpenCart 4.1's own API refused it, although the cartsync extension accepts "
            f"the same key, user, IP and clock ({_agreeing(offset)}). 4.1's own API takes the caller's IP "
            "from a CF-Connecting-IP or X-Forwarded-For header whenever one arrives, so a proxy in front of "
            "the store makes it see another address.",
            hint=f"Add the address the proxy forwards for this machine to {errors.API_USERS} > edit "
            f"'{session.settings.api_username}' > IP Addresses, or keep the proxy from adding those headers "
            "for the store's own address.",
        )
    text = errors.error_text(payload)
    return (_cause(session, text, offset) if text else None) or _unexplained(session, fallback, offset)


def _cause(session: StoreSession, text: str, offset: float | None) -> ConnectError | None:
    username = session.settings.api_username
    if "Unknown or disabled API user" in text:
        return ConnectError(f"{_prefix(session)}: the store has no enabled API user named '{username}'.",
                            hint=f"In {errors.API_USERS} check that api_username is the user's API Username "
                            "and that its Status is Enabled.")
    seen = re.search(r"Your IP (\S+) is not allowed", text)
    if seen:
        return ConnectError(
            f"{_prefix(session)}: its IP list does not hold {seen.group(1)}, the address the store saw.",
            hint=f"Add {seen.group(1)} in {errors.API_USERS} > edit '{username}' > IP Addresses (behind a "
            "proxy, see the install guide's section on proxies).")
    checked = _CHECKED_FOR.search(text)
    if checked:
        host, path = store_host_and_path(session.settings.store_url)
        if (checked.group(1), checked.group(2)) != (host, path):
            return ConnectError(
                f"{_prefix(session)}: the store checked the signature for host {checked.group(1)} and path "
                f"{checked.group(2)}, but this machine signed it for host {host} and path {path}.",
                hint="store_url must be the address the store sees itself reached at: a proxy that changes "
                "the Host header breaks every signature. Let the proxy pass the Host header on, or set "
                "store_url to that address.")
        return ConnectError(
            f"{_prefix(session)}: api_key is not that user's key (the store checked the signature for this "
            f"host and path, and {_agreeing(offset)}).",
            hint=f"In {errors.API_USERS} edit '{username}' and copy its API Key into api_key exactly.")
    return None


def _unexplained(session: StoreSession, answer: str, offset: float | None) -> ConnectError:
    return ConnectError(
        f"{_prefix(session)} (the store answered: {answer}); {_agreeing(offset)}, so the API key, the user "
        "or this machine's IP is wrong.",
        hint=f"In {errors.API_USERS} check that '{session.settings.api_username}' is Enabled, that api_key "
        "is its key and that this machine's IP is in its IP Addresses. With the cartsync extension installed "
        "the store names which.",
    )
