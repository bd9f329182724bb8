"""The state store: ledger, deliveries, cursors, run history and leases, in one SQLite file or one
PostgreSQL schema."""

from cartsync.engine.state.lease import DEFAULT_LEASE_SECONDS, Lease, LeaseKeeper
from cartsync.engine.state.rows import KEEP, LedgerRow, RowChange, RowStatus
from cartsync.engine.state.store import StateStore
from cartsync.engine.state.transaction import Transaction

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "KEEP",
    "Lease",
    "LeaseKeeper",
    "LedgerRow",
    "RowChange",
    "RowStatus",
    "StateStore",
    "Transaction",
]
