"""cartsync: a declarative, YAML-driven integration manager between OpenCart stores and warehouses.

The checkout's top-level folders are this package's modules (`cartsync.engine`,
`cartsync.connectors`, `cartsync.cli`, …): `setup.py` maps the checkout root to `cartsync`, so an
installed cartsync adds no generic top-level name such as `engine` or `cli`.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """`cartsync.__version__`, read from the installed package's metadata when first asked for
    (reading it costs more than the rest of `cartsync --help`)."""
    if name != "__version__":
        raise AttributeError(f"module 'cartsync' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cartsync")
    except PackageNotFoundError:  # imported from a checkout that was never installed
        return "0+unknown"
