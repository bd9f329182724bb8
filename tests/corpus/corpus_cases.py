"""The malformed inputs: generated from the schemas and shipped files, and written by hand.

Generated families go through every top-level key of every shipped pipeline, every declared
setting, and every connection setting of both connectors; the hand-written ones are the mistakes
integrators made (each example of the issue that asked for this corpus is here, named `issue-…`).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from corpus_harness import CONNECTIONS, At, Case, checks, dry_run, real_run, validate

from cartsync.engine.registry import connector_class

ROOT = Path(__file__).resolve().parents[2]
JOBS = ("order_download", "shipment_confirmation", "inventory_sync")
OVERLAY = "clients/acme/{}.yaml"
BASE = "mappings/{}.yaml"
ORDERS = OVERLAY.format("order_download")
STOCK = OVERLAY.format("inventory_sync")
SHIPMENTS = OVERLAY.format("shipment_confirmation")
TABLE = "clients/acme/lookups/sku_aliases.yaml"


def _text(name: str) -> str:
    return (ROOT / name.replace("clients/acme", "clients/example")).read_text(encoding="utf-8")


def _typo(word: str) -> str:
    return word + word[-1]


# -- generated: every top-level key of every shipped pipeline, misspelt --------------------------


def base_key_typos() -> list[Case]:
    cases = []
    for job in JOBS:
        base = BASE.format(job)
        for key in yaml.safe_load(_text(base)):
            wrong = _typo(key)
            cases.append(
                Case(
                    f"{job}-key-{key}-misspelt",
                    checks(base),
                    f"unknown key `{wrong}` (hint: did you mean `{key}`?)",
                    At(base, f"\n{wrong}:", shift=1),
                    edits={base: (f"\n{key}:", f"\n{wrong}:")},
                )
            )
    return cases


# -- generated: every declared setting, with a value of the wrong type and misspelt --------------

_WRONG_VALUE = {"boolean": "maybe", "number": "two", "string": "[1, 2]", "object": "7", "array": "7"}


def _wrong_value(schema: dict) -> str:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return _WRONG_VALUE[kinds[0]]


def _overlay_with_setting(job: str, line: str) -> tuple[str, str]:
    """An edit that puts `line` first under the overlay's `settings:` (replacing the same key)."""
    text = _text(OVERLAY.format(job))
    key = line.split(":")[0].strip()
    for existing in text.splitlines():
        if existing.startswith(f"  {key}:"):
            return existing, line
    return "\nsettings:\n", f"\nsettings:\n{line}\n"


def setting_cases() -> list[Case]:
    cases = []
    for job in JOBS:
        overlay = OVERLAY.format(job)
        for name, schema in yaml.safe_load(_text(BASE.format(job)))["settings_schema"].items():
            bad = _wrong_value(schema)
            line = f"  {name}: {bad}"
            cases.append(
                Case(
                    f"{job}-setting-{name}-wrong-type",
                    checks(overlay),
                    f"$.settings.{name}: expected ",
                    At(overlay, line, shift=len(name) + 4),
                    edits={overlay: _overlay_with_setting(job, line)},
                )
            )
            wrong = f"  {_typo(name)}: 1"
            cases.append(
                Case(
                    f"{job}-setting-{name}-misspelt",
                    checks(overlay),
                    f"unknown key `{_typo(name)}` (hint: did you mean `{name}`?)",
                    At(overlay, wrong, shift=2),
                    edits={overlay: _overlay_with_setting(job, wrong)},
                )
            )
    return cases


# -- generated: every connection setting of both connectors, wrong and misspelt ------------------


def _bad_setting_value(schema: dict) -> str:
    if schema.get("format") == "http-url":
        return "http://"
    if "enum" in schema:
        return "bogus"
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds == ["string", "integer"]:
        return "ten minutes"
    if kinds[0] in ("number", "integer") and ("minimum" in schema or "exclusiveMinimum" in schema):
        return "-1"
    return {"integer": "[1]", "number": "slow", "string": "[x]", "boolean": "maybe", "object": "7"}[kinds[0]]


def _connection_edit(connector: str, key: str, line: str) -> tuple[str, str]:
    text = _text(CONNECTIONS)
    for existing in text.splitlines():
        if existing.startswith(f"  {key}:"):
            return existing, line
    anchor = f"  connector: {connector}\n"
    return anchor, anchor + line + "\n"


def connection_setting_cases() -> list[Case]:
    cases = []
    for connector in ("opencart", "wms3pl"):
        schema = connector_class(connector).connection_schema()
        for key, spec in schema["properties"].items():
            if key == "connector":
                continue
            line = f"  {key}: {_bad_setting_value(spec)}"
            cases.append(
                Case(
                    f"{connector}-{key}-wrong",
                    (validate(CONNECTIONS), dry_run(ORDERS)),
                    "expected ",
                    At(CONNECTIONS, line, shift=len(key) + 4),
                    edits={CONNECTIONS: _connection_edit(connector, key, line)},
                )
            )
            wrong = f"  {_typo(key)}: 1"
            cases.append(
                Case(
                    f"{connector}-{key}-misspelt",
                    (validate(CONNECTIONS), dry_run(ORDERS)),
                    f"unknown key `{_typo(key)}` (hint: did you mean `{key}`?)",
                    At(CONNECTIONS, wrong, shift=2),
                    edits={CONNECTIONS: _connection_edit(connector, "~", wrong)},
                )
            )
    return cases


