from __future__ import annotations

from typing import Any

import pytest

from cartsync.engine.mapping import MappingContext
from cartsync.engine.mapping.reference import SAMPLE_LOOKUPS, SAMPLE_NOW, SAMPLE_RECORD, SAMPLE_SETTINGS


@pytest.fixture
def context() -> MappingContext:
    """A context with the reference's sample lookups and settings, and a clock stopped at SAMPLE_NOW."""
    return MappingContext(lookups=SAMPLE_LOOKUPS, settings=SAMPLE_SETTINGS, now=lambda: SAMPLE_NOW)


@pytest.fixture
def evaluate(context: MappingContext):
    """evaluate(expression, data=SAMPLE_RECORD) -> the expression's value."""

    def run(expression: str, data: Any = None) -> Any:
        return context.compile(expression).search(SAMPLE_RECORD if data is None else data)

    return run
