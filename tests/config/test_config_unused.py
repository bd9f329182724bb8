"""Names a pipeline declares but no expression uses: a misspelt table, setting or derived field."""

from __future__ import annotations

BASE = """
version: 1
name: p
source: {connection: inbox, stream: orders}
destination: {connection: outbox, stream: orders}
key: id
derive: {lines: "items[].sku"}
settings: {prefix: OC-}
lookups: {carriers: {UPS: United}}
map:
  ref: "concat(setting('prefix'), id)"
  skus: lines
  carrier: "lookup('carriers', carrier)"
"""


def test_names_the_file_declares_and_nothing_reads_are_reported(write_file, pipeline_issues):
    path = write_file("p.yaml", BASE.replace("lookups: {carriers", "lookups: {carrier: {}, carriers"))
    path.write_text(
        path.read_text().replace("{lines:", "{lnes: x, lines:").replace("{prefix:", "{prefx: 1, prefix:")
    )
    assert [(i.position.line, i.json_path, i.message, i.hint) for i in pipeline_issues(path)] == [
        (6, "$.derive.lnes", "derived field `lnes` is not read by any expression", "did you mean `lines`?"),
        (7, "$.settings.prefx", "setting `prefx` is not used by any expression", "did you mean `prefix`?"),
        (
            8,
            "$.lookups.carrier",
            "lookup table `carrier` is not used by any expression",
            "did you mean `carriers`?",
        ),
    ]


def test_an_overlay_may_stop_using_what_its_base_declares(write_file, pipeline_issues):
    write_file("base.yaml", BASE)
    overlay = write_file(
        "overlay.yaml", 'extends: base.yaml\nmap: {ref: id, skus: "`[]`", carrier: "\'UPS\'"}\n'
    )
    assert pipeline_issues(overlay) == []


def test_a_computed_table_or_setting_name_may_read_any_of_them(write_file, pipeline_issues):
    text = BASE.replace("lookup('carriers', carrier)", "lookup(table_name, carrier)")
    text = text.replace("concat(setting('prefix'), id)", "concat(setting(prefix_name), id)")
    assert (
        pipeline_issues(write_file("p.yaml", text.replace("{UPS: United}", "{UPS: United}, spare: {}"))) == []
    )
