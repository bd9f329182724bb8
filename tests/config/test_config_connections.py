"""Connections files, and the connections and streams a pipeline names."""

from __future__ import annotations

import pytest

from cartsync.engine import secrets
from cartsync.engine.config.loader import ConfigIssues, load_connections, load_pipeline
from cartsync.engine.config.model import ConnectionConfig, Position

CONNECTIONS = """
inbox:
  connector: files
  folder: ${INBOX_DIR:-in}
outbox: {connector: files, folder: out, format: csv}
"""


def test_a_valid_connections_file(write_file):
    path = write_file("connections.yaml", CONNECTIONS)
    assert load_connections(path) == {
        "inbox": ConnectionConfig("inbox", "files", {"folder": "in"}, Position(path, 1, 1)),
        "outbox": ConnectionConfig(
            "outbox", "files", {"folder": "out", "format": "csv"}, Position(path, 4, 1)
        ),
    }


def test_entries_are_checked_against_their_connector_schema(write_file):
    path = write_file(
        "connections.yaml",
        """
        inbox:
          connector: files
          foldr: in
          format: xml
        outbox: {conector: files, folder: out}
        store: {connector: opencrt}
        nothing: 5
        """,
    )
    with pytest.raises(ConfigIssues) as caught:
        load_connections(path)
    assert [
        (i.position.line, i.position.column, i.json_path, i.message, i.hint) for i in caught.value.issues
    ] == [
        (2, 3, "$.inbox.folder", "missing required key `folder`", None),
        (3, 3, "$.inbox.foldr", "unknown key `foldr`", "did you mean `folder`?"),
        (4, 11, "$.inbox.format", "expected one of `jsonl`, `csv`, got a string `xml`", None),
        (5, 9, "$.outbox.connector", "missing required key `connector`", "did you mean `conector`?"),
        (6, 20, "$.store.connector", "unknown connector `opencrt`", "did you mean `opencart`?"),
        (
            7,
            10,
            "$.nothing",
            "expected a mapping with `connector:` and its settings, got a whole number `5`",
            None,
        ),
    ]


def test_a_registered_connector_that_cannot_be_imported_is_an_issue(write_file, extra_connectors):
    path = write_file("connections.yaml", "legacy: {connector: broken, url: x}\n")
    with pytest.raises(ConfigIssues) as caught:
        load_connections(path)
    [issue] = caught.value.issues
    assert (issue.position.line, issue.position.column, issue.json_path) == (1, 21, "$.legacy.connector")
    assert issue.message == (
        "connector `broken` is registered but cannot be loaded "
        "(ModuleNotFoundError: No module named 'cartsync_test_missing_module')"
    )


