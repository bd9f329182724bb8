"""The state store: the ledger, deliveries, cursors, run history and leases, in one SQLite file
(the default) or one PostgreSQL schema that several workers share (`postgresql://…?schema=CLIENT`).

Each part lives in its own module and reaches the database only through its typed methods (no SQL
from callers). The SQL is the same on both databases (backend.py says how, pg_database.py adapts
it to psycopg, pg_schema.py keeps PostgreSQL's schema in step with migrations.py):

- ledger.py: rows for people, and the work queries of a run (in flight, resend, due retries);
- transaction.py: every ledger write, inside `transaction()` (intent, change, delivery);
- lease.py: the run lease, renewed in the background, taken over once expired;
- retention.py: the retention rule, which prunes finished rows' personal data after an age;
- packing.py: records and payloads as compressed JSON;
- runs.py: run history, where a killed run shows as `died`;
- cursors.py: where reading resumes;
- monitoring.py: what `cartsync serve` keeps beside the ledger (pipeline health, alerts sent),
  through `Monitoring(store)`;
- sqlite.py: the durability settings the protocol relies on (WAL, synchronous=FULL), and why.

Every write that records an intent or an outcome commits before the engine moves on, so a crash
(or a power loss) loses nothing the protocol relies on. Pipelines share ledger rows by entity.
"""

from __future__ import annotations

from cartsync.engine.state.cursors import CursorStore
from cartsync.engine.state.lease import LeaseStore
from cartsync.engine.state.ledger import LedgerStore
from cartsync.engine.state.retention import RetentionStore
from cartsync.engine.state.runs import RunHistory


class StateStore(LedgerStore, LeaseStore, RunHistory, CursorStore, RetentionStore):
    """Open with `StateStore.open(path)`; close it when done. One connection: use `reopen()` for
    another thread."""
