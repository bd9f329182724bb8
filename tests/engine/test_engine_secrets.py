"""The one redaction: registered secrets and credentials written into URLs."""

from __future__ import annotations

import pytest

from cartsync.engine import secrets
from cartsync.engine.errors import ConnectError


@pytest.mark.parametrize(("text", "shown"), [
    ("Cannot reach https://shop:s3cret@example.com/admin", "Cannot reach https://***@example.com/admin"),
    ("CARTSYNC_STATE=postgresql://cartsync:pw@db:5432/state", "CARTSYNC_STATE=postgresql://***@db:5432/state"),
    ("token in http://only-a-user@host", "token in http://***@host"),
    ("write to ada@example.com about http://host/path?next=a@b", "write to ada@example.com about http://host/path?next=a@b"),
])
def test_credentials_in_urls_are_masked_and_nothing_else(text, shown):
    assert secrets.redact(text) == shown


def test_every_error_message_and_hint_is_redacted():
    secrets.register("registered-token-1234")
    error = ConnectError("refused https://u:p@host with registered-token-1234",
                         hint="check https://u:p@host")
    assert error.message == "refused https://***@host with ***"
    assert error.hint == "check https://***@host"
