"""`cartsync state migrate --to postgresql://…` copies a SQLite state store as it is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import connect, split_schema, with_schema
from cartsync.engine.state.pg_schema import schema_version

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
ADA = {"id": 1, "first": "Ada", "last": "Lovelace", "email": "ada@example.com", "country": "FR"}
BOB = {"id": 2, "first": "Bob", "last": "Noemail", "email": None, "country": "DE"}
CAROL = {"id": 3, "first": "Carol", "last": "Zed", "email": "c@example.com", "country": "XX"}


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
        for table in tables
        if table not in ("sqlite_sequence", "leases")
    }


def postgres_rows(location: str, tables: list[str]) -> dict[str, list[tuple]]:
    url, schema = split_schema(location)
    with psycopg.connect(url) as connection:
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall(), key=repr)
            for table in tables
        }


def run_contacts(workspace: Path) -> Path:
    state = workspace / "state.db"
    result = runner.invoke(app, ["run", "pipeline", str(workspace / "contacts.yaml"), "--state", str(state)])
    assert result.exit_code in (0, 1), result.output  # 1 when a record is held in error
    return state


def migrate(state: Path, target: str):
    return runner.invoke(app, ["state", "migrate", "--state", str(state), "--to", target])


def test_every_row_arrives_as_it_was(workspace, add_contacts, postgres_url):
    add_contacts(ADA, BOB, CAROL)
    state = run_contacts(workspace)
    target = with_schema(postgres_url, "acme")

    result = migrate(state, target)

    assert result.exit_code == 0, result.output
    assert "ledger" in result.output and "runs" in result.output
    expected = sqlite_rows(state)
    assert expected["ledger"] and expected["ledger_events"] and expected["runs"]
    assert postgres_rows(target, sorted(expected)) == expected


def test_new_ids_follow_the_copied_ones(workspace, add_contacts, postgres_url):
    add_contacts(ADA, CAROL)
    state = run_contacts(workspace)
    run_contacts(workspace)
    assert migrate(state, postgres_url).exit_code == 0
    connection, _ = connect(postgres_url)
    with connection:
        [(new_id,)] = connection.execute(
            "INSERT INTO runs (pipeline, started_at, status) VALUES ('contacts', 'now', 'ok') RETURNING id"
        )
    assert new_id == 3


def test_a_filled_store_is_refused_and_left_alone(workspace, add_contacts, postgres_url):
    add_contacts(ADA)
    state = run_contacts(workspace)
    assert migrate(state, postgres_url).exit_code == 0
    before = postgres_rows(postgres_url, ["ledger", "runs"])

    result = migrate(state, postgres_url)

    assert result.exit_code == 1
    assert "already holds state" in result.output and "?schema=" in result.output
    assert postgres_rows(postgres_url, ["ledger", "runs"]) == before


def test_a_running_pipeline_stops_the_copy(workspace, add_contacts, postgres_url):
    add_contacts(ADA)
    state = run_contacts(workspace)
    store = StateStore.open(state)
    store.acquire_lease("contacts", holder="worker-7:4242")
    store.close()

    result = migrate(state, postgres_url)

    assert result.exit_code == 1
    assert "pipeline 'contacts' is running" in result.output and "Stop `cartsync serve`" in result.output
    assert "worker-7:4242" in result.output
    connection, _ = connect(postgres_url)
    with connection:
        assert schema_version(connection) == 0  # nothing was created


def test_an_expired_lease_of_a_dead_run_does_not_stop_the_copy(workspace, add_contacts, postgres_url):
    add_contacts(ADA)
    state = run_contacts(workspace)
    store = StateStore.open(state)
    store.acquire_lease("contacts", seconds=-1, holder="worker-7:4242")
    store.close()

    result = migrate(state, postgres_url)

    assert result.exit_code == 0, result.output
    assert postgres_rows(postgres_url, ["ledger"])["ledger"] == sqlite_rows(state)["ledger"]


def test_bad_locations_are_explained(workspace):
    result = migrate(workspace / "nothing.db", "postgresql://localhost/cartsync")
    assert result.exit_code == 2 and "no SQLite state store at" in result.output

    result = migrate(workspace / "nothing.db", "mysql://localhost/cartsync")
    assert result.exit_code == 2 and "--to must be a postgresql:// URL" in result.output

    result = migrate(workspace / "nothing.db", "postgresql://localhost/cartsync?schema=Bad-Name")
    assert result.exit_code == 2 and "names the schema 'Bad-Name'" in result.output
