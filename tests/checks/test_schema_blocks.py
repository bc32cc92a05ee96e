"""Schema checks in blocks of records give the findings of the whole dataset, in the same order.

A large dataset is schema-checked a block of records at a time (aclf_cdisc.checks.run.schema_issues,
aclf_cdisc.spec.schemas.validate_blocks), so the check holds one block, not the dataset. The
sample's LB is checked whole and in blocks of several sizes, from the built frames and from a
compacted store, with warnings, non-ASCII text, strict failures and duplicate keys planted in
different blocks; a property test does the same on small generated datasets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_helpers import codelist, dataset, var
from rule_helpers import spec as make_spec

from aclf_cdisc.checks.run import schema_issues
from aclf_cdisc.compact import CompactDatasets, compact_frame
from aclf_cdisc.package.blocks import Schedule
from aclf_cdisc.package.build import BuildOptions, build_datasets, read_raw
from aclf_cdisc.spec.loader import load_spec
from aclf_cdisc.spec.schemas import dataset_schema_from, validate_blocks, validate_frame

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
WHOLE = 10**12  # block_cells no dataset reaches


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


@pytest.fixture(scope="module")
def lb(spec):
    built = build_datasets(read_raw(BuildOptions(spec_root=REPO_SPECS), spec), spec, blinded=False, issues=[],
                           schedule=Schedule(block_subjects=10**9, workers=1))
    return built["LB"]


def _rows(issues) -> list[tuple]:
    return [(i.rule, i.severity, i.row, i.column, repr(i.value), i.expected, i.message) for i in issues]


def _planted(lb: pd.DataFrame, edits: list[tuple[int, str, object]]) -> pd.DataFrame:
    frame = lb.copy()
    for row, column, value in edits:
        frame.iloc[row, frame.columns.get_loc(column)] = value
    return frame


# warnings of two checks, interleaved across blocks, and non-ASCII text in two variables
WARNINGS = [(9000, "LBCAT", "OTHER PANEL"), (100, "LBCAT", "OTHER PANEL"), (12000, "LBNRIND", "ODD"),
            (50, "LBNRIND", "ODD"), (15000, "LBREASND", "pr\u00e9l\u00e8vement"), (20, "LBREASND", "\u00e9"),
            (7000, "LBREASND", "na\u00efve"), (14000, "LBCAT", "CHIMIE SP\u00c9CIALE")]


@pytest.mark.parametrize("block_cells", [25 * 997, 25 * 4096, 25 * 15579])
def test_warnings_and_characters_found_in_blocks_are_those_found_whole(lb, spec, block_cells):
    datasets = {"LB": _planted(lb, WARNINGS)}
    whole = schema_issues(datasets, spec, "LB", block_cells=WHOLE)
    assert {(i.rule, i.severity) for i in whole} >= {("xpt.char-non-ascii", "error")}
    assert sum(i.severity == "warning" for i in whole) >= 4
    assert _rows(schema_issues(datasets, spec, "LB", block_cells=block_cells)) == _rows(whole)


def test_a_compacted_store_in_blocks_gives_the_same(lb, spec, monkeypatch):
    datasets = {"LB": _planted(lb, WARNINGS)}
    monkeypatch.setattr("aclf_cdisc.compact.SMALL_CELLS", 0)
    store = CompactDatasets({"LB": compact_frame(datasets["LB"])})
    assert _rows(schema_issues(store, spec, "LB", block_cells=25 * 1000)) == \
        _rows(schema_issues(datasets, spec, "LB", block_cells=WHOLE))


@pytest.mark.parametrize("edits", [
    [(14000, "LBTESTCD", None)],  # a strict failure (a Required key null) in the last block
    [(15579, "LBDTC", None), (15579, "LBTESTCD", None), (100, "LBCAT", "OTHER PANEL")],
])
def test_a_strict_failure_in_any_block_is_reported_as_the_whole_dataset_reports_it(lb, spec, edits):
    datasets = {"LB": _planted(lb, edits)}
    whole = schema_issues(datasets, spec, "LB", block_cells=WHOLE)
    assert any(i.severity == "error" for i in whole)
    assert _rows(schema_issues(datasets, spec, "LB", block_cells=25 * 997)) == _rows(whole)


def test_duplicate_keys_in_different_blocks_are_found(lb, spec):
    frame = lb.copy()
    keys = list(spec.datasets["LB"].keys)
    frame.loc[15000, keys] = frame.loc[10, keys].to_numpy()
    datasets = {"LB": frame}
    whole = schema_issues(datasets, spec, "LB", block_cells=WHOLE)
    assert "schema.unique_keys" in {i.rule for i in whole}
    assert _rows(schema_issues(datasets, spec, "LB", block_cells=25 * 997)) == _rows(whole)


# --------------------------------------------------------------------------------------------
# generated datasets, no USUBJID: records are labelled by their number in the whole dataset
# --------------------------------------------------------------------------------------------

UNITS = codelist("CL.UNIT", "mg/dL", "g/L", extensible=True)
KINDS = codelist("CL.KIND", "A", "B")
SMALL = dataset("XX", var("XXSEQ", "integer", core="Req"), var("XXU", codelist="CL.UNIT"),
                var("XXK", codelist="CL.KIND"), var("XXT"))
SMALL_SPEC = make_spec(SMALL, codelists=(UNITS, KINDS))

RECORD = st.tuples(st.sampled_from(["mg/dL", "g/L", "ug", None]), st.sampled_from(["A", "B", None, "C"]),
                   st.sampled_from(["text", "t\u00e9xt", None]))


@settings(max_examples=60, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=30), st.integers(min_value=1, max_value=31))
def test_any_block_size_gives_the_whole_frame_findings(records, step):
    frame = pd.DataFrame({"XXSEQ": [float(n) for n in range(1, len(records) + 1)],
                          "XXU": [r[0] for r in records], "XXK": [r[1] for r in records],
                          "XXT": [r[2] for r in records]}).astype({"XXU": object, "XXK": object, "XXT": object})
    schema = dataset_schema_from(SMALL, SMALL_SPEC)
    blocks = (frame.iloc[start:start + step] for start in range(0, len(frame), step))
    found = validate_blocks(blocks, frame[[]], schema, dataset="XX")
    if found is not None:  # None: a strict check failed in a block, and the caller validates whole
        assert _rows(found) == _rows(validate_frame(frame, schema, dataset="XX"))
        assert all(isinstance(i.row, int) and 1 <= i.row <= len(frame) for i in found)


def test_a_dataset_that_passes_is_checked_in_blocks_not_whole(lb, spec, monkeypatch):
    """The block path is the one taken (no fallback to the whole frame) when only warnings are found."""
    import aclf_cdisc.checks.run as run

    def whole(*args, **kwargs):
        raise AssertionError("validated whole")

    monkeypatch.setattr(run, "validate_frame", whole)
    found = schema_issues({"LB": _planted(lb, WARNINGS)}, spec, "LB", block_cells=25 * 997)
    assert [(i.column, i.row) for i in found if i.severity == "warning"][:2] == [
        ("LBCAT", f"USUBJID={lb.at[100, 'USUBJID']}, LBSEQ={int(lb.at[100, 'LBSEQ'])}"),
        ("LBCAT", f"USUBJID={lb.at[9000, 'USUBJID']}, LBSEQ={int(lb.at[9000, 'LBSEQ'])}")]
    assert [(i.column, i.row) for i in found if i.rule == "xpt.char-non-ascii"] == [
        ("LBCAT", 14001), ("LBREASND", 21), ("LBREASND", 7001), ("LBREASND", 15001)]
