"""Alerts by email (a real SMTP server) and webhook (a real HTTP receiver), each event sent once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from email.message import Message

import pytest
from alert_receivers import MailServer, WebhookReceiver
from serve_helpers import Systems, wait_for

from cartsync.engine.state import StateStore
from cartsync.engine.state.monitoring import Monitoring

SCHEDULE = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 second, skip_when_idle: false}
alerts:
  email:
    to: [ops@acme.example, warehouse@acme.example]
    smtp:
      host: 127.0.0.1
      port: ${SMTP_PORT}
      security: none
      from: cartsync@acme.example
  webhooks:
    - url: ${ACME_ALERT_WEBHOOK}
"""


@pytest.fixture
def receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MailServer, WebhookReceiver]]:
    with MailServer() as mail, WebhookReceiver() as hook:
        monkeypatch.setenv("SMTP_PORT", str(mail.port))
        monkeypatch.setenv("ACME_ALERT_WEBHOOK", hook.url)
        yield mail, hook


def text_of(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def alerts_in(client_folder, event: str) -> list:
    store = StateStore.open(client_folder / ".cartsync" / "state.db")
    try:
        return [row for row in Monitoring(store).alerts() if row.alert.event == event]
    finally:
        store.close()


def test_records_held_in_a_run_are_alerted_once_by_email_and_webhook(
    systems: Systems, receivers: tuple[MailServer, WebhookReceiver], caplog: pytest.LogCaptureFixture
) -> None:
    mail, hook = receivers
    caplog.set_level(logging.INFO, logger="cartsync.serve")
    client = systems.client(SCHEDULE)
    serve = systems.serve(client)
    wait_for(lambda: systems.runs(client, "order_download"), what="the first run")
    held_order = systems.store.add_order("Processing", shipping_code="pigeon.post")

    wait_for(lambda: len(mail.messages) == 1 and len(hook.received) == 1, what="the held-records alert")
    [message] = mail.messages
    assert "1 record(s) held in error" in message["Subject"]
    assert f"{held_order}: routingInfo: Unmapped Ship Method: pigeon.post" in text_of(message)
    assert mail.envelopes == [("cartsync@acme.example", ["ops@acme.example", "warehouse@acme.example"])]
    assert f"{held_order}: routingInfo: Unmapped Ship Method" in hook.texts()[0]  # Slack's {"text": …} shape

    held_logs = [r for r in caplog.records if getattr(r, "event", None) == "record_held"]
    assert [r.fields["key"] for r in held_logs] == [str(held_order)]

    time.sleep(2)  # more runs re-read the held order: no new event
    serve.stop()
    systems.serve(client)  # a restart remembers what was sent
    wait_for(lambda: len(systems.runs(client, "order_download")) >= 6, what="more runs")
    assert len(mail.messages) == 1 and len(hook.received) == 1
    [row] = alerts_in(client, "held_records")[:1]
    assert row.status == "sent" and "secret-token-123" not in row.alert.recipient


def test_a_failing_connection_is_alerted_after_n_runs_then_its_recovery_and_the_stall(
    systems: Systems, receivers: tuple[MailServer, WebhookReceiver]
) -> None:
    mail, _ = receivers
    # a stall well beyond the run cadence (1 s), so a slow run on a loaded machine is no stall
    schedule = SCHEDULE + "  connection_failures: 2\n  not_succeeded_for: 4 seconds\n"
    client = systems.client(schedule)
    systems.store.disable_api_user()
    systems.serve(client)

    wait_for(lambda: any("connection failing" in s for s in mail.subjects()), what="the failing alert")
    wait_for(lambda: any("no clean run" in s for s in mail.subjects()), timeout=20, what="the stall alert")
    assert {run["status"] for run in systems.runs(client, "order_download")} == {"aborted"}
    systems.store.auth.user("cartsync").enabled = True
    wait_for(lambda: any("connection recovered" in s for s in mail.subjects()), what="the recovery alert")
    time.sleep(1.5)

    subjects = mail.subjects()
    assert sum("connection failing" in s for s in subjects) == 1
    assert sum("connection recovered" in s for s in subjects) == 1
    assert sum("no clean run" in s for s in subjects) == 1
    failing = next(m for m in mail.messages if "connection failing" in m["Subject"])
    assert "could not connect in 2 runs in a row" in text_of(failing)
    assert "serve-store-key" not in text_of(failing)


def test_the_daily_digest_goes_once_a_day_and_a_failed_delivery_is_tried_again(
    systems: Systems, receivers: tuple[MailServer, WebhookReceiver]
) -> None:
    mail, hook = receivers
    hook.fail_next = 1
    client = systems.client(SCHEDULE + '  daily_digest: "00:00"\n')
    serve = systems.serve(client)
    wait_for(lambda: len(hook.received) == 1, what="the digest, on the second try")
    wait_for(lambda: any("daily digest" in s for s in mail.subjects()), what="the digest by email")
    time.sleep(1)  # the digest rule keeps matching on every check: it is still sent once
    serve.stop()
    systems.serve(client)
    time.sleep(1)

    assert sum("daily digest" in s for s in mail.subjects()) == 1
    assert hook.attempts == 2 and len(hook.received) == 1
    assert "order_download: last run" in hook.texts()[0]
    webhook_rows = [row for row in alerts_in(client, "daily_digest") if row.alert.channel == "webhook"]
    assert [(row.status, row.attempts) for row in webhook_rows] == [("sent", 2)]
