"""The functions an expression may call: one context's own, checked by their declarations, and JMESPath's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jmespath.functions import Functions

from cartsync.engine.mapping.declare import FunctionSpec

BoundFunction = tuple[FunctionSpec, Callable[..., Any]]  # the declaration, and the callable to call


class FunctionTable(Functions):
    """What the jmespath interpreter calls functions through; the compiler reads `bound` directly."""

    def __init__(self, bound: Mapping[str, BoundFunction]):
        self.bound = bound

    def call_function(self, function_name: str, resolved_args: list[Any]) -> Any:
        entry = self.bound.get(function_name)
        if entry is None:
            return super().call_function(function_name, resolved_args)
        spec, function = entry
        spec.check_args(resolved_args)
        return function(*resolved_args)
