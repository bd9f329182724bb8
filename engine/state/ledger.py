"""Reading the ledger: rows for people, and the rows each step of a run works on.

The work queries (`in_flight_rows`, `resend_rows`, `due_retries`) page by key (`after`, `limit`),
so a run asks the destination about a bounded chunk at a time and saves each chunk's answers
before it reads the next. A run checks the records it reads a page at a time (`statuses`,
`delivered_hashes`): one query per page, not one per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cartsync.engine.state.base import StoreBase
from cartsync.engine.state.rows import STATUS_COLUMNS, LedgerRow, RowStatus

DEFAULT_CHUNK = 100
KEYS_PER_QUERY = 500  # keys in one `IN (…)` list


def with_payload(rows: str, name: str) -> str:
    """Whole rows of `rows` (the ledger, or a page of it), known as `name`: the ledger's columns and
    the payload last sent, if any."""
    return (
        f"SELECT {name}.*, (SELECT payload FROM payloads WHERE payloads.entity = {name}.entity "
        f"AND payloads.key = {name}.key) AS payload FROM {rows}"
    )


ROWS = with_payload("ledger", "ledger")


class LedgerStore(StoreBase):
    def row(self, entity: str, key: str) -> LedgerRow | None:
        found = self.db.execute(f"{ROWS} WHERE entity = ? AND key = ?", (entity, key)).fetchone()
        return self._row(found) if found else None

    def statuses(self, entity: str, keys: Iterable[str]) -> dict[str, RowStatus]:
        """The rows of these keys that exist, without their records, by key."""
        found: dict[str, RowStatus] = {}
        for chunk, marks in _chunks(keys):
            query = f"SELECT {STATUS_COLUMNS} FROM ledger WHERE entity = ? AND key IN ({marks})"
            rows = self.db.execute(query, (entity, *chunk))
            found.update((row["key"], RowStatus.from_columns(_values(row))) for row in rows)
        return found

    def delivered_hashes(self, pipeline: str, entity: str, keys: Iterable[str]) -> dict[str, str]:
        """What `pipeline` last delivered for these keys (content hashes), by key."""
        found: dict[str, str] = {}
        for chunk, marks in _chunks(keys):
            query = ("SELECT key, content_hash FROM deliveries WHERE pipeline = ? AND entity = ? "
                     f"AND key IN ({marks})")
            rows = self.db.execute(query, (pipeline, entity, *chunk))
            found.update((row["key"], row["content_hash"]) for row in rows)
        return found

    def rows(
        self,
        entity: str | None = None,
        *,
        status: str | None = None,
        since: str | None = None,
        in_flight: bool | None = None,
        limit: int | None = None,
    ) -> list[LedgerRow]:
        """Rows for people, newest change first: of one entity, one status, changed since a time
        (ISO), or in flight (sent, no reliable reply yet)."""
        clauses, values = [], []
        for clause, value in (
            ("entity = ?", entity),
            ("status = ?", status),
            ("updated_at >= ?", since),
            ("in_flight = ?", None if in_flight is None else int(in_flight)),
        ):
            if value is not None:
                clauses.append(clause)
                values.append(value)
        query = ROWS + (" WHERE " + " AND ".join(clauses) if clauses else "")
        query += " ORDER BY updated_at DESC, key"
        if limit is not None:
            query += " LIMIT ?"
            values.append(limit)
        return [self._row(row) for row in self.db.execute(query, values)]

    def in_flight_rows(
        self, pipeline: str, entity: str, *, after: str | None = None, limit: int = DEFAULT_CHUNK
    ) -> list[LedgerRow]:
        """Rows whose last send by `pipeline` has no known outcome, held or not, by key."""
        return self._work(pipeline, entity, "in_flight = 1", after, limit)

    def resend_rows(
        self, pipeline: str, entity: str, *, after: str | None = None, limit: int = DEFAULT_CHUNK
    ) -> list[LedgerRow]:
        """Rows a person asked to send again, not held and not in flight, by key."""
        return self._work(pipeline, entity, "resend = 1 AND held = 0 AND in_flight = 0", after, limit)

    def due_retries(
        self, pipeline: str, entity: str, now: str, *, after: str | None = None, limit: int = DEFAULT_CHUNK
    ) -> list[LedgerRow]:
        """Rows that failed for a transient reason (provably not delivered) whose next attempt is due
        at `now` (ISO) or was never scheduled, not held and not in flight, by key."""
        return self._work(
            pipeline,
            entity,
            "transient = 1 AND held = 0 AND in_flight = 0 AND "
            "(next_attempt_at IS NULL OR next_attempt_at <= ?)",
            after,
            limit,
            now,
        )

    def held_count(self, pipeline: str, entity: str) -> int:
        """Rows `pipeline` left held in `error` until a person acts: no retry is coming and no
        resend was asked for."""
        found = self.db.execute(
            "SELECT COUNT(*) AS held FROM ledger WHERE pipeline = ? AND entity = ? "
            "AND status = 'error' AND transient = 0 AND resend = 0",
            (pipeline, entity),
        ).fetchone()
        return int(found["held"])

    def oldest_unsent(self, pipeline: str, entity: str, pending: str) -> str | None:
        """When the oldest row `pipeline` has not delivered yet was first recorded (ISO), or None:
        rows in its `pending` status, in flight, or failed with a retry to come."""
        found = self.db.execute(
            "SELECT MIN(created_at) AS oldest FROM ledger WHERE pipeline = ? AND entity = ? "
            "AND (status = ? OR in_flight = 1 OR (status = 'error' AND transient = 1))",
            (pipeline, entity, pending),
        ).fetchone()
        return found["oldest"]

    def records_in_status(self, entity: str, statuses: list[str]) -> list[dict[str, Any]]:
        """The source records of the rows of `entity` in any of `statuses`."""
        if not statuses:
            return []
        placeholders = ", ".join("?" * len(statuses))
        query = (
            f"SELECT record FROM ledger WHERE entity = ? AND status IN ({placeholders}) "
            "AND record IS NOT NULL ORDER BY key"
        )
        return [self.packer.unpack(row["record"]) for row in self.db.execute(query, (entity, *statuses))]

    def events(self, entity: str, key: str) -> list[dict[str, Any]]:
        return [
            dict(row)
            for row in self.db.execute(
                "SELECT * FROM ledger_events WHERE entity = ? AND key = ? ORDER BY id", (entity, key)
            )
        ]

    def forget_deliveries(self, pipeline: str, since: str | None = None, key: str | None = None) -> int:
        """Forget what `pipeline` delivered, so it is sent again (all, since a time, or one key)."""
        query, args = "DELETE FROM deliveries WHERE pipeline = ?", [pipeline]
        if since:
            query += " AND delivered_at >= ?"
            args.append(since)
        if key:
            query += " AND key = ?"
            args.append(key)
        with self.transaction() as tx:
            return tx.db.execute(query, args).rowcount

    def _work(
        self, pipeline: str, entity: str, condition: str, after: str | None, limit: int, *args: str
    ) -> list[LedgerRow]:
        query = (
            f"{ROWS} WHERE pipeline = ? AND entity = ? AND {condition} "
            "AND record IS NOT NULL AND key > ? ORDER BY key LIMIT ?"
        )
        found = self.db.execute(query, (pipeline, entity, *args, after or "", limit))
        return [self._row(row) for row in found]

    def _row(self, found: Any) -> LedgerRow:
        return LedgerRow.unpacked(found, self.packer)


def _values(row: Any) -> tuple[Any, ...]:
    """A row's values in column order (a sqlite3.Row is a sequence, PostgreSQL's a dict)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def _chunks(keys: Iterable[str]) -> Iterator[tuple[Sequence[str], str]]:
    """The keys in chunks for `IN (…)` lists: (chunk, its placeholders)."""
    keys = list(dict.fromkeys(keys))
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start:start + KEYS_PER_QUERY]
        yield chunk, ", ".join("?" * len(chunk))