def test_secret_settings_never_appear_in_messages(write_file):
    path = write_file(
        "connections.yaml",
        """
        a: {connector: files, folder: out, api_key: plain-secret-C1}
        b: {connector: files, folder: [x], token: "${TOKEN_C2}"}
        """,
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TOKEN_C2", "env-secret-C2")
        with pytest.raises(ConfigIssues) as caught:
            load_connections(path)
    text = str(caught.value)
    assert "plain-secret-C1" not in text
    assert "env-secret-C2" not in text
    assert secrets.redact("plain-secret-C1 env-secret-C2") == "*** ***"
    assert [(i.json_path, i.message) for i in caught.value.issues] == [
        ("$.a.api_key", "unknown key `api_key`"),
        ("$.b.folder", "expected a string, got a list"),
        ("$.b.token", "unknown key `token`"),
    ]


PIPELINE = """
version: 1
name: p
source: {connection: SOURCE, stream: orders, params: PARAMS}
destination: {connection: DESTINATION, stream: orders}
key: id
map: {id: id}
"""


def _pipeline(write_file, source="inbox", destination="outbox", params="{}"):
    text = PIPELINE.replace("SOURCE", source).replace("DESTINATION", destination).replace("PARAMS", params)
    return write_file("p.yaml", text)


def test_connection_names_must_exist(write_file, pipeline_issues):
    connections = load_connections(write_file("connections.yaml", CONNECTIONS))
    issues = pipeline_issues(_pipeline(write_file, source="inbx", destination="warehouse"), connections)
    assert [(i.position.line, i.position.column, i.json_path, i.message, i.hint) for i in issues] == [
        (3, 22, "$.source.connection", "unknown connection `inbx`", "did you mean `inbox`?"),
        (
            4,
            27,
            "$.destination.connection",
            "unknown connection `warehouse`",
            f"connections defined in {write_file('x', '').parent / 'connections.yaml'}: inbox, outbox",
        ),
    ]


def test_stream_names_directions_and_params_are_checked(write_file, pipeline_issues, extra_connectors):
    connections = load_connections(
        write_file(
            "connections.yaml", "shop: {connector: readonly, folder: x}\nout: {connector: files, folder: o}\n"
        )
    )
    path = write_file(
        "p.yaml",
        """
        version: 1
        name: p
        source: {connection: shop, stream: order, params: {format: xml}}
        destination: {connection: shop, stream: orders}
        key: id
        map: {id: id}
        """,
    )
    issues = pipeline_issues(path, connections)
    assert [(i.position.line, i.json_path, i.message, i.hint) for i in issues] == [
        (
            3,
            "$.source.stream",
            "connector `readonly` (connection `shop`) has no stream `order`",
            "did you mean `orders`?",
        ),
        (4, "$.destination.stream", "stream `orders` of connector `readonly` cannot be written to", None),
    ]
    path.write_text(
        path.read_text()
        .replace("stream: order,", "stream: orders,")
        .replace("connection: shop, stream: orders}", "connection: out, stream: orders}")
    )
    issues = pipeline_issues(path, connections)
    assert [(i.position.line, i.position.column, i.json_path, i.message) for i in issues] == [
        (3, 52, "$.source.params.folder", "missing required key `folder`"),
        (3, 61, "$.source.params.format", "expected one of `jsonl`, `csv`, got a string `xml`"),
    ]
    path.write_text(path.read_text().replace("{format: xml}", "{folder: f}"))
    assert pipeline_issues(path, connections) == []
    assert load_pipeline(path, connections).source.params == {"folder": "f"}


def test_pipeline_settings_named_like_secrets_are_masked(write_file, pipeline_issues, monkeypatch):
    monkeypatch.setenv("PARTNER_TOKEN_P1", "partner-secret-P1")
    path = write_file(
        "p.yaml",
        PIPELINE.replace("PARAMS", "{}") + "settings: {partner_token: '${PARTNER_TOKEN_P1}', region: eu}\n",
    )
    pipeline_issues(path)
    assert secrets.redact("partner-secret-P1 in eu") == "*** in eu"


def test_a_missing_variable_is_reported_once(write_file, monkeypatch):
    monkeypatch.delenv("OUT_FOLDER_M1", raising=False)
    path = write_file("connections.yaml", "out:\n  connector: files\n  folder: ${OUT_FOLDER_M1}\n")
    with pytest.raises(ConfigIssues) as caught:
        load_connections(path)
    assert [(i.position.line, i.position.column, i.json_path, i.message) for i in caught.value.issues] == [
        (3, 11, "$.out.folder", "environment variable `OUT_FOLDER_M1` is not set"),
    ]


def test_an_unquoted_variable_inside_braces_gets_a_hint(write_file):
    path = write_file("connections.yaml", "out: {connector: files, folder: ${OUT}}\n")
    with pytest.raises(ConfigIssues) as caught:
        load_connections(path)
    [issue] = caught.value.issues
    assert (issue.position.line, issue.position.column) == (1, 34)
    assert issue.message == "invalid YAML: while parsing a flow mapping did not find expected ',' or '}'"
    assert issue.hint == "inside `{...}` or `[...]`, quote values that use variables: '${VAR}'"
