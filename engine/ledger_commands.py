"""What people do to ledger rows: list, inspect, resend, hold and release."""

from __future__ import annotations

from typing import Any

from cartsync.engine.errors import CartsyncError
from cartsync.engine.state import LedgerRow, StateStore


class LedgerCommands:
    def __init__(self, store: StateStore, entity: str = "order") -> None:
        self.store = store
        self.entity = entity

    def list(self, status: str | None = None, since: str | None = None) -> list[LedgerRow]:
        return self.store.rows(self.entity, status=status, since=since)

    def show(self, key: str) -> tuple[LedgerRow, list[dict[str, Any]]]:
        return self._row(key), self.store.events(self.entity, key)

    def resend(self, key: str) -> str:
        """Mark the row to be sent again by its pipeline's next run, with a fresh mapping."""
        row = self._row(key)
        if row.record is None:
            raise CartsyncError(f"{self.entity} {key} has no stored source record to resend.")
        self.store.forget_deliveries(row.pipeline, key=key)
        self._change(row, "resend", "resend requested", resend=1, held=0, next_attempt_at=None)
        return f"{self.entity} {key} will be sent again by the next run of '{row.pipeline}'."

    def hold(self, key: str) -> str:
        row = self._row(key)
        self._change(row, "held", "held by a person", held=1, resend=0)
        return f"{self.entity} {key} is held; no pipeline sends it until it is released."

    def release(self, key: str) -> str:
        row = self._row(key)
        self._change(row, "released", "released by a person", held=0)
        return f"{self.entity} {key} is released."

    def _row(self, key: str) -> LedgerRow:
        row = self.store.row(self.entity, key)
        if row is None:
            raise CartsyncError(
                f"The ledger has no {self.entity} '{key}'.", hint="`cartsync orders` lists the rows it has."
            )
        return row

    def _change(self, row: LedgerRow, event: str, message: str, **fields: Any) -> None:
        with self.store.transaction() as db:
            self.store.upsert(
                db,
                self.entity,
                row.key,
                pipeline=row.pipeline,
                run_id=None,
                event=event,
                message=message,
                **fields,
            )
