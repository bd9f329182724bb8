"""The run lease: one run of a pipeline at a time, and a dead run never blocks it for longer than
its lease, whatever host or process wrote it."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.connectors.files.connector import FilesConnector
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import LeaseLost, LockHeld
from cartsync.engine.state import StateStore


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def cli(state: str, *args: str):
    return CliRunner().invoke(app, [*args, "--state", state])


@pytest.mark.parametrize("holder", [
    "build-box-7:4242",  # a container or host that is gone
    f"{socket.gethostname()}:{os.getpid()}",  # this host, a PID now used by a live process
])
def test_an_expired_lease_is_taken_over_whatever_wrote_it(state, run, add_contacts, written, holder):
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    store = StateStore.open(state)
    dead = store.acquire_lease("contacts", seconds=1.0, holder=holder)
    dead_run = store.start_run("contacts", dead)

    with pytest.raises(LockHeld) as held:
        run()
    assert f"Another run of pipeline 'contacts' is in progress ({holder}" in held.value.message
    assert "cartsync state unlock contacts" in held.value.hint
    assert written() == []

    time.sleep(max(0.0, dead.expires_at - time.time()) + 0.05)
    report, store = run()
    assert report.counts == {"sent": 1}
    statuses = {row["id"]: row["status"] for row in store.runs("contacts")}
    assert statuses == {dead_run: "died", report.run_id: "ok"}
    assert store.lease("contacts") is None, "the run released its own lease"


def test_a_running_process_renews_its_lease(state):
    store = StateStore.open(state)
    other = StateStore.open(state)
    with store.hold_lease("contacts", seconds=0.6):
        time.sleep(1.5)  # over two lease lengths: only the renewals keep it
        with pytest.raises(LockHeld):
            other.acquire_lease("contacts", seconds=0.6)
    lease = other.acquire_lease("contacts", seconds=0.6)
    assert lease.holder == f"{socket.gethostname()}:{os.getpid()}"


class UnlockedDuringTheWrite(FilesConnector):
    """The outbox, while a person runs `cartsync state unlock contacts` during the first write."""

    state = ""

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        outcomes = super().write(stream, records)
        StateStore.open(self.state).unlock("contacts")
        return outcomes


def test_a_run_whose_lease_was_removed_stops_before_it_sends_more(
        workspace, state, run, add_contacts, written):
    add_contacts(*({"id": n, "first": "A", "last": "L", "email": "a@x", "country": "FR"} for n in range(501)))
    outbox = UnlockedDuringTheWrite("outbox", {"folder": str(workspace / "out")})
    outbox.state = state
    with pytest.raises(LeaseLost, match="lost its lease"):
        run(destination=outbox)
    assert len(written()) == 500, "the first batch (500) was sent; nothing after the lease was lost"
    assert StateStore.open(state).rows("contacts", in_flight=True) == [], (
        "the batch written was recorded, and no intent was left unsent")
    report, store = run()
    assert report.counts == {"sent": 1}
    assert [row["status"] for row in store.runs("contacts")] == ["ok", "aborted"]


def test_a_run_that_died_is_shown_as_died_once_its_lease_expired(state):
    store = StateStore.open(state)
    lease = store.acquire_lease("contacts", seconds=1.5)
    run_id = store.start_run("contacts", lease)
    assert cli(state, "runs").output.count("running") == 1
    time.sleep(max(0.0, lease.expires_at - time.time()) + 0.05)
    shown = cli(state, "runs").output
    assert "died" in shown and "running" not in shown
    assert [row["status"] for row in store.runs("contacts")] == ["died"]
    assert store.runs("contacts")[0]["id"] == run_id


def test_state_unlock_frees_the_pipeline_for_a_person(state, run, add_contacts):
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    store = StateStore.open(state)
    store.start_run("contacts", store.acquire_lease("contacts", seconds=3600, holder="old-box:77"))
    unlocked = cli(state, "state", "unlock", "contacts")
    assert unlocked.exit_code == 0, unlocked.output
    assert "removed the lease of 'contacts' held by old-box:77" in unlocked.output
    assert "died" in cli(state, "runs").output
    report, _ = run()
    assert report.counts == {"sent": 1}
    again = cli(state, "state", "unlock", "contacts")
    assert (again.exit_code, "'contacts' is not locked" in again.output) == (0, True)


def test_state_reset_takes_over_an_expired_lease_and_leaves_none(state):
    store = StateStore.open(state)
    store.acquire_lease("contacts", seconds=0.1, holder="gone:1")
    time.sleep(0.2)
    reset = cli(state, "state", "reset", "contacts")
    assert reset.exit_code == 0, reset.output
    assert store.lease("contacts") is None

    store.acquire_lease("contacts", seconds=3600, holder="busy:2")
    refused = cli(state, "state", "reset", "contacts")
    assert refused.exit_code == 4
    assert "busy:2" in refused.output


def test_the_ledger_is_synced_to_disk_at_every_commit(workspace):
    """WAL with synchronous=FULL: a commit the protocol relies on survives a power loss."""
    StateStore.open(workspace / "state.db").close()
    store = StateStore.open(workspace / "state.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def race(state: str, take: Any, racers: int = 6) -> list[Any]:
    """`take(store)` from `racers` threads at once, each on its own connection (as separate workers
    are); each result, or the LockHeld it raised."""
    stores = [StateStore.open(state) for _ in range(racers)]
    start = threading.Barrier(racers)
    results: list[Any] = []

    def racer(store: StateStore) -> None:
        start.wait()
        try:
            results.append(take(store))
        except LockHeld as held:
            results.append(held)

    threads = [threading.Thread(target=racer, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    return results


def test_workers_asking_at_once_get_one_lease(state):
    results = race(state, lambda store: store.acquire_lease("contacts", seconds=60))
    leases = [result for result in results if not isinstance(result, LockHeld)]
    assert len(leases) == 1 and len(results) == 6
    assert StateStore.open(state).lease("contacts").token == leases[0].token


def test_workers_taking_over_an_expired_lease_at_once_get_one_and_mark_the_dead_run_once(state):
    store = StateStore.open(state)
    dead = store.acquire_lease("contacts", seconds=0.2, holder="gone-box:9")
    dead_run = store.start_run("contacts", dead)
    time.sleep(max(0.0, dead.expires_at - time.time()) + 0.05)

    results = race(state, lambda racer: racer.acquire_lease("contacts", seconds=60))

    leases = [result for result in results if not isinstance(result, LockHeld)]
    assert len(leases) == 1
    assert store.lease("contacts").token == leases[0].token
    [died] = store.runs("contacts")
    assert (died["id"], died["status"]) == (dead_run, "died")
    assert died["message"].count("taken over") == 1


def test_runs_shows_why_a_run_aborted_or_died(workspace, state, run, add_contacts):
    add_contacts(*({"id": n, "first": "A", "last": "L", "email": "a@x", "country": "FR"} for n in range(501)))
    outbox = UnlockedDuringTheWrite("outbox", {"folder": str(workspace / "out")})
    outbox.state = state
    with pytest.raises(LeaseLost):
        run(destination=outbox)
    store = StateStore.open(state)
    killed = store.acquire_lease("contacts", seconds=1.0, holder="build-box-7:4242")
    store.start_run("contacts", killed)
    time.sleep(max(0.0, killed.expires_at - time.time()) + 0.05)
    shown = cli(state, "runs").output
    assert "This run of pipeline 'contacts' lost its lease" in shown, "why the run aborted"
    assert "run by build-box-7:4242, which stopped renewing its lease" in shown, "a run killed just now"
    run()
    shown = cli(state, "runs").output
    assert "died: its lease expired and was taken over by" in shown, "the same run, once taken over"


def test_run_times_tell_runs_of_one_second_apart(state, run, add_contacts):
    """Runs of a pipeline follow each other within milliseconds under a scheduler: their recorded
    start and end keep sub-second precision on both stores, so a check that no two ran at once can
    compare them exactly."""
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    run()
    _, store = run()
    first, second = sorted(store.runs("contacts"), key=lambda row: row["id"])
    moments = [first["started_at"], first["ended_at"], second["started_at"], second["ended_at"]]
    assert moments == sorted(moments) and len(set(moments)) == 4, moments
    assert all(datetime.fromisoformat(moment).tzinfo and "." in moment for moment in moments), moments
