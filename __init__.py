"""cartsync: a declarative, YAML-driven integration manager between OpenCart stores and warehouses.

The checkout's top-level folders are this package's modules (`cartsync.engine`,
`cartsync.connectors`, `cartsync.cli`, …): `setup.py` maps the checkout root to `cartsync`, so an
installed cartsync adds no generic top-level name such as `engine` or `cli`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cartsync")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
