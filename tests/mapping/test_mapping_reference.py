"""The function reference: every example holds, and docs/functions.md is the current rendering."""

from pathlib import Path

import pytest

from cartsync.engine.mapping.functions import function_specs
from cartsync.engine.mapping.reference import render_reference

SPECS = function_specs()  # the engine's and the installed connectors'

EXAMPLES = [
    (name, expression, result) for name, spec in SPECS.items() for expression, result in spec.examples
]


@pytest.mark.parametrize(("name", "expression", "result"), EXAMPLES)
def test_every_documented_example_gives_its_result(evaluate, name, expression, result):
    value = evaluate(expression)
    assert value == result
    assert type(value) is type(result)


def test_every_function_has_an_example_that_calls_it():
    for name in SPECS:
        assert any(f"{name}(" in expression for expression, _ in SPECS[name].examples), name


def test_docs_functions_md_is_current():
    docs = Path(__file__).parents[2] / "docs" / "functions.md"
    assert docs.read_text(encoding="utf-8") == render_reference(), (
        "regenerate with: python -m cartsync.engine.mapping.reference > docs/functions.md"
    )
    for name in SPECS:
        assert f"### `{name}(" in docs.read_text(encoding="utf-8")
