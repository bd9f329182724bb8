"""Store notifications: an HMAC-signed POST that only asks serve to read now.

The extension (or the sandbox store) sends `POST /push/<client>` with a small JSON body such as
`{"event": "order.added", "order_id": 1042}` and two headers:

- `X-Cartsync-Timestamp`: Unix seconds when it was sent;
- `X-Cartsync-Signature`: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the client's
  `push.secret`.

Nothing in the body is trusted: a valid notification only starts the client's `on_push`
pipelines, which read the store as usual. A notification older than `MAX_SKEW` seconds (or from
that far in the future) is refused, so a captured one cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Cartsync-Signature"
TIMESTAMP_HEADER = "X-Cartsync-Timestamp"
MAX_SKEW = 300  # seconds


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def refusal(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str | None:
    """Why a notification is refused, or None when it is genuine and fresh."""
    if not timestamp or not signature:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return "bad signature"
    try:
        sent = float(timestamp)
    except ValueError:
        return "bad timestamp"
    if abs(now - sent) > MAX_SKEW:
        return f"timestamp more than {MAX_SKEW} s away from this server's clock"
    return None
