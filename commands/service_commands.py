"""The long-running services: `serve` (every client's schedule in one process, with its web
console if asked), and the Celery `worker` and `beat` that spread runs over machines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartsync.commands.failures import guard
from cartsync.commands.options import LeaseOption
from cartsync.commands.output import console
from cartsync.engine.errors import ConfigError
from cartsync.engine.state import DEFAULT_LEASE_SECONDS

if TYPE_CHECKING:
    from cartsync.engine.serve.service import Mounts

app = typer.Typer()


@app.command()
def serve(
    clients: Annotated[
        list[Path], typer.Argument(help="Client folders, each with a schedule.yaml (or the schedule files).")
    ],
    host: Annotated[
        str,
        typer.Option(help="Address for /metrics, /healthz, /readyz and /push (and /console with --console)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of that address (0: any free port).")] = 8787,
    log_format: Annotated[
        str, typer.Option("--log-format", help="`text` (default) or `json`, one object per line.")
    ] = "text",
    reload_every: Annotated[
        float, typer.Option(help="Seconds between looks for changed files (applied only when valid).")
    ] = 2.0,
    alert_check_every: Annotated[
        float, typer.Option(help="Seconds between checks for stalled pipelines and the daily digest.")
    ] = 30.0,
    lease: LeaseOption = DEFAULT_LEASE_SECONDS,
    console_users: Annotated[
        Path | None,
        typer.Option(
            "--console",
            metavar="USERS_FILE",
            help="Also serve the web console, at /console/<client>/ on --host and --port, to the users "
            "of this file (`cartsync console add-user NAME --users FILE`). Off by default. Its "
            "session secret comes from CARTSYNC_CONSOLE_SECRET.",
        ),
    ] = None,
    console_https_only: Annotated[
        bool,
        typer.Option(
            "--console-https-only",
            help="Send the console's session cookie only over HTTPS (behind a TLS proxy).",
        ),
    ] = False,
) -> None:
    """Run every client's schedule until stopped: its own scheduler, alerts, metrics and logs.

    Each client folder holds a schedule.yaml naming its pipelines and when they run. Runs of one
    pipeline never overlap, across processes and hosts: each holds its pipeline's lease, as
    `cartsync run pipeline` does. One client's failure never stops another; changed files are
    applied once they validate. SIGTERM stops cleanly: running runs finish their current page,
    and a send without an answer is looked up by the next run, never sent again blindly.

    Example: cartsync serve clients/acme clients/bravo --port 8787 --log-format json
    With the console: cartsync serve clients/acme --console .cartsync/console-users.yaml
    """

    def action() -> int:
        from cartsync.engine.serve.logs import setup_logging
        from cartsync.engine.serve.service import Serve

        if log_format not in ("text", "json"):
            raise ConfigError(f"--log-format must be text or json, not {log_format!r}.")
        mounts = _console_mounts(console_users, host, console_https_only) if console_users else None
        setup_logging("json" if log_format == "json" else "text")
        service = Serve(
            clients,
            host=host,
            port=port,
            reload_every=reload_every,
            check_every=alert_check_every,
            lease_seconds=lease,
            mounts=mounts,
        )
        return service.run_until_signal()

    guard(action)


def _console_mounts(users: Path, host: str, https_only: bool) -> Mounts:
    """What `serve --console` mounts: a console per client (cartsync.console.mount)."""
    from cartsync.console import cli as console_cli

    console_cli.require_web_packages()
    from cartsync.console.mount import console_routes

    console_cli.warn_if_users_missing(users)
    console_cli.warn_if_exposed(host, https_only)
    secret = console_cli.session_secret()
    return lambda clients: console_routes(clients, users, secret=secret, https_only=https_only)


LogFormatOption = Annotated[
    str,
    typer.Option("--log-format", help="cartsync's own lines: `text` (default) or `json`, one object a line."),
]


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Runs at once in this worker (processes).")] = 2,
    name: Annotated[str | None, typer.Option(help="Worker name (default: celery@HOST).")] = None,
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_format: LogFormatOption = "text",
) -> None:
    """Run pipelines as Celery tasks, beside other workers on this or other machines.

    Reads CARTSYNC_STATE (postgresql://…: each client gets its own schema there), CARTSYNC_BROKER
    (default redis://127.0.0.1:6379/0) and the clients' secrets from the environment. Every
    worker must see the client folders at the same paths. `cartsync beat` schedules the runs.
    Each run logs one `run_finished` line, as under `cartsync serve`.
    Same as: celery -A cartsync.engine.workers.app worker

    Example: CARTSYNC_STATE=postgresql://cartsync@db/cartsync cartsync worker --concurrency 4
    """

    def action() -> int:
        celery_app = _celery_app(log_format)
        argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
        celery_app.worker_main([*argv, *([f"--hostname={name}@%h"] if name else [])])
        return 0

    guard(action)


@app.command()
def beat(
    clients: Annotated[
        list[Path], typer.Argument(help="Client folders, each with a schedule.yaml (or the schedule files).")
    ],
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_format: LogFormatOption = "text",
) -> None:
    """Schedule the clients' pipelines on the workers: Celery beat, from the same schedule.yaml
    files `cartsync serve` runs (intervals, cron, quiet hours, timeouts).

    Checks every client first, as serve does (schedule, pipelines, connections; distinct names
    and state stores); changed schedules are applied within seconds once they validate. Run
    exactly one beat. Reads the same environment as the workers.
    Same as: CARTSYNC_CLIENTS=clients/acme:clients/bravo celery -A cartsync.engine.workers.app beat

    Example: cartsync beat clients/acme clients/bravo
    """

    def action() -> int:
        celery_app = _celery_app(log_format)
        from cartsync.engine.workers.beat import CLIENTS_SETTING, load_beat_clients
        from cartsync.engine.workers.settings import worker_settings

        found = load_beat_clients(clients, worker_settings().max_run_timeout)  # exits 2 on a problem
        names = [name for client in found for name in client.entries]
        console.print(f"beat: {len(names)} pipeline(s) of {len(found)} client(s)", highlight=False)
        celery_app.conf[CLIENTS_SETTING] = [str(folder) for folder in clients]
        celery_app.start(["beat", f"--loglevel={loglevel}"])
        return 0

    guard(action)


def _celery_app(log_format: str) -> Any:
    """The Celery app, after checking what workers and beat need: celery installed, PostgreSQL
    state; cartsync's own log lines in `log_format`."""
    try:
        import celery  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "Workers need the celery package, which is not installed.",
            hint="pip install 'cartsync[celery,postgres]'",
        ) from error
    if log_format not in ("text", "json"):
        raise ConfigError(f"--log-format must be text or json, not {log_format!r}.")
    from cartsync.engine.serve.logs import setup_logging
    from cartsync.engine.workers.app import app as celery_app
    from cartsync.engine.workers.settings import shared_state

    shared_state()  # CARTSYNC_STATE must be PostgreSQL: a ConfigError says so before starting
    setup_logging("json" if log_format == "json" else "text")
    return celery_app
