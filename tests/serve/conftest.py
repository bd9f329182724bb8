"""Fixtures for `cartsync serve`: both sandboxes on free ports, and the serve instances a test starts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_helpers import PUSH_SECRET, Systems

from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms


@pytest.fixture
def systems(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    example_sandboxes: Callable[[str, str], AbstractContextManager[tuple[SandboxStore, SandboxWms]]],
    example_client: Callable[[Path], Path],
) -> Iterator[Systems]:
    with example_sandboxes("3.0", "serve") as (store, wms):
        monkeypatch.setenv("EXAMPLE_PUSH_SECRET", PUSH_SECRET)
        found = Systems(store, wms, tmp_path, example_client)
        try:
            yield found
        finally:
            for service in found.started:
                service.stop(grace=5)
