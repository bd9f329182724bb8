"""Reading YAML with positions, and `${VAR}` interpolation."""

from __future__ import annotations

from pathlib import Path

from cartsync.engine.config.model import Position
from cartsync.engine.config.yaml_positions import read_yaml


def test_every_value_and_key_keeps_its_line_and_column(write_file):
    path = write_file(
        "p.yaml",
        """
        source:
          connection: store
          params: {statuses: [Processing, Paid]}
        """,
    )
    document, issues = read_yaml(path, {})
    assert issues == []
    assert document.data == {
        "source": {"connection": "store", "params": {"statuses": ["Processing", "Paid"]}}
    }
    assert document.values[("source", "connection")] == Position(path, 2, 15)
    assert document.keys[("source", "params")] == Position(path, 3, 3)
    assert document.values[("source", "params", "statuses", 1)] == Position(path, 3, 35)
    assert document.value_position(("source", "params", "statuses", 1, "deeper")) == Position(path, 3, 35)


def test_keys_stay_text_and_dates_stay_strings(write_file):
    path = write_file("p.yaml", "table: {yes: 1, 2: two}\nearliest: 2024-05-01\n")
    document, _ = read_yaml(path, {})
    assert document.data == {"table": {"yes": 1, "2": "two"}, "earliest": "2024-05-01"}


def test_invalid_yaml_points_at_the_problem(write_file):
    path = write_file("p.yaml", "name: a\nmap:\n  a: [b\n  c: d\n")
    document, issues = read_yaml(path, {})
    assert document is None
    assert len(issues) == 1
    assert (issues[0].position.line, issues[0].position.column) == (4, 4)
    assert issues[0].message.startswith("invalid YAML: while parsing a flow sequence did not find expected")


def test_duplicate_key_is_reported_at_the_second_one(write_file):
    path = write_file("p.yaml", "name: a\nkey: id\nname: b\n")
    document, issues = read_yaml(path, {})
    assert [(i.position.line, i.json_path, i.message) for i in issues] == [
        (3, "$.name", "duplicate key `name` (first written at line 1)")
    ]
    assert document.data["name"] == "a"


def test_variables_are_replaced_whole_and_inside_strings(write_file):
    path = write_file(
        "c.yaml",
        """
        folder: ${OUT_DIR}/orders
        format: ${FORMAT:-jsonl}
        empty_default: "${NOTHING:-}"
        literal: cost $$5 and $${NOT_A_VAR}
        """,
    )
    document, issues = read_yaml(path, {"OUT_DIR": "/srv/out"})
    assert issues == []
    assert document.data == {
        "folder": "/srv/out/orders",
        "format": "jsonl",
        "empty_default": "",
        "literal": "cost $$5 and ${NOT_A_VAR}",
    }


def test_a_whole_unquoted_reference_takes_the_json_type_of_its_value(write_file):
    path = write_file("c.yaml", 'user_id: ${USER_ID}\nzip: "${ZIP}"\nflag: ${FLAG}\ncountry: ${COUNTRY}\n')
    env = {"USER_ID": "17", "ZIP": "01234", "FLAG": "true", "COUNTRY": "no"}
    document, _ = read_yaml(path, env)
    assert document.data == {"user_id": 17, "zip": "01234", "flag": True, "country": "no"}


def test_missing_variable_names_itself_and_its_place(write_file):
    path = write_file(
        "c.yaml",
        """
        store:
          url: https://shop.example.com
          api_key: "key-${OC_KEY}"
        """,
    )
    _, issues = read_yaml(path, {})
    assert len(issues) == 1
    assert str(issues[0]) == (
        f"{path}:3:17: $.store.api_key: environment variable `OC_KEY` is not set"
        " (hint: set it, or give a default: ${OC_KEY:-value})"
    )


def test_malformed_reference_is_reported(write_file):
    path = write_file("c.yaml", "a: x${1ABC}\n")
    _, issues = read_yaml(path, {})
    assert [(i.position.column, i.message) for i in issues] == [
        (5, "malformed variable reference; expected ${NAME} or ${NAME:-default}")
    ]


def test_unreadable_file_is_an_issue(tmp_path: Path):
    document, issues = read_yaml(tmp_path / "absent.yaml", {})
    assert document is None
    assert [(i.position.line, i.message) for i in issues] == [
        (1, "cannot read the file: No such file or directory")
    ]
