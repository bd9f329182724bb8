"""`validate_paths`: every issue of every file under the given paths."""

from __future__ import annotations

from cartsync.engine.config.loader import validate_paths

PIPELINE = """
version: 1
name: p
source: {connection: inbox, stream: orders}
destination: {connection: outbox, stream: orders}
key: id
map: {id: "lookup('t', id)"}
lookups: {t: lookups/t.yaml}
"""
BOTH_CONNECTIONS = "inbox: {connector: files, folder: in}\noutbox: {connector: files, folder: o}\n"


def test_a_folder_is_walked_and_checked_against_its_connections_file(write_file):
    write_file("acme/connections.yaml", "inbox: {connector: files, folder: in}\noutbox: {connector: files}\n")
    write_file("acme/lookups/t.yaml", "a: b\n")  # a lookup table, not a pipeline
    good = write_file("acme/good.yaml", PIPELINE)
    mistakes = PIPELINE.replace("name: p", "nme: p").replace("lookups/t.yaml", "t.csv")
    bad = write_file("acme/nested/bad.yml", mistakes)
    issues = validate_paths([good.parent]).issues
    assert [(i.position.file, i.position.line, i.json_path, i.message) for i in issues] == [
        (good.parent / "connections.yaml", 2, "$.outbox.folder", "missing required key `folder`"),
        (bad, 1, "$.name", "missing required key `name`"),
        (bad, 2, "$.nme", "unknown key `nme`"),
        (bad, 7, "$.lookups.t", f"lookup table file not found: {bad.parent / 't.csv'}"),
    ]


def test_pipelines_next_to_a_connections_file_are_checked_against_it(write_file):
    write_file("acme/connections.yaml", "inbox: {connector: files, folder: in}\n")
    write_file("acme/lookups/t.yaml", "a: b\n")
    pipeline = write_file("acme/p.yaml", PIPELINE)
    issues = validate_paths([pipeline]).issues
    assert [(i.position.line, i.message) for i in issues] == [(4, "unknown connection `outbox`")]


def test_an_explicit_connections_file_is_used_for_every_pipeline(write_file):
    connections = write_file("conf/conns.yaml", BOTH_CONNECTIONS)
    write_file("acme/connections.yaml", "other: {connector: files, folder: x}\n")
    write_file("acme/lookups/t.yaml", "a: b\n")
    pipeline = write_file("acme/p.yaml", PIPELINE)
    assert validate_paths([pipeline], connections=connections).issues == []


def test_a_connections_file_is_recognised_by_its_entries(write_file):
    path = write_file("shop-systems.yaml", "store: {connector: filez, folder: x}\n")
    issues = validate_paths([path.parent]).issues
    assert [(i.position.file, i.json_path, i.message) for i in issues] == [
        (path, "$.store.connector", "unknown connector `filez`")
    ]


def test_clean_files_give_no_issues(write_file):
    write_file("acme/connections.yml", BOTH_CONNECTIONS)
    write_file("acme/lookups/t.yaml", "a: b\n")
    pipeline = write_file("acme/p.yaml", PIPELINE)
    assert validate_paths([pipeline.parent, pipeline]).issues == []


def test_other_yaml_hidden_folders_and_lookup_tables_are_left_alone_in_a_walk(write_file):
    write_file(".venv/lib/p.yaml", "map: 5\n")
    write_file(".github/workflows/ci.yml", "name: ci\non: push\njobs: {}\n")
    write_file("schemas/api.openapi.yaml", "openapi: 3.1.0\ninfo: {title: x}\n")
    write_file("mappings/lookups/t.yaml", "map: 5\n")
    broken = write_file("mappings/broken.yaml", "map: [\n")
    issues = validate_paths([broken.parent.parent]).issues
    assert [(i.position.file, i.position.line, i.message) for i in issues] == [
        (
            broken,
            2,
            "invalid YAML: while parsing a flow node did not find expected node content",
        )
    ]


def test_a_file_named_explicitly_is_always_checked(write_file):
    path = write_file("notes.yaml", "title: x\n")
    assert [i.message for i in validate_paths([path]).issues][:2] == [
        "missing required key `destination`",
        "missing required key `key`",
    ]
