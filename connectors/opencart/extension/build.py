"""Builds the installable cartsync extension packages into dist/.

One package per way of installing:
  cartsync-api.ocmod.zip          2.1/2.3 Extension Installer; its upload/ folder is also the
                                  3.0 manual-upload variant (routes under api/)
  cartsync-oc3.ocmod.zip          3.0 Extension Installer (routes under extension/module/)
  cartsync.ocmod.zip              4.0 and 4.1 Extension Installer (the file name is the
                                  extension code OpenCart 4 installs it under)
Every package carries the same shared library (src/cartsync/) next to its thin controllers.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

# package file -> (controller trees, prefix inside the zip, where the shared library goes);
# push2 is the push notification's event handler for OpenCart 2.1-3.0
PACKAGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "cartsync-api.ocmod.zip": (("api", "push2"), "upload/", "upload/system/library/cartsync/"),
    "cartsync-oc3.ocmod.zip": (("extension3", "push2"), "upload/", "upload/system/library/cartsync/"),
    "cartsync.ocmod.zip": (("extension4",), "", "system/library/cartsync/"),
}

EPOCH = datetime(2024, 1, 1)
STAMP_RANGE_SECONDS = 20 * 365 * 86400


def package_time(root: Path) -> tuple[int, int, int, int, int, int]:
    """The time every file of the packages carries: derived from the contents of the sources
    under `root`, so the same sources always give the same zip bytes, and changed sources give
    another file time.

    The file time matters on the store: OpenCart 3.0's installer keeps it, and PHP's opcache
    (with its default validate_timestamps) goes on running a file's old code while the file's
    time is unchanged, so an upgrade with a fixed time would not take effect until PHP restarts.
    """
    digest = hashlib.sha256()
    packaged = [p for p in (root / "controllers").rglob("*") if p.is_file()]
    packaged += (root / "src" / "cartsync").glob("*.php")
    for path in sorted(packaged):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    offset = int.from_bytes(digest.digest()[:8], "big") % STAMP_RANGE_SECONDS
    moment = EPOCH + timedelta(seconds=offset - offset % 2)  # zip times have 2-second steps
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _add(archive: zipfile.ZipFile, source: Path, name: str, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, source.read_bytes())


def build(dist: Path, source: Path = HERE) -> list[Path]:
    """Writes every package, built from the extension folder `source`, into dist; returns their paths."""
    dist.mkdir(parents=True, exist_ok=True)
    stamp = package_time(source)
    built = []
    for filename, (trees, prefix, library_prefix) in PACKAGES.items():
        target = dist / filename
        with zipfile.ZipFile(target, "w") as archive:
            for root in (source / "controllers" / tree for tree in trees):
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    _add(archive, path, prefix + path.relative_to(root).as_posix(), stamp)
            for path in sorted((source / "src" / "cartsync").glob("*.php")):
                _add(archive, path, library_prefix + path.name, stamp)
        built.append(target)
    return built


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dist")
    for path in build(out):
        print(path)
