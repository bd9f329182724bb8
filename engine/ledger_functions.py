"""Mapping functions that read the ledger, added to every pipeline at run time.

`ledger_records(entity, statuses)` returns the source records of the ledger rows of `entity`
in any of `statuses`. Inventory sync uses it to subtract the lines of orders that were
downloaded but are not at the WMS yet (`new`, `error`), so the store does not oversell:

    sum_where(ledger_records('order', ['new', 'error'])[].products[], 'quantity', 'sku', sku)

The rows are read once per run and cached: the function runs once per record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cartsync.engine.state import StateStore


def _without_ledger(entity: str, statuses: list[str]) -> list[Any]:
    """Stand-in with the real arity: for load-time checks and inline mapping tests (no ledger)."""
    return []


RUNTIME_FUNCTIONS: dict[str, Callable[..., Any]] = {"ledger_records": _without_ledger}


def ledger_functions(store: StateStore) -> dict[str, Callable[..., Any]]:
    cache: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    def ledger_records(entity: str, statuses: list[str]) -> list[Any]:
        wanted = (str(entity), tuple(sorted(str(status) for status in statuses)))
        if wanted not in cache:
            cache[wanted] = store.records_in_status(wanted[0], list(wanted[1]))
        return cache[wanted]

    return {"ledger_records": ledger_records}
