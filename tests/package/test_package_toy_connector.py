"""A connector from another distribution: a toy package written in a temporary folder, with its own
pyproject.toml and entry points, its settings spec, record schemas, a mapping function and two
streams, built and installed with pip next to the installed wheel. Pipelines run through it, and
no file of cartsync changes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from installation import Installed

TOY_FILES = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=77"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "cartsync-toy-notes"
        version = "0.1"

        [project.entry-points."cartsync.connectors"]
        toy_notes = "toy_notes.connector:NotesConnector"

        [project.entry-points."cartsync.functions"]
        toy_notes = "toy_notes.functions"

        [tool.setuptools]
        packages = ["toy_notes"]

        [tool.setuptools.package-data]
        toy_notes = ["schemas/*.json"]
    """,
    "toy_notes/__init__.py": "",
    "toy_notes/connector.py": '''
        """A notebook: notes (read, changed since the cursor) become cards (written)."""

        import json
        from dataclasses import dataclass
        from datetime import datetime, timedelta
        from pathlib import Path

        from cartsync.engine.connector import CheckReport, Connector, Outcome, Page, StreamSpec
        from cartsync.engine.cursor import IncrementalCursor
        from cartsync.engine.paging import numbered_pages
        from cartsync.engine.secrets import Secret
        from cartsync.engine.settings import ConnectionSettings, setting


        @dataclass(frozen=True)
        class NotesSettings(ConnectionSettings):
            """A folder holding notes.json, where cards.jsonl is written."""

            folder: str = setting(description="The notebook's folder.")
            token: Secret = setting(description="The notebook's token.")
            page_size: int = setting(2, description="Notes per page.", minimum=1)
            overlap: timedelta = setting("1 minute", description="How far back a later read starts.")


        class NotesConnector(Connector):
            name = "toy_notes"
            settings_spec = NotesSettings
            streams = {
                "notes": StreamSpec("notes", "read", "notes.record.schema.json"),
                "cards": StreamSpec("cards", "write", "cards.record.schema.json"),
            }

            def __init__(self, connection_name, settings):
                super().__init__(connection_name, settings)
                self.config = NotesSettings.from_mapping(settings)
                self.folder = Path(self.config.folder)

            def check(self):
                report = CheckReport(self.name)
                report.add("settings", repr(self.config))
                return report

            def read_notes(self, params, cursor):
                notes = json.loads((self.folder / "notes.json").read_text())
                incremental = IncrementalCursor("changed", self.config.overlap, datetime.fromisoformat)
                start = incremental.start(cursor)
                fresh = [n for n in notes if start is None or datetime.fromisoformat(n["changed"]) >= start]
                size = self.config.page_size

                def fetch(number):
                    return len(fresh), fresh[(number - 1) * size:number * size]

                for page in numbered_pages(fetch, size):
                    yield Page(page, incremental.after(page[-1]))

            def write_cards(self, records):
                with (self.folder / "cards.jsonl").open("a") as cards:
                    for record in records:
                        cards.write(json.dumps(record) + "\\n")
                return [Outcome.ok(str(record["id"])) for record in records]
    ''',
    "toy_notes/functions.py": '''
        """What notebooks need."""

        from cartsync.engine.mapping import mapping_function

        TITLE = "Toy notes"


        @mapping_function("string", examples=(("shout('hi')", "HI!"),))
        def shout(text):
            """`text` in capitals, with an exclamation mark."""
            return text.upper() + "!"


        FUNCTIONS = (shout,)
    ''',
    "toy_notes/schemas/notes.record.schema.json": """
        {"type": "object", "required": ["id", "text", "changed"]}
    """,
    "toy_notes/schemas/cards.record.schema.json": """
        {"type": "object", "required": ["id", "text"], "additionalProperties": false,
         "properties": {"id": {"type": "integer"}, "text": {"type": "string", "pattern": "!$"}}}
    """,
}
PIPELINE = """\
version: 1
name: notes_to_cards
description: Notes become cards.
source: {connection: notebook, stream: notes}
destination: {connection: notebook, stream: cards}
key: to_string(id)
map:
  id: id
  text: shout(text)
"""
CONNECTIONS = """\
notebook: {connector: toy_notes, folder: notebook, token: "${TOY_TOKEN}"}
"""
TOKEN = "toy-t0ken-value"


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy connector, built from its own pyproject.toml and installed with pip into a folder of
    its own (put on PYTHONPATH by the tests that use it)."""
    root = tmp_path_factory.mktemp("toy")
    for name, text in TOY_FILES.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    pip = [sys.executable, "-m", "pip", "--quiet"]
    build = [*pip, "wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(root / "source")]
    subprocess.run(build, check=True, timeout=120, capture_output=True)
    (wheel,) = (root / "dist").glob("cartsync_toy_notes-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(root / "site"), str(wheel)],
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )
    return root / "site"


def package_digest(installed: Installed) -> str:
    digest = hashlib.sha256()
    (package,) = (installed.root / "venv" / "lib").glob("python*/site-packages/cartsync")
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_a_pipeline_runs_through_a_connector_installed_from_another_package(
    installed: Installed, toy_site: Path, workdir: Path
):
    before = package_digest(installed)
    env = {"PYTHONPATH": str(toy_site), "TOY_TOKEN": TOKEN}
    notebook = workdir / "notebook"
    notebook.mkdir()
    notes = [{"id": n, "text": f"note {n}", "changed": f"2024-05-01T08:0{n}:00"} for n in range(1, 6)]
    (notebook / "notes.json").write_text(json.dumps(notes))
    (workdir / "notes_to_cards.yaml").write_text(PIPELINE)
    (workdir / "connections.yaml").write_text(CONNECTIONS)

    valid = installed.run("validate", ".", cwd=workdir, **env)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    first = installed.run("run", "pipeline", "notes_to_cards.yaml", "--state", "state.db", cwd=workdir, **env)
    assert first.returncode == 0, first.stdout + first.stderr
    cards = [json.loads(line) for line in (notebook / "cards.jsonl").read_text().splitlines()]
    assert cards == [{"id": n, "text": f"NOTE {n}!"} for n in range(1, 6)]

    notes.append({"id": 6, "text": "late note", "changed": "2024-05-01T08:09:00"})
    (notebook / "notes.json").write_text(json.dumps(notes))
    again = installed.run("run", "pipeline", "notes_to_cards.yaml", "--state", "state.db", cwd=workdir, **env)
    assert again.returncode == 0, again.stdout + again.stderr
    cards = [json.loads(line) for line in (notebook / "cards.jsonl").read_text().splitlines()]
    assert [card["id"] for card in cards] == [1, 2, 3, 4, 5, 6], (
        "the overlap re-read note 5; the ledger kept it once"
    )

    check = installed.run("check", cwd=workdir, **env)
    assert check.returncode == 0 and "token=Secret('***')" in check.stdout, check.stdout + check.stderr
    assert TOKEN not in check.stdout + check.stderr
    assert package_digest(installed) == before, "no file of cartsync changed"


def test_the_toy_connector_is_checked_completed_and_documented_like_a_shipped_one(
    installed: Installed, toy_site: Path, workdir: Path
):
    env = {"PYTHONPATH": str(toy_site), "TOY_TOKEN": TOKEN}
    (workdir / "connections.yaml").write_text(CONNECTIONS.replace("folder:", "pagesize: 3, folder:"))
    wrong = installed.run("validate", "connections.yaml", cwd=workdir, **env)
    assert wrong.returncode == 2
    assert "connections.yaml:1:" in wrong.stdout and "did you mean `page_size`" in wrong.stdout, wrong.stdout

    schema = json.loads(installed.run("schemas", cwd=workdir, **env).stdout)
    assert "toy_notes" in schema["$defs"]["connection"]["properties"]["connector"]["enum"]
    assert set(schema["$defs"]["connection.toy_notes"]["required"]) == {"folder", "token"}
    assert schema["$defs"]["connection.toy_notes"]["properties"]["overlap"]["default"] == "1 minute"

    reference = subprocess.run(
        [str(installed.python), "-m", "cartsync.engine.mapping.reference"],
        cwd=workdir,
        env=installed.environment(**env),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "## Toy notes" in reference and "### `shout(text)`" in reference

    without = installed.run("schemas", cwd=workdir)
    assert "toy_notes" not in without.stdout, "only where the toy is installed"
