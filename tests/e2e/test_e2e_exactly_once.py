"""Order download is exactly once even where the WMS cannot refuse a duplicate (its duplicate
check switched off): under faults, across runs, resends, holds, and kill -9 of a real process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flat_orders import kill, wait_until

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FAULTS = {"500": 0.2, "500-after": 0.1, "drop": 0.05, "reset": 0.05}


def test_faults_runs_and_resends_create_each_order_once_with_the_duplicate_check_off(flat):
    flat.wms.set_duplicate_check(False)
    references = flat.add_orders(60)
    flat.wms.mix_faults("POST /orders", FAULTS, seed=11)
    runs = 0
    while any(row.status != "at_wms" for row in flat.rows()) or runs == 0:
        assert runs < 20, "still not quiet after 20 runs"
        flat.run(now=lambda runs=runs: START + timedelta(days=2 * runs))
        runs += 1
        if runs == 1:  # a person resends what did not arrive yet, and a few orders that did
            pending = [row.key for row in flat.rows() if row.status != "at_wms"]
            delivered = [row.key for row in flat.rows() if row.status == "at_wms"][:5]
            assert pending, "the fault mix gave nothing to resend"
            for key in pending + delivered:
                assert flat.cli("orders", "resend", key).exit_code == 0
    assert flat.wms.orders_by_reference() == dict.fromkeys(references, 1)

    posts = len(flat.wms.requests_to("POST", "/orders"))
    flat.wms.clear_faults()
    for key in ("1", "2", "3"):
        flat.cli("orders", "resend", key)
    report = flat.run(now=lambda: START + timedelta(days=60))
    assert report.counts == {"duplicate": 3}, "already at the WMS: looked up, not sent"
    assert len(flat.wms.requests_to("POST", "/orders")) == posts
    assert flat.wms.orders_by_reference() == dict.fromkeys(references, 1)


def test_one_lost_reply_in_a_batch_leaves_only_that_order_unknown(flat):
    flat.add_orders(5)
    flat.wms.inject_fault("POST /orders", "reset")
    report = flat.run(now=lambda: START)
    assert report.counts == {"sent": 4, "unknown": 1}
    assert report.exit_code == 1
    [problem] = report.problems
    assert "sent, no reliable reply; it will be looked up before any resend" in problem.message
    assert flat.ledger(problem.key).in_flight is True
    assert len(flat.wms.orders) == 4

    report = flat.run(now=lambda: START + timedelta(hours=2))
    assert report.counts == {"sent": 1, "skipped": 4}
    assert report.skip_reasons == {"already at_wms": 4}, "the cursor waited for the unknown order"
    assert flat.wms.orders_by_reference() == {f"OC-{n}": 1 for n in range(1, 6)}
    assert len(flat.wms.requests_to("POST", "/orders")) == 6


def test_an_order_the_wms_refuses_is_held_in_error_and_the_others_go_on(flat):
    flat.add_orders(2)
    with (flat.folder / "in" / "orders.jsonl").open("a") as handle:
        handle.write('{"id": 3, "name": "Customer 3", "qty": 1, "sku": "GIFT-CARD"}\n')
    flat.add_orders(2)
    report = flat.run()
    assert report.counts == {"sent": 4, "rejected": 1}
    assert report.exit_code == 1
    refused = flat.ledger("3")
    assert (refused.status, refused.in_flight) == ("error", False)
    assert refused.last_error.startswith("ValueNotSupported: Value not supported: OrderItems[0]")
    assert "SKU GIFT-CARD is not set up for customer 1077" in refused.last_error
    report = flat.run()
    assert report.counts == {}, "the cursor moved past it: a refusal is final"
    assert len(flat.wms.requests_to("POST", "/orders")) == 5, "a refused order is not sent again by itself"


def test_a_held_order_stays_unsent_across_runs_until_released(flat, crash_intent):
    flat.wms.set_duplicate_check(False)
    flat.add_orders(3)
    flat.crash_after_intents(crash_intent, [2, 3])  # a run died after recording these two intents
    flat.wms.create_order(flat.wms_body(3))  # order 3 had reached the WMS; order 2 had not
    assert flat.cli("orders", "hold", "2").exit_code == 0
    assert flat.cli("orders", "hold", "3").exit_code == 0
    for day in range(3):
        flat.run(now=lambda day=day: START + timedelta(days=day))
        assert flat.wms.orders_by_reference() == {"OC-1": 1, "OC-3": 1}
    held = flat.ledger("2")
    assert (held.held, held.in_flight) == (True, False), "looked up, found nowhere, still held"
    learned = flat.ledger("3")
    assert (learned.status, learned.held) == ("at_wms", True), "reconcile still learns it arrived"

    released = flat.cli("orders", "release", "2")
    assert released.exit_code == 0
    report = flat.run(now=lambda: START + timedelta(days=3))
    assert report.counts == {"sent": 1}
    assert flat.wms.orders_by_reference() == {"OC-1": 1, "OC-2": 1, "OC-3": 1}


def test_kill_9_mid_batch_then_another_run_gives_no_duplicate_and_no_loss(flat):
    flat.wms.set_duplicate_check(False)
    references = flat.add_orders(120)
    flat.wms.mix_faults("POST /orders", {"slow": 1.0}, seed=1, delay=0.03)
    process = flat.start_process()
    wait_until(lambda: len(flat.wms.requests_to("POST", "/orders")) >= 30, what="30 orders to be posted")
    kill(process)
    flat.wms.clear_faults()
    assert any(row.in_flight for row in flat.rows()), "the kill left sends with no known outcome"

    finished = flat.run_process()
    assert finished.returncode == 0, finished.stdout
    assert flat.wms.orders_by_reference() == dict.fromkeys(references, 1)
    assert {row.status for row in flat.rows()} == {"at_wms"}
    runs = flat.cli("runs", "order_download")
    assert "died" in runs.output and "running" not in runs.output


def test_recovery_saves_each_chunk_so_a_kill_during_reconcile_still_makes_progress(flat, crash_intent):
    flat.wms.set_duplicate_check(False)
    references = flat.add_orders(250)
    flat.crash_after_intents(crash_intent, range(1, 251))  # a crash left 250 sends in flight
    for n in range(2, 251, 2):  # half of them had reached the WMS
        flat.wms.create_order(flat.wms_body(n))
    flat.wms.mix_faults("GET /orders", {"slow": 1.0}, seed=1, delay=0.4)
    process = flat.start_process()
    wait_until(lambda: len(flat.wms.requests_to("GET", "/orders")) >= 2, what="the second lookup")
    kill(process)
    in_flight = sum(row.in_flight for row in flat.rows())
    assert in_flight <= 150, f"the kill during recovery lost every answer ({in_flight} still in flight)"

    flat.wms.clear_faults()
    flat.wait_for_lease_expiry()
    report = flat.run()
    assert report.exit_code == 0
    assert flat.wms.orders_by_reference() == dict.fromkeys(references, 1)
    assert {row.status for row in flat.rows()} == {"at_wms"}
