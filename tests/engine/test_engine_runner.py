"""The runner over the files connector: reruns, new records, filters, rejections, lock, cursor."""

from __future__ import annotations

import threading

import pytest

from cartsync.engine.errors import LockHeld
from cartsync.engine.state import StateStore

ADA = {"id": 1, "first": "Ada", "last": "Lovelace", "email": "ada@example.com", "country": "FR"}
BOB = {"id": 2, "first": "Bob", "last": "Noemail", "email": None, "country": "DE"}
CAROL = {"id": 3, "first": "Carol", "last": "Zed", "email": "c@example.com", "country": "XX"}
DAN = {"id": 4, "first": "Dan", "last": "Brown", "email": "dan@example.com", "country": "DE"}


def test_first_run_maps_filters_and_rejects(workspace, run, add_contacts, written):
    add_contacts(ADA, BOB, CAROL)
    report, store = run()
    assert written() == [{"id": 1, "name": "Ada Lovelace", "salutation": "Dear Ada", "country": "France"}]
    assert report.counts == {"sent": 1, "skipped": 1, "rejected": 1}
    assert report.skip_reasons == {"contact has no email": 1}
    assert "countries" in report.problems[0].message and "XX" in report.problems[0].message
    assert report.exit_code == 1
    assert store.row("contacts", "2").status == "skipped"
    assert store.row("contacts", "2").last_error == "contact has no email"
    assert store.row("contacts", "3").status == "error"


def test_rerun_writes_nothing_and_a_new_record_only_itself(workspace, run, add_contacts, written):
    add_contacts(ADA)
    run()
    report, _ = run()
    assert len(written()) == 1
    assert report.counts.get("sent", 0) == 0
    add_contacts(DAN)
    report, _ = run()
    assert [card["id"] for card in written()] == [1, 4]
    assert report.counts == {"sent": 1}


def test_unchanged_content_is_skipped_even_without_a_cursor(workspace, run, add_contacts, written):
    add_contacts(ADA)
    _, store = run()
    store.reset_cursor("contacts")
    report, _ = run()
    assert report.counts == {"unchanged": 1}
    assert len(written()) == 1
    report, _ = run(full=True)
    assert report.counts == {"sent": 1}
    assert len(written()) == 2


def test_dry_run_sends_nothing_and_keeps_no_state(workspace, run, add_contacts, written):
    add_contacts(ADA, DAN)
    report, store = run(dry_run=True)
    assert report.counts == {"would_send": 2}
    assert [mapped["name"] for _, mapped in report.previews] == ["Ada Lovelace", "Dan Brown"]
    assert written() == []
    assert store.cursor("contacts") is None and store.row("contacts", "1") is None


def test_limit_stops_early_and_does_not_move_the_cursor_past_unread_records(workspace, run, add_contacts):
    add_contacts(ADA, DAN)
    report, store = run(limit=1)
    assert report.counts == {"sent": 1}
    assert store.cursor("contacts") is None
    report, _ = run()
    assert report.counts == {"sent": 1, "unchanged": 1}


def test_a_fixed_lookup_and_resend_delivers_a_held_record(workspace, run, add_contacts, written):
    from cartsync.engine.ledger_commands import LedgerCommands

    add_contacts(CAROL)
    run()
    pipeline = (workspace / "contacts.yaml").read_text().replace("FR: France}", "FR: France, XX: Nowhere}")
    (workspace / "contacts.yaml").write_text(pipeline)
    report, store = run()
    assert report.counts == {}, "the cursor moved past the rejected record; only a resend brings it back"
    LedgerCommands(store, "contacts").resend("3")
    report, store = run()
    assert report.counts == {"sent": 1}
    assert written()[-1]["country"] == "Nowhere"
    events = [event["event"] for event in store.events("contacts", "3")]
    assert events == ["rejected", "resend", "ok"]
    assert store.row("contacts", "3").attempts == 1


def test_held_record_is_not_sent(workspace, run, add_contacts, written):
    from cartsync.engine.ledger_commands import LedgerCommands

    add_contacts(CAROL)
    _, store = run()
    commands = LedgerCommands(store, "contacts")
    commands.resend("3")
    commands.hold("3")
    report, _ = run()
    assert report.counts == {}
    assert written() == []


def test_second_run_of_the_same_pipeline_is_refused(state, run, add_contacts, written):
    add_contacts(ADA)
    store = StateStore.open(state)
    lease = store.acquire_lease("contacts")
    result: list[BaseException] = []

    def other_run() -> None:
        try:
            run()
        except LockHeld as error:
            result.append(error)

    thread = threading.Thread(target=other_run)
    thread.start()
    thread.join()
    assert result and "Another run of pipeline 'contacts' is in progress" in str(result[0])
    assert written() == []
    store.release_lease(lease)
    report, _ = run()
    assert report.counts == {"sent": 1}


def test_runs_are_recorded_with_counts(workspace, run, add_contacts):
    add_contacts(ADA, BOB)
    _, store = run()
    [last] = store.runs("contacts", limit=1)
    assert last["status"] == "ok"
    assert last["counts"] == {"sent": 1, "skipped": 1}
    assert last["ended_at"] is not None


@pytest.mark.parametrize("bad", ["{not json", "[1, 2"])
def test_a_broken_source_file_names_its_line(workspace, run, add_contacts, bad):
    from cartsync.engine.errors import ConnectError

    add_contacts(ADA)
    with (workspace / "in" / "contacts.jsonl").open("a") as handle:
        handle.write(bad + "\n")
    with pytest.raises(ConnectError, match=r"contacts.jsonl:2: not valid JSON"):
        run()


def test_a_record_the_library_cannot_compare_is_held_and_the_run_goes_on(
    workspace, run, add_contacts, written
):
    """jmespath raises Python's own TypeError for `"7" > 0`; one such record must not stop the run."""
    pipeline = (workspace / "contacts.yaml").read_text()
    rule = '  - when: "id > `0`"\n    reason: id must be positive\n'
    (workspace / "contacts.yaml").write_text(pipeline.replace("filter:\n", "filter:\n" + rule))
    add_contacts({**ADA, "id": "7"}, DAN)
    report, store = run()
    assert [card["id"] for card in written()] == [4]
    assert report.counts == {"sent": 1, "rejected": 1}
    held = store.row("contacts", "7")
    assert held.status == "error"
    assert "cannot be compared" in held.last_error and "'>' not supported" in held.last_error
