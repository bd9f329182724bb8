"""How a mapping function declares its name, arity and argument types.

A function is a plain Python callable decorated with `mapping_function`:

    @mapping_function("string", "number?")
    def truncate(text, length=None): ...

Each positional string is the JMESPath type of one parameter: `string`, `number`, `boolean`,
`array`, `object`, `null`, `expref` or `any`, joined with `|` for a union (`"string|null"`). A
trailing `?` makes the parameter optional (the Python parameter then needs a default).
`variadic=True` lets the last parameter repeat. `name=` sets the name used in expressions
(default: the Python name). `uses_env=True` passes the run's `FunctionEnv` (lookups, settings,
clock) as the first argument. `names="table"` (or `"setting"`) says that the first argument
names one of the pipeline's lookup tables (or settings): a name written as a literal is checked
when the expression is compiled, and counts as a use of that table or setting. `examples=`
holds `(expression, result)` pairs for the function reference (`docs/functions.md`); the
tests evaluate every one.

A callable without the decorator (e.g. one given in `MappingContext(extra_functions=...)`) gets
its arity from its Python signature (parameters with defaults are optional, `*args` is
variadic) and accepts any type.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from jmespath.visitor import _Expression

from cartsync.engine.mapping.errors import MappingError

Names = Literal["table", "setting"]
JMESPATH_TYPES = frozenset({"string", "number", "boolean", "array", "object", "null", "expref", "any"})

_TYPE_NAMES: dict[type, str] = {
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
    type(None): "null",
    _Expression: "expref",
}


def type_name(value: Any) -> str:
    """The JMESPath type of a Python value (booleans are not numbers)."""
    return class_type_name(type(value))


def class_type_name(python_type: type) -> str:
    """The JMESPath type of the values of a Python class."""
    name = _TYPE_NAMES.get(python_type)
    if name is not None:
        return name
    for known, jmespath_name in _TYPE_NAMES.items():
        if issubclass(python_type, known):
            return jmespath_name
    return python_type.__name__


@dataclass(frozen=True)
class FunctionEnv:
    """What functions declared with `uses_env=True` can read: the pipeline's lookups, settings, clock."""

    lookups: Mapping[str, Mapping[Any, Any]]
    settings: Mapping[str, Any]
    now: Callable[[], datetime]


@dataclass(frozen=True)
class Param:
    name: str
    types: frozenset[str]  # empty: any type
    optional: bool = False

    def describe(self) -> str:
        return " or ".join(sorted(self.types)) if self.types else "any"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    impl: Callable[..., Any]
    params: tuple[Param, ...]
    variadic: bool = False
    uses_env: bool = False
    examples: tuple[tuple[str, Any], ...] = ()  # (expression, result) pairs, checked by the tests
    names: Names | None = None  # what the first argument names
    min_args: int = field(init=False)
    max_args: int | None = field(init=False)  # None: no upper bound

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_args", sum(1 for p in self.params if not p.optional))
        object.__setattr__(self, "max_args", None if self.variadic else len(self.params))

    @property
    def usage(self) -> str:
        """The call as users read it, e.g. `lookup(table, key[, default])` or `concat(value...)`."""
        text = ""
        for index, param in enumerate(self.params):
            name = param.name + ("..." if self.variadic and index == len(self.params) - 1 else "")
            separator = ", " if text else ""
            text += f"[{separator}{name}]" if param.optional else f"{separator}{name}"
        return f"{self.name}({text})"

    def arity_problem(self, count: int) -> str | None:
        """A message when `count` arguments do not fit this function, else None."""
        if count >= self.min_args and (self.max_args is None or count <= self.max_args):
            return None
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            expected = str(self.min_args)
        else:
            expected = f"{self.min_args} to {self.max_args}"
        plural = "" if expected in ("1", "at least 1") else "s"
        return f"{self.usage} takes {expected} argument{plural}, got {count}"

    def check_args(self, args: list[Any]) -> None:
        """Raises MappingError when the argument count or an argument type does not fit."""
        problem = self.arity_problem(len(args))
        if problem:
            raise MappingError(problem)
        last = len(self.params) - 1
        for index, value in enumerate(args):
            param = self.params[min(index, last)]
            if param.types and type_name(value) not in param.types:
                raise MappingError(
                    f"{self.name}(): argument '{param.name}' must be {param.describe()}, "
                    f"got {type_name(value)} {_preview(value)}"
                )


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_type(text: str) -> tuple[frozenset[str], bool]:
    optional = text.endswith("?")
    names = frozenset(text.rstrip("?").split("|"))
    unknown = names - JMESPATH_TYPES
    if unknown:
        raise ValueError(f"unknown JMESPath type(s) {sorted(unknown)}; use {sorted(JMESPATH_TYPES)}")
    return (frozenset() if "any" in names else names), optional


def _python_params(impl: Callable[..., Any], uses_env: bool) -> list[inspect.Parameter]:
    params = list(inspect.signature(impl).parameters.values())
    return params[1:] if uses_env else params


def mapping_function(
    *types: str,
    name: str | None = None,
    variadic: bool = False,
    uses_env: bool = False,
    examples: tuple[tuple[str, Any], ...] = (),
    names: Names | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares a mapping function; see the module docstring."""

    def declare(impl: Callable[..., Any]) -> Callable[..., Any]:
        python_params = _python_params(impl, uses_env)
        if len(python_params) != len(types):
            raise ValueError(
                f"{impl.__name__}: {len(types)} types declared for {len(python_params)} parameters"
            )
        params = []
        for python_param, type_text in zip(python_params, types, strict=True):
            allowed, optional = _parse_type(type_text)
            params.append(Param(python_param.name, allowed, optional))
        impl.mapping_spec = FunctionSpec(
            name or impl.__name__, impl, tuple(params), variadic, uses_env, examples, names
        )
        return impl

    return declare


def spec_of(name: str, impl: Callable[..., Any]) -> FunctionSpec:
    """The spec of `impl` under `name`: its declaration, or one read from its Python signature."""
    declared: FunctionSpec | None = getattr(impl, "mapping_spec", None)
    if declared is not None:
        return replace(declared, name=name)
    params: list[Param] = []
    variadic = False
    for python_param in inspect.signature(impl).parameters.values():
        if python_param.kind is inspect.Parameter.VAR_POSITIONAL:
            params.append(Param(python_param.name, frozenset(), optional=True))
            variadic = True
        elif python_param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            params.append(
                Param(python_param.name, frozenset(), python_param.default is not inspect.Parameter.empty)
            )
    return FunctionSpec(name, impl, tuple(params), variadic)
