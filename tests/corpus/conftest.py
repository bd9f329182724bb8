"""Fixtures for the corpus of malformed inputs: a client tree to break, and the command run on it.

The tree is the repository's shipped pipelines (`mappings/`) and its example client copied as
`clients/acme/`, plus an empty state store (`state.db`) and a README.md that is not one, in a
temporary folder that is also the current folder. The example client's variables are set, so
the untouched tree is valid and every failure comes from the one mistake a case makes.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.testing

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_harness import Tree

from cartsync.engine.state import StateStore

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "EXAMPLE_OC_KEY": "corpus-store-key",
    "EXAMPLE_WMS_ID": "corpus-id",
    "EXAMPLE_WMS_SECRET": "corpus-secret",
}


@pytest.fixture(scope="session", autouse=True)
def command_built_once() -> Iterator[None]:
    """typer's CliRunner builds the click command from the app on every invoke; the corpus runs
    hundreds of commands against the same app, so it is built once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.testing._get_command))
        yield


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tree:
    shutil.copytree(ROOT / "mappings", tmp_path / "mappings")
    shutil.copytree(ROOT / "clients" / "example", tmp_path / "clients" / "acme")
    StateStore.open(tmp_path / "state.db").close()
    (tmp_path / "README.md").write_text("# Not a state store, nor a seed\n")
    monkeypatch.chdir(tmp_path)
    for name in ("CARTSYNC_STATE", "CARTSYNC_CONNECTIONS", "CARTSYNC_DEBUG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return Tree(tmp_path)
