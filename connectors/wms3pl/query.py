"""Query strings for the WMS, built only from the names below.

The WMS silently ignores a misspelled query parameter (`pgsize` instead of `pgsiz` returns the
default page, unfiltered), so every name used anywhere in this connector is a constant here.
"""

from __future__ import annotations

import re
from typing import Any

# query parameter names
PAGE_SIZE = "pgsiz"
PAGE_NUMBER = "pgnum"
RQL = "rql"
SORT = "sort"
DETAIL = "detail"

# limits the WMS enforces (a larger page size is an error)
ORDERS_MAX_PAGE_SIZE = 1000
STOCK_MAX_PAGE_SIZE = 500

# `detail` values
DETAIL_ALL = "All"

# order properties used in filters and sorts
REFERENCE_NUM = "referenceNum"
ORDER_ID = "readOnly.orderId"
IS_CLOSED = "readOnly.isClosed"
LAST_MODIFIED = "readOnly.lastModifiedDate"
CUSTOMER_ID = "readOnly.customerIdentifier.id"

_PLAIN_VALUE = re.compile(r"^[^;,()'\"\s]+$")


def rql_value(value: Any) -> str:
    """A literal for RQL, quoted when it holds a character RQL treats as syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN_VALUE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def equals(prop: str, value: Any) -> str:
    return f"{prop}=={rql_value(value)}"


def one_of(prop: str, values: list[Any]) -> str:
    """`prop=in=(a,b,…)`: the property equals one of the values."""
    return f"{prop}=in=({','.join(rql_value(value) for value in values)})"


def at_least(prop: str, value: Any) -> str:
    return f"{prop}=ge={rql_value(value)}"


def all_of(*clauses: str | None) -> str:
    """Clauses joined with `;` (AND); empty ones are left out."""
    return ";".join(clause for clause in clauses if clause)


def page(page_size: int, page_number: int, **extra: str) -> dict[str, str]:
    """Paging parameters plus any of RQL, SORT, DETAIL passed by their constant names."""
    return {PAGE_SIZE: str(page_size), PAGE_NUMBER: str(page_number), **extra}
