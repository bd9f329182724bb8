"""The state store's schema: processes that open a new store at the same moment (serve and a cron
run, two hosts) each find it whole."""

from __future__ import annotations

import threading
from pathlib import Path

from cartsync.engine.state import StateStore
from cartsync.engine.state.migrations import MIGRATIONS

OPENERS = 4


def open_together(path: Path) -> list[BaseException]:
    """Open the store at `path` from OPENERS threads at once; the errors they met."""
    start = threading.Barrier(OPENERS)
    failures: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            StateStore.open(path).close()
        except Exception as error:  # e.g. "table ledger already exists": a migration applied twice
            failures.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_processes_opening_a_new_store_together_apply_each_migration_once(tmp_path: Path) -> None:
    for attempt in range(20):
        path = tmp_path / f"state-{attempt}.db"
        assert open_together(path) == []
        store = StateStore.open(path)
        try:
            assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
            tables = {row["name"] for row in store.db.execute("SELECT name FROM sqlite_master")}
            assert {"ledger", "leases", "pipeline_health", "alerts"} <= tables and "locks" not in tables
        finally:
            store.close()