# -- generated: a tab where YAML forbids one, in every kind of file -------------------------------

TABS = (
    (CONNECTIONS, "\n  api_key:", (validate(CONNECTIONS), dry_run(ORDERS))),
    (CONNECTIONS, "\n  user_login_id:", (validate("clients/acme"), dry_run(ORDERS))),
    (STOCK, "\n  buffer:", checks(STOCK)),
    (ORDERS, "\n  params:", checks(ORDERS)),
    (SHIPMENTS, "\n  canceled_status:", checks(SHIPMENTS)),
    (BASE.format("inventory_sync"), "\n  entity:", checks(STOCK)),
    (BASE.format("order_download"), "\n  stream: orders", checks(BASE.format("order_download"))),
    (TABLE, "\nLAMP-300:", checks(ORDERS)),
)


def tab_cases() -> list[Case]:
    cases = []
    for index, (file, before, commands) in enumerate(TABS):
        after = "\n\t" + before[1:].lstrip(" ")
        cases.append(
            Case(
                f"tab-{index}-{Path(file).stem}",
                commands,
                "hint: YAML does not allow tabs here",
                At(file, after, shift=1),
                edits={file: (before, after)},
                absent=("quote values",) + (("mappings/",) if file == CONNECTIONS else ()),
            )
        )
    return cases


# -- generated: variable references written wrongly ----------------------------------------------

REFERENCES = (
    ("${EXAMPLE_OC_USER:-${OTHER_USER}}", "a default cannot hold another variable reference"),
    ("$EXAMPLE_OC_USER}", "`$EXAMPLE_OC_USER` is not a variable reference"),
    ("${EXAMPLE_OC_USER-cartsync}", "unsupported form `${EXAMPLE_OC_USER-`"),
    ("${EXAMPLE_OC_USER:=cartsync}", "unsupported form"),
    ("${EXAMPLE_OC_USER:?cartsync}", "unsupported form"),
    ("${EXAMPLE_OC_USER", "unclosed variable reference"),
    ("${1USER}", "malformed variable reference"),
    ("${}", "malformed variable reference"),
    ("cart-$USER_SUFFIX", "`$USER_SUFFIX` is not a variable reference"),
    ("${NOT_SET_ANYWHERE}", "environment variable `NOT_SET_ANYWHERE` is not set"),
)


def reference_cases() -> list[Case]:
    cases = []
    for index, (value, says) in enumerate(REFERENCES):
        line = f"  api_username: {value}"
        cases.append(
            Case(
                f"reference-{index}",
                (validate(CONNECTIONS), dry_run(ORDERS)),
                says,
                At(CONNECTIONS, line, shift=len(line) - len(value) + value.index("$")),
                edits={CONNECTIONS: ("  api_username: ${EXAMPLE_OC_USER:-cartsync}", line)},
            )
        )
    for index, (value, says) in enumerate(REFERENCES[:3]):
        line = f"  buffer: {value}"
        cases.append(
            Case(
                f"reference-in-a-pipeline-{index}",
                checks(STOCK),
                says,
                At(STOCK, line, shift=len("  buffer: ")),
                edits={STOCK: ("  buffer: 2", line)},
            )
        )
    return cases


# -- generated: mapping expressions --------------------------------------------------------------

EXPRESSIONS = (  # (expression, where the problem is inside it, message)
    ("concat('OC-', order_id", None, "the expression is incomplete"),
    ("lookpu('ship_methods', shipping_code)", "lookpu", "unknown function lookpu() (did you mean lookup()?)"),
    ("lookup('ship_method', shipping_code)", "lookup", "there is no lookup table 'ship_method'"),
    ("alias('sku_alias', order_id)", "alias", "there is no lookup table 'sku_alias'"),
    ("reverse_alias('nosuch', order_id)", "reverse_alias", "there is no lookup table 'nosuch'"),
    ("setting('billing_cod')", "setting", "there is no setting 'billing_cod'"),
    ("truncate()", "truncate", "takes 2 arguments, got 0"),
    ("products[?sku == 'A'", None, "the expression is incomplete"),
    ("join(', ', skus]", "]", "unexpected ']'"),
    ("order_id ++ 1", "+", "unknown token +"),
    ("'unterminated", "'", "unclosed"),
)


