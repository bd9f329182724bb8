"""Lookup tables: inline, YAML files and CSV files, and the names expressions use."""

from __future__ import annotations

from cartsync.engine.config.loader import load_pipeline

PIPELINE = """
version: 1
name: p
source: {connection: inbox, stream: orders}
destination: {connection: outbox, stream: orders}
key: id
map:
  carrier: "lookup('ship_methods', shipping_code).carrier"
  status: "lookup('statuses', order_status_id)"
lookups:
  ship_methods: TABLE
  statuses: {"2": Processing, "5": Complete}
"""


def _pipeline(write_file, table: str):
    return write_file("p.yaml", PIPELINE.replace("TABLE", table))


def test_inline_and_yaml_file_tables(write_file):
    write_file("lookups/ship.yaml", "flat.flat: {carrier: UPS, mode: Ground}\n")
    config = load_pipeline(_pipeline(write_file, "lookups/ship.yaml"))
    assert config.lookups == {
        "ship_methods": {"flat.flat": {"carrier": "UPS", "mode": "Ground"}},
        "statuses": {"2": "Processing", "5": "Complete"},
    }


def test_csv_without_header_is_key_then_value(write_file):
    write_file("lookups/ship.csv", "flat.flat,UPS\nfree.free,USPS\n")
    config = load_pipeline(_pipeline(write_file, "lookups/ship.csv"))
    assert config.lookups["ship_methods"] == {"flat.flat": "UPS", "free.free": "USPS"}


def test_csv_with_key_header_gives_a_mapping_per_row(write_file):
    write_file("lookups/ship.csv", "key,carrier,mode\nflat.flat,UPS,Ground\n\nfree.free,USPS,Priority\n")
    config = load_pipeline(_pipeline(write_file, "lookups/ship.csv"))
    assert config.lookups["ship_methods"] == {
        "flat.flat": {"carrier": "UPS", "mode": "Ground"},
        "free.free": {"carrier": "USPS", "mode": "Priority"},
    }


def test_csv_with_key_value_header_gives_plain_values(write_file):
    write_file("lookups/ship.csv", "key,value\nflat.flat,UPS\n")
    config = load_pipeline(_pipeline(write_file, "lookups/ship.csv"))
    assert config.lookups["ship_methods"] == {"flat.flat": "UPS"}


def test_bad_csv_rows_are_reported_with_their_lines(write_file, pipeline_issues):
    table = write_file(
        "lookups/ship.csv", "key,carrier\nflat.flat,UPS\nfree.free,USPS,extra\nflat.flat,DHL\n"
    )
    issues = pipeline_issues(_pipeline(write_file, "lookups/ship.csv"))
    assert [(i.position.file, i.position.line, i.message) for i in issues] == [
        (table, 3, "expected 2 columns (key, carrier), got 3"),
        (table, 4, "duplicate key `flat.flat` (first at line 2)"),
    ]


def test_a_missing_table_file_is_reported_at_the_line_naming_it(write_file, pipeline_issues):
    path = _pipeline(write_file, "lookups/nowhere.yaml")
    issues = pipeline_issues(path)
    assert [(i.position.line, i.position.column, i.json_path, i.message) for i in issues] == [
        (
            10,
            17,
            "$.lookups.ship_methods",
            f"lookup table file not found: {path.parent / 'lookups/nowhere.yaml'}",
        )
    ]


def test_a_table_file_must_hold_a_mapping(write_file, pipeline_issues):
    table = write_file("lookups/ship.yaml", "- a\n- b\n")
    issues = pipeline_issues(_pipeline(write_file, "lookups/ship.yaml"))
    assert [(i.position.file, i.position.line, i.message) for i in issues] == [
        (table, 1, "a lookup table file must hold one mapping of key: value")
    ]


def test_a_table_path_must_name_a_yaml_or_csv_file(write_file, pipeline_issues):
    issues = pipeline_issues(_pipeline(write_file, "lookups/ship.txt"))
    assert [(i.position.line, i.message) for i in issues] == [
        (10, "expected the path of a `.yaml`, `.yml` or `.csv` file, got a string `lookups/ship.txt`")
    ]


def test_an_unknown_table_name_in_an_expression_is_reported(write_file, pipeline_issues):
    path = _pipeline(write_file, "{a: b}")
    path.write_text(path.read_text().replace("'ship_methods'", "'ship_method'"))
    issues = pipeline_issues(path)
    assert [(i.position.line, i.position.column, i.json_path, i.message) for i in issues] == [
        (
            7,
            13,
            "$.map.carrier",
            "invalid expression: there is no lookup table 'ship_method' "
            "(the pipeline's tables: ship_methods, statuses)",
        )
    ]


def test_table_paths_are_relative_to_the_file_that_names_them(write_file):
    write_file("mappings/lookups/ship.csv", "flat.flat,UPS\n")
    write_file("mappings/base.yaml", PIPELINE.replace("TABLE", "lookups/ship.csv"))
    overlay = write_file(
        "clients/acme/p.yaml", "extends: ../../mappings/base.yaml\nlookups: {statuses: {'1': New}}\n"
    )
    config = load_pipeline(overlay)
    assert config.lookups == {
        "ship_methods": {"flat.flat": "UPS"},
        "statuses": {"2": "Processing", "5": "Complete", "1": "New"},  # inline tables merge too
    }
