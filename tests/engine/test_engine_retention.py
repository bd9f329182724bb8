"""The retention rule: rows finished long ago lose their records, payloads and old events, keep their
status, and are never sent again; rows that wait for a run or a person keep everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.engine.ledger_commands import LedgerCommands
from cartsync.engine.state import StateStore

ADA = {"id": 1, "first": "Ada", "last": "Lovelace", "email": "ada@example.com", "country": "FR"}
CAROL = {"id": 3, "first": "Carol", "last": "Zed", "email": "c@example.com", "country": "XX"}  # held: error
BOB = {"id": 2, "first": "Bob", "last": "Noemail", "email": None, "country": "DE"}  # filtered out: skipped


def age_rows(state: str, days: int) -> None:
    """Make every ledger row and event look `days` old."""
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    store = StateStore.open(state)
    with store.transaction() as tx:
        tx.db.execute("UPDATE ledger SET updated_at = ?", (then,))
        tx.db.execute("UPDATE ledger_events SET at = ?", (then,))
    store.close()


def prune(state: str, *options: str):
    return CliRunner().invoke(app, ["state", "prune", *options, "--state", state])


def test_finished_rows_lose_their_personal_data_after_the_age_and_are_not_sent_again(
        state, run, add_contacts, written):
    add_contacts(ADA, BOB, CAROL)
    run()
    age_rows(state, 100)
    result = prune(state)  # the default age: 90 days
    assert result.exit_code == 0, result.output
    assert "source records 2, payloads 1, events 2 removed" in result.output

    store = StateStore.open(state)
    sent, skipped, held = (store.row("contacts", key) for key in ("1", "2", "3"))
    assert (sent.status, sent.record, sent.payload, store.events("contacts", "1")) == ("done", None, None, [])
    assert (skipped.status, skipped.record) == ("skipped", None)
    assert (held.status, held.record) == ("error", CAROL), "a row in error waits for a person: kept"
    assert [event["event"] for event in store.events("contacts", "3")] == ["rejected"]

    store.reset_cursor("contacts")
    report, _ = run()
    assert report.counts == {"unchanged": 1, "skipped": 2}, "a pruned row is still known: not sent again"
    assert written() == [{"id": 1, "name": "Ada Lovelace", "salutation": "Dear Ada", "country": "France"}]
    resend = CliRunner().invoke(app, ["orders", "resend", "1", "--entity", "contacts", "--state", state])
    assert "no stored source record" in resend.output and "cartsync state prune" in resend.output


def test_rows_younger_than_the_age_and_rows_in_flight_or_held_keep_everything(state, run, add_contacts):
    add_contacts(ADA)
    _, store = run()
    LedgerCommands(store, "contacts").hold("1")
    age_rows(state, 10)
    assert "source records 0," in prune(state, "--older-than", "30 days").output
    assert "source records 0," in prune(state, "--older-than", "1 days").output, "held by a person: kept"
    LedgerCommands(store, "contacts").release("1")
    age_rows(state, 10)
    assert "source records 1," in prune(state, "--older-than", "1 days").output


def test_an_age_that_is_not_one_is_refused_with_the_forms_it_takes(state):
    result = prune(state, "--older-than", "ninety days")
    assert result.exit_code == 2
    assert "'ninety days' is not an age" in result.output and "'90 days'" in result.output
