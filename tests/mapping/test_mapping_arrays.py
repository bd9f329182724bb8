import pytest

from cartsync.engine.mapping import MappingError


def test_unique_keeps_first_seen_order_and_tells_types_apart(evaluate):
    assert evaluate('unique(`[3, 1, 3, true, 1, "1", {"a": 1}, {"a": 1}]`)') == [3, 1, True, "1", {"a": 1}]
    assert evaluate("unique(missing)") is None


def test_compact_drops_empties_but_keeps_zero_and_false(evaluate):
    assert evaluate('compact(`[null, "", [], {}, 0, false, "a"]`)') == [0, False, "a"]
    assert evaluate("compact(missing)") is None


def test_group_sum_merges_lines_per_key_in_first_seen_order(evaluate):
    lines = {
        "lines": [
            {"sku": "B", "qty": 1},
            {"sku": "A", "qty": "2"},
            {"sku": "B", "qty": 2.5},
            {"sku": None, "qty": 1},
        ]
    }
    assert evaluate("group_sum(lines, 'sku', 'qty')", lines) == [
        {"sku": "B", "qty": 3.5},
        {"sku": "A", "qty": 2},
        {"sku": None, "qty": 1},
    ]
    assert evaluate("group_sum(missing, 'sku', 'qty')", lines) is None


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"sku": "A", "qty": 1}, "A"], "group_sum(): item 1 is not an object"),
        ([{"sku": "A"}], "group_sum(): item 0 has no 'qty'"),
        ([{"sku": "A", "qty": "two"}], 'group_sum(): "two" is not a number'),
    ],
)
def test_group_sum_errors(evaluate, lines, message):
    with pytest.raises(MappingError) as caught:
        evaluate("group_sum(lines, 'sku', 'qty')", {"lines": lines})
    assert caught.value.message == message
