"""JMESPath's rules, one case each: the interpreter gives the expected value, and compiled code the same.

The expected values are the jmespath library's (the reference the compiled path must match),
including where it departs from the specification: text compares with `<`, and `==` on
arrays and objects is Python's (so `[1] == [true]`).
"""

from __future__ import annotations

from typing import Any

import pytest
from mapping_agreement import agreed_outcome, canonical, sample_contexts

from cartsync.engine.mapping import MappingContext, MappingError

COMPILED, INTERPRETED = sample_contexts()
LINES = [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 0}, {"qty": 5}, None, 7]

VALUES: list[tuple[str, Any, Any]] = [
    # null propagation
    ("a.b.c", {"a": {"b": None}}, None),
    ("a.b", {"a": "text"}, None),
    ("a.b", {"a": [{"b": 1}]}, None),
    ("a[0]", {"a": {"0": 1}}, None),
    ("a[5]", {"a": [1]}, None),
    ("a[-1]", {"a": [1, 2]}, 2),
    ("a[0]", {"a": "text"}, None),
    ('"b c".d', {"b c": {"d": 4}}, 4),
    # list projections and where they stop
    ("a[*].sku", {"a": LINES}, ["A", "B"]),
    ("a[*].sku | [0]", {"a": LINES}, "A"),
    ("a[*].sku[0]", {"a": [{"sku": [1, 2]}, {"sku": []}]}, [1]),
    ("a[*] | [0]", {"a": LINES}, LINES[0]),
    ("a[*]", {"a": {"x": 1}}, None),
    ("a[*].qty || `0`", {"a": []}, 0),  # `||` ends the projection: the empty array is false
    ("a[*].sku.x", {"a": [{"sku": {"x": 1}}, {"sku": "y"}]}, [1]),
    # flatten
    ("a[]", {"a": [[1, [2]], 3, None, [None]]}, [1, [2], 3]),  # a projection: nulls are dropped
    ("a[][]", {"a": [[1, [2]], 3]}, [1, 2, 3]),
    ("a[].b", {"a": [[{"b": 1}], {"b": 2}, [{"c": 3}]]}, [1, 2]),
    ("a[]", {"a": "text"}, None),
    ("[]", [[1], [2, 3]], [1, 2, 3]),
    # object projections
    ("a.*.b", {"a": {"x": {"b": 1}, "y": {"b": 2}, "z": 3}}, [1, 2]),
    ("a.*", {"a": [1]}, None),
    ("*", {"x": 1, "y": None}, [1]),
    # filters
    ("a[?qty > `1`].sku", {"a": LINES}, ["A"]),
    ("a[?qty].qty", {"a": LINES}, [2, 0, 5]),
    ("a[?b]", {"a": [{"b": []}, {"b": [0]}, {"b": 0}, {"b": ""}, {"b": False}]}, [{"b": [0]}, {"b": 0}]),
    ("a[?sku == 'A'] | [0].qty", {"a": LINES}, 2),
    ("a[?`true`]", {"a": "text"}, None),
    # slices
    ("a[1:]", {"a": [1, 2, 3]}, [2, 3]),
    ("a[::-1]", {"a": [1, 2, 3]}, [3, 2, 1]),
    ("a[:2].b", {"a": [{"b": 1}, {"b": 2}, {"b": 3}]}, [1, 2]),
    ("a[0:1]", {"a": "text"}, None),
    # truth: empty text, array and object, null and false are false; 0 is true
    ("a || 'x'", {"a": ""}, "x"),
    ("a || 'x'", {"a": []}, "x"),
    ("a || 'x'", {"a": {}}, "x"),
    ("a || 'x'", {"a": False}, "x"),
    ("a || 'x'", {"a": 0}, 0),
    ("a && 'x'", {"a": 0}, "x"),
    ("a && 'x'", {"a": []}, []),
    ("a && b || c", {"a": 1, "b": None, "c": "c"}, "c"),
    ("!a", {"a": 0}, False),
    ("!a", {"a": []}, True),
    ("!a", {"a": "0"}, False),
    ("!a", {}, True),
    # comparisons: ordering of numbers (and, in this library, of text); anything else is null
    ("a < b", {"a": 1, "b": 2.5}, True),
    ("a >= b", {"a": "b", "b": "a"}, True),
    ("a < b", {"a": True, "b": 2}, None),
    ("a < b", {"a": None, "b": 2}, None),
    ("a <= b", {"a": [1], "b": [2]}, None),
    # equality: deep, and a number is never a boolean at the top
    ("a == b", {"a": 1, "b": True}, False),
    ("a == b", {"a": 0, "b": False}, False),
    ("a != b", {"a": 1, "b": True}, True),
    ("a == b", {"a": 1, "b": 1.0}, True),
    ("a == b", {"a": {"x": [1, {"y": 2}]}, "b": {"x": [1, {"y": 2}]}}, True),
    ("a == b", {"a": [1], "b": [True]}, True),
    ("a == `null`", {}, True),
    # literals, raw strings, the current node, pipes
    ('`[1, {"a": null}]`', {}, [1, {"a": None}]),
    ("'it\\'s'", {}, "it's"),
    ('`"text"`', {}, "text"),
    ("@", 5, 5),
    ("a | @.b", {"a": {"b": 1}}, 1),
    ("a[*].sku | length(@)", {"a": LINES}, 2),
    # multi-selects: null on null; the last of two equal keys wins
    ("[a, b]", None, None),
    ("a.[b, c]", {"a": None}, None),
    ("{x: a, y: b}", {"a": 1}, {"x": 1, "y": None}),
    ("{x: a, x: b}", {"a": 1, "b": 2}, {"x": 2}),
    ("a[*].[sku, qty]", {"a": LINES[:2]}, [["A", 2], ["B", 0]]),
    # JMESPath's functions
    ("sort_by(a, &qty)[*].sku", {"a": LINES[:3]}, ["B", "A"]),
    ("max_by(a, &qty).qty", {"a": LINES[:3]}, 5),
    ("map(&sku, a)", {"a": LINES[:3]}, ["A", "B", None]),
    ("not_null(a, b, 'x')", {"b": 0}, 0),
    ("merge(a, b)", {"a": {"x": 1}, "b": {"x": 2, "y": 3}}, {"x": 2, "y": 3}),
    ("to_number(a)", {"a": "12"}, 12),
    ("to_number(a)", {"a": "1.5"}, 1.5),
    ("to_number(a)", {"a": "x"}, None),
    ("contains(a, 'x')", {"a": "box"}, True),
    ("join(', ', a)", {"a": ["x", "y"]}, "x, y"),
    ("type(a)", {"a": True}, "boolean"),
    # cartsync's functions, including those reading the context
    ("concat('OC-', a)", {"a": 7}, "OC-7"),
    ("setting('customer_id')", {}, 1077),
    ("lookup('ship_methods', a).carrier", {"a": "flat.flat"}, "UPS"),
    ("alias('ship_methods', a)", {"a": "X-1"}, "X-1"),
    ("now()", {}, "2024-05-02T09:00:00+00:00"),
]

