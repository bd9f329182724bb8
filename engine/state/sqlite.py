"""Opening the SQLite file with the settings the delivery protocol relies on.

The protocol relies on two writes surviving anything, power loss included: the intent to send,
committed before a record leaves, and the outcome, committed before the cursor moves past it. An
intent lost after its request left would let the next run send that record again without asking
the destination first: a twin order at a WMS whose duplicate check is off.

- `journal_mode=WAL`: readers (`cartsync orders`, the lease renewal thread) never block the
  run's writes, and a crash mid-commit leaves the last committed state.
- `synchronous=FULL`: each commit returns only once the WAL is on disk (an fsync per commit).
  With WAL, `NORMAL` survives a crash of the process but not a power loss: the last commits may
  be rolled back. The cost is one fsync per transaction; the runner commits once per batch for
  the intents and once per batch for the outcomes, not once per record.
- `fullfsync`: on macOS, fsync alone does not flush the drive's cache; elsewhere it has no effect.
- A 30 s busy timeout: a person's `cartsync orders hold` waits for a run's commit instead of failing.
- 16 KB pages (for a new file): a ledger row with its packed record is ~0.8 KB, and small pages
  would leave a sixth of each one empty.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

BUSY_TIMEOUT_SECONDS = 30
PAGE_SIZE = 16384  # bytes; set when the file is made (an existing file keeps its own)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
    _use_wal(connection)
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA fullfsync=ON")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL (it stays so). Switching a new file needs it alone, and SQLite answers
    "locked" at once instead of waiting when another process opens it at the same moment (serve
    and a cron run): wait for it here, as the busy timeout does elsewhere."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
