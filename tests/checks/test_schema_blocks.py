"""Schema checks of a dataset as held give the findings of the rebuilt dataset, in the same order.

A large dataset is schema-checked as the store holds it (aclf_cdisc.checks.run.schema_issues,
aclf_cdisc.spec.schemas.validate_held): a column's checks on its distinct values, spread to the
records by their codes, and the frame-level checks a block of records at a time. The sample's LB
is checked whole and as held, with blocks of several sizes, from the built frames and from a
compacted store, with warnings, non-ASCII text, strict failures and duplicate keys planted in
different blocks; a property test does the same on small generated datasets, plain and compacted.
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
from aclf_cdisc.spec.schemas import dataset_schema_from, validate_frame, validate_held

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
WHOLE = 10**12  # held_cells no dataset reaches: validated rebuilt, as one frame
HELD = 0  # every dataset checked as held


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


@pytest.mark.parametrize("block_records", [997, 4096, 15579])
def test_warnings_and_characters_found_as_held_are_those_found_whole(lb, spec, block_records):
    datasets = {"LB": _planted(lb, WARNINGS)}
    whole = schema_issues(datasets, spec, "LB", held_cells=WHOLE)
    assert {(i.rule, i.severity) for i in whole} >= {("xpt.char-non-ascii", "error")}
    assert sum(i.severity == "warning" for i in whole) >= 4
    assert _rows(schema_issues(datasets, spec, "LB", held_cells=HELD, block_records=block_records)) == _rows(whole)


@pytest.mark.parametrize("block_records", [1000, 10**9])
def test_a_compacted_store_checked_on_its_codes_gives_the_same(lb, spec, monkeypatch, block_records):
    datasets = {"LB": _planted(lb, WARNINGS)}
    monkeypatch.setattr("aclf_cdisc.compact.SMALL_CELLS", 0)
    store = CompactDatasets({"LB": compact_frame(datasets["LB"])})

    def rebuilt(self, name):
        raise AssertionError(f"{name} rebuilt whole")

    expected = _rows(schema_issues(datasets, spec, "LB", held_cells=WHOLE))
    monkeypatch.setattr(CompactDatasets, "__getitem__", rebuilt)  # the codes are read, never the rebuilt LB
    assert _rows(schema_issues(store, spec, "LB", held_cells=HELD, block_records=block_records)) == expected


@pytest.mark.parametrize("edits", [
    [(14000, "LBTESTCD", None)],  # a strict failure (a Required key null) in the last block
    [(15579, "LBDTC", None), (15579, "LBTESTCD", None), (100, "LBCAT", "OTHER PANEL")],
])
def test_a_strict_failure_in_any_block_is_reported_as_the_whole_dataset_reports_it(lb, spec, edits):
    datasets = {"LB": _planted(lb, edits)}
    whole = schema_issues(datasets, spec, "LB", held_cells=WHOLE)
    assert any(i.severity == "error" for i in whole)
    assert _rows(schema_issues(datasets, spec, "LB", held_cells=HELD, block_records=997)) == _rows(whole)


def test_duplicate_keys_in_different_blocks_are_found(lb, spec):
    frame = lb.copy()
    keys = list(spec.datasets["LB"].keys)
    frame.loc[15000, keys] = frame.loc[10, keys].to_numpy()
    datasets = {"LB": frame}
    whole = schema_issues(datasets, spec, "LB", held_cells=WHOLE)
    assert "schema.unique_keys" in {i.rule for i in whole}
    assert _rows(schema_issues(datasets, spec, "LB", held_cells=HELD, block_records=997)) == _rows(whole)


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


@settings(max_examples=80, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=30), st.integers(min_value=1, max_value=31), st.booleans())
def test_any_dataset_as_held_gives_the_whole_frame_findings(records, step, coded):
    frame = pd.DataFrame({"XXSEQ": [float(n) for n in range(1, len(records) + 1)],
                          "XXU": [r[0] for r in records], "XXK": [r[1] for r in records],
                          "XXT": [r[2] for r in records]}).astype({"XXU": object, "XXK": object, "XXT": object})
    schema = dataset_schema_from(SMALL, SMALL_SPEC)
    found = validate_held(compact_frame(frame) if coded else frame, schema, dataset="XX", block_records=step)
    whole = validate_frame(frame, schema, dataset="XX")
    if found is None:  # None: a strict check failed, and the caller validates the rebuilt dataset
        assert any(i.severity == "error" for i in whole)
    else:
        assert _rows(found) == _rows(whole)
        assert all(isinstance(i.row, int) and 1 <= i.row <= len(frame) for i in found)


def test_a_dataset_that_passes_is_checked_as_held_not_whole(lb, spec, monkeypatch):
    """The held path is the one taken (no fallback to the whole frame) when only warnings are found."""
    import aclf_cdisc.checks.run as run

    def whole(*args, **kwargs):
        raise AssertionError("validated whole")

    monkeypatch.setattr(run, "validate_frame", whole)
    found = schema_issues({"LB": _planted(lb, WARNINGS)}, spec, "LB", held_cells=HELD, block_records=997)
    assert [(i.column, i.row) for i in found if i.severity == "warning"][:2] == [
        ("LBCAT", f"USUBJID={lb.at[100, 'USUBJID']}, LBSEQ={int(lb.at[100, 'LBSEQ'])}"),
        ("LBCAT", f"USUBJID={lb.at[9000, 'USUBJID']}, LBSEQ={int(lb.at[9000, 'LBSEQ'])}")]
    assert [(i.column, i.row) for i in found if i.rule == "xpt.char-non-ascii"] == [
        ("LBCAT", 14001), ("LBREASND", 21), ("LBREASND", 7001), ("LBREASND", 15001)]
