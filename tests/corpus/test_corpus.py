"""A corpus of malformed inputs: each is refused with exit 2, at its file:line:col, without a
traceback, and without a file being written. `validate` and a run refuse each the same way."""

from __future__ import annotations

import pytest
from corpus_cases import all_cases
from corpus_harness import Case, Tree

CASES = all_cases()

# Every example of the issue that asked for this corpus, by case id.
ISSUE_EXAMPLES = {
    "issue-alias-names-a-table-that-does-not-exist",
    "issue-buffer-two",
    "issue-earliest-last-tuesday-ish",
    "issue-store-url-without-host",
    "issue-base-url-port-out-of-range",
    "reference-0",  # ${A:-${B}}
    "reference-1",  # $A}
    "issue-bufer-misspelt",
    "issue-lookup-key-misspelt-leaves-the-real-table-unused",
    "issue-derive-name-misspelt",
    "issue-item-filter-mode-sometimes",
    "issue-empty-overlay-inside-a-folder",
    "issue-a-folder-named-connections-yaml",
    "issue-nesting-600-deep",
    "issue-alias-bomb-under-settings",
    "issue-alias-bomb-in-connections",
    "issue-5mb-of-unknown-keys",
    "issue-state-is-a-folder",
    "issue-state-is-readme",
    "issue-state-is-dev-null",
    "issue-runs-limit-huge",
    "issue-runs-state-in-a-missing-folder",
    "issue-tab-in-connections-does-not-blame-the-shipped-mappings",
    "issue-bad-bytes-in-connections-do-not-blame-the-shipped-mappings",
    "tab-0-connections",  # the hint speaks of tabs
    "issue-extends-cycle-is-reported-alone",
    "issue-limit-minus-one",
    "issue-orders-since-notadate",
    "issue-orders-status-bogus",
    "issue-orders-entity-nosuch",
    "issue-state-reset-nosuch",
    "issue-run-pipeline-nope",
}


def test_the_corpus_is_large_and_holds_every_example_of_the_issue():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 150
    assert set(ids) >= ISSUE_EXAMPLES


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_malformed_input_is_refused_in_place(tree: Tree, case: Case):
    tree.check(case)
