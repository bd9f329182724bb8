"""What people do to ledger rows: list, inspect, resend, hold and release (one row, or every row
with a status)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.state import LedgerRow, RowChange, StateStore

UNKNOWN = "unknown"  # not a status: rows whose last send has no known outcome (in flight)

Verb = Literal["resend", "hold", "release"]


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # keys changed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (key, why not)


class LedgerCommands:
    """`actor` names who acts in each event's message: "held by alice (console)"."""

    def __init__(self, store: StateStore, entity: str = "order", actor: str = "a person") -> None:
        self.store = store
        self.entity = entity
        self.actor = actor

    def list(self, status: str | None = None, since: str | None = None) -> list[LedgerRow]:
        """Rows of one status, or `unknown`: sent with no reliable reply yet (looked up by the next run)."""
        if status == UNKNOWN:
            return self.store.rows(self.entity, in_flight=True, since=since)
        return self.store.rows(self.entity, status=status, since=since)

    def show(self, key: str) -> tuple[LedgerRow, list[dict[str, Any]]]:
        return self._row(key), self.store.events(self.entity, key)

    def resend(self, key: str) -> str:
        """Mark the row to be sent again by its pipeline's next run, with a fresh mapping.

        The destination is asked first: a record it already has is recorded, not sent twice.
        """
        row = self._row(key)
        if row.record is None:
            raise CartsyncError(
                f"{self.entity} {key} has no stored source record to resend.",
                hint="The retention rule (cartsync state prune) removes the records of long-finished rows.",
            )
        self.store.forget_deliveries(row.pipeline, key=key)
        self._change(
            row, "resend", f"resend requested by {self.actor}", resend=True, held=False, next_attempt_at=None
        )
        return (
            f"{self.entity} {key} will be sent again by the next run of '{row.pipeline}' "
            "(unless the destination already has it)."
        )

    def hold(self, key: str) -> str:
        row = self._row(key)
        self._change(row, "held", f"held by {self.actor}", held=True)
        return f"{self.entity} {key} is held; no pipeline sends it until it is released."

    def release(self, key: str) -> str:
        row = self._row(key)
        self._change(row, "released", f"released by {self.actor}", held=False)
        return f"{self.entity} {key} is released; whatever it was waiting for resumes on the next run."

    def apply(self, verb: Verb, key: str) -> str:
        """`resend`, `hold` or `release` one row; the sentence that says what was done."""
        return {"resend": self.resend, "hold": self.hold, "release": self.release}[verb](key)

    def apply_to_all(self, verb: Verb, status: str, since: str | None = None) -> BulkResult:
        """`verb` applied to every row with `status` (changed since `since`), each on its own."""
        result = BulkResult()
        for row in self.list(status=status, since=since):
            try:
                self.apply(verb, row.key)
            except CartsyncError as error:
                result.refused.append((row.key, error.message))
            else:
                result.done.append(row.key)
        return result

    def _row(self, key: str) -> LedgerRow:
        row = self.store.row(self.entity, key)
        if row is None:  # a key given on the command line that names nothing: exit 2
            raise ConfigError(
                f"The ledger has no {self.entity} '{key}'.",
                hint=f"`cartsync orders --entity {self.entity}` lists the rows it has"
                + ("; inventory sync's SKUs are rows of --entity stock." if self.entity == "order" else "."),
            )
        return row

    def _change(self, row: LedgerRow, event: str, message: str, **values: Any) -> None:
        with self.store.transaction() as tx:
            tx.change(RowChange(self.entity, row.key, row.pipeline, event, message, **values))
