"""Real OpenCart stores under test, read from the CARTSYNC_REAL_STORES environment variable.

Format: entries separated by whitespace, each

    VERSION=URL|API_USERNAME|API_KEY[|VARIANT[|MYSQL_DSN]]

VERSION is 2.1, 2.3, 3.0, 4.0 or 4.1 (it decides how to log in). VARIANT defaults to the
version's package (2.x `api`, 3.0 `extension3`, 4.0 `extension4`, 4.1 `signed`); `3.0` with
`api` tests the 3.0 manual-upload variant. MYSQL_DSN is mysql://USER:PASSWORD@HOST:PORT/DATABASE
(or ...@localhost/DATABASE?socket=/path/to/mysqld.sock); with it the tests seed their own orders
and products and check the database afterwards. Example:

    CARTSYNC_REAL_STORES="3.0=http://127.0.0.1:8030|cartsync|KEY||mysql://oc:pw@127.0.0.1:3306/oc30"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

ENV = "CARTSYNC_REAL_STORES"
DEFAULT_VARIANT = {"2.1": "api", "2.3": "api", "3.0": "extension3", "4.0": "extension4", "4.1": "signed"}


@dataclass(frozen=True)
class Dsn:
    user: str
    password: str
    host: str
    port: int
    database: str
    socket: str | None = None  # a Unix socket instead of HOST:PORT


@dataclass(frozen=True)
class RealStore:
    version: str
    url: str
    username: str
    key: str
    variant: str
    dsn: Dsn | None
    storefront: bool = True  # a shop a shopper can use (the PHP test stores serve only the API)

    @property
    def label(self) -> str:
        return f"{self.version}-{self.variant}"


def parse_dsn(text: str) -> Dsn:
    parts = urlsplit(text)
    if parts.scheme != "mysql" or not parts.path.strip("/"):
        raise ValueError(
            f"{ENV}: expected mysql://USER:PASSWORD@HOST:PORT/DATABASE, got {parts.scheme}://..."
        )
    [socket] = parse_qs(parts.query).get("socket", [None])
    return Dsn(
        parts.username or "",
        parts.password or "",
        parts.hostname or "127.0.0.1",
        parts.port or 3306,
        parts.path.strip("/"),
        socket,
    )


def parse_stores(value: str) -> list[RealStore]:
    stores = []
    for entry in value.split():
        version, _, rest = entry.partition("=")
        fields = rest.split("|")
        if version not in DEFAULT_VARIANT or len(fields) < 3:
            raise ValueError(
                f"{ENV}: bad entry for {version!r}; expected VERSION=URL|USER|KEY[|VARIANT[|MYSQL_DSN]]"
            )
        variant = (fields[3] if len(fields) > 3 else "") or DEFAULT_VARIANT[version]
        dsn = parse_dsn(fields[4]) if len(fields) > 4 and fields[4] else None
        stores.append(RealStore(version, fields[0].rstrip("/"), fields[1], fields[2], variant, dsn))
    return stores


def configured_stores() -> list[RealStore]:
    return parse_stores(os.environ.get(ENV, ""))
