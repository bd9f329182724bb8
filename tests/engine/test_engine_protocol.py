"""The delivery protocol through the runner, over the files connector: an unknown result is looked
up before anything is sent again, a batch whose write raised is not retried blindly, and a held
record is never sent until a person releases it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cartsync.connectors.files.connector import FilesConnector
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import OutcomeUnknown
from cartsync.engine.ledger_commands import LedgerCommands
from cartsync.engine.state import StateStore

ADA = {"id": 1, "first": "Ada", "last": "Lovelace", "email": "ada@example.com", "country": "FR"}
DAN = {"id": 4, "first": "Dan", "last": "Brown", "email": "dan@example.com", "country": "DE"}
EVE = {"id": 5, "first": "Eve", "last": "Adams", "email": "eve@example.com", "country": "FR"}
FAY = {"id": 6, "first": "Fay", "last": "Wray", "email": "fay@example.com", "country": "DE"}
ADA_CARD = {"id": 1, "name": "Ada Lovelace", "salutation": "Dear Ada", "country": "France"}
DAN_CARD = {"id": 4, "name": "Dan Brown", "salutation": "Dear Dan", "country": "Germany"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class LosesTheReplyMidBatch(FilesConnector):
    """The files connector, except that a write stores the first `written` records of the batch and
    then raises, as a connector does when a connection drops after some records have gone out."""

    written = 2

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        super().write(stream, records[: self.written])
        raise OutcomeUnknown("the outbox stopped answering after two records")


def test_an_in_flight_record_the_destination_has_is_recorded_not_written_again(
        workspace, state, run, add_contacts, written, crash_intent):
    add_contacts(ADA)
    run()
    crash_intent(state, entity="contacts", pipeline="contacts", sends=[("1", ADA, ADA_CARD)])
    report, store = run()
    assert written() == [ADA_CARD], "looked up in the file, not written twice"
    row = store.row("contacts", "1")
    assert (row.status, row.in_flight) == ("done", False)
    assert report.exit_code == 0


def test_an_in_flight_record_the_destination_lacks_is_sent_once(
        workspace, state, run, add_contacts, written, crash_intent):
    add_contacts(ADA, DAN)
    crash_intent(state, entity="contacts", pipeline="contacts", sends=[("4", DAN, DAN_CARD)])
    report, store = run()
    assert sorted(card["id"] for card in written()) == [1, 4]
    assert report.counts == {"sent": 2}
    assert [event["event"] for event in store.events("contacts", "4")] == ["reconciled", "ok"], (
        "one event per outcome; an intent is the row's in-flight flag")
    assert store.row("contacts", "4").attempts == 2, "the lost send and the one that arrived"


def test_a_write_that_raises_mid_batch_leaves_its_records_unknown_and_sends_none_twice(
        workspace, run, add_contacts, written):
    add_contacts(ADA, DAN, EVE, FAY)
    outbox = LosesTheReplyMidBatch("outbox", {"folder": str(workspace / "out")})
    report, store = run(destination=outbox, now=lambda: START)
    assert report.counts == {"unknown": 4}
    assert report.exit_code == 1
    row = store.row("contacts", "5")
    assert row.in_flight is True
    assert "sent, no reliable reply; it will be looked up before any resend" in row.last_error
    assert store.cursor("contacts") is None, "unknown is not final: the cursor waits"
    assert len(written()) == 2

    report, store = run(now=lambda: START + timedelta(hours=2))
    assert sorted(card["id"] for card in written()) == [1, 4, 5, 6], "each record once"
    assert report.counts == {"sent": 4}
    assert all(not store.row("contacts", key).in_flight for key in ("1", "4", "5", "6"))


def test_a_held_record_left_in_flight_is_never_sent_until_released(
        workspace, state, run, add_contacts, written, crash_intent):
    add_contacts(ADA, DAN)
    crash_intent(state, entity="contacts", pipeline="contacts", sends=[("4", DAN, DAN_CARD)])
    store = StateStore.open(state)
    LedgerCommands(store, "contacts").hold("4")
    for hours in (0, 2, 48):
        run(now=lambda hours=hours: START + timedelta(hours=hours))
        assert 4 not in [card["id"] for card in written()]
    assert store.row("contacts", "4").held is True
    LedgerCommands(store, "contacts").release("4")
    report, _ = run()
    assert sorted(card["id"] for card in written()) == [1, 4]
    assert report.counts == {"sent": 1}


def test_a_resend_of_a_delivered_record_is_looked_up_first(workspace, run, add_contacts, written):
    add_contacts(ADA)
    _, store = run()
    LedgerCommands(store, "contacts").resend("1")
    report, store = run()
    assert written() == [ADA_CARD], "the outbox already has it: not written twice"
    assert report.counts == {"duplicate": 1}
    assert store.row("contacts", "1").resend is False
