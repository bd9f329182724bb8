import pytest

from cartsync.engine.mapping import MappingError


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("round(`2.675`, `2`)", 2.68),  # half-up on the written digits, not on the binary float
        ("round(`2.5`)", 3),
        ("round(`-2.5`)", -3),
        ("round('93.9880', `2`)", 93.99),
        ("round(' 7.004 ', `2`)", 7),
        ("round(`10`, `2`)", 10),
        ("round(`1.23456`, `3`)", 1.235),
    ],
)
def test_round_is_half_up_and_whole_results_are_integers(evaluate, expression, expected):
    value = evaluate(expression)
    assert value == expected
    assert type(value) is type(expected)


def test_number_functions_pass_null_through(evaluate):
    for expression in ["round(missing)", "format_number(missing, `2`)", "to_int(missing)"]:
        assert evaluate(expression) is None
    assert evaluate("clamp_min(missing, `0`)") is None
    assert evaluate("zero_below(missing, `3`)") is None


@pytest.mark.parametrize(
    "expression",
    ["round('abc')", "format_number('1,5', `2`)", "to_int('')", "clamp_min('x', `0`)", "round('NaN')"],
)
def test_text_that_is_not_a_number_is_an_error_naming_the_function(evaluate, expression):
    name = expression.split("(")[0]
    with pytest.raises(MappingError, match=rf"^{name}\(\): \".*\" is not a number$"):
        evaluate(expression)


def test_round_digits_must_be_a_whole_number(evaluate):
    with pytest.raises(MappingError) as caught:
        evaluate("round(`1.5`, `-1`)")
    assert caught.value.message == "round(): 'digits' must be a whole number >= 0, got -1"


def test_format_number_gives_fixed_decimals(evaluate):
    assert evaluate("format_number(`7`, `2`)") == "7.00"
    assert evaluate("format_number('93.9880', `2`)") == "93.99"
    assert evaluate("format_number(`0.005`, `2`)") == "0.01"
    assert evaluate("format_number(`1234.5`, `0`)") == "1235"


def test_to_int_drops_the_fraction(evaluate):
    assert evaluate("to_int('12.7')") == 12
    assert evaluate("to_int(`-12.7`)") == -12
    assert evaluate("to_int(`4.0`)") == 4


def test_total_by_code_sums_every_matching_row(evaluate):
    totals = {
        "totals": [
            {"code": "tax", "value": "5.0000"},
            {"code": "shipping", "value": 2.5},
            {"code": "tax", "value": "1.2500"},
        ]
    }
    assert evaluate("total_by_code(totals, 'tax')", totals) == 6.25
    assert evaluate("total_by_code(totals, 'coupon')", totals) == 0
    assert evaluate("total_by_code(missing, 'tax')", totals) == 0


def test_total_by_code_with_a_value_that_is_not_a_number(evaluate):
    with pytest.raises(MappingError, match=r'^total_by_code\(\): "n/a" is not a number$'):
        evaluate("total_by_code(totals, 'tax')", {"totals": [{"code": "tax", "value": "n/a"}]})


def test_clamp_min_and_zero_below(evaluate):
    assert evaluate("clamp_min(`-3`, `0`)") == 0
    assert evaluate("clamp_min('4.5', `0`)") == 4.5
    assert evaluate("zero_below(`3`, `3`)") == 3
    assert evaluate("zero_below(`2.9`, `3`)") == 0
    assert evaluate("zero_below('12', `3`)") == 12
