"""The one fault plan both sandboxes use: counted faults, seeded mixes, and request watchers."""

from __future__ import annotations

import pytest

from cartsync.engine.sandbox_faults import FaultPlan

KINDS = ("500", "500-after", "429", "drop", "reset", "slow")


def _kinds(plan: FaultPlan, route: str, count: int) -> list[str | None]:
    return [fault.kind if (fault := plan.take(route)) else None for _ in range(count)]


def test_counted_faults_come_first_oldest_first_and_any_route_matches_every_request() -> None:
    plan = FaultPlan(KINDS)
    plan.add("POST /orders", "500", times=2, after=1)
    plan.add("*", "reset")
    assert _kinds(plan, "POST /orders", 4) == [None, "500", "500", "reset"]
    assert _kinds(plan, "GET /orders", 1) == [None], "the counted fault on * was used up"
    plan.add("history", "slow", after=1)
    plan.mix("history", {"drop": 1.0}, seed=1)
    assert _kinds(plan, "history", 3) == ["drop", "slow", "drop"], "a request let through meets the mix"
    fired = [(entry["route"], entry["kind"], entry["count"]) for entry in plan.report()["fired"]]
    assert fired == [("POST /orders", "500", 2), ("POST /orders", "reset", 1), ("history", "drop", 2),
                     ("history", "slow", 1)]


def test_a_mix_replaces_the_routes_random_faults_and_keeps_its_retry_after() -> None:
    plan = FaultPlan(KINDS)
    plan.mix("POST /orders", {"500": 1.0}, seed=3)
    plan.mix("POST /orders", {"429": 1.0, "drop": 0.0}, seed=3, retry_after=7)
    [fault] = [plan.take("POST /orders")]
    assert (fault.kind, fault.retry_after) == ("429", 7)
    assert [f["kind"] for f in plan.report()["faults"]] == ["429"], "a zero chance switches nothing on"


def test_chances_above_one_and_unknown_kinds_are_refused_with_the_reason() -> None:
    plan = FaultPlan(KINDS)
    with pytest.raises(ValueError, match="add up to more than 1"):
        plan.mix("POST /orders", {"500": 0.7, "drop": 0.4}, seed=1)
    plan.add("history", "500", probability=0.6)
    with pytest.raises(ValueError, match="chances add up to more than 1"):
        plan.add("history", "drop", probability=0.5)
    with pytest.raises(ValueError, match="unknown fault kind 'explode'; choose one of 500, 500-after"):
        plan.mix("POST /orders", {"explode": 0.1}, seed=1)


def test_each_route_draws_from_its_own_seeded_generator() -> None:
    """The same seed fails the same requests of a route, whatever other routes see meanwhile
    (concurrent reads must not change which writes fail)."""
    alone, interleaved = FaultPlan(KINDS), FaultPlan(KINDS)
    for plan in (alone, interleaved):
        plan.mix("POST /orders", {"500": 0.2, "drop": 0.05, "reset": 0.05}, seed=11)
        plan.mix("GET /orders", {"500": 0.5}, seed=2)
    writes_alone = _kinds(alone, "POST /orders", 200)
    writes_interleaved = []
    for index in range(200):
        writes_interleaved += _kinds(interleaved, "POST /orders", 1)
        _kinds(interleaved, "GET /orders", index % 3)
    assert writes_alone == writes_interleaved
    assert 30 <= sum(kind is not None for kind in writes_alone) <= 90  # about 30% of 200


def test_watchers_see_every_request_before_its_fault_is_chosen() -> None:
    plan = FaultPlan(KINDS)
    seen: list[tuple[str, int]] = []
    plan.watch(lambda route: seen.append((route, sum(plan.fired.values()))))
    plan.add("*", "500", times=2)
    _kinds(plan, "history", 1)
    _kinds(plan, "login", 2)
    assert seen == [("history", 0), ("login", 1), ("login", 2)]
