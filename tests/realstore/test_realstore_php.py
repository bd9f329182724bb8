"""The PHP stores run the extension's packaged PHP as it is: a fault in one of its files reaches
the contract tests' replies (the other tests of this folder then fail) instead of passing unseen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from realstore_client import ContractClient
from realstore_php import EXTENSION, PhpHarness

LIBRARY = Path("src") / "cartsync"


def broken_copy(tmp_path: Path, file: Path, old: str, new: str) -> Path:
    """A copy of the extension's sources with one line changed."""
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy)
    text = (copy / file).read_text()
    assert old in text, f"{old!r} is no longer in {file}"
    (copy / file).write_text(text.replace(old, new, 1))
    return copy


@pytest.mark.parametrize(("version", "variant"), [("2.1", "api"), ("4.1", "signed")])
def test_a_php_warning_in_the_extension_breaks_the_reply(
    php_harness: PhpHarness, tmp_path: Path, version: str, variant: str
) -> None:
    call = "$apiId = call_user_func($authenticate, $body);"
    sources = broken_copy(tmp_path, LIBRARY / "endpoint.php", call, call + " $apiId += $undefined;")
    reply = ContractClient(php_harness.start_store(version, variant, sources)).call("version")
    assert "Undefined variable $undefined" in reply.text
    with pytest.raises(ValueError):
        reply.json()


def test_a_wrong_column_answers_the_internal_error(php_harness: PhpHarness, tmp_path: Path) -> None:
    sources = broken_copy(tmp_path, LIBRARY / "catalog.php", "p.`status`, pd.`name`", "p.`state`, pd.`name`")
    reply = ContractClient(php_harness.start_store("3.0", "extension3", sources)).call("products")
    assert reply.status_code == 500
    assert reply.json()["error"]["code"] == "internal"
