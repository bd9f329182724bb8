"""What the compiler does not compile, the interpreter evaluates: same result, counted and logged."""

from __future__ import annotations

import logging
from typing import Any

import jmespath
import pytest
from jmespath.visitor import TreeInterpreter
from mapping_agreement import sample_contexts

from cartsync.engine.mapping import MappingError
from cartsync.engine.mapping.compiler import Compiler
from cartsync.engine.mapping.dispatch import FunctionTable


class _ShoutingInterpreter(TreeInterpreter):
    """An interpreter with a node type of its own, as a later jmespath version may add one."""

    def visit_shout(self, node: dict[str, Any], value: Any) -> Any:
        return str(self.visit(node["children"][0], value)).upper()


def test_a_node_type_the_compiler_does_not_know_is_interpreted_in_place(caplog):
    table = FunctionTable({})
    interpreter = _ShoutingInterpreter(jmespath.Options(custom_functions=table))
    compiler = Compiler(interpreter, table)
    tree = jmespath.compile("lines[].{sku: sku, qty: qty}").parsed
    tree["children"][1]["children"][0]["children"][0] = {
        "type": "shout",
        "children": [{"type": "field", "value": "sku", "children": []}],
    }
    data = {"lines": [{"sku": "a-1", "qty": 2}, [{"sku": None, "qty": 1}]]}

    with caplog.at_level(logging.DEBUG, logger="cartsync.engine.mapping.compiler"):
        search = compiler.search_function(tree, "lines[].{sku: shout(sku), qty: qty}")

    assert (
        search(data) == interpreter.visit(tree, data) == [{"sku": "A-1", "qty": 2}, {"sku": "NONE", "qty": 1}]
    )
    assert compiler.fallbacks == {"shout": 1}
    assert "interpreting shout in expression 'lines[].{sku: shout(sku), qty: qty}'" in caplog.text


def _nested(depth: int) -> Any:
    return {"a": [_nested(depth - 1)]} if depth else {"b": "deep"}


def test_an_expression_nested_deeper_than_python_compiles_is_interpreted_whole():
    compiled, interpreted = sample_contexts()
    text = "a[*]." * 24 + "b"  # 24 projections, each a loop inside the one before
    data = _nested(24)
    assert compiled.compile(text).search(data) == interpreted.compile(text).search(data)
    assert compiled.compile(text).search(data) == [[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]
    assert compiled.fallbacks == {"expression": 1}


def test_a_map_with_a_leaf_too_deep_for_python_calls_each_leaf_and_still_names_the_field():
    compiled, _ = sample_contexts()
    deep = "a[*]." * 24 + "b"
    mapper = compiled.compile_map({"x": deep, "y": {"z": "upper(z)"}})
    assert compiled.fallbacks == {"expression": 1}
    assert mapper.apply({**_nested(24), "z": "q"}) == {
        "x": [[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]],
        "y": {"z": "Q"},
    }
    with pytest.raises(MappingError) as caught:
        mapper.apply({"a": [{"a": 1}], "z": 5})
    assert str(caught.value) == "y.z: upper(): argument 'text' must be null or string, got number 5"
