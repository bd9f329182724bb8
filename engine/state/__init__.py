"""The state store: ledger, cursors, run history and locks, in one SQLite file."""

from cartsync.engine.state.store import LedgerRow, StateStore

__all__ = ["LedgerRow", "StateStore"]
