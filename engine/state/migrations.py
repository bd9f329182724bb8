"""Versioned schema of the state store. Append a migration; never edit a released one."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: the ledger, its event history, deliveries, cursors, runs and locks.
    """
    CREATE TABLE ledger (
        entity        TEXT NOT NULL,
        key           TEXT NOT NULL,
        status        TEXT NOT NULL,
        pipeline      TEXT NOT NULL,
        record        TEXT,             -- the source record, JSON (for resend after a fix)
        payload       TEXT,             -- the mapped record last sent, JSON
        dest_id       TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        in_flight     INTEGER NOT NULL DEFAULT 0,   -- intent recorded, result not yet known
        transient     INTEGER NOT NULL DEFAULT 0,   -- last error may pass: retried later
        held          INTEGER NOT NULL DEFAULT 0,   -- a person put it on hold
        resend        INTEGER NOT NULL DEFAULT 0,   -- a person asked to send it again
        last_error    TEXT,
        first_error_at TEXT,
        next_attempt_at TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (entity, key)
    );
    CREATE INDEX ledger_status ON ledger (entity, status);
    CREATE TABLE ledger_events (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        entity    TEXT NOT NULL,
        key       TEXT NOT NULL,
        run_id    INTEGER,
        pipeline  TEXT,
        event     TEXT NOT NULL,
        status    TEXT,
        message   TEXT,
        at        TEXT NOT NULL
    );
    CREATE INDEX ledger_events_key ON ledger_events (entity, key);
    CREATE TABLE deliveries (          -- what each pipeline last delivered for a key
        pipeline     TEXT NOT NULL,
        entity       TEXT NOT NULL,
        key          TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dest_id      TEXT,
        delivered_at TEXT NOT NULL,
        PRIMARY KEY (pipeline, entity, key)
    );
    CREATE TABLE cursors (
        pipeline   TEXT PRIMARY KEY,
        cursor     TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline   TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at   TEXT,
        status     TEXT NOT NULL,
        counts     TEXT NOT NULL DEFAULT '{}',
        message    TEXT
    );
    CREATE TABLE locks (
        pipeline    TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,
        acquired_at TEXT NOT NULL
    );
    """,
    # 2: a lease with an expiry instead of a lock row (a dead run's lock never cleared), the lease
    # each run holds (a run whose lease is gone without it ending is shown as `died`), and an index
    # for a run's work queries.
    """
    DROP TABLE locks;
    CREATE TABLE leases (
        pipeline    TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,          -- host:pid, for people
        token       TEXT NOT NULL,          -- this lease
        acquired_at TEXT NOT NULL,
        expires_at  REAL NOT NULL           -- unix time; renewed while the run lives
    );
    ALTER TABLE runs ADD COLUMN lease TEXT;
    CREATE INDEX ledger_work ON ledger (pipeline, entity, in_flight, key);
    """,
    # 3: what `cartsync serve` remembers per pipeline, and every alert it sent
    #    (see engine/state/monitoring.py; the web console reads `alerts`).
    """
    CREATE TABLE pipeline_health (
        client               TEXT NOT NULL,
        pipeline             TEXT NOT NULL,
        first_seen_at        TEXT NOT NULL,
        last_run_at          TEXT,
        last_status          TEXT,
        last_success_at      TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        failing_since        TEXT,
        last_error           TEXT,
        PRIMARY KEY (client, pipeline)
    );
    CREATE TABLE alerts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        client     TEXT NOT NULL,
        pipeline   TEXT,
        event      TEXT NOT NULL,
        event_key  TEXT NOT NULL,
        channel    TEXT NOT NULL,
        recipient  TEXT NOT NULL,
        subject    TEXT NOT NULL,
        body       TEXT NOT NULL,
        status     TEXT NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        error      TEXT,
        created_at TEXT NOT NULL,
        sent_at    TEXT,
        UNIQUE (client, event_key, channel, recipient)
    );
    CREATE INDEX alerts_recent ON alerts (client, created_at);
    """,
    # 4: indexes for the paged reads of people's screens (engine/state/browse.py, the web console):
    # each page reads one index range, whatever the ledger's size. ledger_status gives way to
    # ledger_browse_status, which starts with the same columns. ledger_browse also holds the
    # columns a text search looks in, so a search reads this one index and not the table.
    """
    DROP INDEX ledger_status;
    CREATE INDEX ledger_browse ON ledger (entity, updated_at, key, status, dest_id, last_error);
    CREATE INDEX ledger_browse_status ON ledger (entity, status, updated_at, key);
    CREATE INDEX ledger_pipeline ON ledger (pipeline, status, created_at);
    CREATE INDEX ledger_held ON ledger (entity, updated_at, key) WHERE held = 1;
    CREATE INDEX ledger_held_pipeline ON ledger (pipeline, entity, updated_at, key)
        WHERE status = 'error' OR held = 1;
    CREATE INDEX ledger_unknown ON ledger (entity, updated_at, key) WHERE in_flight = 1;
    CREATE INDEX ledger_events_run ON ledger_events (run_id);
    CREATE INDEX runs_pipeline ON runs (pipeline, id);
    """,
    # 5: a compact ledger. Records are packed (compressed JSON, see packing.py): the `record`
    # column holds bytes (BLOB), or JSON text written before; each packed value names the shape
    # dictionary it was compressed against. Payloads move to a table of their own, packed against
    # their record, so the ledger's pages hold the columns runs and people read (and the
    # retention rule empties one table, not the middle of the ledger's pages). A run's work
    # queries use small partial indexes
    # instead of an index over every row. Deliveries are kept in their primary key's order,
    # without a separate index. (SQLite rebuilds the ledger to declare `record` a BLOB; migration
    # 4's indexes are made again on the new table.)
    """
    CREATE TABLE dictionaries (
        id      INTEGER PRIMARY KEY,
        name    TEXT NOT NULL,              -- pipeline:entity, or pipeline:entity:payload
        sample  BLOB NOT NULL,              -- the keys of a record, and values a sample shares
        learned INTEGER NOT NULL DEFAULT 0  -- 1: made from a sample (packing.py)
    );
    CREATE INDEX dictionaries_name ON dictionaries (name);
    CREATE TABLE payloads (             -- the mapped record last sent, packed
        entity  TEXT NOT NULL,
        key     TEXT NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (entity, key)
    ) WITHOUT ROWID;
    INSERT INTO payloads SELECT entity, key, payload FROM ledger WHERE payload IS NOT NULL;
    CREATE TABLE ledger_compact (
        entity        TEXT NOT NULL,
        key           TEXT NOT NULL,
        status        TEXT NOT NULL,
        pipeline      TEXT NOT NULL,
        record        BLOB,             -- the source record, packed (for resend after a fix)
        dest_id       TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        in_flight     INTEGER NOT NULL DEFAULT 0,
        transient     INTEGER NOT NULL DEFAULT 0,
        held          INTEGER NOT NULL DEFAULT 0,
        resend        INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        first_error_at TEXT,
        next_attempt_at TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (entity, key)
    );
    INSERT INTO ledger_compact
        SELECT entity, key, status, pipeline, record, dest_id, attempts, in_flight, transient, held, resend,
               last_error, first_error_at, next_attempt_at, created_at, updated_at FROM ledger;
    DROP TABLE ledger;
    ALTER TABLE ledger_compact RENAME TO ledger;
    CREATE INDEX ledger_browse ON ledger (entity, updated_at, key, status, dest_id, last_error);
    CREATE INDEX ledger_browse_status ON ledger (entity, status, updated_at, key);
    CREATE INDEX ledger_pipeline ON ledger (pipeline, status, created_at);
    CREATE INDEX ledger_held ON ledger (entity, updated_at, key) WHERE held = 1;
    CREATE INDEX ledger_held_pipeline ON ledger (pipeline, entity, updated_at, key)
        WHERE status = 'error' OR held = 1;
    CREATE INDEX ledger_unknown ON ledger (entity, updated_at, key) WHERE in_flight = 1;
    CREATE INDEX ledger_in_flight ON ledger (pipeline, entity, key) WHERE in_flight = 1;
    CREATE INDEX ledger_resend ON ledger (pipeline, entity, key) WHERE resend = 1;
    CREATE INDEX ledger_transient ON ledger (pipeline, entity, key) WHERE transient = 1;
    CREATE TABLE deliveries_by_key (
        pipeline     TEXT NOT NULL,
        entity       TEXT NOT NULL,
        key          TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dest_id      TEXT,
        delivered_at TEXT NOT NULL,
        PRIMARY KEY (pipeline, entity, key)
    ) WITHOUT ROWID;
    INSERT INTO deliveries_by_key
        SELECT pipeline, entity, key, content_hash, dest_id, delivered_at FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_by_key RENAME TO deliveries;
    """,
]


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema to the newest version; return that version.

    Each migration runs in one write transaction that first reads the version again, so processes
    that open a new or older store at the same moment (serve and a cron run, two hosts) apply each
    migration once: the others wait for the write lock, then find it applied.
    """
    current = _version(connection)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"this state store has schema version {current}, newer than this cartsync "
            f"({len(MIGRATIONS)}); upgrade cartsync"
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if _version(connection) < version:
                for statement in _statements(MIGRATIONS[version - 1]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return len(MIGRATIONS)


def _version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _statements(script: str) -> list[str]:
    """The statements of a migration, one by one (`executescript` would commit the transaction)."""
    statements, statement = [], ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            statements.append(statement.strip())
            statement = ""
    if statement.strip():
        statements.append(statement.strip())
    return statements
