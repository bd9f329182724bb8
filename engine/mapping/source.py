"""Generated Python source: statements, temporaries and the objects they refer to, turned into functions.

Generated code never embeds a value as text: every object it uses (a literal, a function, a
table of types) is bound to a name in the module's namespace, so no value can change meaning
by being written out and read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any


class Source:
    """One generated module: its functions' source lines and the namespace they run in."""

    def __init__(self, namespace: dict[str, Any]):
        self.namespace = dict(namespace)
        self._lines: list[str] = []
        self._depth = 0
        self._numbers = count()
        self._names: dict[int, str] = {}  # id(object) -> its name in the namespace

    def name(self, prefix: str) -> str:
        """A fresh identifier for a temporary or a function."""
        return f"{prefix}{next(self._numbers)}"

    def constant(self, value: Any, prefix: str = "_k") -> str:
        """The name under which generated code reads `value` (the same object, not a copy)."""
        name = self._names.get(id(value))
        if name is None or self.namespace.get(name) is not value:
            name = self._names[id(value)] = self.name(prefix)
            self.namespace[name] = value
        return name

    def line(self, text: str) -> None:
        self._lines.append("    " * self._depth + text)

    def assign(self, expression: str) -> str:
        """A new temporary holding `expression`."""
        name = self.name("t")
        self.line(f"{name} = {expression}")
        return name

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """Lines written inside are the body of `header` (`if x:`, `for e in y:`, `def f(v):`)."""
        self.line(header)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    @contextmanager
    def detached(self) -> Iterator[None]:
        """Writes a function of its own while another is being written: it is placed before it."""
        lines, depth = self._lines, self._depth
        self._lines, self._depth = [], 0
        try:
            yield
        finally:
            lines[:0] = self._lines
            self._lines, self._depth = lines, depth

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"

    def define(self, name: str, filename: str) -> Callable[..., Any]:
        """Runs the module and returns its function `name`. SyntaxError when Python refuses the source."""
        exec(compile(self.text(), filename, "exec"), self.namespace)
        return self.namespace[name]
