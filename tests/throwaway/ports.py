"""Free TCP ports on 127.0.0.1, for servers that cannot take port 0 themselves."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Missing(RuntimeError):
    """A server's binaries are not installed; the message names them and the fix."""
