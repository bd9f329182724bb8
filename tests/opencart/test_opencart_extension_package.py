"""The extension packages: the same sources give the same bytes, and changed sources give the
files another time, so a store's PHP opcache does not keep running the old code after an upgrade."""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "connectors" / "opencart" / "extension"
_spec = importlib.util.spec_from_file_location("extension_build", EXTENSION / "build.py")
assert _spec is not None and _spec.loader is not None
build_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_module)
build = build_module.build


def _times(package: Path) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(package) as archive:
        return {info.date_time for info in archive.infolist()}


def test_same_sources_same_bytes_and_a_change_moves_every_file_time(tmp_path: Path) -> None:
    first = build(tmp_path / "first")
    again = build(tmp_path / "again")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]

    changed = tmp_path / "extension"
    shutil.copytree(EXTENSION, changed, ignore=shutil.ignore_patterns("__pycache__"))
    library = changed / "src" / "cartsync" / "error.php"
    library.write_text(library.read_text() + "\n")
    upgraded = build(tmp_path / "upgraded", changed)
    for before, after in zip(first, upgraded, strict=True):
        assert len(_times(before)) == 1 and len(_times(after)) == 1
        assert _times(before) != _times(after), f"{after.name}: an upgrade keeps the old file times"
