"""The sandbox store: a real HTTP server that behaves like an OpenCart store of one version."""

from cartsync.connectors.opencart.sandbox.store import SandboxStore, start_sandbox_store

__all__ = ["SandboxStore", "start_sandbox_store"]
