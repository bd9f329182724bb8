"""Fixtures for engine tests: a folder with a files→files pipeline and its connections, and its
state store: every test that takes `state` (or `run`) runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from cartsync.engine.connector import Connector
from cartsync.engine.report import RunReport
from cartsync.engine.runner import Runner, RunOptions
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import prepare

PIPELINE = """\
version: 1
name: contacts
description: Contacts from the inbox become address cards in the outbox.
source: {connection: inbox, stream: contacts}
destination: {connection: outbox, stream: cards}
key: id
filter:
  - when: "email != null"
    reason: contact has no email
settings:
  greeting: Dear
map:
  id: id
  name: "join(' ', [first, last])"
  salutation: "join(' ', [setting('greeting'), first])"
  country: "lookup('countries', country)"
lookups:
  countries: {DE: Germany, FR: France}
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "contacts.yaml").write_text(PIPELINE)
    (tmp_path / "connections.yaml").write_text(
        textwrap.dedent(f"""\
        inbox: {{connector: files, folder: {tmp_path / "in"}}}
        outbox: {{connector: files, folder: {tmp_path / "out"}}}
        """)
    )
    return tmp_path


@pytest.fixture
def add_contacts(workspace: Path) -> Callable[..., None]:
    def add(*contacts: dict) -> None:
        with (workspace / "in" / "contacts.jsonl").open("a") as handle:
            for contact in contacts:
                handle.write(json.dumps(contact) + "\n")

    return add


@pytest.fixture
def written(workspace: Path) -> Callable[[], list[dict]]:
    """The records the pipeline wrote to the outbox so far."""

    def read() -> list[dict]:
        path = workspace / "out" / "cards.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return read


@pytest.fixture
def state(state_backend: str) -> str:
    """The workspace's state store: a SQLite file, then a PostgreSQL schema."""
    return state_backend


@pytest.fixture
def run(workspace: Path, state: str) -> Callable[..., tuple[RunReport, StateStore]]:
    """`run(**options)`: one run of the contacts pipeline; `destination=` swaps the outbox connector."""

    def run_once(*, destination: Connector | None = None, **options: object) -> tuple[RunReport, StateStore]:
        store = StateStore.open(state)
        prepared = prepare(workspace / "contacts.yaml", None, store)
        try:
            report = Runner(prepared.pipeline, prepared.source, destination or prepared.destination, store,
                            RunOptions(**options)).run()
        finally:
            prepared.close()
        return report, store

    return run_once
