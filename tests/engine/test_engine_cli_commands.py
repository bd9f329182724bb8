"""The command as integrators script it: version, logs, JSON, whole tables in pipes, bulk ledger
actions, a client folder in one run, inline tests of overlays, and failures without tracebacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.engine.state import StateStore

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def ran(workspace: Path, add_contacts, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The contacts pipeline after one run: contact 1 sent, 3 held in error, 2 skipped."""
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("COLUMNS", raising=False)
    add_contacts(
        {"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"},
        {"id": 2, "first": "Bob", "email": None},
        {"id": 3, "first": "Carol", "last": "Z", "email": "c@x", "country": "XX"},
    )
    result = invoke("run", "pipeline", "contacts.yaml", "--state", "state.db")
    assert result.exit_code == 1, result.output
    return workspace


def test_version():
    result = invoke("--version")
    assert (result.exit_code, result.output.strip()) == (0, "cartsync 0.1.0")


def test_a_dry_run_creates_no_state_store(workspace: Path, add_contacts, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(workspace)
    add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@x", "country": "FR"})
    assert invoke("run", "pipeline", "contacts.yaml", "--dry-run").exit_code == 0
    assert invoke("run", "pipeline", "contacts.yaml", "--dry-run", "--state", "kept/state.db").exit_code == 0
    assert invoke("preview", "contacts.yaml").exit_code == 0
    assert not (workspace / ".cartsync").exists() and not (workspace / "kept").exists()


def test_run_time_configuration_problems_are_printed_once(workspace: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(workspace)
    pipeline = workspace / "contacts.yaml"
    pipeline.write_text(
        pipeline.read_text().replace("key: id", "key: id\nkee: id").replace("  greeting:", "  greting:")
    )
    result = invoke("run", "pipeline", "contacts.yaml", "--state", "state.db")
    assert result.exit_code == 2
    assert result.output.count("contacts.yaml:7:1: $.kee: unknown key `kee`") == 1
    assert result.output.count("setting 'greeting'") == 1
    assert "error: 2 configuration problems:" in result.output
    assert not (workspace / "state.db").exists()


def test_verbose_logs_go_to_stderr_as_text_or_json(ran: Path):
    result = invoke("-v", "run", "pipeline", "contacts.yaml", "--state", "state.db", "--dry-run")
    assert "info: run of contacts started (dry run)" in result.stderr
    assert "info: run of contacts started" not in result.stdout
    result = invoke("-v", "--log-format", "json", "run", "pipeline", "contacts.yaml", "--dry-run")
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [entry["message"] for entry in entries] == [
        "pipeline contacts.yaml with the connections of connections.yaml",
        "run of contacts started (dry run)",
        "run of contacts ended: exit code 1",
    ]
    assert {entry["level"] for entry in entries} == {"info"} and all("time" in entry for entry in entries)
    assert "info:" not in invoke("run", "pipeline", "contacts.yaml", "--dry-run").stderr


def test_json_of_runs_orders_and_check(ran: Path):
    [run] = json.loads(invoke("runs", "--state", "state.db", "--json").stdout)
    assert (run["pipeline"], run["status"], run["counts"]) == (
        "contacts",
        "failed",
        {"rejected": 1, "sent": 1, "skipped": 1},
    )
    rows = json.loads(invoke("orders", "--entity", "contacts", "--state", "state.db", "--json").stdout)
    assert {row["key"]: row["status"] for row in rows} == {"1": "done", "2": "skipped", "3": "error"}
    assert "record" not in rows[0]
    checked = json.loads(invoke("check", "--json").stdout)
    assert [(c["connection"], c["connector"], c["ok"]) for c in checked] == [
        ("inbox", "files", True),
        ("outbox", "files", True),
    ]
    folder = {"label": "folder", "value": str(ran / "in"), "ok": True, "warning": False}
    assert checked[0]["items"][0] == folder


def test_tables_are_not_cut_when_piped(ran: Path, add_contacts):
    add_contacts({"id": 5, "first": "Eve", "last": "W", "email": "e@x", "country": "Z" * 150})
    assert invoke("run", "pipeline", "contacts.yaml", "--state", "state.db").exit_code == 1
    store = StateStore.open(ran / "state.db")
    message = store.row("contacts", "5").last_error
    store.close()
    assert len(message) > 150
    result = invoke("orders", "--entity", "contacts", "--state", "state.db")  # CliRunner's stdout is a pipe
    [line] = [line for line in result.stdout.splitlines() if "│ 5 " in line]
    assert message in line  # whole, on one line


def test_bulk_resend_hold_and_release_by_status(ran: Path, add_contacts):
    add_contacts({"id": 4, "first": "Dan", "last": "Q", "email": "d@x", "country": "YY"})
    assert invoke("run", "pipeline", "contacts.yaml", "--state", "state.db").exit_code == 1
    ledger = ("orders", "--entity", "contacts", "--state", "state.db")

    held = invoke(*ledger, "hold", "--status", "error")
    assert (held.exit_code, held.stdout.strip()) == (0, "hold: 2 contacts(s) with status error")
    rows = json.loads(invoke(*ledger, "--json").stdout)
    assert {row["key"]: row["held"] for row in rows} == {"1": False, "2": False, "3": True, "4": True}

    released = invoke(*ledger, "release", "--status", "error", "--since", "1 hour ago")
    assert released.stdout.strip() == "release: 2 contacts(s) with status error"
    none_yet = invoke(*ledger, "release", "--status", "error", "--since", "2999-01-01")
    assert none_yet.stdout.strip() == "release: 0 contacts(s) with status error"

    resent = invoke(*ledger, "resend", "--status", "error")
    assert resent.exit_code == 0
    assert {row["key"]: row["resend"] for row in json.loads(invoke(*ledger, "--json").stdout)}["3"] is True
    one = invoke(*ledger, "resend", "1", "3")
    assert one.exit_code == 0 and one.stdout.count("will be sent again") == 2


CLIENT_PIPELINE = """\
version: 1
name: {name}
source: {{connection: inbox, stream: contacts}}
destination: {{connection: outbox, stream: {name}}}
key: id
map: {{id: id}}
"""


@pytest.fixture
def client(workspace: Path, add_contacts, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client folder with three files→files pipelines named like the shipped jobs, out of order."""
    folder = workspace / "clients" / "acme"
    folder.mkdir(parents=True)
    shutil.copy(workspace / "connections.yaml", folder / "connections.yaml")
    for file, name in (
        ("a.yaml", "inventory_sync"),
        ("b.yaml", "shipment_confirmation"),
        ("c.yaml", "order_download"),
    ):
        (folder / file).write_text(CLIENT_PIPELINE.format(name=name))
    add_contacts({"id": 1})
    monkeypatch.chdir(workspace)
    return folder


def _run_order(state: Path) -> list[str]:
    store = StateStore.open(state)
    try:
        return [run["pipeline"] for run in reversed(store.runs())]
    finally:
        store.close()


def test_run_client_runs_the_jobs_in_their_usual_order(client: Path, workspace: Path):
    result = invoke("run", "client", "clients/acme", "--state", "state.db")
    assert result.exit_code == 0, result.output
    assert _run_order(workspace / "state.db") == ["order_download", "shipment_confirmation", "inventory_sync"]
    for name in ("order_download", "shipment_confirmation", "inventory_sync"):
        assert (workspace / "out" / f"{name}.jsonl").read_text() == '{"id": 1}\n'


def test_run_client_follows_the_order_client_yaml_declares(client: Path, workspace: Path):
    (client / "client.yaml").write_text("pipelines: [a.yaml, c.yaml]\n")
    assert invoke("validate", "clients/acme").exit_code == 0
    assert invoke("run", "client", "clients/acme", "--state", "state.db").exit_code == 0
    assert _run_order(workspace / "state.db") == ["inventory_sync", "order_download"]


def test_run_client_runs_nothing_when_one_pipeline_is_invalid(client: Path, workspace: Path):
    (client / "b.yaml").write_text(
        CLIENT_PIPELINE.format(name="shipment_confirmation").replace("key: id", "kye: id")
    )
    result = invoke("run", "client", "clients/acme", "--state", "state.db")
    assert result.exit_code == 2
    assert "clients/acme/b.yaml:5:1: $.kye: unknown key `kye`" in result.output
    assert not (workspace / "state.db").exists() and list((workspace / "out").iterdir()) == []


def test_inline_tests_of_an_overlay_run_against_the_file_that_holds_them(tmp_path: Path, monkeypatch):
    shutil.copytree(ROOT / "mappings", tmp_path / "mappings")
    shutil.copytree(ROOT / "clients", tmp_path / "clients")
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "test", *(str(path.relative_to(tmp_path)) for path in sorted(tmp_path.glob("clients/example/*.yaml")))
    )
    assert result.exit_code == 0, result.output
    assert "clients/example/connections.yaml: a connections file, not a pipeline: skipped" in result.output
    assert (
        "clients/example/order_download.yaml: no tests of its own; the tests it inherits run against "
        "mappings/order_download.yaml"
    ) in result.output
    marks = [line for line in result.output.splitlines() if line.startswith(("✓", "✗"))]
    assert marks and all(line.startswith("✓ mappings/") for line in marks)
    base_lines = (ROOT / "mappings/order_download.yaml").read_text().splitlines()
    first = next(line for line in marks if "order_download" in line)
    number = int(first.split(":")[1].split()[0])
    assert base_lines[number - 1].lstrip().startswith("- name: an order with an option line")

    both = invoke("test", "mappings/order_download.yaml", "clients/example/order_download.yaml")
    assert both.exit_code == 0
    assert sum("an order with an option line" in line for line in both.output.splitlines()) == 1


def test_an_unexpected_error_is_one_line_and_asks_for_a_report(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero in a place that has a bug")

    monkeypatch.setattr("cartsync.engine.config.loader.validate_paths", broken)  # what validate calls
    result = invoke("validate", str(workspace))
    assert result.exit_code == 70
    assert result.output.splitlines()[0] == (
        "internal error: ZeroDivisionError: division by zero in a place that has a bug"
    )
    assert "please report it" in result.output and "Traceback" not in result.output
    debug = invoke("--debug", "validate", str(workspace))
    assert debug.exit_code == 70 and "Traceback (most recent call last)" in debug.output
