"""`cartsync validate` as CI runs it: without production secrets, with notes and warnings, in JSON."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cartsync.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SECRETS = ("EXAMPLE_OC_KEY", "EXAMPLE_WMS_ID", "EXAMPLE_WMS_SECRET")


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped pipelines and the example client, as a checkout has them, with no secret set."""
    shutil.copytree(ROOT / "mappings", tmp_path / "mappings")
    shutil.copytree(ROOT / "clients", tmp_path / "clients")
    monkeypatch.chdir(tmp_path)
    for name in (*SECRETS, "CARTSYNC_CONNECTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _readme_block(heading: str) -> str:
    """The first ```sh block under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_ci_step_passes_without_production_secrets(repository: Path):
    commands = [
        shlex.split(line.split("#")[0])
        for line in _readme_block("## Validating in CI before a deploy").splitlines()
        if line.startswith("cartsync validate")
    ]
    assert commands, "the README shows a validate command for CI"
    for command in commands:
        result = runner.invoke(app, command[1:])
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}"
        assert "all files are valid" in result.output


def test_without_no_env_a_missing_secret_is_an_error(repository: Path):
    result = runner.invoke(app, ["validate", "clients/"])
    assert result.exit_code == 2
    assert (
        "clients/example/connections.yaml:9:12: $.store.api_key: environment variable `EXAMPLE_OC_KEY`"
        in (result.output)
    )


def test_no_env_checks_names_against_the_declared_list(repository: Path):
    declared = repository / "deploy.env"
    declared.write_text("# the variables the deploy provides\nEXAMPLE_OC_KEY=\nexport EXAMPLE_WMS_ID=x\n")
    result = runner.invoke(app, ["validate", "--env-names", str(declared), "clients/"])
    assert result.exit_code == 2
    assert result.output.count("is not declared in") == 1
    assert (
        "clients/example/connections.yaml:14:18: $.warehouse.client_secret: environment variable "
        f"`EXAMPLE_WMS_SECRET` is not declared in {declared}" in result.output
    )
    declared.write_text(declared.read_text() + "EXAMPLE_WMS_SECRET\n")
    assert runner.invoke(app, ["validate", "--env-names", str(declared), "clients/"]).exit_code == 0


def test_no_env_still_checks_the_syntax_and_the_defaults(repository: Path):
    connections = repository / "clients/example/connections.yaml"
    text = connections.read_text()
    connections.write_text(
        text.replace(
            "${EXAMPLE_WMS_URL:-https://secure-wms.com}", "${EXAMPLE_WMS_URL:-https://box:0}"
        ).replace("${EXAMPLE_OC_KEY}", "$EXAMPLE_OC_KEY")
    )
    result = runner.invoke(app, ["validate", "--no-env", "clients/"])
    assert result.exit_code == 2
    assert (
        "connections.yaml:9:12: $.store.api_key: a `$` that does not start a ${NAME} reference"
        in result.output
    )
    assert "connections.yaml:12:13: $.warehouse.base_url: expected a web address" in result.output


def test_pipelines_without_connections_are_named_as_not_checked(repository: Path):
    result = runner.invoke(app, ["validate", "mappings/"])
    assert result.exit_code == 0
    assert (
        "note: connection and stream names were not checked in mappings/inventory_sync.yaml, "
        "mappings/order_download.yaml, mappings/shipment_confirmation.yaml: no connections file beside them"
    ) in result.output
    quiet = runner.invoke(app, ["-q", "validate", "mappings/"])
    assert quiet.exit_code == 0 and "note:" not in quiet.output


def test_a_credential_written_in_the_file_is_a_warning_that_names_its_place(repository: Path):
    connections = repository / "clients/example/connections.yaml"
    connections.write_text(
        connections.read_text()
        .replace("${EXAMPLE_OC_KEY}", "oc-key-4242")
        .replace("${EXAMPLE_WMS_ID}", "${EXAMPLE_WMS_ID:-acme-client}")
    )
    result = runner.invoke(app, ["validate", "--no-env", "clients/"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "warning:" in line]
    said = "warning: a credential is written in the file; anyone who can read the file can use it"
    assert lines == [
        f"clients/example/connections.yaml:9:12: $.store.api_key: {said} "
        "(hint: write `api_key: ${STORE_API_KEY}` and set STORE_API_KEY in the environment)",
        f"clients/example/connections.yaml:13:14: $.warehouse.client_id: {said} "
        "(hint: write `client_id: ${WAREHOUSE_CLIENT_ID}` and set WAREHOUSE_CLIENT_ID in the environment)",
    ]
    assert "oc-key-4242" not in result.output and "acme-client" not in result.output
    assert "all files are valid (2 warning(s))" in result.output


def test_json_output_lists_issues_notes_and_files(repository: Path):
    (repository / "clients/example/inventory_sync.yaml").write_text(
        "extends: ../../mappings/inventory_sync.yaml\nsettings: {bufer: 2}\n"
    )
    result = runner.invoke(app, ["validate", "--no-env", "--json", "mappings/", "clients/"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert (report["valid"], report["errors"], report["warnings"]) == (False, 1, 0)
    assert report["issues"] == [
        {
            "file": "clients/example/inventory_sync.yaml",
            "line": 2,
            "column": 12,
            "path": "$.settings.bufer",
            "severity": "error",
            "message": "unknown key `bufer`",
            "hint": "did you mean `buffer`?",
        }
    ]
    assert len(report["files"]) == 8  # 3 shipped pipelines; the example's connections, 3 overlays, schedule
    assert "clients/example/schedule.yaml" in report["files"]
    assert {item["file"] for item in report["unchecked"]} == {
        f"mappings/{job}.yaml" for job in ("inventory_sync", "order_download", "shipment_confirmation")
    }


def test_a_folder_without_cartsync_files_is_not_called_valid(repository: Path):
    (repository / "empty").mkdir()
    result = runner.invoke(app, ["validate", "empty"])
    assert result.exit_code == 2
    assert "no pipeline, connections or client files found" in result.output


def test_the_number_of_problems_printed_is_bounded(repository: Path):
    keys = "".join(f"  unknown_{n}: 1\n" for n in range(500))
    (repository / "clients/example/inventory_sync.yaml").write_text(
        f"extends: ../../mappings/inventory_sync.yaml\nsettings:\n{keys}"
    )
    result = runner.invoke(app, ["validate", "--no-env", "clients/example/inventory_sync.yaml"])
    assert result.exit_code == 2
    assert sum(": $.settings.unknown_" in line for line in result.output.splitlines()) == 200
    assert "… and 300 more (the first 200 are shown)" in result.output
    assert "500 problem(s) in 1 file(s)" in result.output


def test_the_example_overlays_fit_the_schema_their_modeline_names():
    """An editor checks an overlay against pipeline.schema.json (an overlay may leave keys out), and
    the schedule against schedule.schema.json."""
    import yaml
    from jsonschema import Draft202012Validator

    from cartsync.engine.config.discovery import file_kind

    schemas = {"pipeline": "pipeline.schema.json", "schedule": "schedule.schema.json"}
    for overlay in sorted((ROOT / "clients/example").glob("*.yaml")):
        text = overlay.read_text()
        kind = file_kind(overlay)
        if kind == "connections":
            continue
        name = schemas[kind]
        schema = json.loads((ROOT / "schemas" / name).read_text())
        assert text.startswith(f"# yaml-language-server: $schema=../../schemas/{name}\n")
        assert list(Draft202012Validator(schema).iter_errors(yaml.safe_load(text))) == [], overlay.name
