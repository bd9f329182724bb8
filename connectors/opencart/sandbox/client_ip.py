"""The caller's IP address as the store sees it.

- `php_remote_addr`: `$_SERVER['REMOTE_ADDR']` as PHP code sees it: the connecting address,
  except on OpenCart 4.0, whose system/startup.php replaces it with the X-Forwarded-For (else
  Client-IP) header whenever one is sent. OpenCart 2.x–4.0 check that address themselves.
- `extension_client_ip`: the cartsync extension's rule (`src/cartsync/client_ip.php`): the
  connecting address (the web server's own, else PHP's REMOTE_ADDR), unless it is one of the
  store's trusted proxies (`cartsync_trusted_proxies`); then the client address the proxies
  forwarded (`cartsync_client_ip_header`, default X-Forwarded-For), read from the right. None
  when it cannot be told (4.0 replaced REMOTE_ADDR and the web server gives nothing).
- `opencart_41_ip`: OpenCart 4.1's own `oc_get_ip()`, which its signed API checks: the first
  address of the first proxy header sent, whoever sent it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

DEFAULT_HEADER = "X-Forwarded-For"
_OC_41_HEADERS = ("cf-connecting-ip", "x-forwarded-for", "x-real-ip", "x-client-ip", "client-ip",
                  "x-cluster-client-ip")
_SEPARATORS = re.compile(r"[\s,]+")


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """`ADDRESS` or `ADDRESS/BITS` (host bits ignored); None when malformed."""
    address, _, bits = text.partition("/")
    if _address(address) is None or (bits and not re.fullmatch("[0-9]{1,3}", bits)):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _trusted(ip: str, ranges: list[str]) -> bool:
    address = _address(ip)
    if address is None:
        return False
    networks = [_network(text) for text in ranges]
    return any(network is not None and network.version == address.version and address in network
               for network in networks)


_OC_40_REPLACING = ("x-forwarded-for", "client-ip")


def php_remote_addr(version: str, connecting: str, headers: Mapping[str, str]) -> str:
    """`headers` with lower-case names."""
    if version == "4.0":
        for name in _OC_40_REPLACING:
            if headers.get(name):
                return headers[name]
    return connecting


def extension_client_ip(version: str, php_remote: str, server_remote: str | None, headers: Mapping[str, str],
                        trusted: str | None, header: str | None) -> str | None:
    """`server_remote` is the web server's own REMOTE_ADDR (PHP-FPM and Apache give it; PHP's
    built-in server does not: None)."""
    if server_remote is not None and _address(server_remote) is not None:
        remote = server_remote
    elif version == "4.0" and any(headers.get(name) == php_remote for name in _OC_40_REPLACING):
        return None
    else:
        remote = php_remote.strip()
    ranges = [part for part in _SEPARATORS.split(trusted or "") if part]
    if not _trusted(remote, ranges):
        return remote
    name = (header or "").strip() or DEFAULT_HEADER
    client = remote
    for hop in reversed(headers.get(name.lower(), "").split(",")):
        hop = hop.strip()
        if _address(hop) is None:
            break
        client = hop
        if not _trusted(hop, ranges):
            break
    return client


def opencart_41_ip(remote: str, headers: Mapping[str, str]) -> str:
    for name in _OC_41_HEADERS:
        if name in headers:
            first = headers[name].split(",")[0].strip()
            if first and _address(first) is not None:
                return first
    return remote
