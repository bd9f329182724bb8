"""ledger_total: the pending orders' lines summed per SKU once per run, giving what sum_where over
ledger_records gives, with one read of the ledger however many SKUs ask."""

from __future__ import annotations

from cartsync.engine.ledger_functions import ledger_functions
from cartsync.engine.mapping.functions.items import sum_where
from cartsync.engine.state import RowChange, StateStore

SKUS = [f"SKU-{n:03d}" for n in range(300)]


def order(n: int) -> dict:
    return {"order_id": n, "lines": [{"sku": SKUS[(n * 7 + j) % 200], "qty": j + 1} for j in range(3)]
            + [{"sku": SKUS[n % 200], "qty": "2.5"}, {"sku": None, "qty": 9}, "not a line"]}


def test_the_pending_lines_are_summed_once_per_run_and_agree_with_sum_where(tmp_path):
    store = StateStore.open(tmp_path / "state.db")
    with store.transaction() as tx:
        tx.changes([RowChange("order", str(n), "order_download", "seen", status=status, record=order(n))
                    for n, status in zip(range(120), ["new", "error", "at_wms"] * 40, strict=True)])
    reads: list[str] = []
    store.db.set_trace_callback(lambda sql: reads.append(sql) if "SELECT record FROM ledger" in sql else None)
    functions = ledger_functions(store)
    total = functions["ledger_total"]
    totals = [total("order", ["new", "error"], "lines", "qty", "sku", sku) for sku in SKUS]
    pending_lines = [line for record in functions["ledger_records"]("order", ["new", "error"])
                     for line in record["lines"]]
    assert totals == [sum_where(pending_lines, "qty", "sku", sku) for sku in SKUS]
    assert any(total for total in totals) and totals[-1] == 0, "SKUs no pending order holds get 0"
    assert len(reads) == 1, "the ledger is read once, not once per SKU"
