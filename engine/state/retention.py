"""The retention rule: finished rows keep their status, not their customers' data.

A row is *finished* when nothing is left to do with it: not in flight, not held, no resend asked,
no retry pending, and not `new` or `error` (those wait for a run or a person, who needs the
record). Once a finished row has not changed for the retention age, `prune` removes its source
record (names, addresses, lines), any payload, and its event history older than the age. The
row itself stays, with its status, destination id and dates, and so do the deliveries' content
hashes: a record read again is still known as done, and is never sent twice.

A pruned row can no longer be resent (`cartsync orders resend` says it has no record).
The age is `cartsync state prune --older-than`, else $CARTSYNC_RETENTION, else `RETENTION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cartsync.engine.dates import parse_duration
from cartsync.engine.errors import ConfigError
from cartsync.engine.state.base import StoreBase

RETENTION = "90 days"
_FINISHED = (
    "in_flight = 0 AND held = 0 AND resend = 0 AND transient = 0 AND status NOT IN ('new', 'error') "
    "AND updated_at < ?"
)


def retention_cutoff(age: str) -> datetime:
    """The moment `age` ('90 days') ago; a ConfigError names the forms an age takes."""
    try:
        return datetime.now(UTC) - parse_duration(age)
    except ValueError:
        raise ConfigError(
            f"--older-than: {age!r} is not an age.", hint="Write e.g. '90 days', '12 weeks' or '1 hour'."
        ) from None


@dataclass(frozen=True)
class Pruned:
    records: int  # source records removed
    payloads: int
    events: int


class RetentionStore(StoreBase):
    def prune(self, before: str) -> Pruned:
        """Remove the personal data of rows finished before `before` (ISO time), in one transaction."""
        finished = f"SELECT entity, key FROM ledger WHERE {_FINISHED}"
        with self.transaction() as tx:
            events = tx.db.execute(
                f"DELETE FROM ledger_events WHERE at < ? AND (entity, key) IN ({finished})", (before, before)
            ).rowcount
            payloads = tx.db.execute(
                f"DELETE FROM payloads WHERE (entity, key) IN ({finished})", (before,)
            ).rowcount
            records = tx.db.execute(
                f"UPDATE ledger SET record = NULL WHERE record IS NOT NULL AND {_FINISHED}", (before,)
            ).rowcount
        return Pruned(records, payloads, events)
