"""The function reference (`docs/functions.md`), rendered from the functions' own declarations.

Regenerate it with `python -m cartsync.engine.mapping.reference > docs/functions.md`. The tests check that
the file is current and that every example gives the result it shows.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from typing import Any

from cartsync.engine.mapping.declare import FunctionSpec
from cartsync.engine.mapping.functions import function_groups

SAMPLE_RECORD: dict[str, Any] = {
    "order_id": 10045,
    "order_status_id": 2,
    "date_added": "2024-05-01 08:30:00",
    "email": " Ada@Example.com ",
    "telephone": "555-123-4567",
    "shipping_firstname": "Ada",
    "shipping_lastname": "Lovelace",
    "shipping_company": "",
    "shipping_code": "flat.flat",
    "comment": "Leave at the back door, please",
    "total": "93.9880",
    "totals": [
        {"code": "sub_total", "value": "80.0000"},
        {"code": "shipping", "value": "8.9880"},
        {"code": "tax", "value": "5.0000"},
        {"code": "total", "value": "93.9880"},
    ],
    "products": [
        {"sku": "FER-1", "model": "M-1", "quantity": 2},
        {"sku": "", "model": "M-2", "quantity": 1},
        {"sku": "FER-1", "model": "M-1", "quantity": 1},
    ],
}
SAMPLE_LOOKUPS: dict[str, dict[str, Any]] = {
    "ship_methods": {"flat.flat": {"carrier": "UPS", "mode": "92"}},
    "statuses": {"2": "Processing"},
}
SAMPLE_SETTINGS: dict[str, Any] = {"customer_id": 1077, "min_stock": 3}
SAMPLE_NOW = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)

_INTRO = """\
# Mapping functions

Every value under `map:`, the `key:` and every filter of a pipeline is a
[JMESPath](https://jmespath.org/specification.html) expression. Besides JMESPath's own functions
(`length`, `join`, `to_string`, `starts_with`, `max`, `sum`, ... see the
[specification](https://jmespath.org/specification.html#built-in-functions)), expressions can call
the functions below.

- Write text literals in single quotes (`'OC-'`) and numbers, `null` and arrays in backticks (`` `2` ``).
- A function that cannot handle a record (a missing lookup entry, text that is not a date) holds
  that record with a message naming the output field, for example
  `routingInfo.carrier: lookup table 'ship_methods' has no entry 'ups.ups'`; the other records go on.
- Unknown function names, wrong argument counts and unknown lookup tables are reported by
  `cartsync validate`, before anything runs.

This file is generated from the functions' declarations by
`python -m cartsync.engine.mapping.reference > docs/functions.md`.

## The examples' input

Each example is evaluated against this order record, with these lookup tables and settings, at
the moment `{now}`:

```json
{record}
```

```yaml
lookups: {lookups}
settings: {settings}
```
"""


def _signature_line(spec: FunctionSpec) -> str:
    types = ", ".join(
        f"`{param.name}`: {param.describe()}" + (" (optional)" if param.optional else "")
        for param in spec.params
    )
    return f"Arguments: {types}." if types else "No arguments."


def _examples(spec: FunctionSpec) -> str:
    width = max(len(expression) for expression, _ in spec.examples)
    lines = [f"{expression.ljust(width)}  →  {json.dumps(result)}" for expression, result in spec.examples]
    return "```\n" + "\n".join(lines) + "\n```"


def _function_section(spec: FunctionSpec) -> str:
    description = inspect.cleandoc(spec.impl.__doc__ or "")
    return f"### `{spec.usage}`\n\n{description}\n\n{_signature_line(spec)}\n\n{_examples(spec)}\n"


def _one_field_a_line(record: dict[str, Any]) -> str:
    fields = ",\n".join(f"  {json.dumps(name)}: {json.dumps(value)}" for name, value in record.items())
    return "{\n" + fields + "\n}"


def render_reference() -> str:
    parts = [
        _INTRO.format(
            now=SAMPLE_NOW.isoformat(),
            record=_one_field_a_line(SAMPLE_RECORD),
            lookups=json.dumps(SAMPLE_LOOKUPS),
            settings=json.dumps(SAMPLE_SETTINGS),
        )
    ]
    for title, module in function_groups():
        intro = inspect.cleandoc(module.__doc__ or "")
        parts.append(f"## {title}\n\n{intro}\n")
        parts.extend(_function_section(function.mapping_spec) for function in module.FUNCTIONS)
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_reference(), end="")
