"""`cartsync test`: the inline `tests:` of pipeline files, each run against the file it is written in.

An overlay without tests of its own inherits its base's list; those tests describe the base
(with the base's settings), so they run against the base file and are shown under its name and
lines, once however many overlays inherit them.
"""

from __future__ import annotations

from pathlib import Path

from cartsync.commands.output import console, say
from cartsync.engine.config.discovery import file_kind
from cartsync.engine.config.issues import ConfigIssues
from cartsync.engine.config.loader import load_pipeline
from cartsync.engine.config.model import ConfigIssue, PipelineConfig
from cartsync.engine.mapping_tests import run_mapping_tests


def run_tests(files: list[Path]) -> int:
    """Exit code: 0 when every test passed, 1 when one failed; ConfigIssues for broken files."""
    pipelines: list[PipelineConfig] = []
    problems: list[ConfigIssue] = []
    for file in files:
        kind = file_kind(file) if file.is_file() else "pipeline"
        if kind != "pipeline":
            say(f"{file}: a {kind} file, not a pipeline: skipped")
            continue
        try:
            pipelines.append(load_pipeline(file))
        except ConfigIssues as error:
            problems.extend(error.issues)
    if problems:
        raise ConfigIssues(problems)
    failures = ran = 0
    tested: set[Path] = set()
    for config in pipelines:
        if not config.tests:
            say(f"{config.path}: no tests")
            continue
        owner = config.position_of(("tests",)).file
        if owner.resolve() != config.path.resolve():
            say(f"{config.path}: no tests of its own; the tests it inherits run against {owner}")
            config = load_pipeline(owner)
        if owner.resolve() in tested:
            continue
        tested.add(owner.resolve())
        for result in run_mapping_tests(config):
            ran += 1
            mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
            console.print(
                f"{mark} {result.position.file}:{result.position.line} {result.name}", highlight=False
            )
            if not result.passed:
                failures += 1
                console.print(f"    {result.message}", highlight=False, markup=False)
    if failures:
        say(f"{failures} failed")
    else:
        say("all mapping tests passed" if ran else "no mapping tests found")
    return 1 if failures else 0
