"""``aclf-cdisc validate`` on the CDISC pilot SDTM, compared with the Pinnacle 21 report beside the files.

The Pinnacle 21 run used its SDTM-IG 3.1.2 (FDA) configuration and CDISC CT 2011-12-09; this
validator uses SDTMIG 3.4 and the CT file given (2025-03-28). For every rule both implement the
test lists where the two agree and explains every disagreement by one of those differences.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from aclf_cdisc.checks.validate_folder import validate_folder

P21_REPORT = "pinnacle21-report-2023-05-19T10-33-03-557.xlsx"
# variables Pinnacle 21 reports under SD0058 ("not in SDTM model": not in SDTMIG 3.1.2) and so does
# not size-check; SDTMIG 3.4 has them, so this validator does
NOT_IN_312 = {("AE", "AELLT"), ("AE", "AEHLT"), ("AE", "AEHLGT"), ("AE", "AESOC"), ("DM", "RFXSTDTC"),
              ("DM", "RFXENDTC"), ("DM", "RFPENDTC"), ("DM", "DTHDTC")}


@pytest.fixture(scope="module")
def pilot(shared, tmp_path_factory):
    folder = shared / "anchors" / "cdiscpilot01" / "sdtm"
    out = tmp_path_factory.mktemp("pilot-report")
    return validate_folder(folder, ct=shared / "ct" / "sdtm-terminology-2025-03-28.tar.xz", out=out)


@pytest.fixture(scope="module")
def p21(shared):
    book = openpyxl.load_workbook(shared / "anchors" / "cdiscpilot01" / "sdtm" / P21_REPORT, read_only=True)
    rows = list(book["Details"].iter_rows(min_row=2, values_only=True))
    book.close()
    return rows


def _p21_values(rows, rule, dataset=None):
    """(dataset, value) of each Pinnacle 21 Details row of a rule (SD1082: the variable; CT: the value)."""
    out = set()
    for domain, _record, _count, _variables, values, rule_id, *_ in rows:
        if rule_id != rule or (dataset and domain != dataset):
            continue
        out.add((domain, values.split(", ")[-1] if rule == "SD1082" else values))
    return out


def test_runs_to_the_end_and_catches_the_pilot_reject(pilot):
    assert len(pilot.delivery.datasets) == 14
    assert sum(len(f) for f in pilot.delivery.datasets.values()) == 9_486
    rejects = [(i.rule, i.dataset, i.severity) for i in pilot.validation.issues if i.rule == "SD2232"]
    assert rejects == [("SD2232", "TS", "error")]  # Pinnacle 21: "Missing SSTDTC Trial Summary Parameter", Reject
    assert pilot.validation.errors == 9  # SD2232, SD2280, SD1090, ACLF-DM-02 x6
    assert sorted(pilot.reports) == ["csv", "html", "json", "xlsx"]


def test_findings_against_pinnacle_21_rule_by_rule(pilot, p21):
    ours = pilot.validation.issues

    def values(rule, attr="column"):
        return {(i.dataset, getattr(i, attr)) for i in ours if i.rule == rule}

    # agreements: the same records or values, exactly
    assert values("SD2232") == {("TS", "TSPARMCD")} and _p21_values(p21, "SD2232") == {("TS", "SSTDTC")}
    assert values("SD2280") == {("TS", "TSPARMCD")} and _p21_values(p21, "SD2280") == {("TS", "SDTIGVER")}
    assert {(i.dataset, i.row) for i in ours if i.rule == "SD1090"} == {("AE", 971)}
    assert [r[1] for r in p21 if r[5] == "SD1090"] == [971.0]
    assert values("CT2002", "value") >= {("TA", "Screening"), ("TA", "Treatment"), ("TS", "Age Group")}
    assert _p21_values(p21, "CT2002", "TA") == {("TA", "Screening"), ("TA", "Treatment")}

    # SD1082: identical on every variable both models hold; the rest are SDTMIG 3.1.2 / 3.4 differences
    p21_lengths = {v for v in _p21_values(p21, "SD1082") if v[0] in pilot.delivery.datasets}
    assert p21_lengths <= values("SD1082")
    assert values("SD1082") - p21_lengths == NOT_IN_312

    # CT2002 beyond Pinnacle 21: terms that CT 2011-12-09 had and CT 2025-03-28 no longer has (or the reverse)
    assert values("CT2002", "value") - _p21_values(p21, "CT2002") == {
        ("DS", "FINAL LAB VISIT"), ("DS", "FINAL RETRIEVAL VISIT"), ("TS", "AGESPAN"), ("TS", "Trial Indication"),
        ("TS", "Trial Indication Type")}

    # SD0057/SD0063: SDTMIG 3.4 Expected variables and labels that 3.1.2 did not have; P21 ran 3.1.2
    assert values("SD0057") == {("DM", "ARMNRS"), ("DM", "ACTARMUD"), ("SV", "SVPRESP"), ("SV", "SVOCCUR"),
                                ("TS", "TSVALCD"), ("TS", "TSVCDREF"), ("TS", "TSVCDVER")}
    assert not [r for r in p21 if r[5] in ("SD0057", "SD0063")]
    assert {(i.dataset, i.column, i.expected) for i in ours if i.rule == "SD0063"} >= {
        ("EX", "EXTRT", "Name of Treatment"), ("SV", "SVSTDTC", "Start Date/Time of Observation")}

    # rules only this validator runs on the pilot (no equivalent in the P21 3.1.2 configuration)
    only_ours = Counter(i.rule for i in ours if i.rule.startswith("ACLF-"))
    # RFXENDTC is not the last EXENDTC for six subjects; INTMODEL, INTTYPE, PCLAS absent (TS parameters
    # SDTMIG 3.1.2 did not list, so the Pinnacle 21 3.1.2 configuration has no rule for them)
    assert only_ours == {"ACLF-DM-02": 6, "ACLF-TS-02": 3}


def test_exit_code_and_terminal_summary(shared, tmp_path, capsys):
    from aclf_cdisc.cli import main

    code = main(["validate", str(shared / "anchors" / "cdiscpilot01" / "sdtm"), "--out", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].startswith("Validation: 9 errors, ")
    assert "SD2232" in out and f"Reports in {tmp_path / 'r'}" in out


def test_workbook_reads_back_with_its_sheets_and_counts(pilot):
    book = openpyxl.load_workbook(pilot.reports["xlsx"], read_only=True)
    assert book.sheetnames == ["Validation Summary", "Dataset Summary", "Issue Summary", "Details", "Rules"]
    summary = {r[0]: r[1] for r in book["Validation Summary"].iter_rows(values_only=True) if r and r[0]}
    issues = pilot.validation.issues
    assert summary["Errors"] == 9 and summary["Warnings"] == sum(i.severity == "warning" for i in issues)
    assert summary["Datasets"] == 14 and summary["Standard"] == "SDTMIG v3.4"
    datasets = list(book["Dataset Summary"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in datasets if r[4] is not None] == sorted(pilot.delivery.datasets)
    assert {r[0]: r[4] for r in datasets}["AE"] == 1191 and {r[0]: r[1] for r in datasets}["TS"] == "Trial Summary"
    details = list(book["Details"].iter_rows(min_row=2, values_only=True))
    assert len(details) == len(issues)
    sd1090 = next(r for r in details if r[6] == "SD1090")
    assert sd1090[:4] == ("AE", 971, "01-716-1063", 1)  # record 971 as pyreadstat reads it
    rules = list(book["Rules"].iter_rows(min_row=2, values_only=True))
    assert len(rules) == len(pilot.validation.rules)
    status = {r[0]: r[7] for r in rules}
    assert status["SD2232"] == "fired" and status["SD0005"] == "passed"
    assert next(r for r in rules if r[0] == "SD2232")[1] == "eCTD 1734, FDAB011, CG0287, CORE-000740"
    book.close()


def test_reports_are_byte_identical_run_to_run(pilot, shared, tmp_path):
    again = validate_folder(shared / "anchors" / "cdiscpilot01" / "sdtm",
                            ct=shared / "ct" / "sdtm-terminology-2025-03-28.tar.xz", out=tmp_path)
    for kind, path in pilot.reports.items():
        assert Path(path).read_bytes() == again.reports[kind].read_bytes(), kind
