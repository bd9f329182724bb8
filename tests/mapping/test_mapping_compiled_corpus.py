"""Compiled and interpreted agree on every expression cartsync ships: pipelines and function reference.

Each expression is run on the pipeline's own test inputs (with their `derive:` fields), on
those inputs with fields replaced by generated values of any type, and on generated records
made of the field names the pipeline reads. No expression may leave a node to the interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapping_agreement import agreed_outcome, canonical, outcome, sample_contexts

from cartsync.engine.config.discovery import file_kind
from cartsync.engine.config.loader import load_pipeline
from cartsync.engine.mapping import MappingContext, MappingError
from cartsync.engine.mapping.functions import function_specs
from cartsync.engine.mapping.functions.items import sum_where
from cartsync.engine.mapping.reference import SAMPLE_RECORD
from cartsync.engine.mapping.syntax import parse

SPECS = function_specs()  # the engine's and the installed connectors'

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = [
    *sorted(ROOT.glob("mappings/*.yaml")),
    *sorted(path for path in ROOT.glob("clients/example/*.yaml") if file_kind(path) == "pipeline"),
]
EXAMPLES = [(expression, result) for spec in SPECS.values() for expression, result in spec.examples]
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def ledger_records(entity: str, statuses: list[str]) -> list[Any]:
    """Stands in for the ledger (see `engine.ledger_functions`): two orders not yet at the WMS."""
    return [
        {"lines": [{"sku": "TENT-002", "qty": 2}]},
        {"lines": [{"sku": "TENT-002", "qty": "1"}, {"sku": "X"}]},
    ]


def ledger_total(entity: str, statuses: list[str], lines: str, quantity: str, key: str, value: Any) -> Any:
    """Stands in for the ledger's sums over the same two orders."""
    return sum_where([line for record in ledger_records(entity, statuses) for line in record[lines]],
                     quantity, key, value)


@dataclass
class Shipped:
    """One shipped pipeline, its expressions compiled both ways, and its own test inputs."""

    texts: list[str]
    map: Any
    compiled: MappingContext
    interpreted: MappingContext
    inputs: list[dict[str, Any]]
    field_names: list[str]


def _map_leaves(spec: Any) -> list[str]:
    if isinstance(spec, dict):
        return [text for child in spec.values() for text in _map_leaves(child)]
    if isinstance(spec, list):
        return [text for child in spec for text in _map_leaves(child)]
    return [spec] if isinstance(spec, str) else []


def _field_names(node: dict[str, Any]) -> set[str]:
    names = {node["value"]} if node["type"] == "field" else set()
    for child in node.get("children", []):
        if isinstance(child, dict):
            names |= _field_names(child)
    return names


@cache
def shipped(path: Path) -> Shipped:
    config = load_pipeline(path)
    options = {
        "lookups": config.lookups,
        "settings": config.settings,
        "extra_functions": {"ledger_records": ledger_records, "ledger_total": ledger_total},
    }
    compiled = MappingContext(evaluator="compiled", **options)
    interpreted = MappingContext(evaluator="interpreted", **options)
    texts = [
        config.key,
        *config.derive.values(),
        *(rule.when for rule in config.filters),
        *_map_leaves(config.map),
    ]
    if config.ledger and config.ledger.sets_expr:
        texts.append(config.ledger.sets_expr)
    inputs = []
    for test in config.tests:
        record = dict(test.input)
        inputs.append(record)
        try:
            for name, text in config.derive.items():
                record = {**record, name: interpreted.compile(text).search(record)}
        except MappingError:
            continue
        inputs.append(record)
    names = sorted(set().union(*(_field_names(parse(text).parsed) for text in texts)))
    return Shipped(texts, config.map, compiled, interpreted, inputs, names)


def _agree(pipeline: Shipped, records: list[Any]) -> None:
    mapper, reference = (
        pipeline.compiled.compile_map(pipeline.map),
        pipeline.interpreted.compile_map(pipeline.map),
    )
    for record in records:
        for text in pipeline.texts:
            agreed_outcome(text, record, pipeline.compiled, pipeline.interpreted)
        assert outcome(mapper.apply, record) == outcome(reference.apply, record)
    assert pipeline.compiled.fallbacks == {}


def _values(names: list[str]) -> st.SearchStrategy[Any]:
    """JSON of any shape, whose objects use the pipeline's field names."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 50),
        st.floats(-1e3, 1e3),
        st.text(max_size=6),
        st.sampled_from(["", "0", "12.5", "flat.flat", "ups.GND", "TENT-002", "OC-7", "2024-05-01 08:30:00"]),
    )
    keys = st.sampled_from(names)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=10,
    )


def _records(pipeline: Shipped) -> st.SearchStrategy[dict[str, Any]]:
    changes = st.dictionaries(
        st.sampled_from(pipeline.field_names), _values(pipeline.field_names), max_size=4
    )
    altered = st.tuples(st.sampled_from(pipeline.inputs), changes).map(lambda pair: {**pair[0], **pair[1]})
    return altered | changes


@pytest.mark.parametrize("path", PIPELINES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_shipped_expression_agrees_on_the_pipelines_own_inputs(path):
    pipeline = shipped(path)
    assert len(pipeline.texts) >= 5 and pipeline.inputs
    _agree(pipeline, pipeline.inputs)


@pytest.mark.parametrize("path", PIPELINES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_shipped_expression_agrees_on_generated_records(path):
    pipeline = shipped(path)

    @given(st.lists(_records(pipeline), min_size=1, max_size=3))
    @settings(max_examples=40, **_SETTINGS)
    def agree(records):
        _agree(pipeline, records)

    agree()


COMPILED, INTERPRETED = sample_contexts()


@pytest.mark.parametrize(("expression", "result"), EXAMPLES)
def test_every_documented_example_agrees_and_gives_its_result(expression, result):
    assert agreed_outcome(expression, SAMPLE_RECORD, COMPILED, INTERPRETED) == ("value", canonical(result))


@given(st.dictionaries(st.sampled_from(sorted(SAMPLE_RECORD)), _values(sorted(SAMPLE_RECORD)), max_size=4))
@settings(max_examples=60, **_SETTINGS)
def test_every_documented_example_agrees_on_altered_records(changes):
    record = {**SAMPLE_RECORD, **changes}
    for expression, _ in EXAMPLES:
        agreed_outcome(expression, record, COMPILED, INTERPRETED)
    assert COMPILED.fallbacks == {}
