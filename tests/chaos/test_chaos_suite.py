"""The bounded chaos subset (`make test`), and proof that its counts catch what they look for."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rich.console import Console

from chaos.jobs import InventorySync, OrderDownload, ShipmentConfirmation, Tally
from chaos.suite import Result, Settings, run_suite
from chaos.table import print_verdict

pytestmark = pytest.mark.chaos


def test_kills_and_faults_leave_no_duplicate_and_no_loss_in_any_job(tmp_path: Path) -> None:
    """50 records a job, 3 runs killed -9 at seeded requests, then runs under the fault mix that
    hits the job's writes (WMS duplicate check off), then runs until quiet."""
    settings = Settings(seed=random.SystemRandom().randrange(10**6), folder=tmp_path / "chaos")
    lines: list[str] = []
    results = run_suite(settings, lines.append, quick=True, parallel=True)
    console = Console(record=True, width=160)
    verdict = print_verdict(console, results, settings.quick())
    assert verdict, console.export_text() + "\n".join(lines)
    assert [(r.job, r.mode) for r in results] == [
        ("order_download", "kill"), ("order_download", "wms-faults"),
        ("shipment_confirmation", "kill"), ("shipment_confirmation", "store-faults"),
        ("inventory_sync", "kill"), ("inventory_sync", "store-faults")]
    for result in results:
        assert result.tally.records == result.tally.at_destination == 50
        if result.mode == "kill":
            assert result.kills == 3 and result.longest_block is not None
            assert result.longest_block <= settings.quick().lease + 0.5
        else:
            assert result.faults > 0, f"{result.job}: no fault fired"


def _world(job, tmp_path: Path):
    return job.open_world(tmp_path / job.name, lease=1.0, store_version="3.0", rng=random.Random(1))


def test_twin_wms_orders_and_orders_never_sent_are_counted(tmp_path: Path) -> None:
    job = OrderDownload(3)
    world = _world(job, tmp_path)
    try:
        job.prepare(world)
        first, second, _ = job.keys
        for key in (first, first, second):
            world.wms.create_order({"customerIdentifier": {"id": 1077}, "facilityIdentifier": {"id": 1},
                                    "referenceNum": f"OC-{key}", "shipTo": {"name": "Ann Lee"},
                                    "orderItems": [{"itemIdentifier": {"sku": "TENT-002"}, "qty": 1}]})
        tally = job.tally(world)
    finally:
        world.close()
    assert (tally.records, tally.at_destination, tally.duplicated, tally.lost) == (3, 2, 1, 1)
    assert tally.examples == [f"WMS orders twice: OC-{first}", f"not at the WMS: {job.keys[2]}"]


def test_a_second_shipped_row_or_mail_is_a_duplicate_and_a_missing_one_a_loss(tmp_path: Path) -> None:
    job = ShipmentConfirmation(3)
    world = _world(job, tmp_path)
    try:
        job.keys = [str(order_id) for order_id in world.place_orders(3)]
        twice, once, _ = (int(key) for key in job.keys)
        world.store.set_order_status(twice, "Shipped", "1Z1", notify=True)
        world.store.set_order_status(twice, "Shipped", "1Z1", notify=True)
        world.store.set_order_status(once, "Shipped", "1Z2", notify=False)  # a row, but no mail
        tally = job.tally(world)
    finally:
        world.close()
    assert (tally.at_destination, tally.duplicated, tally.lost) == (2, 1, 2)
    assert tally.examples[:2] == ["1 extra history row(s), 1 extra mail(s)",
                                  f"orders confirmed twice: {twice}"]


def test_a_store_quantity_other_than_the_wms_available_is_stale(tmp_path: Path) -> None:
    job = InventorySync(3)
    world = _world(job, tmp_path)
    try:
        stale, right, _ = job.keys
        stock = world.wms.store.stock
        available = {sku: sum(row["available"] for (s, _, _), row in stock.items() if s == sku)
                     for sku in (stale, right)}
        world.store.product(stale)["quantity"] = int(available[stale]) + 1
        world.store.product(right)["quantity"] = int(available[right])
        tally = job.tally(world)
    finally:
        world.close()
    assert (tally.at_destination, tally.duplicated, tally.lost) == (1, 1, 1)


def test_the_verdict_fails_on_a_duplicate_and_says_how_to_replay_it(tmp_path: Path) -> None:
    twin = Result("order_download", "kill", "2.1", Tally(50, 50, 1, 0, 0, ["WMS orders twice: OC-1002"]),
                  runs=5, kills=3, faults=0, longest_block=0.9, seconds=12.0)
    console = Console(record=True, width=200)
    assert not print_verdict(console, [twin], Settings(seed=42, folder=tmp_path).quick())
    shown = console.export_text()
    assert "WMS orders twice: OC-1002" in shown
    assert 'replay: make chaos CHAOS_ARGS="--seed 42 --jobs order_download --modes kill --quick"' in shown
