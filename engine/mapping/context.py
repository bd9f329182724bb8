"""`MappingContext`: one pipeline's functions, lookups and settings, and the compiler of its expressions."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import jmespath
from jmespath.functions import Functions
from jmespath.visitor import TreeInterpreter

from cartsync.engine.mapping.calls import NOT_LITERAL, Call, calls_in
from cartsync.engine.mapping.compiler import Compiler
from cartsync.engine.mapping.declare import FunctionEnv, FunctionSpec, Names, Param, spec_of
from cartsync.engine.mapping.dispatch import FunctionTable
from cartsync.engine.mapping.errors import ExpressionSyntaxError
from cartsync.engine.mapping.evaluators import Evaluator, Interpreted
from cartsync.engine.mapping.expression import Expression
from cartsync.engine.mapping.functions import function_specs
from cartsync.engine.mapping.mapper import Mapper
from cartsync.engine.mapping.syntax import parse


def _jmespath_spec(name: str, entry: dict[str, Any]) -> FunctionSpec:
    """A JMESPath built-in described like ours, so that its calls get the same load-time checks."""
    signature = entry["signature"]
    params = tuple(Param("|".join(arg["types"]) or "any", frozenset(arg["types"])) for arg in signature)
    return FunctionSpec(
        name, entry["function"], params, variadic=bool(signature and signature[-1].get("variadic"))
    )


JMESPATH_SPECS: dict[str, FunctionSpec] = {
    name: _jmespath_spec(name, entry) for name, entry in Functions.FUNCTION_TABLE.items()
}
EVALUATORS = ("compiled", "interpreted")


class MappingContext:
    """Compiles expressions and maps for one pipeline.

    `lookups` and `settings` feed `lookup()` and `setting()`; when given, the table and setting
    names written as literals are also checked at compile time. `extra_functions` adds functions
    by name (see `engine.mapping.declare` for declaring their arity and types). `now` is the clock
    of `now()` (UTC by default). `evaluator` is how expressions run: `compiled` to Python (the
    default), or `interpreted` by the jmespath library; both give the same results and errors.
    """

    def __init__(
        self,
        lookups: dict[str, dict] | None = None,
        settings: dict | None = None,
        extra_functions: dict[str, Callable[..., Any]] | None = None,
        now: Callable[[], datetime] | None = None,
        evaluator: str = "compiled",
    ):
        if evaluator not in EVALUATORS:
            raise ValueError(f"evaluator must be one of {', '.join(EVALUATORS)}, got {evaluator!r}")
        self._lookups = lookups
        self._settings = settings
        env = FunctionEnv(lookups or {}, settings or {}, now or partial(datetime.now, UTC))
        self._specs: dict[str, FunctionSpec] = {**JMESPATH_SPECS, **function_specs()}
        for name, function in (extra_functions or {}).items():
            if name in self._specs:
                raise ValueError(f"extra function {name}() has the name of a built-in function")
            self._specs[name] = spec_of(name, function)
        bound = {
            name: (spec, partial(spec.impl, env) if spec.uses_env else spec.impl)
            for name, spec in self._specs.items()
            if name not in JMESPATH_SPECS
        }
        table = FunctionTable(bound)
        interpreter = TreeInterpreter(jmespath.Options(custom_functions=table))
        self._compiler = Compiler(interpreter, table) if evaluator == "compiled" else None
        self._evaluator: Evaluator = self._compiler or Interpreted(interpreter)
        self._compiled: dict[str, Expression] = {}

    @property
    def fallbacks(self) -> Counter[str]:
        """The syntax-tree node types that compiled expressions leave to the interpreter (counted)."""
        return self._compiler.fallbacks if self._compiler else Counter()

    @property
    def function_names(self) -> frozenset[str]:
        """Every function an expression compiled here may call, extra functions included."""
        return frozenset(self._specs)

    def compile(self, text: str) -> Expression:
        """The compiled expression; ExpressionSyntaxError for bad syntax, unknown functions or arity."""
        compiled = self._compiled.get(text)
        if compiled is None:
            parsed = parse(text)
            for call in calls_in(parsed):
                self._check_call(call, text)
            build = partial(self._evaluator.search_function, parsed.parsed, text)
            compiled = self._compiled[text] = Expression(text, parsed.parsed, build)
        return compiled

    def compile_map(self, spec: Any) -> Mapper:
        """A Mapper for a nested dict/list spec; its text leaves are expressions, other leaves constants.

        An ExpressionSyntaxError carries `.path`, the place of the bad leaf inside `spec`.
        """
        return Mapper(spec, self.compile, self._compiler)

    def _check_call(self, call: Call, text: str) -> None:
        spec = self._specs.get(call.name)
        if spec is None:
            close = difflib.get_close_matches(call.name, self._specs, n=1)
            hint = f" (did you mean {close[0]}()?)" if close else ""
            raise ExpressionSyntaxError(f"unknown function {call.name}(){hint}", call.offset, text)
        problem = spec.arity_problem(len(call.args))
        if problem:
            raise ExpressionSyntaxError(problem, call.offset, text)
        name = call.args[0] if call.args else NOT_LITERAL
        if not isinstance(name, str):  # computed from the record: checked per record instead
            return
        if spec.names == "table":
            _check_known("lookup table", name, self._lookups, "tables", call, text)
        elif spec.names == "setting" and len(call.args) == 1:
            _check_known("setting", name, self._settings, "settings", call, text)

    def names_used(self, text: str) -> list[tuple[Names, Any]]:
        """`(kind, name)` for each call in `text` whose first argument names a lookup table or a
        setting (`kind` "table" or "setting"); `name` is NOT_LITERAL when it is computed."""
        used = []
        for call in calls_in(parse(text)):
            spec = self._specs.get(call.name)
            if spec is not None and spec.names is not None:
                used.append((spec.names, call.args[0] if call.args else NOT_LITERAL))
        return used


def _check_known(
    kind: str, name: str, known: Mapping[str, Any] | None, plural: str, call: Call, text: str
) -> None:
    """A literal table or setting name must exist, when the pipeline's tables or settings are known."""
    if known is not None and name not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise ExpressionSyntaxError(
            f"there is no {kind} {name!r} (the pipeline's {plural}: {listed})", call.offset, text
        )
