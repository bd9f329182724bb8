"""Fixtures for config tests: files written into a temporary folder, and a way to collect issues."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from cartsync.engine.config.loader import read_pipeline
from cartsync.engine.config.model import ConfigIssue

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """write_file("a/p.yaml", text) writes dedented `text` (line 1 = its first line) and returns the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def pipeline_issues() -> Callable[..., list[ConfigIssue]]:
    """pipeline_issues(path[, connections]) -> every issue of that pipeline file."""

    def collect(path: Path, connections=None) -> list[ConfigIssue]:
        return read_pipeline(path, connections)[1]

    return collect


VALID_PIPELINE = """
version: 1
name: order_download
description: New orders become warehouse orders.
source: {connection: inbox, stream: orders}
destination: {connection: outbox, stream: orders}
key: order_id
map:
  referenceNum: "join('', ['OC-', to_string(order_id)])"
"""


@pytest.fixture
def valid_pipeline() -> str:
    """The text of a small valid pipeline (8 lines, `map:` last) to add mistakes to."""
    return VALID_PIPELINE


READ_ONLY_CONNECTOR = """
from cartsync.connectors.files.connector import FilesConnector
from cartsync.engine.connector import Connector, StreamSpec


class ReadOnlyConnector(Connector):
    name = "readonly"
    settings_spec = FilesConnector.settings_spec
    streams = {
        "orders": StreamSpec(
            "orders", "read", {"type": "object"}, params_schema=FilesConnector.connection_schema()
        )
    }
"""


@pytest.fixture
def extra_connectors(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers two more connectors through a real entry-point distribution on sys.path:
    `readonly` (one read stream, `orders`, whose params use the files connection schema) and
    `broken` (its module does not exist)."""
    root = tmp_path_factory.mktemp("site")
    info = root / "cartsync_test_connectors-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cartsync-test-connectors\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(
        "[cartsync.connectors]\n"
        "readonly = cartsync_test_readonly:ReadOnlyConnector\n"
        "broken = cartsync_test_missing_module:BrokenConnector\n"
    )
    (root / "cartsync_test_readonly.py").write_text(READ_ONLY_CONNECTOR)
    monkeypatch.syspath_prepend(str(root))
