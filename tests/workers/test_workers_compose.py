"""docker-compose.yml parses and wires what the README promises. Docker itself does not run on
the test machines: this checks the file's structure, not a running stack."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_has_its_services_and_volumes():
    services = compose()["services"]
    assert {"postgres", "redis", "worker-1", "worker-2", "beat", "flower"} <= set(services)
    assert set(compose()["volumes"]) == {"postgres-data", "redis-data"}
    assert services["flower"]["profiles"] == ["monitor"]  # optional


def test_workers_share_state_broker_and_client_folders():
    services = compose()["services"]
    workers = [services["worker-1"], services["worker-2"]]
    for worker in workers:
        assert worker["command"][:2] == ["cartsync", "worker"]
        assert worker["environment"]["CARTSYNC_STATE"].startswith("postgresql://")
        assert worker["environment"]["CARTSYNC_BROKER"] == "redis://redis:6379/0"
        assert worker["volumes"] == ["./clients:/srv/clients:ro"]
        assert worker["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert workers[0]["command"][3] != workers[1]["command"][3], "two workers need two names"


def test_one_beat_schedules_every_client_folder_the_workers_see():
    services = compose()["services"]
    beat, worker = services["beat"], services["worker-1"]
    shell, flag, script = beat["command"]
    assert (shell, flag) == ("sh", "-c")
    assert script.startswith("exec cartsync beat ") and script.endswith(" /srv/clients/*/")
    for shared in ("volumes", "environment", "env_file", "image", "entrypoint"):
        assert beat[shared] == worker[shared], shared  # the same folders, state, broker and image
    assert "deploy" not in beat and "scale" not in beat  # exactly one
    assert sum("beat" in str(service.get("command")) for service in services.values()) == 1


def test_services_run_their_own_command_in_the_serve_image():
    services = compose()["services"]
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["cartsync", "serve"' in dockerfile
    assert "[postgres,celery]" in dockerfile  # one image for serve, workers and beat
    for name in ("worker-1", "worker-2", "beat", "flower"):
        assert services[name]["entrypoint"] == [], name  # not appended to `cartsync serve`
        assert services[name]["healthcheck"] == {"disable": True}, name  # serve's /healthz is not there
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_no_secret_is_written_in_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${CARTSYNC_DB_PASSWORD:?" in text
    postgres = compose()["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${")


def test_the_broker_keeps_queued_runs_across_a_restart():
    assert "--appendonly" in compose()["services"]["redis"]["command"]
