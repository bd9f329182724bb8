"""The connection's concurrency limit: halved once per burst of 429s, grown back one at a time,
paused for a Retry-After, never above its ceiling."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from cartsync.engine.throttle import AdaptiveLimit


def test_a_burst_of_429s_halves_the_limit_once_and_calm_replies_grow_it_back():
    limit = AdaptiveLimit(16)
    with ExitStack() as under_way:
        tickets = [under_way.enter_context(limit.slot()) for _ in range(16)]
        for ticket in tickets[:5]:  # five requests under way when the WMS began to refuse
            limit.rate_limited(ticket, None)
        assert limit.limit == 8, "one burst counts once"
    with limit.slot() as ticket:  # a request sent after the limit was halved
        limit.rate_limited(ticket, None)
    assert limit.limit == 4
    for _ in range(4):
        limit.succeeded()
    assert limit.limit == 5
    for _ in range(200):  # one more for each run of `limit` calm replies
        limit.succeeded()
    assert limit.limit == 16, "never above the ceiling"


def test_a_retry_after_pauses_the_next_requests():
    waited: list[float] = []
    limit = AdaptiveLimit(4, clock=lambda: 1000.0, sleep=waited.append)
    with limit.slot() as ticket:
        limit.rate_limited(ticket, 7)
    with limit.slot():
        pass
    assert waited == [7.0]


def test_requests_beyond_the_limit_wait_for_a_place():
    limit = AdaptiveLimit(2)
    entered = threading.Semaphore(0)
    leave = threading.Event()

    def request() -> None:
        with limit.slot():
            entered.release()
            leave.wait(timeout=10)

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert entered.acquire(timeout=10) and entered.acquire(timeout=10)
    assert not entered.acquire(timeout=0.2), "a third request waits while two are under way"
    leave.set()
    for thread in threads:
        thread.join(timeout=10)
    assert limit.busiest == 2


def test_a_limit_is_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        AdaptiveLimit(0)