ERRORS: list[tuple[str, Any, type[Exception], str]] = [
    ("length(a)", {"a": 5}, MappingError, "length(): expected string or array or object, got number 5"),
    ("a.length(@)", {}, MappingError, "length(): expected string or array or object, got null None"),
    ("join(', ', a)", {"a": ["x", 1]}, MappingError, "join(): expected array-string, got int 1"),
    (
        "sort_by(a, &b)",
        {"a": [{"b": 1}, {"b": "x"}]},
        MappingError,
        "sort_by(): expected number, got string 'x'",
    ),
    ("upper(a)", {"a": 5}, MappingError, "upper(): argument 'text' must be null or string, got number 5"),
    (
        "lookup('ship_methods', a)",
        {"a": "ups"},
        MappingError,
        "lookup table 'ship_methods' has no entry 'ups'",
    ),
    # where the library lets Python's own error through: held as a mapping error, never a crash
    (
        "a < b",
        {"a": "1", "b": 2},
        MappingError,
        "these values cannot be compared or combined "
        "('<' not supported between instances of 'str' and 'int')",
    ),
    ("a[::0]", {"a": [1]}, MappingError, "slice step cannot be zero"),
    (
        "contains(a, `1`)",
        {"a": "text"},
        MappingError,
        "these values cannot be compared or combined "
        "('in <string>' requires string as left operand, not int)",
    ),
]


@pytest.mark.parametrize(("text", "data", "expected"), VALUES)
def test_compiled_and_interpreted_give_the_librarys_value(text, data, expected):
    assert agreed_outcome(text, data, COMPILED, INTERPRETED) == ("value", canonical(expected))


@pytest.mark.parametrize(("text", "data", "error", "message"), ERRORS)
def test_compiled_and_interpreted_raise_the_librarys_error(text, data, error, message):
    kind, details = agreed_outcome(text, data, COMPILED, INTERPRETED)
    assert kind == "error"
    assert details[:2] == (error, canonical(message))


def test_no_case_leaves_a_node_to_the_interpreter():
    for text, data, *_ in VALUES + ERRORS:
        agreed_outcome(text, data, COMPILED, INTERPRETED)
    assert COMPILED.fallbacks == {}


def test_expressions_are_compiled_unless_the_interpreter_is_asked_for():
    assert MappingContext().compile("a.b").built().__code__.co_filename == "<expression 'a.b'>"
    assert MappingContext(evaluator="interpreted").compile("a.b").built().__code__.co_filename.endswith(".py")
    with pytest.raises(ValueError, match=r"^evaluator must be one of compiled, interpreted, got 'fast'$"):
        MappingContext(evaluator="fast")
