import pytest

from cartsync.engine.mapping import (
    NOT_LITERAL,
    ExpressionSyntaxError,
    MappingContext,
    MappingError,
    check_expression,
    function_calls,
    function_specs,
)


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("shipping_code ==", "the expression is incomplete", 16),
        ("a.", "expected a field name or '[' or '{', found the end of the expression", 2),
        ("order_id order_status", "unexpected field name 'order_status'", 9),
        ("concat('OC-, order_id)", "unclosed ' delimiter", 7),
        ("[1,", "expected ']', found ','", 2),
        ("{a b}", "expected ':', found field name 'b'", 3),
        ("total + 1", "unknown token +", 6),
        ("", "the expression is empty", 0),
        ("   ", "the expression is empty", 0),
    ],
)
def test_syntax_errors_say_what_and_where(text, message, offset):
    with pytest.raises(ExpressionSyntaxError) as caught:
        check_expression(text)
    assert (caught.value.message, caught.value.offset, caught.value.expression) == (message, offset, text)


def test_an_expression_that_is_not_text_is_a_syntax_error():
    with pytest.raises(ExpressionSyntaxError) as caught:
        check_expression(5)
    assert (caught.value.message, caught.value.offset) == ("an expression must be text, got int", None)


def test_syntax_error_text_points_at_the_character():
    with pytest.raises(ExpressionSyntaxError) as caught:
        check_expression("a b")
    assert str(caught.value) == "unexpected field name 'b' at character 3 in expression 'a b'"


def test_check_expression_accepts_valid_expressions():
    assert check_expression("products[?quantity > `0`].{sku: sku || model}") is None


def test_function_calls_lists_names_and_literal_arguments_in_text_order():
    calls = function_calls(
        "items[?matches(sku, ['A'], 'prefix')].lookup('aliases', sku, `null`) | lookup(table, upper(x))"
    )
    assert calls == [
        ("matches", [NOT_LITERAL, NOT_LITERAL, "prefix"]),
        ("lookup", ["aliases", NOT_LITERAL, None]),
        ("lookup", [NOT_LITERAL, NOT_LITERAL]),
        ("upper", [NOT_LITERAL]),
    ]


def test_function_calls_gives_the_lookup_table_names():
    text = "lookup('ship_methods', shipping_code).carrier || lookup('carriers', 'default')"
    tables = [args[0] for name, args in function_calls(text) if name == "lookup"]
    assert tables == ["ship_methods", "carriers"]


def test_function_calls_raises_on_bad_syntax():
    with pytest.raises(ExpressionSyntaxError):
        function_calls("lookup('a',")


def test_function_names_hold_ours_the_connectors_and_jmespaths():
    ours = set(function_specs())
    assert {"lookup", "setting", "format", "round", "now", "group_sum"} <= ours
    assert {"item_key", "split_item_key", "total_by_code"} <= ours  # OpenCart's, by its entry point
    assert ours | {"length", "join", "to_string", "starts_with", "max_by"} <= MappingContext().function_names


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("concat('a', lokup('t', k))", "unknown function lokup() (did you mean lookup()?)", 12),
        ("a.zzz_q(b)", "unknown function zzz_q()", 2),
        ("upper(a, b)", "upper(text) takes 1 argument, got 2", 0),
        ("x || lookup('ship_methods')", "lookup(table, key[, default]) takes 2 to 3 arguments, got 1", 5),
        ("concat()", "concat(values...) takes at least 1 argument, got 0", 0),
        ("length(a, b)", "length(string|array|object) takes 1 argument, got 2", 0),
        ("now('%Y', 'x')", "now([format]) takes 0 to 1 arguments, got 2", 0),
    ],
)
def test_compile_checks_function_names_and_argument_counts(context, text, message, offset):
    with pytest.raises(ExpressionSyntaxError) as caught:
        context.compile(text)
    assert (caught.value.message, caught.value.offset) == (message, offset)


def test_compile_checks_literal_setting_names_when_settings_are_known(context):
    with pytest.raises(ExpressionSyntaxError) as caught:
        context.compile("setting('facility')")
    assert (
        caught.value.message
        == "there is no setting 'facility' (the pipeline's settings: customer_id, min_stock)"
    )
    assert context.compile("setting('facility', `2`)").search({}) == 2


def test_without_known_lookups_or_settings_names_are_checked_per_record():
    context = MappingContext()
    expression = context.compile("lookup('any_table', k, 'fallback')")
    with pytest.raises(MappingError) as caught:
        expression.search({})
    assert caught.value.message == "there is no lookup table 'any_table' (the pipeline's tables: none)"
    assert context.compile("setting('x', `1`)").search({}) == 1


def test_compile_returns_one_expression_per_text(context):
    assert context.compile("upper(a)") is context.compile("upper(a)")
    assert context.compile("upper(a)").text == "upper(a)"
