"""The PostgreSQL schema keeps step with SQLite's, version by version, and migrates safely."""

from __future__ import annotations

import re
import sqlite3
import threading

import psycopg
import pytest

from cartsync.engine.state import migrations as sqlite_schema
from cartsync.engine.state import pg_schema
from cartsync.engine.state.pg_connection import connect

# SQLite declared type -> the PostgreSQL types that hold the same values
SAME_TYPE = {
    "TEXT": {"text"}, "INTEGER": {"integer", "bigint"}, "REAL": {"double precision"}, "BLOB": {"bytea"},
}


def sqlite_tables(version: int) -> dict[str, list[tuple[str, str, bool, bool]]]:
    db = sqlite3.connect(":memory:")
    for script in sqlite_schema.MIGRATIONS[:version]:
        db.executescript(script)
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        name: [
            (column, declared, bool(not_null or primary), bool(primary))
            for _, column, declared, not_null, _, primary in db.execute(f"PRAGMA table_info({name})")
        ]
        for name in names
        if name != "sqlite_sequence"
    }


def postgres_tables(connection: psycopg.Connection) -> dict[str, list[tuple[str, str, bool, bool]]]:
    primary = {
        (table, column)
        for table, column in connection.execute(
            "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu USING (constraint_name, table_schema) "
            "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()"
        )
    }
    tables: dict[str, list[tuple[str, str, bool, bool]]] = {}
    for table, column, data_type, nullable in connection.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name <> 'cartsync_schema' "
        "ORDER BY table_name, ordinal_position"
    ):
        tables.setdefault(table, []).append(
            (column, data_type, nullable == "NO", (table, column) in primary)
        )
    return tables


def test_both_stores_have_the_same_number_of_versions():
    assert len(pg_schema.MIGRATIONS) == len(sqlite_schema.MIGRATIONS)


@pytest.mark.parametrize("version", range(1, len(pg_schema.MIGRATIONS) + 1))
def test_each_version_has_the_tables_columns_and_keys_of_sqlite(postgres_url, version):
    connection, _ = connect(postgres_url)
    with connection:
        for script in pg_schema.MIGRATIONS[:version]:
            connection.execute(script)
        found = postgres_tables(connection)
    expected = sqlite_tables(version)
    assert sorted(found) == sorted(expected)
    for table, columns in expected.items():
        assert [c[0] for c in found[table]] == [c[0] for c in columns], table
        for (name, pg_type, pg_required, pg_key), (_, declared, required, key) in zip(
            found[table], columns, strict=True
        ):
            assert pg_type in SAME_TYPE[declared], (table, name, pg_type, declared)
            assert (pg_required, pg_key) == (required, key), (table, name)


def sqlite_indexes(version: int) -> dict[str, tuple[str, str | None]]:
    """Each index created by name: (its table, its WHERE condition or None)."""
    db = sqlite3.connect(":memory:")
    for script in sqlite_schema.MIGRATIONS[:version]:
        db.executescript(script)
    found = {}
    for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"):
        if sql:  # not an index SQLite makes for a key
            _, _, where = " ".join(sql.split()).partition(" WHERE ")
            found[name] = (table, where or None)
    return found


def postgres_indexes(connection: psycopg.Connection) -> dict[str, tuple[str, str | None]]:
    """The same for the indexes created by name (not those behind a key or a UNIQUE constraint)."""
    rows = connection.execute(
        "SELECT i.relname, t.relname, pg_get_expr(x.indpred, x.indrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relnamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
    )
    return {name: (table, where) for name, table, where in rows}


@pytest.mark.parametrize("version", range(1, len(pg_schema.MIGRATIONS) + 1))
def test_each_version_has_the_indexes_of_sqlite_with_the_same_conditions(postgres_url, version):
    """Same names on the same tables, partial where SQLite's are, on the same condition (the
    statements that read a partial index name its condition, and must find it on both)."""
    connection, _ = connect(postgres_url)
    with connection:
        for script in pg_schema.MIGRATIONS[:version]:
            connection.execute(script)
        found = postgres_indexes(connection)
    expected = sqlite_indexes(version)
    assert sorted(found) == sorted(expected)
    for name, (table, where) in expected.items():
        pg_table, pg_where = found[name]
        assert pg_table == table, name
        assert (pg_where is None) == (where is None), name
        if where:  # PostgreSQL prints it in its own words: compare the words and values in it
            assert words(where) == words(pg_where.replace("::text", "")), (name, where, pg_where)


def words(condition: str) -> list[str]:
    return sorted(re.findall(r"[a-z_]+|'\w+'|\d+", condition.lower()))


def test_migrate_creates_the_newest_schema_once(postgres_url):
    connection, schema = connect(postgres_url)
    with connection:
        assert pg_schema.schema_version(connection) == 0
        assert pg_schema.migrate(connection, schema) == len(pg_schema.MIGRATIONS)
        assert pg_schema.migrate(connection, schema) == len(pg_schema.MIGRATIONS)  # nothing left to do
        assert pg_schema.schema_version(connection) == len(pg_schema.MIGRATIONS)
        assert "ledger" in postgres_tables(connection)


def test_workers_starting_together_migrate_once(postgres_url):
    """Several workers open a new database at the same moment: one migrates, the others wait."""
    results: list[object] = []

    def open_and_migrate() -> None:
        connection, schema = connect(postgres_url)
        with connection:
            try:
                results.append(pg_schema.migrate(connection, schema))
            except Exception as error:  # collected: the assertion below shows it
                results.append(error)

    threads = [threading.Thread(target=open_and_migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [len(pg_schema.MIGRATIONS)] * 4


def test_a_schema_newer_than_this_cartsync_is_refused_with_the_fix(postgres_url):
    connection, schema = connect(postgres_url)
    with connection:
        pg_schema.migrate(connection, schema)
        connection.execute("UPDATE cartsync_schema SET version = version + 1")
        with pytest.raises(pg_schema.SchemaTooNew) as raised:
            pg_schema.migrate(connection, schema)
    assert "newer than this cartsync" in raised.value.message
    assert "Upgrade cartsync" in (raised.value.hint or "")
