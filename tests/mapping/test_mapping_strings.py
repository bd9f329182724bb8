import pytest

from cartsync.engine.mapping import MappingError


def test_format_fills_names_from_an_object_and_indexes_from_an_array(evaluate):
    assert evaluate("format('{a}-{b}', {a: 'x', b: `2`})") == "x-2"
    assert evaluate("format('{1}/{0}', ['a', 'b'])") == "b/a"


def test_format_null_fills_empty_and_double_braces_are_literal(evaluate):
    assert evaluate("format('[{a}] {{a}}', {a: `null`})") == "[] {a}"


def test_format_applies_a_format_spec(evaluate):
    assert evaluate("format('{n:05d}|{m:.1f}', {n: `42`, m: `2.25`})") == "00042|2.2"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("format('{b}', {a: 'x'})", "format(): the values have nothing for {b}"),
        ("format('{2}', ['x'])", "format(): the values have nothing for {2}"),
        ("format('a } b', {a: 'x'})", "format(): unmatched '}' in template 'a } b'; write '}}'"),
        ("format('{a:.2f}', {a: 'x'})", "format(): cannot apply format '.2f' to \"x\""),
        ("format('{a}', 'x')", "format(): argument 'values' must be array or object, got string 'x'"),
    ],
)
def test_format_errors(evaluate, expression, message):
    with pytest.raises(MappingError) as caught:
        evaluate(expression)
    assert caught.value.message == message


def test_concat_writes_nulls_empty_and_other_values_as_json(evaluate):
    assert (
        evaluate("concat('a', `null`, `1`, `2.5`, `true`, `[1, 2]`, {k: 'v'})") == 'a12.5true[1,2]{"k":"v"}'
    )
    assert evaluate("concat(`null`)") == ""


def test_case_and_trim(evaluate):
    assert evaluate("upper('straße')") == "STRASSE"
    assert evaluate("lower('ÀB')") == "àb"
    assert evaluate("trim('\t a b \n')") == "a b"


@pytest.mark.parametrize("name", ["upper", "lower", "trim"])
def test_one_text_functions_pass_null_through(evaluate, name):
    assert evaluate(f"{name}(missing)") is None


def test_one_text_functions_reject_numbers_with_the_argument_name(evaluate):
    with pytest.raises(MappingError) as caught:
        evaluate("upper(order_id)")
    assert caught.value.message == "upper(): argument 'text' must be null or string, got number 10045"


def test_replace_split_truncate_remove_prefix(evaluate):
    assert evaluate("replace('a-b-c', '-', '')") == "abc"
    assert evaluate("split('a,b,,c', ',')") == ["a", "b", "", "c"]
    assert evaluate("truncate('abcdef', `3`)") == "abc"
    assert evaluate("truncate('ab', `5`)") == "ab"
    assert evaluate("remove_prefix('OC-OC-1', 'OC-')") == "OC-1"
    assert evaluate("remove_prefix('X-1', 'OC-')") == "X-1"
    for expression in ["replace(missing, 'a', 'b')", "split(missing, ',')", "truncate(missing, `1`)"]:
        assert evaluate(expression) is None


def test_split_with_empty_separator_is_an_error(evaluate):
    with pytest.raises(MappingError, match=r"^split\(\): the separator cannot be empty$"):
        evaluate("split('abc', '')")


@pytest.mark.parametrize("length", ["`-1`", "`1.5`"])
def test_truncate_length_must_be_a_whole_number(evaluate, length):
    with pytest.raises(MappingError) as caught:
        evaluate(f"truncate('abc', {length})")
    assert (
        caught.value.message == f"truncate(): 'length' must be a whole number >= 0, got {length.strip('`')}"
    )


def test_default_replaces_only_null_and_empty_text(evaluate):
    assert evaluate("default(`null`, 'x')") == "x"
    assert evaluate("default('', 'x')") == "x"
    assert evaluate("default(' ', 'x')") == " "
    assert evaluate("default(`false`, 'x')") is False
    assert evaluate("default(`[]`, 'x')") == []


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("matches('Pickup.Store', ['pickup.store'])", True),
        ("matches('pickup.store', ['pickup'])", False),
        ("matches('pickup.store', ['PICKUP'], 'prefix')", True),
        ("matches('ups.ground', ['GROUND'], 'suffix')", True),
        ("matches('ups.ground', ['ups'], 'suffix')", False),
        ("matches('FREE SAMPLE kit', ['sample'], 'contains')", True),
        ("matches('kit', `[]`, 'contains')", False),
        ("matches('kit', 'KIT')", True),
        ("matches(`10045`, ['100'], 'prefix')", True),
        ("matches(`null`, [''], 'contains')", False),
        ("matches('kit', [`null`, 'kit'])", True),
    ],
)
def test_matches_modes_ignore_case(evaluate, expression, expected):
    assert evaluate(expression) is expected


def test_matches_unknown_mode_is_an_error(evaluate):
    with pytest.raises(MappingError) as caught:
        evaluate("matches('a', ['a'], 'regex')")
    assert (
        caught.value.message == "matches(): mode must be one of exact, prefix, suffix, contains, got 'regex'"
    )


def test_matches_in_an_item_filter(evaluate):
    items = {"products": [{"sku": "FER-1"}, {"sku": "sample-2"}, {"sku": "FER-3"}]}
    assert evaluate("products[?!matches(sku, ['SAMPLE-'], 'prefix')].sku", items) == ["FER-1", "FER-3"]
