"""Function calls in compiled expressions: a direct call, after the argument checks the interpreter makes.

The interpreter checks every argument of every call (`FunctionTable.call_function` for this
context's functions, `Functions._validate_arguments` for JMESPath's). Compiled code first runs a
quick test of each argument's exact class, written out only where a literal does not settle it,
and runs the full check only when a quick test fails; so a call is refused exactly when the
interpreter refuses it, with the same error.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from jmespath.functions import REVERSE_TYPES_MAP
from jmespath.visitor import _Expression

from cartsync.engine.mapping import semantics
from cartsync.engine.mapping.declare import FunctionSpec, class_type_name

if TYPE_CHECKING:
    from cartsync.engine.mapping.translator import Translator

# The classes the quick tests know; a value of any other class always gets the full check.
_QUICK_CLASSES = (
    bool,
    int,
    float,
    str,
    list,
    dict,
    OrderedDict,
    type(None),
    _Expression,
    semantics.CompiledExpression,
)


def _library_classes(type_names: Iterable[str]) -> frozenset[type]:
    """The known classes the library accepts for these of its type names (it compares class names)."""
    names = {name for type_name in type_names for name in REVERSE_TYPES_MAP[type_name]}
    return frozenset(cls for cls in _QUICK_CLASSES if cls.__name__ in names)


def _declared_classes(types: frozenset[str]) -> frozenset[type]:
    """The known classes a declared parameter accepts (see `declare.type_name`)."""
    return frozenset(cls for cls in _QUICK_CLASSES if class_type_name(cls) in types)


def write_call(translator: Translator, name: str, args: list[str]) -> str:
    """Writes the call of function `name` with the values named `args`; returns the result's name."""
    table = translator.compiler.table
    bound = table.bound.get(name)
    if bound is not None:  # the context's functions come first, as in FunctionTable
        return _declared_call(translator, *bound, args)
    entry = table.FUNCTION_TABLE.get(name)
    if entry is None:  # unknown: the library raises its error
        return translator.source.assign(f"_call({name!r}, [{', '.join(args)}])")
    return _library_call(translator, name, entry, args)


def _declared_call(
    translator: Translator, spec: FunctionSpec, function: Callable[..., Any], args: list[str]
) -> str:
    source = translator.source
    check = f"{source.constant(spec)}.check_args([{', '.join(args)}])"
    if spec.arity_problem(len(args)):
        source.line(check)
    else:
        last = len(spec.params) - 1
        params = [spec.params[min(index, last)] for index in range(len(args))]
        quick_tests = [
            translator.type_mismatch(arg, _declared_classes(param.types))
            for arg, param in zip(args, params, strict=True)
            if param.types
        ]
        _write_check(translator, check, quick_tests)
    if isinstance(function, partial) and not function.keywords:  # `uses_env`: call the function itself
        args = [source.constant(bound_arg) for bound_arg in function.args] + args
        function = function.func
    return source.assign(f"{source.constant(function)}({', '.join(args)})")


def _library_call(translator: Translator, name: str, entry: dict[str, Any], args: list[str]) -> str:
    source = translator.source
    signature = entry["signature"]
    listed = ", ".join(args)
    check = f"_library._validate_arguments([{listed}], {source.constant(signature)}, {name!r})"
    variadic = bool(signature) and signature[-1].get("variadic")
    fits = len(args) >= len(signature) if variadic else len(args) == len(signature)
    quick_tests = _library_quick_tests(translator, signature, args) if fits else None
    if quick_tests is None:
        source.line(check)
    else:
        _write_check(translator, check, quick_tests)
    return source.assign(f"{source.constant(entry['function'])}(_library, {listed})")


def _library_quick_tests(
    translator: Translator, signature: tuple[dict[str, Any], ...], args: list[str]
) -> list[str | None] | None:
    """Tests of which one holds whenever the library's check could fail; None when none can be written.

    The library checks only the parameters its signature lists (a variadic one once), as here.
    """
    tests: list[str | None] = []
    for arg, param in zip(args, signature, strict=False):
        types = param["types"]
        if not types:
            continue
        if all("-" not in type_name for type_name in types):
            tests.append(translator.type_mismatch(arg, _library_classes(types)))
        elif len(types) == 1:  # an array of one element type, e.g. `array-string`
            outer, inner = (_library_classes([type_name]) for type_name in types[0].split("-", 1))
            is_literal, literal = translator.literal(arg)
            if not (is_literal and type(literal) in outer and all(type(item) in inner for item in literal)):
                mismatch = translator.type_mismatch(arg, outer)
                items = f"not _all_of({arg}, {translator.source.constant(inner)})"
                tests.append(f"{mismatch} or {items}" if mismatch else items)
        else:  # a choice of element types: left to the library
            return None
    return tests


def _write_check(translator: Translator, check: str, quick_tests: list[str | None]) -> None:
    """Writes `check`, run when any quick test holds (None: a test known not to hold)."""
    written = [test for test in quick_tests if test is not None]
    if written:
        with translator.source.block(f"if {' or '.join(written)}:"):
            translator.source.line(check)
