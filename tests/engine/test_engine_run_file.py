"""The run facade: load → prepare → run → close in one call, as the CLI, the demo and the workers use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cartsync.engine.config.issues import ConfigIssues
from cartsync.engine.run_file import OpenPipeline, RunOptions, load_pipeline_file, run_pipeline_file
from cartsync.engine.state import StateStore


def test_one_call_runs_a_pipeline_file_and_closes_what_it_opened(
    workspace: Path, add_contacts: Callable[..., None], written: Callable[[], list[dict]]
):
    add_contacts({"id": 1, "first": "Ada", "last": "Lovelace", "email": "ada@example.com", "country": "FR"})
    report = run_pipeline_file(workspace / "contacts.yaml", None, workspace / "state.db")
    assert report.counts["sent"] == 1 and report.exit_code == 0
    assert [card["name"] for card in written()] == ["Ada Lovelace"]
    again = run_pipeline_file(workspace / "contacts.yaml", None, workspace / "state.db", RunOptions())
    assert "sent" not in again.counts, "the state store was closed and reopened: the ledger holds the send"


def test_a_loaded_pipeline_runs_again_and_again_on_one_open_store(
    workspace: Path, add_contacts: Callable[..., None], written: Callable[[], list[dict]]
):
    loaded = load_pipeline_file(workspace / "contacts.yaml")
    store = StateStore.open(workspace / "state.db")
    with OpenPipeline(loaded, store) as pipeline:
        assert pipeline.name == "contacts"
        add_contacts({"id": 1, "first": "Ada", "last": "L", "email": "a@example.com", "country": "DE"})
        assert pipeline.run().counts["sent"] == 1
        add_contacts({"id": 2, "first": "Bo", "last": "M", "email": "b@example.com", "country": "DE"})
        assert pipeline.run().counts["sent"] == 1
    assert store.cursor("contacts") is not None, "a store the caller opened stays open"
    store.close()
    assert len(written()) == 2


def test_a_broken_file_stops_before_the_state_store_is_created(workspace: Path):
    pipeline = workspace / "contacts.yaml"
    pipeline.write_text(pipeline.read_text().replace("key:", "kee:"))
    with pytest.raises(ConfigIssues, match="problem"):
        run_pipeline_file(workspace / "contacts.yaml", None, workspace / "state.db")
    assert not (workspace / "state.db").exists()
