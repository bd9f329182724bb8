"""`make bench`'s P1b at a tiny size: the race it runs is fair (the hand-written baseline maps the
generated orders exactly as the shipped pipeline does, and the engine validates against the WMS's
real record schema), and it yields its two figures. No figure is judged here: `make bench` does."""

from __future__ import annotations

import pytest

from bench import bench_cpu


def test_the_hand_written_baseline_maps_generated_orders_as_the_shipped_pipeline_does():
    bench_cpu.check_same_mapping(bench_cpu.generated_records(50))


def test_a_changed_baseline_is_caught_before_anything_is_timed(monkeypatch):
    original = bench_cpu.order_payload
    monkeypatch.setattr(bench_cpu, "order_payload", lambda order: {**original(order), "poNum": "changed"})
    with pytest.raises(AssertionError):
        bench_cpu.check_same_mapping(bench_cpu.generated_records(5))


def test_p1b_yields_the_engines_ratio_and_the_mappings_ratio():
    rows = bench_cpu.measure(bench_cpu.Size(orders=50, rounds=1))
    assert [row.workload.split(" ÷ ")[0] for row in rows] == [
        "P1b CPU per order in the engine",
        "P1b mapping alone",
    ]
    assert all(row.value > 0 and row.unit == "×" for row in rows)
