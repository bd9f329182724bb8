"""Maintenance mode: OpenCart blocks every route outside api/, so the extension's routes of 3.0's
installer package and 4.x answer the 503 page, while login and order history work. Each job does
what the version allows, and `cartsync check` says which."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.connectors.opencart.sandbox import start_sandbox_store
from cartsync.engine.errors import ConnectError

BLOCKED = [("3.0", "extension3"), ("4.0", "extension4"), ("4.1", "signed")]  # extension routes outside api/


@pytest.mark.parametrize(("version", "variant"), BLOCKED)
def test_shipment_confirmation_uses_the_status_ids_an_earlier_run_saved(
        version: str, variant: str, make_connector, tmp_path: Path) -> None:
    cache = str(tmp_path / "statuses.json")
    with start_sandbox_store(version, variant=variant) as store:
        list(make_connector(store, status_cache=cache).read("orders", {"statuses": ["Processing"]}, None))
        store.set_maintenance(True)
        later = make_connector(store, status_cache=cache)  # a later run, with `extension: auto`
        outcomes = later.write("order_history", [{"order_id": 1002, "status": "Shipped", "comment": "1Z"}])
        assert [o.status for o in outcomes] == ["ok"]
        assert store.order(1002)["order_status"] == "Shipped"
        # whether it took effect is asked of the extension, which is blocked: asked again later
        record = {"order_id": 1002, "status": "Shipped", "comment": "1Z"}
        [answer] = later.reconcile("order_history", [record])
        assert answer is not None and answer.status == "unknown"


def test_without_saved_status_ids_the_hint_says_exactly_what_to_set(make_connector, tmp_path: Path) -> None:
    with start_sandbox_store("4.0") as store:
        store.set_maintenance(True)
        connector = make_connector(store, status_cache=str(tmp_path / "none-yet.json"))
        with pytest.raises(ConnectError) as caught:
            connector.write("order_history", [{"order_id": 1002, "status": "Shipped"}])
    assert caught.value.message.startswith(
        f"The store at {store.url} is in maintenance mode, and the id of the order status 'Shipped' cannot "
        "be read: the cartsync extension's routes answer its 503 page, and no earlier run saved the status "
        "ids")
    hint = str(caught.value.hint)
    assert "add to the connection: status_ids: {Shipped: ID}" in hint
    assert "System > Localisation > Order Statuses" in hint


def _check(tmp_path: Path, url: str, **extra: str) -> tuple[int, str]:
    settings = {"connector": "opencart", "store_url": url, "api_username": "cartsync",
                "api_key": "sandbox-key", "status_cache": str(tmp_path / "statuses.json"), **extra}
    connections = tmp_path / "connections.yaml"
    connections.write_text("store: {" + ", ".join(f"{k}: '{v}'" for k, v in settings.items()) + "}\n")
    result = CliRunner().invoke(app, ["check", "-c", str(connections)], env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.mark.parametrize(("version", "variant"), [("2.1", None), ("2.3", None), ("3.0", "api")])
def test_check_in_maintenance_warns_and_exits_0_where_every_job_runs(
        version: str, variant: str | None, tmp_path: Path) -> None:
    with start_sandbox_store(version, variant=variant) as store:
        store.set_maintenance(True)
        code, output = _check(tmp_path, store.url)
    assert code == 0, output
    assert "! maintenance mode" in output
    assert "ON: the storefront is closed; every job still runs (OpenCart's api/ routes" in output


@pytest.mark.parametrize(("version", "variant"), BLOCKED)
def test_check_in_maintenance_says_which_jobs_wait(version: str, variant: str, make_connector,
                                                   tmp_path: Path) -> None:
    with start_sandbox_store(version, variant=variant) as store:
        code, output = _check(tmp_path, store.url)  # maintenance off: the status ids are saved
        assert code == 0, output
        store.set_maintenance(True)
        code, output = _check(tmp_path, store.url)
    assert code == 3, output
    assert "order download and inventory sync wait until it is off" in output
    assert "shipment confirmation runs, with the status ids saved on " in output
