"""The `cartsync` command as a user types it: messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartsync.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as a user sees them on a wide terminal, without wrapped cells."""
    monkeypatch.setenv("COLUMNS", "200")


THREE_MISTAKES = """\
version: 1
name: contacts
source: {connection: inbox, stream: contacts}
destination: {connection: outbox, stream: cards}
key: id
map:
  name: "join(' ', [first, last]"
settings:
  greeting: Dear
lookups:
  countries: 42
filtr: "email != null"
"""


def test_validate_prints_every_problem_with_its_line_and_exits_2(workspace: Path):
    (workspace / "broken.yaml").write_text(THREE_MISTAKES)
    result = runner.invoke(app, ["validate", str(workspace / "broken.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "broken.yaml:" in line]
    assert [line.split(":")[1] for line in lines] == ["7", "11", "12"]
    assert "invalid expression" in lines[0]
    assert "$.lookups.countries" in lines[1]
    assert "did you mean `filter`?" in result.output
    assert "3 problem(s) in 1 file(s)" in result.output


def test_validate_clean_files_exits_0(workspace: Path):
    result = runner.invoke(app, ["validate", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "all files are valid" in result.output


def test_run_reports_counts_and_failures_and_exits_1(workspace: Path, add_contacts, state: str):
    add_contacts(
        {"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"},
        {"id": 3, "first": "Carol", "last": "Z", "email": "c@x", "country": "XX"},
    )
    result = runner.invoke(app, ["run", "pipeline", str(workspace / "contacts.yaml"), "--state", state])
    assert result.exit_code == 1
    assert "lookup table 'countries' has no entry 'XX'" in result.output

    result = runner.invoke(app, ["orders", "--entity", "contacts", "--state", state, "show", "3"])
    assert result.exit_code == 0
    assert "contacts 3: error" in result.output and "rejected" in result.output

    result = runner.invoke(app, ["runs", "--state", state])
    assert "contacts" in result.output and "1 rejected, 1 sent" in result.output


def test_run_with_a_missing_connection_exits_2(workspace: Path):
    connections = workspace / "connections.yaml"
    connections.write_text(connections.read_text().replace("outbox:", "elsewhere:"))
    result = runner.invoke(
        app, ["run", "pipeline", str(workspace / "contacts.yaml"), "--state", str(workspace / "state.db")]
    )
    assert result.exit_code == 2
    assert "outbox" in result.output


def test_inline_mapping_tests_pass_fail_and_name_their_line(workspace: Path):
    pipeline = workspace / "contacts.yaml"
    pipeline.write_text(
        pipeline.read_text()
        + """\
tests:
  - name: maps a contact
    input: {id: 1, first: Ada, last: Lovelace, email: a@x, country: FR}
    expect: {id: 1, name: Ada Lovelace, salutation: Dear Ada, country: France}
  - name: skips without email
    input: {id: 2, first: Bob, email: null}
    skipped: no email
  - name: holds an unknown country
    input: {id: 3, first: C, last: Z, email: c@x, country: XX}
    rejected: has no entry 'XX'
  - name: wrong expectation
    input: {id: 1, first: Ada, last: Lovelace, email: a@x, country: FR}
    expect: {id: 1, name: Ada King, salutation: Dear Ada, country: France}
"""
    )
    result = runner.invoke(app, ["test", str(pipeline)])
    assert result.exit_code == 1
    test_lines = [
        str(number)
        for number, line in enumerate(pipeline.read_text().splitlines(), start=1)
        if line.startswith("  - name:")
    ]
    marks = [line for line in result.output.splitlines() if "contacts.yaml:" in line]
    assert [(line[0], line.split(":")[1].split()[0]) for line in marks] == list(
        zip("✓✓✓✗", test_lines, strict=True)
    )
    assert '-  "name": "Ada King"' in result.output and '+  "name": "Ada Lovelace"' in result.output


def test_preview_shows_mapped_records_and_writes_nothing(workspace: Path, add_contacts, written):
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    result = runner.invoke(
        app, ["preview", str(workspace / "contacts.yaml"), "--state", str(workspace / "state.db")]
    )
    assert result.exit_code == 0
    assert json.dumps("Dear Ada") in result.output
    assert written() == []


def test_sandboxes_are_listed_and_loaded_when_used():
    listed = CliRunner().invoke(app, ["sandbox", "--help"])
    assert listed.exit_code == 0
    assert "store  A sandbox OpenCart store" in listed.output and "wms    A sandbox Extensiv" in listed.output
    wms = CliRunner().invoke(app, ["sandbox", "wms", "--help"])
    assert wms.exit_code == 0 and "--latency" in wms.output and "--skus" in wms.output
    assert CliRunner().invoke(app, ["sandbox", "nosuch"]).exit_code == 2
