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

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "src" / "cartsync"
CONTROLLERS = HERE / "controllers"

# package file -> (controller tree, prefix inside the zip, where the shared library goes)
PACKAGES: dict[str, tuple[str, str, str]] = {
    "cartsync-api.ocmod.zip": ("api", "upload/", "upload/system/library/cartsync/"),
    "cartsync-oc3.ocmod.zip": ("extension3", "upload/", "upload/system/library/cartsync/"),
    "cartsync.ocmod.zip": ("extension4", "", "system/library/cartsync/"),
}

# Fixed timestamp so that the same sources always give the same zip bytes.
EPOCH = (2024, 1, 1, 0, 0, 0)


def _add(archive: zipfile.ZipFile, source: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, source.read_bytes())


def build(dist: Path) -> list[Path]:
    """Writes every package into dist; returns their paths."""
    dist.mkdir(parents=True, exist_ok=True)
    built = []
    for filename, (tree, prefix, library_prefix) in PACKAGES.items():
        target = dist / filename
        root = CONTROLLERS / tree
        with zipfile.ZipFile(target, "w") as archive:
            for source in sorted(p for p in root.rglob("*") if p.is_file()):
                _add(archive, source, prefix + source.relative_to(root).as_posix())
            for source in sorted(LIBRARY.glob("*.php")):
                _add(archive, source, library_prefix + source.name)
        built.append(target)
    return built


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dist")
    for path in build(out):
        print(path)
