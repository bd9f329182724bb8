"""Mapping one typical order (11 mapped fields, 3 lines): compiled and interpreted against hand-written.

Run: .venv/bin/python -m bench.bench_mapping
Every way maps the same order in each round, in a rotating order, for several rounds; the table
shows microseconds per record (min and median over the rounds) and each as a multiple of
hand-written dict building measured in the same rounds. Goal (P1b): compiled ≤ 3× hand-written.
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable
from typing import Any

from cartsync.engine.mapping import MappingContext

ORDER: dict[str, Any] = {
    "order_id": 10045,
    "shipping_firstname": "Ada",
    "shipping_lastname": "Lovelace",
    "shipping_address_1": "1 Main St",
    "shipping_city": "Golden",
    "shipping_zone_code": "CO",
    "shipping_postcode": "80401",
    "shipping_iso_code_2": "US",
    "shipping_code": "flat.flat",
    "products": [
        {"sku": "FER-1", "model": "M-1", "quantity": 2},
        {"sku": "", "model": "M-2", "quantity": 1},
        {"sku": "FER-3", "model": "M-3", "quantity": 4},
    ],
}
LOOKUPS = {"ship_methods": {"flat.flat": {"carrier": "UPS", "mode": "92"}}}
SETTINGS = {"customer_id": 1077, "facility_id": 2}

MAP: dict[str, Any] = {
    "referenceNum": "concat('OC-', order_id)",
    "customerIdentifier": {"id": "setting('customer_id')"},
    "facilityIdentifier": {"id": "setting('facility_id')"},
    "shipTo": {
        "name": "join(' ', [shipping_firstname, shipping_lastname])",
        "address1": "shipping_address_1",
        "city": "shipping_city",
        "state": "shipping_zone_code",
        "zip": "shipping_postcode",
        "country": "shipping_iso_code_2",
    },
    "routingInfo": {"carrier": "lookup('ship_methods', shipping_code).carrier"},
    "orderItems": "products[].{itemIdentifier: {sku: sku || model}, qty: quantity}",
}
GOAL = 3.0
ROUNDS = 15
CALLS_PER_ROUND = 2000


def hand_written(order: dict[str, Any]) -> dict[str, Any]:
    """The floor: the same output built directly in Python."""
    return {
        "referenceNum": f"OC-{order['order_id']}",
        "customerIdentifier": {"id": SETTINGS["customer_id"]},
        "facilityIdentifier": {"id": SETTINGS["facility_id"]},
        "shipTo": {
            "name": f"{order['shipping_firstname']} {order['shipping_lastname']}",
            "address1": order.get("shipping_address_1"),
            "city": order.get("shipping_city"),
            "state": order.get("shipping_zone_code"),
            "zip": order.get("shipping_postcode"),
            "country": order.get("shipping_iso_code_2"),
        },
        "routingInfo": {"carrier": LOOKUPS["ship_methods"][order["shipping_code"]]["carrier"]},
        "orderItems": [
            {"itemIdentifier": {"sku": line["sku"] or line["model"]}, "qty": line["quantity"]}
            for line in order["products"]
        ],
    }


def mapper(evaluator: str) -> Callable[[dict[str, Any]], Any]:
    return MappingContext(lookups=LOOKUPS, settings=SETTINGS, evaluator=evaluator).compile_map(MAP).apply


def interleaved_rounds(ways: dict[str, Callable[[Any], Any]]) -> dict[str, list[float]]:
    """Microseconds per call of each way, one figure per round; each round runs every way once."""
    timers = {
        name: timeit.Timer("way(order)", globals={"way": way, "order": ORDER}) for name, way in ways.items()
    }
    figures: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for round_number in range(ROUNDS):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(timers[name].timeit(CALLS_PER_ROUND) / CALLS_PER_ROUND * 1e6)
    return figures


def main() -> None:
    ways = {
        "hand-written dict building": hand_written,
        "compiled mapping": mapper("compiled"),
        "interpreted mapping (jmespath)": mapper("interpreted"),
    }
    expected = hand_written(ORDER)
    for name, way in ways.items():
        assert way(ORDER) == expected, f"{name} maps the order differently"

    figures = interleaved_rounds(ways)
    floor = figures["hand-written dict building"]
    print(f"{ROUNDS} interleaved rounds of {CALLS_PER_ROUND} records each; x floor: min over min,")
    print("and the median of each round's ratio to hand-written in that round")
    print(f"{'way':<32} {'min µs':>7} {'median µs':>10} {'x floor (min)':>14} {'x floor (median)':>17}")
    ratios = {}
    for name, values in figures.items():
        ratios[name] = statistics.median(value / base for value, base in zip(values, floor, strict=True))
        low, middle = min(values), statistics.median(values)
        print(f"{name:<32} {low:>7.1f} {middle:>10.1f} {low / min(floor):>14.2f} {ratios[name]:>17.2f}")
    verdict = "met" if ratios["compiled mapping"] <= GOAL else "NOT met"
    print(f"goal: compiled mapping ≤ {GOAL:g}× hand-written: {ratios['compiled mapping']:.2f}×, {verdict}")


if __name__ == "__main__":
    main()
