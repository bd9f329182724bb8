"""`extends:` — deep merge of mappings, replacement of lists and values, chains and cycles."""

from __future__ import annotations

from cartsync.engine.config.extends import read_with_extends
from cartsync.engine.config.model import Position

BASE = """
version: 1
source:
  connection: store
  stream: orders
  params:
    statuses: [Processing]
    earliest: 30 days ago
map:
  a: x
  b: y
"""


def test_mappings_merge_deeply_and_lists_replace(write_file):
    write_file("mappings/base.yaml", BASE)
    overlay = write_file(
        "clients/acme/p.yaml",
        """
        extends: ../../mappings/base.yaml
        source: {params: {statuses: [Processing, Paid]}}
        map:
          b: z
        """,
    )
    document, issues = read_with_extends(overlay, {})
    assert issues == []
    assert document.data == {
        "version": 1,
        "source": {
            "connection": "store",
            "stream": "orders",
            "params": {"statuses": ["Processing", "Paid"], "earliest": "30 days ago"},
        },
        "map": {"a": "x", "b": "z"},
    }


def test_positions_point_at_the_file_that_supplied_the_value(write_file):
    base = write_file("mappings/base.yaml", BASE)
    overlay = write_file(
        "clients/acme/p.yaml",
        "extends: ../../mappings/base.yaml\nsource: {params: {statuses: [Processing, Paid]}}\n",
    )
    document, _ = read_with_extends(overlay, {})
    assert document.values[("source", "params", "statuses", 1)] == Position(overlay, 2, 42)
    assert document.values[("source", "params", "earliest")] == Position(base, 7, 15)
    assert document.values[("source", "stream")].file == base
    assert ("source", "params", "statuses", 0) in document.values
    assert ("extends",) not in document.values


def test_a_list_replaced_by_a_shorter_one_forgets_the_old_positions(write_file):
    write_file("base.yaml", "items: [a, b, c]\n")
    overlay = write_file("p.yaml", "extends: base.yaml\nitems: [z]\n")
    document, _ = read_with_extends(overlay, {})
    assert document.data == {"items": ["z"]}
    assert [path for path in document.values if path[:1] == ("items",)] == [("items",), ("items", 0)]


def test_chains_apply_in_order(write_file):
    write_file("a.yaml", "map: {x: a1, y: a2, z: a3}\n")
    write_file("b.yaml", "extends: a.yaml\nmap: {y: b2}\n")
    top = write_file("c.yaml", "extends: b.yaml\nmap: {z: c3}\n")
    document, issues = read_with_extends(top, {})
    assert issues == []
    assert document.data == {"map": {"x": "a1", "y": "b2", "z": "c3"}}


def test_a_cycle_is_reported_with_the_chain(write_file):
    a = write_file("a.yaml", "extends: b.yaml\nname: a\n")
    b = write_file("b.yaml", "name: b\nextends: a.yaml\n")
    _, issues = read_with_extends(a, {})
    assert [(i.position, i.json_path, i.message) for i in issues] == [
        (Position(b, 2, 10), "$.extends", f"`extends` makes a cycle: {a} -> {b} -> {a}")
    ]


def test_a_missing_base_is_reported_at_the_extends_line(write_file):
    path = write_file("p.yaml", "name: a\nextends: nowhere.yaml\n")
    _, issues = read_with_extends(path, {})
    assert [(i.position.line, i.position.column, i.message) for i in issues] == [
        (2, 10, f"the file to extend does not exist: {path.parent / 'nowhere.yaml'}")
    ]


def test_problems_in_the_base_file_point_into_the_base(write_file):
    base = write_file("base.yaml", "name: x\nkey: ${MISSING_IN_BASE}\n")
    overlay = write_file("p.yaml", "extends: base.yaml\n")
    _, issues = read_with_extends(overlay, {})
    assert [(i.position, i.message) for i in issues] == [
        (Position(base, 2, 6), "environment variable `MISSING_IN_BASE` is not set")
    ]
