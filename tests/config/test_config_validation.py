"""Pipeline validation: all issues at once, each at its line and column, in plain words."""

from __future__ import annotations

import pytest

from cartsync.engine.config.loader import ConfigIssues, load_pipeline
from cartsync.engine.config.model import Endpoint, FilterRule, LedgerConfig, MappingTest
from cartsync.engine.errors import ConfigError


def test_three_mistakes_are_all_reported_at_their_lines(write_file):
    path = write_file(
        "order_download.yaml",
        """
        version: 1
        name: order_download
        source:
          connection: store
          stream: orders
          params: {statuses: [Processing]}
        destination: {connection: warehouse, stream: orders}
        key: order_id
        filtr: "length(products) > `0`"
        map:
          referenceNum: "join('', ['OC-', to_string(order_id)]"
          shipTo: {name: shipping_firstname}
        tests: {name: basic}
        """,
    )
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{path}:9:1: $.filtr: unknown key `filtr` (hint: did you mean `filter`?)",
        f"{path}:11:55: $.map.referenceNum: invalid expression: the expression is incomplete",
        f"{path}:13:8: $.tests: expected a list, got a mapping",
    ]
    assert isinstance(caught.value, ConfigError)
    assert caught.value.exit_code == 2
    assert str(caught.value).splitlines() == [
        "3 configuration problems:",
        *(f"  {issue}" for issue in caught.value.issues),
    ]


def test_a_valid_pipeline_loads_into_the_model(write_file):
    path = write_file(
        "p.yaml",
        """
        version: 1
        name: order_download
        source: {connection: store, stream: orders, params: {statuses: [Processing]}}
        destination: {connection: warehouse, stream: orders}
        key: order_id
        filter: "length(products) > `0`"
        settings: {greeting: Dear}
        map:
          ref: "join(' ', [setting('greeting'), name])"
          lines: ["products[0].sku", 3, true]
        ledger: {entity: order, requires: [new], done: [at_wms, shipped], sets: at_wms}
        tests:
          - {name: basic, input: {order_id: 1}, expect: {ref: Dear x}}
          - {name: empty, input: {order_id: 2}, skipped: "length"}
        """,
    )
    config = load_pipeline(path)
    assert config.name == "order_download"
    assert config.description == ""
    assert config.source == Endpoint("store", "orders", {"statuses": ["Processing"]})
    assert config.destination == Endpoint("warehouse", "orders")
    assert config.filters == [FilterRule("length(products) > `0`", "length(products) > `0`")]
    assert config.map == {
        "ref": "join(' ', [setting('greeting'), name])",
        "lines": ["products[0].sku", 3, True],
    }
    assert config.ledger == LedgerConfig(
        "order", requires=("new",), done=("at_wms", "shipped"), sets="at_wms"
    )
    assert config.tests == [
        MappingTest("basic", {"order_id": 1}, expect={"ref": "Dear x"}),
        MappingTest("empty", {"order_id": 2}, skipped="length"),
    ]
    assert config.position_of(("map", "lines", 1)).line == 10
    assert config.position_of(("map", "lines", 1)).column == 30


def test_filter_rules_are_a_list_of_when_and_reason(write_file, valid_pipeline):
    path = write_file(
        "p.yaml",
        valid_pipeline
        + "filter:\n"
        + '  - {when: "length(products) > `0`", reason: order has no lines}\n'
        + '  - {when: "a ==", why: x}\n',
    )
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    assert [
        (i.position.line, i.position.column, i.json_path, i.message, i.hint) for i in caught.value.issues
    ] == [
        (11, 5, "$.filter[1].reason", "missing required key `reason`", None),
        (11, 17, "$.filter[1].when", "invalid expression: the expression is incomplete", None),
        (11, 20, "$.filter[1].why", "unknown key `why`", "expected one of: when, reason"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("version: 2", (1, 10, "$.version", "expected `1`, got a whole number `2`")),
        (
            "name: Order Download",
            (
                2,
                7,
                "$.name",
                "expected lowercase letters, digits, `_` and `-`, got a string `Order Download`",
            ),
        ),
        ("key: [order_id]", (6, 6, "$.key", "expected a string, got a list")),
        ("key: ''", (6, 6, "$.key", "must not be empty")),
        ("map: {}", (7, 6, "$.map", "expected at least 1 entry")),
    ],
)
def test_wrong_values_are_described_in_plain_words(write_file, valid_pipeline, line, expected):
    key = line.split(":")[0]
    lines = valid_pipeline.lstrip("\n").splitlines()
    index = next(i for i, text in enumerate(lines) if text.startswith(f"{key}:"))
    lines[index] = line
    if key == "map":
        del lines[index + 1]
    path = write_file("p.yaml", "\n".join(lines) + "\n")
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    assert [(i.position.line, i.position.column, i.json_path, i.message) for i in caught.value.issues] == [
        expected
    ]


def test_missing_required_keys_are_each_reported(write_file):
    path = write_file("p.yaml", "version: 1\nname: p\nsource: {connection: a}\n")
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    assert [(i.position.line, i.json_path, i.message) for i in caught.value.issues] == [
        (1, "$.destination", "missing required key `destination`"),
        (1, "$.key", "missing required key `key`"),
        (1, "$.map", "missing required key `map`"),
        (3, "$.source.stream", "missing required key `stream`"),
    ]


def test_unknown_functions_get_a_suggestion(write_file, valid_pipeline):
    path = write_file("p.yaml", valid_pipeline + '  name: "uper(shipping_firstname)"\n')
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    [issue] = caught.value.issues
    assert (issue.position.line, issue.position.column) == (9, 10)
    assert issue.message == "invalid expression: unknown function uper() (did you mean upper()?)"


def test_unknown_setting_names_are_reported(write_file, valid_pipeline):
    path = write_file("p.yaml", valid_pipeline + "  flag: \"setting('strict')\"\nsettings: {strikt: true}\n")
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    [issue] = caught.value.issues
    assert (issue.position.line, issue.json_path) == (9, "$.map.flag")
    assert (
        issue.message == "invalid expression: there is no setting 'strict' (the pipeline's settings: strikt)"
    )


def test_key_and_ledger_expressions_are_compiled(write_file, valid_pipeline):
    text = (
        valid_pipeline.replace("key: order_id", "key: order_id ||")
        + 'ledger: {entity: order, sets_expr: "a[?"}\n'
    )
    path = write_file("p.yaml", text)
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(path)
    assert [(i.position.line, i.json_path) for i in caught.value.issues] == [
        (6, "$.key"),
        (9, "$.ledger.sets_expr"),
    ]


def test_choices_between_keys(write_file, valid_pipeline):
    text = valid_pipeline + (
        "ledger: {entity: order, sets: at_wms, sets_expr: status}\n"
        "tests:\n"
        "  - {name: both, input: {}, expect: {}, skipped: x}\n"
    )
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(write_file("p.yaml", text))
    assert [(i.position.line, i.json_path, i.message) for i in caught.value.issues] == [
        (9, "$.ledger.sets_expr", "give either `sets` or `sets_expr`, not both"),
        (11, "$.tests[0]", "a test needs exactly one of `expect`, `skipped` or `rejected`"),
    ]


def test_a_file_that_is_not_a_mapping(write_file):
    with pytest.raises(ConfigIssues) as caught:
        load_pipeline(write_file("p.yaml", "- a\n"))
    assert [i.message for i in caught.value.issues] == ["expected a mapping of pipeline keys"]
