"""The wheel alone is cartsync: every command a user starts with works from a fresh installation
outside the checkout, and the installation adds no top-level name but `cartsync`."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from installation import CHECKOUT, Installed


def test_the_wheel_installs_nothing_but_the_cartsync_package(installed: Installed, workdir: Path):
    names = zipfile.ZipFile(installed.wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {name for name in top if not name.endswith((".dist-info", ".data"))} == {"cartsync"}
    for data in (
        "cartsync/schemas/pipeline.schema.json",
        "cartsync/schemas/connections.schema.json",
        "cartsync/connectors/opencart/schemas/orders.record.schema.json",
        "cartsync/connectors/wms3pl/schemas/orders.record.schema.json",
        "cartsync/connectors/opencart/sandbox/seed.json",
        "cartsync/mappings/order_download.yaml",
        "cartsync/clients/example/connections.yaml",
        "cartsync/demo/wms_seed.json",
        "cartsync/connectors/opencart/extension/src/cartsync/routes.php",
    ):
        assert data in names, data
    assert [name for name in names if name.endswith(".pyc")] == [], "bytecode a checkout compiled is not data"
    assert "absent from the `packages` configuration" not in installed.build_log, installed.build_log
    for generic in ("engine", "cli", "connectors", "commands", "demo"):
        found = installed_python(installed, workdir, f"import {generic}")
        assert f"No module named '{generic}'" in found.stderr, found.stderr


def test_version_validate_and_schemas_from_the_wheel(installed: Installed, workdir: Path):
    version = installed.run("--version", cwd=workdir)
    assert version.returncode == 0 and version.stdout.startswith("cartsync 0."), version
    shutil.copytree(CHECKOUT / "mappings", workdir / "mappings")
    valid = installed.run("validate", "mappings", cwd=workdir)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "all files are valid" in valid.stdout
    pipeline = workdir / "mappings" / "order_download.yaml"
    pipeline.write_text(pipeline.read_text().replace("\nkey:", "\nkeey:"))
    broken = installed.run("validate", "mappings", cwd=workdir)
    assert broken.returncode == 2
    assert "order_download.yaml:" in broken.stdout and "did you mean `key`" in broken.stdout, broken.stdout
    written = installed.run("schemas", "--write", "schemas", cwd=workdir)
    assert written.returncode == 0, written.stderr
    generated = json.loads((workdir / "schemas" / "connections.schema.json").read_text())
    connectors = generated["$defs"]["connection"]["properties"]["connector"]["enum"]
    assert connectors == ["files", "opencart", "wms3pl"]
    assert (workdir / "schemas" / "pipeline.schema.json").read_text() == (
        CHECKOUT / "schemas" / "pipeline.schema.json"
    ).read_text()


def test_sandboxes_check_and_a_run_from_the_wheel(installed: Installed, workdir: Path):
    shutil.copytree(CHECKOUT / "mappings", workdir / "mappings")
    shutil.copytree(CHECKOUT / "clients" / "example", workdir / "clients" / "example")
    store = installed.serving("sandbox", "store", "--port", "0", cwd=workdir, ready=r"at (?P<url>http://\S+)")
    shutil.copy(CHECKOUT / "demo" / "wms_seed.json", workdir / "wms_seed.json")  # the example client's SKUs
    wms = installed.serving(
        "sandbox",
        "wms",
        "--port",
        "0",
        "--seed",
        "wms_seed.json",
        cwd=workdir,
        ready=r"on (?P<url>http://\S+)",
    )
    with store as (store_url, _), wms as (wms_url, wms_lines):
        client_id = next(line.split()[-1] for line in wms_lines.splitlines() if "client_id:" in line)
        env = {
            "EXAMPLE_STORE_URL": store_url,
            "EXAMPLE_OC_KEY": "sandbox-key",
            "EXAMPLE_WMS_URL": wms_url,
            "EXAMPLE_WMS_ID": client_id,
            "EXAMPLE_WMS_SECRET": "sandbox-secret",
        }
        connections = "clients/example/connections.yaml"
        check = installed.run("check", "-c", connections, "--json", cwd=workdir, **env)
        assert check.returncode == 0, check.stdout + check.stderr
        assert [entry["ok"] for entry in json.loads(check.stdout)] == [True, True]
        assert "sandbox-secret" not in check.stdout + check.stderr
        run = installed.run(
            "run",
            "pipeline",
            "clients/example/order_download.yaml",
            "--state",
            "state.db",
            cwd=workdir,
            **env,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        rows = installed.run("orders", "--state", "state.db", "--json", cwd=workdir)
        statuses = [row["status"] for row in json.loads(rows.stdout)]
        assert statuses == ["at_wms"] * 5, statuses  # the sandbox store's five Processing orders
    after = installed.run("check", "-c", connections, cwd=workdir, **env)
    assert after.returncode == 3, "the sandboxes stopped with Ctrl-C"


def test_the_demo_from_the_wheel_writes_only_in_its_folder(installed: Installed, workdir: Path):
    demo = installed.run("demo", "--folder", "demo-state", cwd=workdir, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "second pass" in demo.stdout and "✗" not in demo.stdout
    assert sorted(path.name for path in workdir.iterdir()) == ["demo-state"]
    assert (workdir / "demo-state" / "state.db").is_file()
    site = installed.root / "venv" / "lib"
    assert not list(site.rglob("state.db")) and not list(site.rglob(".cartsync")), "written in the package"


def installed_python(installed: Installed, cwd: Path, code: str):
    import subprocess

    return subprocess.run(
        [str(installed.python), "-c", code],
        cwd=cwd,
        env=installed.environment(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
