"""A credential written into a connection URL (`http://user:password@host`) is never printed nor stored."""

from __future__ import annotations

from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.engine.state import StateStore

PASSWORD = "pw-in-the-url-81d3"


def test_a_password_in_a_connection_url_never_reaches_the_output_or_the_state(flat, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("FLAT_WMS_URL", flat.wms.url.replace("http://", f"http://cartsync:{PASSWORD}@"))
    connections = flat.folder / "connections.yaml"
    connections.write_text(connections.read_text().replace(flat.wms.url, "${FLAT_WMS_URL}"))
    flat.add_orders(2)

    run = CliRunner().invoke(app, ["run", "pipeline", str(flat.pipeline), "--state", flat.state])
    assert run.exit_code == 3, run.output
    assert "The WMS at http://***@127.0.0.1:" in run.output
    shown = [run.output] + [flat.cli(*command).output for command in (
        ("runs",), ("orders",), ("orders", "show", "1"), ("state", "show", "order_download"))]
    [aborted] = StateStore.open(flat.state).runs("order_download")
    assert "The WMS at http://***@127.0.0.1:" in aborted["message"], "the runs table keeps the reason"
    for text in shown:
        assert PASSWORD not in text and "cartsync:" not in text
    stored = flat.stored_text()
    assert "order_download" in stored, "the state store was read"
    assert PASSWORD not in stored, "the state store holds the password"
