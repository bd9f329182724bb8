from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cartsync.engine.mapping import MappingContext
from cartsync.engine.mapping.reference import SAMPLE_LOOKUPS, SAMPLE_NOW, SAMPLE_RECORD, SAMPLE_SETTINGS


@pytest.fixture(params=["compiled", "interpreted"])
def context(request: pytest.FixtureRequest) -> MappingContext:
    """A context with the reference's sample lookups and settings, and a clock stopped at SAMPLE_NOW.

    Every test using it runs once with compiled expressions and once with the interpreter.
    """
    return MappingContext(
        lookups=SAMPLE_LOOKUPS, settings=SAMPLE_SETTINGS, now=lambda: SAMPLE_NOW, evaluator=request.param
    )


@pytest.fixture
def evaluate(context: MappingContext):
    """evaluate(expression, data=SAMPLE_RECORD) -> the expression's value."""

    def run(expression: str, data: Any = None) -> Any:
        return context.compile(expression).search(SAMPLE_RECORD if data is None else data)

    return run
