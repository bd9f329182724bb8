"""Fixtures every test folder shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from cartsync.engine.state import StateStore

CrashIntent = Callable[..., None]
Send = tuple[str, dict[str, Any], Any]  # key, source record, mapped payload


@pytest.fixture
def crash_intent() -> CrashIntent:
    """`crash_intent(state, entity=, pipeline=, sends=[(key, record, payload), …])`: the ledger as a
    run leaves it when it dies after recording its intent to send and before learning the outcome."""

    def leave(state: Path, *, entity: str, pipeline: str, sends: Iterable[Send], status: str = "new") -> None:
        store = StateStore.open(state)
        try:
            with store.transaction() as tx:
                for key, record, payload in sends:
                    recorded = tx.start_send(entity, key, pipeline=pipeline, run_id=None, status=status,
                                             record=record, payload=payload)
                    assert recorded, f"{entity} {key} is held or already in flight"
        finally:
            store.close()

    return leave
