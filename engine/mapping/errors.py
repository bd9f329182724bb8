"""The two errors of the mapping layer: a bad expression (load time) and an unmappable record (run time)."""

from __future__ import annotations

from jmespath import exceptions

JsonPath = tuple[str | int, ...]


class ExpressionSyntaxError(Exception):
    """An expression that cannot be compiled: bad syntax, an unknown function or a wrong argument count.

    `offset` is the 0-based character offset in `expression` where the problem is, when known.
    `path` is set by `MappingContext.compile_map`: where the expression sits inside the `map:` spec.
    """

    def __init__(self, message: str, offset: int | None, expression: str, path: JsonPath = ()):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.expression = expression
        self.path = path

    def __str__(self) -> str:
        where = f" at character {self.offset + 1}" if self.offset is not None else ""
        return f"{self.message}{where} in expression {self.expression!r}"


class MappingError(Exception):
    """A record cannot be mapped. `field` names the output field path (empty when not known)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def at(self, field: str) -> MappingError:
        """The same error, located at output field `field`."""
        return MappingError(self.message, field)


EVALUATION_ERRORS = (exceptions.JMESPathError, TypeError, ValueError)
r"""What evaluating an expression on a record can raise besides MappingError. The jmespath library
lets Python's own TypeError and ValueError escape where its rules do not cover a value
(`total > \`100\`` when `total` is the text "93.99", `max_by` over mixed types, a slice step of 0);
such a record is held like any other that cannot be mapped, instead of stopping the run."""


def describe_jmespath_error(error: Exception) -> str:
    """The message of a MappingError for an error raised while evaluating an expression."""
    if isinstance(error, TypeError):
        return f"these values cannot be compared or combined ({error})"
    if isinstance(error, exceptions.JMESPathTypeError):
        return (
            f"{error.function_name}(): expected {' or '.join(error.expected_types)}, "
            f"got {error.actual_type} {error.current_value!r}"
        )
    return str(error)
