"""The run lease: one run of a pipeline at a time, and a dead run never blocks it for longer than
its lease, whatever host or process wrote it."""

from __future__ import annotations

import os
import socket
import time
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


def cli(workspace, *args: str):
    return CliRunner().invoke(app, [*args, "--state", str(workspace / "state.db")])


@pytest.mark.parametrize("holder", [
    "build-box-7:4242",  # a container or host that is gone
    f"{socket.gethostname()}:{os.getpid()}",  # this host, a PID now used by a live process
])
def test_an_expired_lease_is_taken_over_whatever_wrote_it(workspace, run, add_contacts, written, holder):
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    store = StateStore.open(workspace / "state.db")
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


def test_a_running_process_renews_its_lease(workspace):
    store = StateStore.open(workspace / "state.db")
    other = StateStore.open(workspace / "state.db")
    with store.hold_lease("contacts", seconds=0.6):
        time.sleep(1.5)  # over two lease lengths: only the renewals keep it
        with pytest.raises(LockHeld):
            other.acquire_lease("contacts", seconds=0.6)
    lease = other.acquire_lease("contacts", seconds=0.6)
    assert lease.holder == f"{socket.gethostname()}:{os.getpid()}"


class UnlockedDuringTheWrite(FilesConnector):
    """The outbox, while a person runs `cartsync state unlock contacts` during the first write."""

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        outcomes = super().write(stream, records)
        StateStore.open(self.folder.parent / "state.db").unlock("contacts")
        return outcomes


def test_a_run_whose_lease_was_removed_stops_before_it_sends_more(workspace, run, add_contacts, written):
    add_contacts(*({"id": n, "first": "A", "last": "L", "email": "a@x", "country": "FR"} for n in range(501)))
    outbox = UnlockedDuringTheWrite("outbox", {"folder": str(workspace / "out")})
    with pytest.raises(LeaseLost, match="lost its lease"):
        run(destination=outbox)
    assert len(written()) == 500, "the first batch (500) was sent; nothing after the lease was lost"
    report, store = run()
    assert report.counts == {"sent": 1}
    assert [row["status"] for row in store.runs("contacts")] == ["ok", "aborted"]


def test_a_run_that_died_is_shown_as_died_once_its_lease_expired(workspace):
    store = StateStore.open(workspace / "state.db")
    lease = store.acquire_lease("contacts", seconds=1.5)
    run_id = store.start_run("contacts", lease)
    assert cli(workspace, "runs").output.count("running") == 1
    time.sleep(max(0.0, lease.expires_at - time.time()) + 0.05)
    shown = cli(workspace, "runs").output
    assert "died" in shown and "running" not in shown
    assert [row["status"] for row in store.runs("contacts")] == ["died"]
    assert store.runs("contacts")[0]["id"] == run_id


def test_state_unlock_frees_the_pipeline_for_a_person(workspace, run, add_contacts):
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    store = StateStore.open(workspace / "state.db")
    store.start_run("contacts", store.acquire_lease("contacts", seconds=3600, holder="old-box:77"))
    unlocked = cli(workspace, "state", "unlock", "contacts")
    assert unlocked.exit_code == 0, unlocked.output
    assert "removed the lease of 'contacts' held by old-box:77" in unlocked.output
    assert "died" in cli(workspace, "runs").output
    report, _ = run()
    assert report.counts == {"sent": 1}
    again = cli(workspace, "state", "unlock", "contacts")
    assert (again.exit_code, "'contacts' is not locked" in again.output) == (0, True)


def test_state_reset_takes_over_an_expired_lease_and_leaves_none(workspace):
    store = StateStore.open(workspace / "state.db")
    store.acquire_lease("contacts", seconds=0.1, holder="gone:1")
    time.sleep(0.2)
    reset = cli(workspace, "state", "reset", "contacts")
    assert reset.exit_code == 0, reset.output
    assert store.lease("contacts") is None

    store.acquire_lease("contacts", seconds=3600, holder="busy:2")
    refused = cli(workspace, "state", "reset", "contacts")
    assert refused.exit_code == 4
    assert "busy:2" in refused.output


def test_the_ledger_is_synced_to_disk_at_every_commit(workspace):
    """WAL with synchronous=FULL: a commit the protocol relies on survives a power loss."""
    StateStore.open(workspace / "state.db").close()
    store = StateStore.open(workspace / "state.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
