"""The statements of one compiled expression, node by node, each with the interpreter's rule for it.

Each `_node_<type>` method mirrors `TreeInterpreter.visit_<type>` of the jmespath library: it
writes Python statements into a `Source` and returns the name that holds the node's value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jmespath.visitor import TreeInterpreter

from cartsync.engine.mapping import semantics
from cartsync.engine.mapping.compiled_calls import write_call
from cartsync.engine.mapping.source import Source

if TYPE_CHECKING:
    from cartsync.engine.mapping.compiler import Compiler

Node = dict[str, Any]
_ORDERING = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def falsy(value: str) -> str:
    """A Python test that `value` is false in JMESPath (empty text, array or object, null, false)."""
    return (
        f"((not {value}) if type({value}) in _EMPTY_IS_FALSE else ({value} is None or {value} is False"
        f" or (type({value}) not in _NUMBERS_AND_BOOLEANS and _is_false({value}))))"
    )


class Translator:
    """Writes one expression's statements; knows which names hold literals and which are not null."""

    def __init__(self, compiler: Compiler, source: Source, text: str):
        self.compiler = compiler
        self.source = source
        self._text = text
        self._literals: dict[str, Any] = {}  # names that hold a literal, with its value
        self._not_null: set[str] = set()  # names known to hold a value where code is being written
        self._interpreted: set[int] = set()  # ids of the nodes left to the interpreter, counted once each

    def function(self, node: Node, convert_errors: bool) -> str:
        """Writes `def name(v)` returning the value of `node` for `v`; returns `name`."""
        source = self.source
        name = source.name("_search")
        with source.block(f"def {name}(v):"):
            if not convert_errors:
                source.line(f"return {self.value(node, 'v')}")
                return name
            with source.block("try:"):
                source.line(f"return {self.value(node, 'v')}")
            with source.block("except _EvaluationError as error:"):
                source.line("raise _MappingError(_describe(error)) from None")
        return name

    def value(self, node: Node, current: str) -> str:
        """Writes the evaluation of `node` on the value named `current`; returns the result's name."""
        method = getattr(self, f"_node_{node['type']}", None)
        if method is None:
            return self._interpret(node, current)
        return method(node, current)

    def literal(self, name: str) -> tuple[bool, Any]:
        """(True, value) when `name` holds a literal, else (False, None)."""
        return (True, self._literals[name]) if name in self._literals else (False, None)

    def is_literal_of(self, name: str, classes: frozenset[type]) -> bool:
        return name in self._literals and type(self._literals[name]) in classes

    def type_mismatch(self, name: str, classes: frozenset[type]) -> str | None:
        """A test that `name` holds none of `classes`; None when it holds a literal of one of them."""
        if self.is_literal_of(name, classes):
            return None
        return f"type({name}) not in {self.source.constant(classes)}"

    def _interpret(self, node: Node, current: str) -> str:
        if id(node) not in self._interpreted:  # a node written twice (see `_collect`) is counted once
            self._interpreted.add(id(node))
            self.compiler.fell_back(node["type"], self._text)
        return self.source.assign(f"_visit({self.source.constant(node)}, {current})")

    # Values and paths

    def _node_literal(self, node: Node, current: str) -> str:
        name = self.source.constant(node["value"])
        self._literals[name] = node["value"]
        return name

    def _node_identity(self, node: Node, current: str) -> str:
        return current

    _node_current = _node_identity

    def _node_field(self, node: Node, current: str) -> str:
        key = repr(node["value"])
        return self.source.assign(
            f"{current}.get({key}) if type({current}) is dict else _field({current}, {key})"
        )

    def _node_subexpression(self, node: Node, current: str) -> str:
        for child in node["children"]:
            current = self.value(child, current)
        return current

    _node_index_expression = _node_subexpression
    _node_pipe = _node_subexpression

    def _node_index(self, node: Node, current: str) -> str:
        return self.source.assign(f"_index({current}, {node['value']!r})")

    def _node_slice(self, node: Node, current: str) -> str:
        bounds = self.source.constant(slice(*node["children"]))
        return self.source.assign(f"{current}[{bounds}] if isinstance({current}, list) else None")

    # Multi-selects: null on null, without evaluating what is inside

    def _node_multi_select_list(self, node: Node, current: str) -> str:
        return self._unless_null(current, lambda: "[" + ", ".join(self._children(node, current)) + "]")

    def _node_multi_select_dict(self, node: Node, current: str) -> str:
        def build() -> str:
            keys = [repr(child["value"]) for child in node["children"]]
            pairs = zip(keys, self._children(node, current), strict=True)
            return "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"

        return self._unless_null(current, build)

    def _node_key_val_pair(self, node: Node, current: str) -> str:
        return self.value(node["children"][0], current)

    def _children(self, node: Node, current: str) -> list[str]:
        return [self.value(child, current) for child in node["children"]]

    def _unless_null(self, current: str, build: Callable[[], str]) -> str:
        is_literal, literal = self.literal(current)
        if current in self._not_null or (is_literal and literal is not None):
            return self.source.assign(build())
        if is_literal:  # the literal null
            return current
        result = self.source.name("t")
        with self.source.block(f"if {current} is None:"):
            self.source.line(f"{result} = None")
        with self.source.block("else:"):
            self._not_null.add(current)
            try:
                self.source.line(f"{result} = {build()}")
            finally:
                self._not_null.discard(current)
        return result

    # Projections: null when the left side is not an array (an object for `*`); nulls are dropped

    def _node_projection(self, node: Node, current: str) -> str:
        left, right = node["children"]
        if left["type"] == "flatten" and not _has_flatten(right):  # `a[].b`: no flat array is built first
            base = self.value(left["children"][0], current)
            item_value = lambda item: self.value(right, item)  # noqa: E731
            return self._collect(f"isinstance({base}, list)", base, item_value, flatten=True)
        base = self.value(left, current)
        return self._collect(f"isinstance({base}, list)", base, lambda item: self.value(right, item))

    def _node_value_projection(self, node: Node, current: str) -> str:
        left, right = node["children"]
        base = self.value(left, current)
        values = self.source.assign(f"{base}.values() if type({base}) is dict else _values({base})")
        return self._collect(f"{values} is not _MISSING", values, lambda item: self.value(right, item))

    def _node_filter_projection(self, node: Node, current: str) -> str:
        left, right, condition = node["children"]
        base = self.value(left, current)

        def kept(item: str) -> str:
            result = self.source.assign("None")
            with self.source.block(f"if not {falsy(self.value(condition, item))}:"):
                self.source.line(f"{result} = {self.value(right, item)}")
            return result

        return self._collect(f"isinstance({base}, list)", base, kept)

    def _collect(
        self, applies: str, items: str, item_value: Callable[[str], str], flatten: bool = False
    ) -> str:
        """The non-null `item_value`s of `items` when `applies`, else null.

        With `flatten`, an item that is an array stands for its own items (written twice, once for each case).
        """
        source = self.source
        result = source.name("t")

        def append(item: str) -> None:
            value = item_value(item)
            with source.block(f"if {value} is not None:"):
                source.line(f"{result}.append({value})")

        with source.block(f"if {applies}:"):
            source.line(f"{result} = []")
            item = source.name("e")
            with source.block(f"for {item} in {items}:"):
                if not flatten:
                    append(item)
                else:
                    inner = source.name("e")
                    with (
                        source.block(f"if isinstance({item}, list):"),
                        source.block(f"for {inner} in {item}:"),
                    ):
                        append(inner)
                    with source.block("else:"):
                        append(item)
        with source.block("else:"):
            source.line(f"{result} = None")
        return result

    def _node_flatten(self, node: Node, current: str) -> str:
        source = self.source
        base = self.value(node["children"][0], current)
        result = source.name("t")
        with source.block(f"if isinstance({base}, list):"):
            source.line(f"{result} = []")
            item = source.name("e")
            with source.block(f"for {item} in {base}:"):
                with source.block(f"if isinstance({item}, list):"):
                    source.line(f"{result}.extend({item})")
                with source.block("else:"):
                    source.line(f"{result}.append({item})")
        with source.block("else:"):
            source.line(f"{result} = None")
        return result

    # Operators

    def _node_comparator(self, node: Node, current: str) -> str:
        operator = node["value"]
        if operator not in _ORDERING and operator not in ("eq", "ne"):
            return self._interpret(node, current)
        left = self.value(node["children"][0], current)
        right = self.value(node["children"][1], current)
        if operator in _ORDERING:  # numbers and text compare as they are; anything else is null
            compare = self.source.constant(TreeInterpreter.COMPARATOR_FUNC[operator])
            tests = [
                f"type({side}) in _NUMBERS_AND_TEXT"
                for side in (left, right)
                if not self.is_literal_of(side, semantics.NUMBERS_AND_TEXT)
            ]
            quick = f"({left} {_ORDERING[operator]} {right})"
            return self.source.assign(_unless(quick, tests, f"_ordered({compare}, {left}, {right})"))
        # Python's == is the library's but where a number meets a boolean (1 is not true)
        if any(self.is_literal_of(side, semantics.NOT_NUMBERS) for side in (left, right)):
            equal = f"({left} == {right})"
        else:
            tests = [f"(type({left}) in _NOT_NUMBERS or type({right}) in _NOT_NUMBERS)"]
            equal = _unless(f"({left} == {right})", tests, f"_equals({left}, {right})")
        return self.source.assign(equal if operator == "eq" else f"not ({equal})")

    def _node_or_expression(self, node: Node, current: str) -> str:
        return self._short_circuit(node, current, right_when=falsy)

    def _node_and_expression(self, node: Node, current: str) -> str:
        return self._short_circuit(node, current, right_when=lambda name: f"not {falsy(name)}")

    def _short_circuit(self, node: Node, current: str, right_when: Callable[[str], str]) -> str:
        """`a || b` and `a && b`: the left value, or the right one, evaluated only then."""
        left, right = node["children"]
        result = self.source.assign(self.value(left, current))
        with self.source.block(f"if {right_when(result)}:"):
            self.source.line(f"{result} = {self.value(right, current)}")
        return result

    def _node_not_expression(self, node: Node, current: str) -> str:
        value = self.value(node["children"][0], current)
        return self.source.assign(
            f"(not {value}) if type({value}) in _NOT_NUMBERS_OR_BOOLEANS else _negate({value})"
        )

    # Functions

    def _node_expref(self, node: Node, current: str) -> str:
        body = node["children"][0]
        expref = self.source.constant(semantics.CompiledExpression(body, self.compiler.interpreter))
        with self.source.detached():
            search = self.function(body, convert_errors=False)
            self.source.line(f"{expref}.search = {search}")
        return expref

    def _node_function_expression(self, node: Node, current: str) -> str:
        return write_call(self, node["value"], self._children(node, current))


def _has_flatten(node: Node) -> bool:
    return node["type"] == "flatten" or any(
        isinstance(child, dict) and _has_flatten(child) for child in node.get("children", [])
    )


def _unless(quick: str, tests: list[str], exact: str) -> str:
    """`quick` when all `tests` hold (always, when there are none), else `exact`."""
    return f"{quick} if {' and '.join(tests)} else {exact}" if tests else quick
