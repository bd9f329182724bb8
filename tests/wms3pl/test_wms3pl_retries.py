"""Transient failures on reads: 5xx and 429 retried (Retry-After honoured), then a clear error."""

from __future__ import annotations

import pytest

from cartsync.engine.errors import TransientError


def test_500_on_a_read_is_retried_then_succeeds(wms, connector):
    wms.inject_fault("GET /inventory/stocksummaries", "500", times=2)
    pages = list(connector.read("stock", {}, None))
    assert len(pages[0].records) == 8
    statuses = [r["status"] for r in wms.requests_to("GET", "/inventory/stocksummaries")]
    assert statuses == [500, 500, 200]
    assert len(connector.http.waits) == 2


def test_500_until_retries_run_out_is_a_clear_error(wms, connector):
    wms.inject_fault("GET /orders", "500", times=3)
    with pytest.raises(TransientError) as caught:
        list(connector.read("shipments", {}, None))
    assert str(caught.value) == (
        f"the WMS at {wms.url} answered 500 to GET {wms.url}/orders 3 times: Internal Server Error. "
        "An unexpected error occurred; it has been logged.\n"
        "  hint: Records that were not sent stay pending and are retried on the next run.")


def test_429_on_a_read_waits_exactly_retry_after(wms, connector):
    wms.inject_fault("GET /inventory/stocksummaries", "429", retry_after=3)
    list(connector.read("stock", {}, None))
    assert connector.http.waits == [3.0]


def test_slow_reply_beyond_the_timeout_is_retried_for_a_read(wms, make_wms_connector):
    connector = make_wms_connector(wms, timeout=0.2)
    wms.inject_fault("GET /inventory/stocksummaries", "slow", delay=0.5)
    pages = list(connector.read("stock", {}, None))
    assert len(pages[0].records) == 8
    assert len(wms.requests_to("GET", "/inventory/stocksummaries")) == 2
