"""The lease on PostgreSQL: its renewal survives a lost connection, and nothing of it lives in a
database session, so a worker whose connections all die holds nothing once its lease expires."""

from __future__ import annotations

import time

import pytest

from cartsync.engine.errors import LockHeld
from cartsync.engine.state import StateStore


def terminate_other_sessions(store: StateStore, *keep: StateStore) -> int:
    """pg_terminate_backend on every session of the database but `store`'s and `keep`'s: what a
    database restart or a network cut does to them."""
    pids = [s.db.connection.info.backend_pid for s in (store, *keep)]
    return len(store.db.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> ALL(?)",
        (pids,),
    ).fetchall())


def test_the_renewal_reconnects_after_its_connection_is_cut(postgres_url):
    store, other = StateStore.open(postgres_url), StateStore.open(postgres_url)
    with store.hold_lease("contacts", seconds=0.9) as keeper:
        time.sleep(0.1)
        assert terminate_other_sessions(other, store) >= 1, "the renewal thread has its own session"
        time.sleep(2.0)  # over two lease lengths: only renewals on a new connection keep it
        with pytest.raises(LockHeld):
            other.acquire_lease("contacts", seconds=0.9)
        assert not keeper.lost


def test_a_worker_whose_sessions_all_died_holds_nothing_once_its_lease_expired(postgres_url):
    dead, other = StateStore.open(postgres_url), StateStore.open(postgres_url)
    lease = dead.acquire_lease("contacts", seconds=0.5, holder="worker-1:77")
    terminate_other_sessions(other)  # the worker and its connections are gone; no lock is left behind
    time.sleep(max(0.0, lease.expires_at - time.time()) + 0.05)
    assert other.acquire_lease("contacts", seconds=60).holder != "worker-1:77"
