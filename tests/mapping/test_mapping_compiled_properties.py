"""Generated expressions over generated JSON: compiled and interpreted give equal values or equal errors.

Expressions are written from JMESPath's grammar (paths, every projection, filters, slices,
multi-selects, operators, literals, JMESPath's and cartsync's functions with arguments of any
type), so most of them fail somewhere on most documents, and the errors must agree too. The
default run is short; `pytest -m thorough tests/mapping` runs many more examples.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapping_agreement import agreed_outcome, sample_contexts

from cartsync.engine.mapping.context import JMESPATH_SPECS
from cartsync.engine.mapping.functions import function_specs

SPECS = function_specs()  # the engine's and the installed connectors'

NAMES = ["a", "b", "c", "sku", "qty"]
KEYS = st.sampled_from([*NAMES, "b c"])
IDENTIFIERS = st.sampled_from([*NAMES, '"b c"'])
TEXT = st.text(alphabet="ab -1.", max_size=4)
NUMBERS = st.one_of(
    st.integers(-3, 3), st.sampled_from([0.0, 1.5, -2.5, 10**20, math.nan]), st.floats(allow_nan=False)
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
DOCUMENTS = st.one_of(st.dictionaries(KEYS, JSON, max_size=5), JSON)

# What the first argument of these functions may be: the sample's tables and settings, and neither.
TABLE_OR_SETTING_NAMES = ["'ship_methods'", "'statuses'", "'customer_id'", "'min_stock'", "'nothing'"]
NAMED_FIRST = {"lookup", "setting", "alias", "reverse_alias"}
SUFFIXES = ["[0]", "[1]", "[-1]", "[1:]", "[::-1]", "[:2]", "[-2::2]", "[::0]", "[*]", "[]", ".*"]
OPERATORS = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "|"]


def _literal(value: Any) -> str:
    return "`" + json.dumps(value).replace("`", "\\`") + "`"


# Where JMESPath's truth and equality differ from Python's
BOUNDARY_LITERALS = [
    "`0`",
    "`0.0`",
    "`1`",
    "`true`",
    "`false`",
    "`null`",
    "`[]`",
    "`{}`",
    "''",
    "`[0]`",
    "`[true]`",
]
ATOMS = st.one_of(
    IDENTIFIERS,
    st.sampled_from(["@", "*", "[*]", "[]", *BOUNDARY_LITERALS]),
    JSON.filter(lambda value: value == value).map(_literal),  # NaN has no JSON literal
    TEXT.map(lambda text: f"'{text}'"),
)


def _arity(name: str) -> tuple[int, int, list[bool]]:
    """(least, most) arguments of function `name`, and which parameters take an `&expression`."""
    spec = SPECS.get(name) or JMESPATH_SPECS[name]
    exprefs = [param.types == frozenset({"expref"}) for param in spec.params]
    return spec.min_args, spec.max_args if spec.max_args is not None else spec.min_args + 2, exprefs


def _call(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def arguments(name: str) -> st.SearchStrategy[str]:
        least, most, exprefs = _arity(name)

        def argument(index: int) -> st.SearchStrategy[str]:
            if index == 0 and name in NAMED_FIRST:
                return st.sampled_from(TABLE_OR_SETTING_NAMES) | inner
            if index < len(exprefs) and exprefs[index]:
                return inner.map(lambda body: "&" + body)
            # now and then an `&expression` where a value belongs: a type error both ways
            return st.tuples(inner, st.integers(0, 9)).map(
                lambda pair: "&" + pair[0] if pair[1] == 0 else pair[0]
            )

        count = st.integers(least, most)
        return count.flatmap(lambda n: st.tuples(*[argument(i) for i in range(n)])).map(
            lambda args: f"{name}({', '.join(args)})"
        )

    return st.sampled_from(sorted({*SPECS, *JMESPATH_SPECS})).flatmap(arguments)


def _multi_select(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    items = st.lists(inner, min_size=1, max_size=3).map(lambda values: "[" + ", ".join(values) + "]")
    pairs = st.lists(st.tuples(IDENTIFIERS, inner), min_size=1, max_size=3)
    return items | pairs.map(lambda kv: "{" + ", ".join(f"{key}: {value}" for key, value in kv) + "}")


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operand = st.tuples(inner, st.booleans()).map(lambda pair: f"({pair[0]})" if pair[1] else pair[0])
    suffix = st.one_of(
        st.sampled_from(SUFFIXES),
        IDENTIFIERS.map(lambda name: "." + name),
        inner.map(lambda condition: f"[?{condition}]"),
        _multi_select(inner).map(lambda select: "." + select),
        _call(inner).map(lambda call: "." + call),
    )
    return st.one_of(
        st.tuples(operand, st.lists(suffix, min_size=1, max_size=3)).map(
            lambda pair: pair[0] + "".join(pair[1])
        ),
        st.tuples(operand, st.sampled_from(OPERATORS), operand).map(" ".join),
        operand.map(lambda value: "!" + value),
        _multi_select(inner),
        _call(inner),
    )


EXPRESSIONS = st.recursive(ATOMS, _compound, max_leaves=10)
COMPILED, INTERPRETED = sample_contexts(extra_functions={"pending": lambda sku, *more: [sku, *more]})


def _agree_on_every_document(text: str, documents: list[Any]) -> None:
    for data in documents:
        agreed_outcome(text, data, COMPILED, INTERPRETED)
    assert COMPILED.fallbacks == {}, f"{text!r} was not compiled whole"


_PROPERTY = given(EXPRESSIONS, st.lists(DOCUMENTS, min_size=1, max_size=4))
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

test_compiled_agrees_with_the_interpreter = settings(max_examples=300, **_SETTINGS)(
    _PROPERTY(_agree_on_every_document)
)
test_compiled_agrees_with_the_interpreter_thorough = pytest.mark.thorough(
    settings(max_examples=20_000, **_SETTINGS)(_PROPERTY(_agree_on_every_document))
)


@given(st.lists(DOCUMENTS, min_size=1, max_size=4))
@settings(max_examples=50, **_SETTINGS)
def test_functions_reading_the_context_agree(documents):
    for text in (
        "lookup('ship_methods', a, b).carrier",
        "setting('customer_id', a)",
        "setting(a)",
        "lookup(a, b)",
        "alias('statuses', to_string(qty))",
        "reverse_alias('statuses', a)",
        "pending(a, b || c)",
        "now(a)",
    ):
        _agree_on_every_document(text, documents)
