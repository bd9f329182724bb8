"""Order lines and stock items: SKU aliases both ways, item and order filters.

Alias tables map what a store sells (a SKU, or an item key such as `SHIRT-HIKE|Size:Medium`) to
WMS SKUs; order download reads them forwards and inventory sync backwards, so one table serves
both.
"""

from __future__ import annotations

from typing import Any

from cartsync.engine.mapping.declare import FunctionEnv, mapping_function
from cartsync.engine.mapping.errors import MappingError
from cartsync.engine.mapping.functions.coerce import as_decimal, json_number
from cartsync.engine.mapping.functions.strings import matches

_UNSET = object()


def _table(env: FunctionEnv, name: str) -> Any:
    entries = env.lookups.get(name)
    if entries is None:
        raise MappingError(
            f"there is no lookup table '{name}' (the pipeline's tables: "
            f"{', '.join(sorted(env.lookups)) or 'none'})"
        )
    return entries


@mapping_function(
    "string",
    "any",
    "any?",
    uses_env=True,
    names="table",
    examples=(
        ("alias('ship_methods', 'flat.flat').carrier", "UPS"),
        ("alias('ship_methods', 'X-1')", "X-1"),
        ("alias('ship_methods', 'X-1', 'flat.flat')", "flat.flat"),
    ),
)
def alias(env: FunctionEnv, table: str, key: Any, otherwise: Any = _UNSET) -> Any:
    """The entry `key` of `table`; when the table has no such entry, `otherwise` if given, else
    `key` itself.

    An order line's WMS SKU: `alias('sku_aliases', item_key(sku, options), alias('sku_aliases', sku))`
    takes the option value's own alias, else the product's alias, else the store SKU.
    """
    entries = _table(env, table)
    fallback = key if otherwise is _UNSET else otherwise
    return entries.get(key, fallback) if isinstance(key, str | int | float) else fallback


@mapping_function(
    "string",
    "any",
    uses_env=True,
    names="table",
    examples=(
        ("reverse_alias('statuses', 'Processing')", "2"),
        ("reverse_alias('statuses', 'Gone')", "Gone"),
    ),
)
def reverse_alias(env: FunctionEnv, table: str, value: Any) -> Any:
    """The key of `table` whose entry is `value`, or `value` itself when no entry has it.

    Two keys with the same entry are ambiguous, and the record is held with an error.
    """
    keys = [key for key, entry in _table(env, table).items() if entry == value]
    if len(keys) > 1:
        raise MappingError(f"lookup table '{table}' maps {', '.join(map(str, keys))} all to '{value}'")
    return keys[0] if keys else value


def _line_allowed(line: Any, rule: dict[str, Any]) -> bool:
    listed = matches(
        line.get("sku") if isinstance(line, dict) else line,
        rule.get("skus") or [],
        rule.get("match", "exact"),
    )
    return not listed if rule.get("mode") == "block" else listed


def _active(rule: Any) -> bool:
    return isinstance(rule, dict) and rule.get("mode") in ("allow", "block")


@mapping_function(
    "array|null",
    "object|null",
    examples=(
        (
            "item_filter_keep([{sku: 'A'}, {sku: 'GIFT'}], {mode: 'block', skus: ['GIFT'], scope: 'line'})",
            [{"sku": "A"}],
        ),
        ("item_filter_keep([{sku: 'A'}, {sku: 'GIFT'}], {mode: 'off'})", [{"sku": "A"}, {"sku": "GIFT"}]),
    ),
)
def item_filter_keep(lines: list[Any] | None, rule: dict[str, Any] | None) -> list[Any] | None:
    """The `lines` (objects with a `sku`) that an item filter lets through.

    A filter is `{mode: allow|block|off, skus: [...], match: exact|prefix|suffix|contains,
    scope: line|order}`. With scope `order` no line is dropped here: the whole order is judged
    by `item_filter_rejects_order` instead.
    """
    if lines is None or not _active(rule) or rule.get("scope", "line") == "order":
        return lines
    return [line for line in lines if _line_allowed(line, rule)]


@mapping_function(
    "array|null",
    "object|null",
    examples=(
        ("item_filter_rejects_order([{sku: 'GIFT'}], {mode: 'block', skus: ['GIFT'], scope: 'order'})", True),
        ("item_filter_rejects_order([{sku: 'GIFT'}], {mode: 'block', skus: ['GIFT'], scope: 'line'})", False),
    ),
)
def item_filter_rejects_order(lines: list[Any] | None, rule: dict[str, Any] | None) -> bool:
    """True when an item filter of scope `order` refuses one of the `lines`."""
    if not lines or not _active(rule) or rule.get("scope", "line") != "order":
        return False
    return not all(_line_allowed(line, rule) for line in lines)


@mapping_function(
    "object",
    "array|null",
    examples=(
        (
            "failed_rule(@, [{field: 'shipping_code', values: ['flat.'], match: 'prefix',"
            " restricted: `true`}])",
            "shipping_code is restricted: flat.",
        ),
        ("failed_rule(@, [{field: 'shipping_code', values: ['flat.flat'], required: `true`}])", None),
    ),
)
def failed_rule(record: dict[str, Any], rules: list[Any] | None) -> str | None:
    """The first order filter rule that `record` breaks, described; null when it breaks none.

    A rule is `{field, values, match: exact|prefix|suffix|contains, required: true}` (the field
    must match one of the values) or the same with `restricted: true` (it must match none).
    """
    for rule in rules or []:
        field = rule.get("field")
        value = record.get(field)
        hit = matches(
            value if isinstance(value, str | int | float) else None,
            rule.get("values") or [],
            rule.get("match", "exact"),
        )
        values = ", ".join(map(str, rule.get("values") or []))
        if rule.get("required") and not hit:
            return f"{field} is not one of the required values: {values}"
        if rule.get("restricted") and hit:
            return f"{field} is restricted: {values}"
    return None


@mapping_function(
    "array|null",
    "string",
    "string",
    "any",
    examples=(("sum_where(products, 'quantity', 'sku', 'FER-1')", 3),),
)
def sum_where(items: list[Any] | None, value_field: str, key_field: str, key: Any) -> int | float:
    """The sum of `value_field` over the `items` whose `key_field` equals `key` (0 when none)."""
    total = sum(
        (
            as_decimal(item.get(value_field) or 0, "sum_where")
            for item in items or []
            if isinstance(item, dict) and item.get(key_field) == key
        ),
        start=as_decimal(0, "sum_where"),
    )
    return json_number(total)


FUNCTIONS = (
    alias,
    reverse_alias,
    item_filter_keep,
    item_filter_rejects_order,
    failed_rule,
    sum_where,
)
