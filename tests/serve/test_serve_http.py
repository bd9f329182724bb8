"""serve's HTTP side: metrics, health, and store push notifications over real HTTP."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
from serve_helpers import PUSH_SECRET, Systems, metric, wait_for

from cartsync.engine.serve.push import sign

EVERY_SECOND = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 second}
"""
PUSHED_ONLY = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 hour, on_push: true}
push: {secret: "${EXAMPLE_PUSH_SECRET}"}
"""


def test_metrics_show_runs_records_held_duration_last_success_and_lag(systems: Systems) -> None:
    client = systems.client(EVERY_SECOND)
    serve = systems.serve(client)
    labels = {"client": "acme", "pipeline": "order_download"}
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok", **labels), what="a clean run")
    assert metric(serve.url, "cartsync_records_total", outcome="sent", **labels) == 5  # the seeded orders
    assert time.time() - metric(serve.url, "cartsync_last_success_timestamp_seconds", **labels) < 10
    assert metric(serve.url, "cartsync_run_duration_seconds_count", **labels) >= 1

    systems.store.add_order("Processing", shipping_code="pigeon.post")  # held: unmapped ship method
    wait_for(lambda: metric(serve.url, "cartsync_held_records", **labels) == 1, what="the held gauge")
    systems.wms.inject_fault("POST /orders", "500", times=1000)
    systems.store.add_order("Processing")  # the WMS answers 500: unknown, looked up before any resend
    wait_for(lambda: metric(serve.url, "cartsync_oldest_unsent_age_seconds", **labels) > 0, what="the lag")
    assert metric(serve.url, "cartsync_records_total", outcome="rejected", **labels) == 1

    health = requests.get(serve.url + "/healthz", timeout=5)
    ready = requests.get(serve.url + "/readyz", timeout=5)
    assert (health.status_code, ready.status_code) == (200, 200)
    assert ready.json()["clients"]["acme"][0]["pipeline"] == "order_download"
    serve.stop()


def test_a_signed_store_notification_starts_order_download_at_once(systems: Systems) -> None:
    client = systems.client(PUSHED_ONLY)
    serve = systems.serve(client)
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok"), what="the first run")
    notifier = systems.store.notify_to(f"{serve.url}/push/acme", PUSH_SECRET)

    placed = time.monotonic()
    order_id = systems.store.add_order("Processing")
    wait_for(lambda: systems.at_wms(order_id), timeout=10, what="the pushed order at the WMS")
    assert time.monotonic() - placed < 10  # the hourly schedule alone would wait an hour
    assert [(n["order_id"], n["status"]) for n in notifier.sent] == [(order_id, 202)]
    assert metric(serve.url, "cartsync_push_notifications_total", client="acme", result="accepted") == 1


def test_a_notification_with_a_bad_signature_or_stale_time_triggers_nothing(systems: Systems) -> None:
    client = systems.client(PUSHED_ONLY)
    serve = systems.serve(client)
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok"), what="the first run")
    body = json.dumps({"event": "order.history", "order_id": 1}).encode()
    now = str(int(time.time()))
    stale = str(int(time.time()) - 3600)
    attempts = {
        "wrong secret": (now, sign("not-the-secret-at-all", now, body)),
        "stale": (stale, sign(PUSH_SECRET, stale, body)),
        "unsigned": (now, ""),
    }
    for timestamp, signature in attempts.values():
        reply = requests.post(
            f"{serve.url}/push/acme",
            data=body,
            timeout=5,
            headers={"X-Cartsync-Timestamp": timestamp, "X-Cartsync-Signature": signature},
        )
        assert reply.status_code == 401
    assert requests.post(f"{serve.url}/push/nobody", data=body, timeout=5).status_code == 404
    time.sleep(0.5)
    assert metric(serve.url, "cartsync_runs_total", status="ok") == 1  # no run was started
    assert metric(serve.url, "cartsync_push_notifications_total", client="acme", result="refused") == 3


def test_with_an_empty_push_secret_notifications_are_refused_and_polling_goes_on(
    systems: Systems, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cartsync.serve")
    monkeypatch.delenv("EXAMPLE_PUSH_SECRET")
    schedule = PUSHED_ONLY.replace("${EXAMPLE_PUSH_SECRET}", "${EXAMPLE_PUSH_SECRET:-}")
    client = systems.client(schedule.replace("every: 1 hour", "every: 1 second"))
    serve = systems.serve(client)
    assert [r for r in caplog.records if getattr(r, "event", None) == "push_off"]

    body = json.dumps({"event": "order.history", "order_id": 1}).encode()
    now = str(int(time.time()))
    headers = {"X-Cartsync-Timestamp": now, "X-Cartsync-Signature": sign("", now, body)}
    assert requests.post(f"{serve.url}/push/acme", data=body, headers=headers, timeout=5).status_code == 404
    order_id = systems.store.add_order("Processing")
    wait_for(lambda: systems.at_wms(order_id), what="the order, by polling")