def expression_cases() -> list[Case]:
    cases = []
    for index, (expression, needle, says) in enumerate(EXPRESSIONS):
        line = f'  notes: "{expression}"'
        shift = len('  notes: "') + (expression.index(needle) if needle else len(expression))
        cases.append(
            Case(
                f"expression-{index}",
                checks(ORDERS),
                says,
                At(ORDERS, line, shift=shift),
                files={},
                edits={ORDERS: ("\nlookups:\n", f"\nmap:\n{line}\nlookups:\n")},
            )
        )
    deep = "(" * 600 + "order_id" + ")" * 600
    cases.append(
        Case(
            "expression-nested-600-deep",
            checks(ORDERS),
            "the expression is nested too deeply",
            At(ORDERS, f'"{deep}'),
            edits={ORDERS: ("\nlookups:\n", f'\nmap:\n  notes: "{deep}"\nlookups:\n')},
        )
    )
    cases.append(
        Case(
            "filter-rule-without-reason",
            checks(SHIPMENTS),
            "missing required key `reason`",
            At(SHIPMENTS, "{when:"),
            edits={SHIPMENTS: ("\nsettings:\n", '\nfilter:\n  - {when: "kind != null"}\nsettings:\n')},
        )
    )
    return cases


# -- by hand: lookup tables -----------------------------------------------------------------------


def _orders_table(value: str) -> dict[str, tuple[str, str]]:
    return {ORDERS: ("  sku_aliases: lookups/sku_aliases.yaml", f"  sku_aliases: {value}")}


LOOKUPS = (
    Case(
        "issue-lookup-key-misspelt-leaves-the-real-table-unused",
        checks(ORDERS),
        "lookup table `sku_alias` is not used by any expression (hint: did you mean `sku_aliases`?)",
        At(ORDERS, "sku_alias:"),
        edits={ORDERS: ("  sku_aliases: lookups/", "  sku_alias: lookups/")},
    ),
    Case(
        "lookup-file-not-found",
        checks(ORDERS),
        "lookup table file not found",
        At(ORDERS, "lookups/nosuch.yaml"),
        edits=_orders_table("lookups/nosuch.yaml"),
    ),
    Case(
        "lookup-file-of-another-type",
        checks(ORDERS),
        "expected the path of a `.yaml`, `.yml` or `.csv` file",
        At(ORDERS, "lookups/sku_aliases.txt"),
        edits=_orders_table("lookups/sku_aliases.txt"),
    ),
    Case(
        "lookup-a-number",
        checks(ORDERS),
        "expected a mapping or a string, got a whole number `42`",
        At(ORDERS, "42"),
        edits=_orders_table("42"),
    ),
    Case(
        "lookup-file-is-a-folder",
        checks(ORDERS),
        "lookup table file is a folder",
        At(ORDERS, "lookups/folder.yaml"),
        edits=_orders_table("lookups/folder.yaml"),
        prepare=lambda root: (root / "clients/acme/lookups/folder.yaml").mkdir(),
    ),
    Case(
        "lookup-table-is-a-list",
        checks(ORDERS),
        "a lookup table file must hold one mapping of key: value",
        At(TABLE, "- LAMP"),
        files={TABLE: "- LAMP-300\n- HEADLAMP-300\n"},
    ),
    Case(
        "lookup-table-duplicate-key",
        checks(ORDERS),
        "duplicate key `LAMP-300`",
        At(TABLE, "LAMP-300:", nth=1),
        edits={TABLE: ('\n"SHIRT-HIKE|Size:Small"', '\nLAMP-300: OTHER\n"SHIRT-HIKE|Size:Small"')},
    ),
    Case(
        "lookup-table-bad-bytes",
        checks(ORDERS),
        "the file is not UTF-8 text (byte 0xE9)",
        At(TABLE, "LAMP-300: HEADLAMP", shift=len("LAMP-300: HEADLAMP")),
        prepare=lambda root: (root / TABLE).write_bytes(
            (root / TABLE).read_bytes().replace(b"HEADLAMP-300", b"HEADLAMP\xe9-300")
        ),
    ),
    Case(
        "lookup-csv-wrong-number-of-columns",
        checks(ORDERS),
        "expected 2 columns (key, value), got 3",
        At("clients/acme/lookups/aliases.csv", "GIFT"),
        edits=_orders_table("lookups/aliases.csv"),
        files={"clients/acme/lookups/aliases.csv": "LAMP-300,HEADLAMP-300\nGIFT,CARD,EXTRA\n"},
    ),
    Case(
        "lookup-csv-duplicate-key",
        checks(ORDERS),
        "duplicate key `LAMP-300` (first at line 1)",
        At("clients/acme/lookups/aliases.csv", "\nLAMP-300", shift=1),
        edits=_orders_table("lookups/aliases.csv"),
        files={"clients/acme/lookups/aliases.csv": "LAMP-300,HEADLAMP-300\nLAMP-300,OTHER\n"},
    ),
    Case(
        "lookup-csv-bad-bytes",
        checks(ORDERS),
        "the file is not UTF-8 text",
        At("clients/acme/lookups/aliases.csv", "GIFT,", shift=-1),
        edits=_orders_table("lookups/aliases.csv"),
        files={"clients/acme/lookups/aliases.csv": b"LAMP-300,HEADLAMP-300\n\xffGIFT,CARD\n"},
    ),
    Case(
        "lookup-table-alias-bomb",
        checks(ORDERS),
        "YAML aliases here expand to more than",
        At(TABLE, "*c", nth=7),
        files={
            TABLE: "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)
            )
        },
    ),
)


