"""Maps the checkout root to the `cartsync` package; everything else is in pyproject.toml.

The owner's layout keeps `engine/`, `connectors/`, `cli.py` … at the top of the checkout, and
the installed distribution puts them under `cartsync.` (`cartsync.engine`, `cartsync.cli`). The
package list is computed here because pyproject.toml's `packages.find` cannot add that prefix.
"""

import warnings

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

# Data folders (schemas/, mappings/, the extension's PHP, the console's templates) are package data
# of the package above them, listed in pyproject.toml; setuptools would warn, once per folder, that
# they look importable but are not packages.
warnings.filterwarnings("ignore", message=r"Package '.*' is absent from the `packages` configuration")

TOP_LEVEL_PACKAGES = ("engine", "connectors", "commands", "demo", "console")


class BuildPy(build_py):
    """Leaves this file out: the checkout root is the package, but setup.py is not a module of it."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules = super().find_package_modules(package, package_dir)
        return [module for module in modules if (module[0], module[1]) != ("cartsync", "setup")]


packages = ["cartsync"] + [
    f"cartsync.{name}" for name in find_packages(include=[f"{top}*" for top in TOP_LEVEL_PACKAGES])
]

setup(packages=packages, package_dir={"cartsync": "."}, cmdclass={"build_py": BuildPy})
