"""Test rows seeded into a real store: orders with lines, options, totals and history, a
status-0 order, a line of a deleted product, and products for the stock route. Ids are far above
a store's own, and every row is removed again afterwards."""

from __future__ import annotations

from realstore_db import Database

ORDER_SHIPPED = 900001  # status 2, two lines (one with an option, one of a deleted product)
ORDER_MISSING = 900002  # status 0: never returned
ORDER_COMPLETE = 900003  # status 5
ORDER_IDS = (ORDER_SHIPPED, ORDER_MISSING, ORDER_COMPLETE)
DELETED_PRODUCT = 999999
PRODUCT_DUP_A, PRODUCT_DUP_B, PRODUCT_SIZED, PRODUCT_MODEL_ONLY = 990001, 990002, 990003, 990004
PRODUCT_HOODIE = 990005  # on sale in the storefront: Size Small / Medium / Large, each taking stock
PRODUCT_IDS = (PRODUCT_DUP_A, PRODUCT_DUP_B, PRODUCT_SIZED, PRODUCT_MODEL_ONLY, PRODUCT_HOODIE)
HOODIE_SKU = "CSYNC-HOODIE"
HOODIE_OPTION_ID = 990002  # its product_option_id
HOODIE_VALUE_IDS = {"Small": 990003, "Medium": 990004, "Large": 990005}  # product_option_value_id
MODEL_ONLY_MODEL = "CSYNC-BOTTLE"  # a product with a model and no SKU
SIZED_SKU = "CSYNC-SKU-1"
SIZED_MODEL = "CSYNC-M3"
DUP_MODEL = "CSYNC-DUP"
SIZE_OPTION_ID, SMALL_VALUE_ID, LARGE_VALUE_ID = 11, 46, 48
PRODUCT_OPTION_ID = 990001
SMALL_POV_ID, LARGE_POV_ID = 990001, 990002


def _insert(table: str, **values: object) -> str:
    """One INSERT statement; strings are quoted with '' doubled (all seed values are literals)."""
    cells = ", ".join(
        f"`{k}` = " + (str(v) if isinstance(v, int | float) else "'" + str(v).replace("'", "''") + "'")
        for k, v in values.items()
    )
    return f"INSERT INTO oc_{table} SET {cells};"


def _methods(version: str, kind: str, code: str, name: str) -> dict[str, str]:
    if version.startswith("4"):
        return {f"{kind}_method": f'{{"code":"{code}","name":"{name}"}}'}
    return {f"{kind}_method": name, f"{kind}_code": code}


def cleanup(db: Database) -> None:
    orders = ",".join(map(str, ORDER_IDS))
    products = ",".join(map(str, PRODUCT_IDS))
    tables = [
        (t, "order_id", orders)
        for t in ("order", "order_product", "order_option", "order_total", "order_history")
    ]
    tables += [
        (t, "product_id", products)
        for t in (
            "product",
            "product_description",
            "product_option",
            "product_option_value",
            "product_code",  # 4.1
            "product_to_store",  # a store with a storefront
            "cart",
        )
    ]
    present = {row[0] for row in db.run("SHOW TABLES LIKE 'oc\\_%'")}
    db.run(
        "\n".join(
            f"DELETE FROM oc_{table} WHERE {key} IN ({ids});"
            for table, key, ids in tables
            if f"oc_{table}" in present
        )
    )


