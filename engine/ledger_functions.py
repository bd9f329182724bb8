"""Mapping functions that read the ledger, added to every pipeline at run time.

- `ledger_records(entity, statuses)`: the source records of the ledger rows of `entity` in any of
  `statuses`.
- `ledger_total(entity, statuses, lines, quantity, key, value)`: the sum of the `quantity` field
  over the `lines` (a list field of each of those records) whose `key` field is `value`; 0 when
  none. Inventory sync uses it to subtract the lines of orders that were downloaded but are not
  at the WMS yet (`new`, `error`), so the store does not oversell:

      ledger_total('order', ['new', 'error'], 'lines', 'qty', 'sku', sku)

Both read the rows once per run. `ledger_total` also sums them once per run, for every value at
once (an index), so a run over 50,000 SKUs costs one pass over the pending orders, not 50,000.
It gives what `sum_where(ledger_records(…)[].lines[], 'qty', 'sku', sku)` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any

from cartsync.engine.mapping.functions.coerce import as_decimal, json_number
from cartsync.engine.state import StateStore


def _no_records(entity: str, statuses: list[str]) -> list[Any]:
    """Stand-in with the real arity: for load-time checks and inline mapping tests (no ledger)."""
    return []


def _no_total(entity: str, statuses: list[str], lines: str, quantity: str, key: str, value: Any) -> int:
    """Stand-in with the real arity (no ledger: nothing is pending)."""
    return 0


RUNTIME_FUNCTIONS: dict[str, Callable[..., Any]] = {"ledger_records": _no_records, "ledger_total": _no_total}


def ledger_functions(store: StateStore) -> dict[str, Callable[..., Any]]:
    records: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
    totals: dict[tuple[Any, ...], dict[Hashable, Decimal]] = {}

    def ledger_records(entity: str, statuses: list[str]) -> list[Any]:
        wanted = (str(entity), tuple(sorted(str(status) for status in statuses)))
        if wanted not in records:
            records[wanted] = store.records_in_status(wanted[0], list(wanted[1]))
        return records[wanted]

    def ledger_total(entity: str, statuses: list[str], lines: str, quantity: str, key: str, value: Any
                     ) -> Any:
        asked = (entity, tuple(statuses), lines, quantity, key)  # called once per record: kept cheap
        sums = totals.get(asked)
        if sums is None:
            sums = totals[asked] = _sums(ledger_records(entity, statuses), lines, quantity, key)
        found = sums.get(value) if isinstance(value, Hashable) else None
        return json_number(found) if found is not None else 0

    return {"ledger_records": ledger_records, "ledger_total": ledger_total}


def _sums(records: list[Any], lines: str, quantity: str, key: str) -> dict[Hashable, Decimal]:
    """The sum of `quantity` per value of `key`, over every line of every record."""
    sums: dict[Hashable, Decimal] = {}
    for record in records:
        for line in (record.get(lines) if isinstance(record, dict) else None) or []:
            if isinstance(line, dict) and isinstance(line.get(key), Hashable):
                amount = as_decimal(line.get(quantity) or 0, "ledger_total")
                sums[line[key]] = sums.get(line[key], Decimal(0)) + amount
    return sums
