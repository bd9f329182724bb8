"""Runs a pipeline's inline `tests:`: sample input → expected mapped output, no live system.

Each test runs the pipeline's filters and map on `input` and compares with `expect` (or checks
that the record is skipped or rejected with the expected reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cartsync.engine.config.model import MappingTest, PipelineConfig, Position
from cartsync.engine.ledger_functions import RUNTIME_FUNCTIONS
from cartsync.engine.mapping import MappingError
from cartsync.engine.pipeline import CompiledPipeline, compile_pipeline


@dataclass
class MappingTestResult:
    name: str
    position: Position  # where the test is written (an overlay's inherited tests are in its base)
    passed: bool
    message: str = ""


def run_mapping_tests(config: PipelineConfig) -> list[MappingTestResult]:
    pipeline = compile_pipeline(config, record_schema=None, extra_functions=RUNTIME_FUNCTIONS)
    results = []
    for index, test in enumerate(config.tests):
        position = config.position_of(("tests", index))
        results.append(MappingTestResult(test.name, position, *_run_one(test, pipeline)))
    return results


def _run_one(test: MappingTest, pipeline: CompiledPipeline) -> tuple[bool, str]:
    try:
        record = pipeline.enrich(dict(test.input))
        reason = pipeline.skip_reason(record)
        mapped = None if reason is not None else pipeline.mapper.apply(record)
    except MappingError as error:
        if test.rejected is not None and test.rejected.lower() in str(error).lower():
            return True, ""
        return False, f"rejected: {error}"
    if reason is not None:
        if test.skipped is not None and test.skipped.lower() in reason.lower():
            return True, ""
        return False, f"skipped: {reason}"
    if test.skipped is not None:
        return False, f"expected a skip ({test.skipped}) but the record passed every filter"
    if test.rejected is not None:
        return False, f"expected a rejection ({test.rejected}) but it mapped"
    if mapped != test.expect:
        return False, "mapped record differs:\n" + _diff(test.expect, mapped)
    return True, ""


def _diff(expected: object, actual: object) -> str:
    import difflib

    lines = difflib.unified_diff(
        json.dumps(expected, indent=2, sort_keys=True).splitlines(),
        json.dumps(actual, indent=2, sort_keys=True).splitlines(),
        "expected",
        "mapped",
        lineterm="",
    )
    return "\n".join("      " + line for line in lines)