def seed(db: Database, version: str, storefront: bool = True) -> None:
    """The test rows; with `storefront`, also a product a shopper can buy (the hoodie)."""
    cleanup(db)
    methods = {
        **_methods(version, "shipping", "flat.flat", "Flat Shipping Rate"),
        **_methods(version, "payment", "cod", "Cash On Delivery"),
    }
    address = {
        "shipping_firstname": "Ann",
        "shipping_lastname": "O'Hara",
        # as OpenCart's checkout stores what the shopper typed: HTML-escaped
        "shipping_company": "Smith &amp; Sons &lt;Ltd&gt;",
        "shipping_address_1": "12 &quot;Quoted&quot; Straße",
        "shipping_city": "Fresno",
        "shipping_postcode": "93650",
        "shipping_country": "United States",
        "shipping_country_id": 223,
        "shipping_zone": "California",
        "shipping_zone_id": 3624,
        "payment_firstname": "Ann",
        "payment_country_id": 223,
        "payment_zone_id": 3624,
    }
    rows = []
    for order_id, status, modified in (
        (ORDER_SHIPPED, 2, "2031-01-02 10:00:00"),
        (ORDER_MISSING, 0, "2031-01-02 11:00:00"),
        (ORDER_COMPLETE, 5, "2031-01-02 12:00:00"),
    ):
        rows.append(
            _insert(
                "order",
                order_id=order_id,
                store_id=0,
                store_name="Your Store",  # the sender of the "Order Update" mail (notify=1)
                language_id=1,
                customer_id=0,
                firstname="Ann",
                lastname="O'Hara",
                email="ann@example.com",
                telephone="555",
                comment="Leave at door &amp; ring",
                order_status_id=status,
                currency_code="EUR",
                currency_value=0.78460002,
                total=93.988,
                date_added="2031-01-01 09:00:00",
                date_modified=modified,
                **address,
                **methods,
            )
        )
        rows.append(
            _insert(
                "order_history",
                order_id=order_id,
                order_status_id=status,
                notify=0,
                comment="seeded",
                date_added=modified,
            )
        )
    line = {"order_id": ORDER_SHIPPED, "reward": 0}
    rows += [
        _insert(
            "order_product",
            order_product_id=990001,
            product_id=PRODUCT_SIZED,
            name="Sized shirt",
            model=SIZED_MODEL,
            quantity=2,
            price=40,
            total=80,
            tax=8,
            **line,
        ),
        _insert(
            "order_product",
            order_product_id=990002,
            product_id=DELETED_PRODUCT,
            name="Gone",
            model="GONE-1",
            quantity=1,
            price=5,
            total=5,
            tax=0,
            **line,
        ),
        _insert(
            "order_option",
            order_id=ORDER_SHIPPED,
            order_product_id=990001,
            product_option_id=PRODUCT_OPTION_ID,
            product_option_value_id=SMALL_POV_ID,
            name="Size",
            value="Small",
            type="select",
        ),
    ]
    for code, title, value, sort_order in (
        ("sub_total", "Sub-Total", 85, 1),
        ("shipping", "Flat Shipping Rate", 5, 3),
        ("total", "Total", 93.988, 9),
    ):
        rows.append(
            _insert(
                "order_total",
                order_id=ORDER_SHIPPED,
                code=code,
                title=title,
                value=value,
                sort_order=sort_order,
            )
        )
    sku = {} if version == "4.1" else {"sku": SIZED_SKU}
    rows += [
        _insert("product", product_id=PRODUCT_DUP_A, model=DUP_MODEL, quantity=1, subtract=1, status=1),
        _insert("product", product_id=PRODUCT_DUP_B, model=DUP_MODEL, quantity=2, subtract=1, status=1),
        _insert(
            "product", product_id=PRODUCT_SIZED, model=SIZED_MODEL, quantity=7, subtract=1, status=1, **sku
        ),
        _insert(
            "product", product_id=PRODUCT_MODEL_ONLY, model=MODEL_ONLY_MODEL, quantity=4, subtract=1, status=1
        ),
        _insert("product_description", product_id=PRODUCT_SIZED, language_id=1, name="Sized shirt &amp; cap"),
        _insert(
            "product_option",
            product_option_id=PRODUCT_OPTION_ID,
            product_id=PRODUCT_SIZED,
            option_id=SIZE_OPTION_ID,
            required=1,
        ),
    ]
    for pov_id, value_id, quantity in ((SMALL_POV_ID, SMALL_VALUE_ID, 3), (LARGE_POV_ID, LARGE_VALUE_ID, 4)):
        rows.append(
            _insert(
                "product_option_value",
                product_option_value_id=pov_id,
                product_option_id=PRODUCT_OPTION_ID,
                product_id=PRODUCT_SIZED,
                option_id=SIZE_OPTION_ID,
                option_value_id=value_id,
                quantity=quantity,
                subtract=1,
            )
        )
    if version == "4.1":
        rows.append(_insert("product_code", product_id=PRODUCT_SIZED, code="SKU", value=SIZED_SKU))
    if storefront:
        rows += _hoodie(version)
    db.run("\n".join(rows))


def _hoodie(version: str) -> list[str]:
    """A product the storefront sells: enabled, in store 0, with a required Size option whose values
    take stock. Product quantity 3; Small 0, Medium 0, Large 6."""
    sku = {} if version == "4.1" else {"sku": HOODIE_SKU}
    rows = [
        _insert(
            "product",
            product_id=PRODUCT_HOODIE,
            model="CSYNC-HOODIE-M",
            quantity=3,
            subtract=1,
            status=1,
            price=20,
            minimum=1,
            shipping=1,
            stock_status_id=5,
            date_available="2020-01-01",
            **sku,
        ),
        _insert("product_description", product_id=PRODUCT_HOODIE, language_id=1, name="cartsync hoodie"),
        _insert("product_to_store", product_id=PRODUCT_HOODIE, store_id=0),
        _insert(
            "product_option",
            product_option_id=HOODIE_OPTION_ID,
            product_id=PRODUCT_HOODIE,
            option_id=SIZE_OPTION_ID,
            required=1,
        ),
    ]
    for (name, pov_id), value_id in zip(HOODIE_VALUE_IDS.items(), (46, 47, 48), strict=True):
        rows.append(
            _insert(
                "product_option_value",
                product_option_value_id=pov_id,
                product_option_id=HOODIE_OPTION_ID,
                product_id=PRODUCT_HOODIE,
                option_id=SIZE_OPTION_ID,
                option_value_id=value_id,
                quantity=6 if name == "Large" else 0,
                subtract=1,
                price=0,
                price_prefix="+",
                points_prefix="+",
                weight_prefix="+",
            )
        )
    if version == "4.1":
        rows.append(_insert("product_code", product_id=PRODUCT_HOODIE, code="SKU", value=HOODIE_SKU))
    return rows
