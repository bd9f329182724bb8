"""The files connector with CSV: reading rows, appending under the existing header."""

from __future__ import annotations

from pathlib import Path

from cartsync.connectors.files.connector import FilesConnector


def test_csv_rows_are_read_and_appended_under_the_first_header(tmp_path: Path):
    (tmp_path / "stock.csv").write_text("sku,qty\nTENT-002,12\nSTOVE-100,3\n")
    files = FilesConnector("flat", {"folder": str(tmp_path), "format": "csv"})
    [page] = list(files.read("stock", {}, None))
    assert page.records == [{"sku": "TENT-002", "qty": "12"}, {"sku": "STOVE-100", "qty": "3"}]
    assert page.cursor == {"line": 2}

    outcomes = files.write("out", [{"sku": "A", "qty": 1}])
    outcomes += files.write("out", [{"qty": 2, "sku": "B"}, {"sku": "C", "qty": 3, "bin": "X1"}])
    assert [o.status for o in outcomes] == ["ok", "ok", "rejected"]
    assert outcomes[2].message == "out.csv has no column bin (columns: qty, sku)"
    assert (tmp_path / "out.csv").read_text().splitlines() == ["qty,sku", "1,A", "2,B"]

    (tmp_path / "stock.csv").write_text("sku,qty\nTENT-002,12\nSTOVE-100,3\nPEG-ALU,9\n")
    [page] = list(files.read("stock", {}, page.cursor))
    assert page.records == [{"sku": "PEG-ALU", "qty": "9"}]


def test_reconcile_finds_a_record_by_its_line_in_the_file(tmp_path: Path):
    files = FilesConnector("flat", {"folder": str(tmp_path), "format": "csv"})
    assert files.reconcile("out", [{"sku": "A", "qty": 1}]) == [None], "no file yet: no trace"
    files.write("out", [{"sku": "A", "qty": 1}, {"sku": "B", "qty": None}])
    asked = [{"qty": 1, "sku": "A"}, {"sku": "B", "qty": None}, {"sku": "A", "qty": 2}]
    assert [o and o.status for o in files.reconcile("out", asked)] == ["ok", "ok", None]

    lines = FilesConnector("flat", {"folder": str(tmp_path)})
    lines.write("cards", [{"id": 1, "tags": ["a"]}])
    with (tmp_path / "cards.jsonl").open("a") as handle:
        handle.write('{"id": 2, "tags"')  # a write cut short by a crash
    assert [o and o.status for o in lines.reconcile("cards", [{"tags": ["a"], "id": 1}, {"id": 2}])] == [
        "ok", None]


def test_a_write_after_a_line_cut_short_starts_on_a_line_of_its_own(tmp_path: Path):
    lines = FilesConnector("flat", {"folder": str(tmp_path)})
    lines.write("cards", [{"id": 1}])
    with (tmp_path / "cards.jsonl").open("a") as handle:
        handle.write('{"id": 2, "ta')  # a crash cut this write short: its outcome is unknown
    [page] = list(lines.read("cards", {}, None))
    assert page.records == [{"id": 1}], "a last line cut short is not a record (yet)"
    assert lines.reconcile("cards", [{"id": 2}]) == [None], "no trace: it is sent again"
    assert [o.status for o in lines.write("cards", [{"id": 2}, {"id": 3}])] == ["ok", "ok"]
    [page] = list(lines.read("cards", {}, None))
    assert page.records == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert [o and o.status for o in lines.reconcile("cards", [{"id": 2}, {"id": 3}])] == ["ok", "ok"]

    (tmp_path / "hand.jsonl").write_text('{"id": 7}')  # complete, only its line end is missing
    lines.write("hand", [{"id": 8}])
    assert [r["id"] for r in next(lines.read("hand", {}, None)).records] == [7, 8]

    rows = FilesConnector("flat", {"folder": str(tmp_path), "format": "csv"})
    rows.write("out", [{"sku": "A", "qty": 1}])
    with (tmp_path / "out.csv").open("a") as handle:
        handle.write("2,")  # a row cut short
    rows.write("out", [{"sku": "B", "qty": 2}])
    assert (tmp_path / "out.csv").read_text().splitlines() == ["qty,sku", "1,A", "2,B"]
