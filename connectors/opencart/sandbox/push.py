"""The extension's push notification, as the sandbox store sends it.

Like the PHP extension's event handler (`extension/src/cartsync/push.php`): after an order gets a
history entry (placed, or its status changed), POST `{"event", "order_id", "order_status_id"}`
to the configured cartsync serve URL, signed with HMAC-SHA256 over `<timestamp>.<body>`. The
PHP side sends it with a short timeout and ignores failures (polling is the safety net); the
sandbox sends from a background thread so the admin action never waits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

import requests

TIMEOUT = 2.0


class PushNotifier:
    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret
        self.sent: list[dict[str, object]] = []  # what was notified, with the reply's status
        self.lock = threading.Lock()

    def order_history_added(self, order_id: int, status_id: int) -> None:
        event = {"event": "order.history", "order_id": order_id, "order_status_id": status_id}
        threading.Thread(target=self._post, args=(event,), daemon=True).start()

    def _post(self, event: dict[str, object]) -> None:
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Cartsync-Timestamp": stamp,
                   "X-Cartsync-Signature": "sha256=" + signature}
        status: int | str
        try:
            status = requests.post(self.url, data=body, headers=headers, timeout=TIMEOUT).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        with self.lock:
            self.sent.append({**event, "status": status})
