"""The command starts quickly: its help, and each command's, loads none of what the commands run.

Every command module is imported when `cartsync` starts, so a module-level import of the runner,
the configuration loader, a connector, celery, the web console or rich would slow every command,
`--help` included. Checked in a fresh interpreter, as a user's shell starts it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HELP_PATHS = [
    [],
    ["validate"], ["schemas"], ["demo"],
    ["run"], ["run", "pipeline"], ["run", "client"], ["preview"], ["test"], ["check"],
    ["serve"], ["worker"], ["beat"],
    ["runs"], ["orders"], ["orders", "show"], ["orders", "resend"],
    ["state"], ["state", "show"], ["state", "reset"], ["state", "prune"], ["state", "unlock"],
    ["state", "migrate"],
]  # fmt: skip
LOADED_ONLY_BY_A_COMMAND = (
    "rich", "yaml", "requests", "jsonschema", "jmespath", "celery", "starlette", "cartsync.connectors",
    "cartsync.demo", "cartsync.console.cli", "cartsync.engine.runner", "cartsync.engine.run_file",
    "cartsync.engine.workspace", "cartsync.engine.config.loader", "cartsync.engine.serve",
    "cartsync.engine.workers", "cartsync.engine.registry",
)  # fmt: skip

SHOW_HELP_AND_LIST_MODULES = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from cartsync.cli import app
    codes = []
    for path in json.loads(sys.argv[1]):
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            try:
                app([*path, "--help"], prog_name="cartsync")
            except SystemExit as exit:
                codes.append([path, exit.code, "Usage: cartsync" in shown.getvalue()])
    print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
    """
)


def test_help_loads_nothing_a_command_runs():
    result = subprocess.run(
        [sys.executable, "-c", SHOW_HELP_AND_LIST_MODULES, json.dumps(HELP_PATHS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["codes"] == [[path, 0, True] for path in HELP_PATHS]
    loaded = [
        name
        for name in found["modules"]
        if any(name == heavy or name.startswith(heavy + ".") for heavy in LOADED_ONLY_BY_A_COMMAND)
    ]
    assert loaded == []
