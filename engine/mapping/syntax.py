"""Parsing an expression, with syntax errors told in the user's terms and pointing at a character."""

from __future__ import annotations

import re

from jmespath import exceptions
from jmespath.parser import ParsedResult, Parser

from cartsync.engine.mapping.errors import ExpressionSyntaxError

_KINDS = {
    "eof": "the end of the expression",
    "unquoted_identifier": "a field name",
    "quoted_identifier": "a field name",
    "literal": "a literal",
    "number": "a number",
}
_EXPECTING = re.compile(r"Expecting: (.*), got: (\w+)")


def _found(token_type: str | None, value: object) -> str:
    """The token the parser stopped at, e.g. `')'`, `field name 'b'`, `the end of the expression`."""
    kind = (token_type or "eof").lower()
    if kind == "eof":
        return _KINDS["eof"]
    if kind in _KINDS:
        return f"{_KINDS[kind].split(' ', 1)[1]} {value!r}"
    return f"'{value}'"


def _expected(token_type: str) -> str:
    return _KINDS.get(token_type, f"'{_SYMBOLS.get(token_type, token_type)}'")


_SYMBOLS = {
    "lbracket": "[",
    "rbracket": "]",
    "lbrace": "{",
    "rbrace": "}",
    "lparen": "(",
    "rparen": ")",
    "comma": ",",
    "colon": ":",
    "dot": ".",
    "star": "*",
    "filter": "[?",
}


def _parse_error_message(error: exceptions.ParseError) -> str:
    expecting = _EXPECTING.search(error.msg)
    if expecting:
        allowed = re.findall(r"\w+", expecting.group(1))
        names = " or ".join(dict.fromkeys(_expected(kind) for kind in allowed))
        found = _found(expecting.group(2), error.token_value)
        return f"expected {names}, found {found}"
    return f"unexpected {_found(error.token_type, error.token_value)}"


def parse(text: str) -> ParsedResult:
    """The parsed expression; raises ExpressionSyntaxError with the offset of the problem."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError(f"an expression must be text, got {type(text).__name__}", None, str(text))
    if not text.strip():
        raise ExpressionSyntaxError("the expression is empty", 0, text)
    try:
        return Parser().parse(text)
    except RecursionError:
        raise ExpressionSyntaxError("the expression is nested too deeply", None, text) from None
    except exceptions.IncompleteExpressionError:
        raise ExpressionSyntaxError("the expression is incomplete", len(text), text) from None
    except exceptions.LexerError as error:
        message = error.message[0].lower() + error.message[1:]
        raise ExpressionSyntaxError(message, error.lexer_position, text) from None
    except exceptions.ParseError as error:
        raise ExpressionSyntaxError(_parse_error_message(error), error.lex_position, text) from None


def check_expression(text: str) -> None:
    """Raises ExpressionSyntaxError when `text` is not a valid JMESPath expression."""
    parse(text)
