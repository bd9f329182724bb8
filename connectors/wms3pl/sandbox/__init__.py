"""A sandbox of Extensiv 3PL Warehouse Manager's REST API, served over real HTTP on 127.0.0.1."""

from cartsync.connectors.wms3pl.sandbox.exceptions import WmsException
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms

__all__ = ["SandboxWms", "WmsException", "start_sandbox_wms"]