# -- by hand: the structure of files, and the limits ---------------------------------------------


def _bomb(indent: str) -> str:
    """Ten levels of aliases, each ten times the one before: 10^10 values if expanded."""
    lines = [f"{indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        copies = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"{indent}l{level}: &l{level} [{copies}]")
    return "\n".join(lines) + "\n"


UNKNOWN_KEYS_5MB = "".join(f"setting_number_{n:07d}: {n}\n" for n in range(180_000))

STRUCTURE = (
    Case(
        "issue-alias-bomb-under-settings",
        checks(STOCK),
        "YAML aliases here expand to more than 10,000 values",
        At(STOCK, "*l2", nth=7),
        edits={STOCK: ("\nsettings:\n", "\nsettings:\n" + _bomb("  "))},
    ),
    Case(
        "issue-alias-bomb-in-connections",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "YAML aliases here expand to more than 10,000 values",
        At(CONNECTIONS, "*l2", nth=7),
        edits={CONNECTIONS: ("\nstore:\n", "\nbomb:\n" + _bomb("  ") + "store:\n")},
    ),
    Case(
        "alias-inside-its-own-anchor",
        checks(STOCK),
        "the alias *loop is inside the value it names",
        At(STOCK, "*loop"),
        edits={STOCK: ("\nsettings:\n", "\nsettings:\n  loop: &loop [1, *loop]\n")},
    ),
    Case(
        "issue-nesting-600-deep",
        checks(STOCK),
        "the values are nested more than 64 levels deep",
        At(STOCK, "[", nth=62),
        edits={STOCK: ("  buffer: 2", "  buffer: " + "[" * 600 + "]" * 600)},
    ),
    Case(
        "nesting-100-deep-block-style-in-connections",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "nested more than 64 levels deep",
        At(CONNECTIONS, "k63:"),
        edits={
            CONNECTIONS: (
                "\nstore:\n",
                "\ndeep:\n"
                + "".join("  " * (k + 1) + f"k{k}:\n" for k in range(100))
                + "  " * 101
                + "end\nstore:\n",
            )
        },
    ),
    Case(
        "issue-5mb-of-unknown-keys",
        checks(STOCK),
        "the file is larger than 1 MB",
        At(STOCK, "#"),
        edits={STOCK: ("\nsettings:\n", "\nsettings:\n" + UNKNOWN_KEYS_5MB.replace("setting", "  setting"))},
    ),
    Case(
        "issue-bad-bytes-in-connections-do-not-blame-the-shipped-mappings",
        (validate("mappings", "clients"), dry_run(ORDERS)),
        "the file is not UTF-8 text (byte 0xFF)",
        At(CONNECTIONS, "api_username: ", shift=len("api_username: ")),
        prepare=lambda root: (root / CONNECTIONS).write_bytes(
            (root / CONNECTIONS).read_bytes().replace(b"api_username: ", b"api_username: \xff")
        ),
        absent=("mappings/order_download.yaml:", "mappings/inventory_sync.yaml:", "unknown connection"),
    ),
    Case(
        "issue-tab-in-connections-does-not-blame-the-shipped-mappings",
        (validate("mappings", "clients"), dry_run(ORDERS)),
        "YAML does not allow tabs here",
        At(CONNECTIONS, "\tbase_url"),
        edits={CONNECTIONS: ("\n  base_url:", "\n\tbase_url:")},
        absent=("mappings/order_download.yaml:", "unknown connection", "quote values"),
    ),
    Case(
        "bad-bytes-in-an-overlay",
        checks(STOCK),
        "the file is not UTF-8 text (byte 0xFE)",
        At(STOCK, "extends", shift=-1),
        prepare=lambda root: (root / STOCK).write_bytes(
            (root / STOCK).read_bytes().replace(b"extends", b"\xfeextends")
        ),
    ),
    Case(
        "control-character",
        checks(STOCK),
        "control character #x0007",
        At(STOCK, "\x07"),
        edits={STOCK: ("buffer: 2", "buffer: 2\x07")},
    ),
    Case(
        "nul-byte",
        checks(STOCK),
        "control character #x0000",
        At(STOCK, "\x00"),
        edits={STOCK: ("minimum_level: 3", "minimum_level: \x003")},
    ),
    Case(
        "issue-empty-overlay-inside-a-folder",
        (validate("clients/acme"), dry_run("clients/acme/extra.yaml")),
        "the file is empty",
        At("clients/acme/extra.yaml", "#"),
        files={"clients/acme/extra.yaml": "# extends ../../mappings/order_download.yaml, to do\n"},
    ),
    Case(
        "empty-connections-file",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "expected a mapping of connection name -> settings, got nothing",
        At(CONNECTIONS, "#"),
        files={CONNECTIONS: "# to do\n"},
    ),
    Case(
        "issue-a-folder-named-connections-yaml",
        (validate("clients/acme"), ("run", "pipeline", ORDERS, "--dry-run")),
        "this is a folder, not a file",
        At(CONNECTIONS, ""),
        prepare=lambda root: ((root / CONNECTIONS).unlink(), (root / CONNECTIONS).mkdir()),
    ),
    Case(
        "issue-extends-cycle-is-reported-alone",
        checks(ORDERS),
        "`extends` makes a cycle",
        At(BASE.format("order_download"), "../clients"),
        edits={
            BASE.format("order_download"): (
                "version: 1\n",
                "extends: ../clients/acme/order_download.yaml\nversion: 1\n",
            )
        },
        absent=("missing required key",),
    ),
    Case(
        "extends-a-file-that-does-not-exist",
        checks(ORDERS),
        "the file to extend does not exist",
        At(ORDERS, "../../mappings/order_downlod.yaml"),
        edits={ORDERS: ("mappings/order_download.yaml", "mappings/order_downlod.yaml")},
        absent=("missing required key",),
    ),
    Case(
        "extends-a-number",
        checks(ORDERS),
        "expected the path of a pipeline file to build on",
        At(ORDERS, "42"),
        edits={ORDERS: ("../../mappings/order_download.yaml", "42")},
    ),
    Case(
        "extends-a-list-file",
        checks(ORDERS),
        "the file to extend holds no pipeline keys",
        At(ORDERS, "list.yaml"),
        edits={ORDERS: ("../../mappings/order_download.yaml", "list.yaml")},
        files={"clients/acme/list.yaml": "- a\n- b\n"},
    ),
    Case(
        "duplicate-key-in-an-overlay",
        checks(STOCK),
        "duplicate key `lookups` (first written at line",
        At(STOCK, "lookups:", nth=1),
        edits={STOCK: ("\nlookups:\n", "\nlookups:\n  sku_aliases: lookups/sku_aliases.yaml\nlookups:\n")},
    ),
    Case(
        "pipeline-that-is-a-list",
        checks(STOCK),
        "expected a mapping of pipeline keys",
        At(STOCK, "- extends"),
        files={STOCK: "- extends: ../../mappings/inventory_sync.yaml\n"},
    ),
    Case(
        "two-documents-in-one-file",
        checks(STOCK),
        "expected a single document",
        At(STOCK, "---"),
        edits={STOCK: ("\nlookups:\n", "\n---\nlookups:\n")},
    ),
    Case(
        "unsupported-tag",
        checks(STOCK),
        "unsupported YAML tag `tag:yaml.org,2002:python/object/apply:os.system`",
        At(STOCK, "!!python"),
        edits={STOCK: ("buffer: 2", "buffer: !!python/object/apply:os.system [ls]")},
    ),
    Case(
        "a-key-that-is-a-list",
        checks(STOCK),
        "a key must be plain text",
        At(STOCK, "[a, b]"),
        edits={STOCK: ("  buffer: 2", "  buffer: 2\n  [a, b]: 1")},
    ),
    Case(
        "connections-file-that-is-a-list",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "expected a mapping of connection name -> settings, got a list",
        At(CONNECTIONS, "- store"),
        files={CONNECTIONS: "- store\n- warehouse\n"},
    ),
    Case(
        "connection-without-connector",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "missing required key `connector` (hint: did you mean `conector`?)",
        At(CONNECTIONS, "conector"),
        edits={CONNECTIONS: ("  connector: opencart", "  conector: opencart")},
        absent=("unknown connection",),
    ),
    Case(
        "connection-with-an-unknown-connector",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "unknown connector `opencrt` (hint: did you mean `opencart`?)",
        At(CONNECTIONS, "opencrt"),
        edits={CONNECTIONS: ("  connector: opencart", "  connector: opencrt")},
    ),
    Case(
        "connection-that-is-a-number",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "expected a mapping with `connector:` and its settings, got a whole number `5`",
        At(CONNECTIONS, "5\n"),
        edits={CONNECTIONS: ("\nstore:\n", "\nspare: 5\nstore:\n")},
    ),
    Case(
        "client-file-names-a-missing-pipeline",
        (validate("clients/acme"), ("run", "client", "clients/acme", "--dry-run")),
        "there is no file",
        At("clients/acme/client.yaml", "order_downlod.yaml"),
        files={"clients/acme/client.yaml": "pipelines: [order_downlod.yaml, inventory_sync.yaml]\n"},
    ),
    Case(
        "client-file-with-an-unknown-key",
        (validate("clients/acme"), ("run", "client", "clients/acme", "--dry-run")),
        "unknown key `pipeline` (hint: did you mean `pipelines`?)",
        At("clients/acme/client.yaml", "pipeline:"),
        files={"clients/acme/client.yaml": "pipeline: [order_download.yaml]\n"},
    ),
)


# -- by hand: values a run would refuse ----------------------------------------------------------

VALUES = (
    Case(
        "issue-earliest-last-tuesday-ish",
        (*checks(ORDERS), real_run(ORDERS)),
        "expected a moment such as `30 days ago`",
        At(ORDERS, "last tuesday-ish"),
        edits={ORDERS: ("earliest: 2024-05-01", "earliest: last tuesday-ish")},
    ),
    Case(
        "earliest-beyond-the-calendar",
        checks(ORDERS),
        "expected a moment",
        At(ORDERS, "99999999999 days ago"),
        edits={ORDERS: ("earliest: 2024-05-01", "earliest: 99999999999 days ago")},
    ),
    Case(
        "shipments-earliest-not-a-moment",
        checks(SHIPMENTS),
        "expected a moment",
        At(SHIPMENTS, "someday"),
        edits={SHIPMENTS: ("\nsettings:\n", "\nsource:\n  params:\n    earliest: someday\nsettings:\n")},
    ),
    Case(
        "stock-facility-not-a-choice",
        checks(STOCK),
        "expected one of `all`, `configured`, got a string `everywhere`",
        At(STOCK, "everywhere"),
        edits={STOCK: ("\nsettings:\n", "\nsource: {params: {facility: everywhere}}\nsettings:\n")},
    ),
    Case(
        "statuses-empty",
        checks(ORDERS),
        "expected at least 1 item, got 0",
        At(ORDERS, "[]"),
        edits={ORDERS: ("statuses: [Processing, Ready to Ship]", "statuses: []")},
    ),
    Case(
        "store-id-negative",
        checks(ORDERS),
        "expected a number >= 0, got a whole number `-1`",
        At(ORDERS, "-1"),
        edits={ORDERS: ("    earliest:", "    store_id: -1\n    earliest:")},
    ),
    Case(
        "params-key-misspelt",
        checks(ORDERS),
        "unknown key `statuss` (hint: did you mean `statuses`?)",
        At(ORDERS, "statuss"),
        edits={ORDERS: ("statuses:", "statuss:")},
    ),
    Case(
        "retry-for-not-a-duration",
        checks(STOCK),
        "expected a duration such as `15 days` or `1 hour`",
        At(STOCK, "2 fortnights"),
        edits={STOCK: ("\nsettings:\n", "\nledger: {retry_for: 2 fortnights}\nsettings:\n")},
    ),
    Case(
        "retry-every-beyond-the-calendar",
        checks(STOCK),
        "expected a duration such as `15 days` or `1 hour`",
        At(STOCK, "99999999999 weeks"),
        edits={STOCK: ("\nsettings:\n", "\nledger: {retry_every: 99999999999 weeks}\nsettings:\n")},
    ),
    Case(
        "ledger-key-misspelt",
        checks(STOCK),
        "unknown key `entty` (hint: did you mean `entity`?)",
        At(STOCK, "entty"),
        edits={STOCK: ("\nsettings:\n", "\nledger: {entty: stock}\nsettings:\n")},
    ),
    Case(
        "issue-store-url-without-host",
        (validate(CONNECTIONS), dry_run(ORDERS), real_run(ORDERS)),
        "got a string `http://`: it has no host name",
        At(CONNECTIONS, "http://"),
        edits={CONNECTIONS: ("${EXAMPLE_STORE_URL:-https://shop.example.com}", "http://")},
    ),
    Case(
        "issue-base-url-port-out-of-range",
        (validate(CONNECTIONS), dry_run(ORDERS), real_run(ORDERS)),
        "its port `99999` is not a number from 1 to 65535",
        At(CONNECTIONS, "https://host:99999"),
        edits={CONNECTIONS: ("${EXAMPLE_WMS_URL:-https://secure-wms.com}", "https://host:99999")},
    ),
    Case(
        "store-url-from-a-variable-default-without-scheme",
        (validate(CONNECTIONS), dry_run(ORDERS)),
        "it must start with https:// or http://",
        At(CONNECTIONS, "${EXAMPLE_STORE_URL"),
        edits={CONNECTIONS: ("https://shop.example.com", "shop.example.com")},
    ),
    Case(
        "issue-buffer-two",
        (*checks(STOCK), real_run(STOCK)),
        "$.settings.buffer: expected a number, got a string `two`",
        At(STOCK, "two"),
        edits={STOCK: ("buffer: 2", "buffer: two")},
    ),
    Case(
        "issue-bufer-misspelt",
        (*checks(STOCK), real_run(STOCK)),
        "unknown key `bufer` (hint: did you mean `buffer`?)",
        At(STOCK, "bufer"),
        edits={STOCK: ("buffer: 2", "bufer: 2")},
    ),
    Case(
        "issue-item-filter-mode-sometimes",
        (*checks(ORDERS), real_run(ORDERS)),
        "$.settings.item_filter.mode: expected one of `allow`, `block`, `off`, `false`",
        At(ORDERS, "sometimes"),
        edits={ORDERS: ("mode: block", "mode: sometimes")},
    ),
    Case(
        "issue-alias-names-a-table-that-does-not-exist",
        (*checks(ORDERS), real_run(ORDERS)),
        "there is no lookup table 'sku_alias'",
        At(ORDERS, "alias('sku_alias'"),
        edits={
            ORDERS: (
                "\nlookups:\n",
                "\nderive:\n"
                "  lines: \"products[].{sku: alias('sku_alias', sku), qty: quantity}\"\nlookups:\n",
            )
        },
    ),
    Case(
        "issue-derive-name-misspelt",
        (*checks(ORDERS), real_run(ORDERS)),
        "derived field `lnes` is not read by any expression (hint: did you mean `lines`?)",
        At(ORDERS, "lnes"),
        edits={
            ORDERS: ("\nlookups:\n", '\nderive:\n  lnes: "products[].{sku: sku, qty: quantity}"\nlookups:\n')
        },
    ),
    Case(
        "setting-misspelt-in-a-pipeline-without-settings-schema",
        checks("clients/acme/custom.yaml"),
        "setting `greting` is not used by any expression (hint: did you mean `greeting`?)",
        At("clients/acme/custom.yaml", "greting"),
        files={
            "clients/acme/custom.yaml": "version: 1\nname: custom\n"
            "source: {connection: warehouse, stream: stock}\n"
            "destination: {connection: store, stream: stock}\nkey: sku\nsettings: {greting: hi}\n"
            "map: {sku: sku, quantity: \"setting('greeting', `0`)\"}\n"
        },
    ),
    Case(
        "unknown-connection",
        checks(ORDERS),
        "unknown connection `stor` (hint: did you mean `store`?)",
        At(ORDERS, "stor\n"),
        edits={ORDERS: ("source:\n  params:", "source:\n  connection: stor\n  params:")},
    ),
    Case(
        "unknown-stream",
        checks(ORDERS),
        "has no stream `order` (hint: did you mean `orders`?)",
        At(ORDERS, "order\n"),
        edits={ORDERS: ("source:\n  params:", "source:\n  stream: order\n  params:")},
    ),
    Case(
        "stream-that-cannot-be-written",
        checks(ORDERS),
        "stream `orders` of connector `opencart` cannot be written to",
        At(BASE.format("order_download"), "stream: orders", nth=1, shift=8),
        edits={ORDERS: ("\nsettings:\n", "\ndestination: {connection: store}\nsettings:\n")},
    ),
    Case(
        "settings-schema-that-is-not-a-schema",
        checks(STOCK),
        "not a valid JSON Schema",
        At(STOCK, "sometimes"),
        edits={STOCK: ("\nsettings:\n", "\nsettings_schema: {buffer: {type: sometimes}}\nsettings:\n")},
    ),
    Case(
        "version-two",
        checks(STOCK),
        "$.version: expected `1`, got a whole number `2`",
        At(STOCK, "version: 2", shift=9),
        edits={STOCK: ("\nsettings:\n", "\nversion: 2\nsettings:\n")},
    ),
    Case(
        "name-with-capitals",
        checks(STOCK),
        "expected lowercase letters, digits, `_` and `-`, got a string `Inventory`",
        At(STOCK, "Inventory"),
        edits={STOCK: ("\nsettings:\n", "\nname: Inventory\nsettings:\n")},
    ),
    Case(
        "test-with-two-outcomes",
        (("test", STOCK),),
        "a test needs exactly one of `expect`, `skipped` or `rejected`",
        At(STOCK, "name: x"),
        edits={
            STOCK: (
                "\nsettings:\n",
                "\ntests:\n  - name: x\n    input: {sku: A}\n    skipped: a\n    rejected: b\nsettings:\n",
            )
        },
    ),
)


# -- by hand: command-line arguments -------------------------------------------------------------

STATE = ("--state", "state.db")
ARGUMENTS = (
    (
        "issue-limit-minus-one",
        ("run", "pipeline", ORDERS, "--dry-run", "--limit", "-1"),
        "Invalid value for '--limit'",
    ),
    ("limit-zero", ("run", "pipeline", ORDERS, "--dry-run", "--limit", "0"), "Invalid value for '--limit'"),
    ("limit-not-a-number", ("run", "pipeline", ORDERS, "--limit", "lots"), "Invalid value for '--limit'"),
    ("preview-limit-zero", ("preview", ORDERS, "--limit", "0"), "Invalid value for '--limit'"),
    (
        "issue-runs-limit-huge",
        ("runs", "--limit", "99999999999999999999999", *STATE),
        "Invalid value for '--limit'",
    ),
    ("runs-limit-negative", ("runs", "--limit", "-5", *STATE), "Invalid value for '--limit'"),
    (
        "issue-orders-since-notadate",
        ("orders", "--since", "notadate", *STATE),
        "--since 'notadate' is not a date",
    ),
    (
        "issue-orders-status-bogus",
        ("orders", "--status", "bogus", *STATE),
        "--status 'bogus' is not a ledger status",
    ),
    (
        "issue-orders-entity-nosuch",
        ("orders", "--entity", "nosuch", *STATE),
        "--entity 'nosuch': the ledger has no rows",
    ),
    (
        "issue-state-reset-nosuch",
        ("state", "reset", "nosuch", *STATE),
        "The state store knows no pipeline 'nosuch'",
    ),
    ("state-show-nosuch", ("state", "show", "nosuch", *STATE), "The state store knows no pipeline 'nosuch'"),
    (
        "state-reset-since-notadate",
        ("state", "reset", "order_download", "--since", "soon", *STATE),
        "--since 'soon' is not a date",
    ),
    ("runs-of-an-unknown-pipeline", ("runs", "nosuch", *STATE), "The state store knows no pipeline 'nosuch'"),
    (
        "issue-state-is-a-folder",
        ("runs", "--state", "clients"),
        "--state clients is a folder, not a state file",
    ),
    (
        "issue-state-is-readme",
        ("runs", "--state", "README.md"),
        "--state README.md is not a cartsync state store",
    ),
    (
        "issue-state-is-dev-null",
        ("orders", "--state", "/dev/null"),
        "--state /dev/null is not a regular file",
    ),
    (
        "issue-runs-state-in-a-missing-folder",
        ("runs", "--state", "nonexistent/x.db"),
        "There is no state store at nonexistent/x.db",
    ),
    (
        "orders-show-without-state",
        ("orders", "--state", "missing.db", "show", "10045"),
        "There is no state store at missing.db",
    ),
    (
        "run-with-state-readme",
        ("run", "pipeline", ORDERS, "--state", "README.md"),
        "is not a cartsync state store",
    ),
    (
        "dry-run-with-state-folder",
        ("run", "pipeline", ORDERS, "--dry-run", "--state", "clients"),
        "is a folder",
    ),
    (
        "issue-run-pipeline-nope",
        ("run", "pipeline", "nope.yaml"),
        "The pipeline file nope.yaml does not exist",
    ),
    ("run-pipeline-a-folder", ("run", "pipeline", "clients/acme"), "is a folder"),
    (
        "run-client-missing-folder",
        ("run", "client", "clients/nope"),
        "The client folder clients/nope does not exist",
    ),
    ("run-client-a-file", ("run", "client", ORDERS), "is a file"),
    (
        "resend-without-ids-or-status",
        ("orders", *STATE, "resend"),
        "Give the ids to resend, or --status",
    ),
    (
        "hold-with-ids-and-status",
        ("orders", *STATE, "hold", "1", "--status", "error"),
        "Give the ids to hold",
    ),
    (
        "release-status-bogus",
        ("orders", *STATE, "release", "--status", "bogus"),
        "--status 'bogus' is not a ledger status",
    ),
    (
        "resend-since-notadate",
        ("orders", *STATE, "resend", "--status", "error", "--since", "x"),
        "--since 'x' is not a date",
    ),
    ("log-format-xml", ("--log-format", "xml", "validate"), "Invalid value for '--log-format'"),
    (
        "env-names-missing-file",
        ("validate", "--env-names", "missing.env", "clients"),
        "--env-names missing.env: there is no such file",
    ),
    ("check-an-unknown-connection", ("check", "nosuch", "-c", CONNECTIONS), "No connection named 'nosuch'"),
    ("validate-a-missing-path", ("validate", "nowhere"), "cannot read the file: No such file or directory"),
    ("test-a-missing-file", ("test", "nope.yaml"), "cannot read the file"),
    ("unknown-command", ("valdate",), "No such command"),
    ("orders-show-an-unknown-order", ("orders", *STATE, "show", "10045"), "The ledger has no order '10045'"),
    ("resend-an-unknown-order", ("orders", *STATE, "resend", "10045"), "The ledger has no order '10045'"),
    ("state-unlock-an-unknown-pipeline", ("state", "unlock", "nosuch", *STATE), "knows no pipeline 'nosuch'"),
)


def argument_cases() -> list[Case]:
    return [Case(name, (command,), says) for name, command, says in ARGUMENTS]


def all_cases() -> list[Case]:
    return [
        *base_key_typos(),
        *setting_cases(),
        *connection_setting_cases(),
        *tab_cases(),
        *reference_cases(),
        *expression_cases(),
        *LOOKUPS,
        *STRUCTURE,
        *VALUES,
        *argument_cases(),
    ]
