"""The shipped pipelines carry their own mapping tests; every one of them must pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartsync.engine.config.loader import load_pipeline
from cartsync.engine.mapping_tests import run_mapping_tests

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@pytest.mark.parametrize("pipeline", sorted(MAPPINGS.glob("*.yaml")), ids=lambda path: path.stem)
def test_inline_tests_of_shipped_pipelines_pass(pipeline: Path):
    results = run_mapping_tests(load_pipeline(pipeline))
    assert len(results) >= 2, f"{pipeline.name} should show its mapping with tests"
    failures = [f"{r.name} (line {r.position.line}): {r.message}" for r in results if not r.passed]
    assert failures == []
