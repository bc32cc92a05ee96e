"""Spec workbook export/import: the P21 layout read back with openpyxl, lossless round trip, findings."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from aclf_cdisc.cli import main
from aclf_cdisc.spec.workbook import export_workbook, import_workbook

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
P21_SHEETS = ["Study", "Datasets", "Variables", "ValueLevel", "WhereClauses", "Codelists", "Dictionaries",
              "Methods", "Comments", "Documents", "Analysis Displays", "Analysis Results"]


def _yaml_files(root: Path) -> dict[str, object]:
    return {p.relative_to(root).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*.yaml"))}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("wb") / "specs.xlsx"
    assert main(["spec", "export", "--xlsx", str(target), "--specs", str(REPO_SPECS)]) == 0
    return target


@pytest.fixture(scope="module")
def imported(exported, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("imp") / "specs"
    assert main(["spec", "import", "--xlsx", str(exported), "--to", str(target)]) == 0
    return target


def test_sheets_follow_the_p21_layout_and_hold_every_record(exported):
    specs = _yaml_files(REPO_SPECS)
    datasets = {k: v for k, v in specs.items() if k.startswith(("sdtm/", "adam/"))}
    codelists = specs["codelists.yaml"]["codelists"]
    wb = load_workbook(exported)
    assert wb.sheetnames[:12] == P21_SHEETS
    # every spec file has sheets of its own: no Files sheet
    assert wb.sheetnames[12:] == ["Arms", "Elements", "TrialArms", "Visits", "TrialSummary",
                                  "InclusionExclusion", "RawForms", "RawColumns", "SpecSource"]
    assert wb["SpecSource"].sheet_state == "hidden" and wb["Study"].sheet_state == "visible"

    def data_rows(name: str) -> int:
        return wb[name].max_row - 1

    assert data_rows("Datasets") == len(datasets) == len(list(REPO_SPECS.glob("*/*.yaml"))) - len(
        list(REPO_SPECS.glob("raw/*.yaml")))
    assert data_rows("Variables") == sum(len(d["variables"]) for d in datasets.values())
    assert data_rows("ValueLevel") == sum(len(d.get("value_level") or []) for d in datasets.values())
    with_terms = [c for c in codelists if "terms" in c]
    assert data_rows("Codelists") == sum(len(c["terms"]) for c in with_terms)
    assert data_rows("Dictionaries") == len(codelists) - len(with_terms)
    assert data_rows("Methods") == len(specs["methods.yaml"]["methods"])
    assert data_rows("Comments") == len(specs["comments.yaml"]["comments"])
    assert data_rows("Documents") == len(specs["documents.yaml"]["documents"])
    assert data_rows("Visits") == len(specs["study.yaml"]["visits"])
    assert data_rows("RawForms") == len([k for k in specs if k.startswith("raw/")])

    header = [c.value for c in wb["Variables"][1]]
    assert header[:17] == ["Order", "Dataset", "Variable", "Label", "Data Type", "Length", "Significant Digits",
                           "Format", "Mandatory", "Codelist", "Origin", "Source", "Pages", "Method",
                           "Predecessor", "Role", "Comment"]
    assert header[-1] == "Extra (JSON)"
    assert [c.value for c in wb["Datasets"][1]][:9] == [
        "Dataset", "Description", "Class", "Structure", "Purpose", "Key Variables", "Repeating",
        "Reference Data", "Comment"]
    assert [c.value for c in wb["Codelists"][1]][:10] == [
        "ID", "Name", "NCI Codelist Code", "Data Type", "Terminology", "Comment", "Order", "Term",
        "NCI Term Code", "Decoded Value"]
    # the first DM variable as P21 shows it
    dm = next(r for r in wb["Variables"].iter_rows(min_row=2, values_only=True) if r[1] == "DM")
    assert dm[:6] == (1, "DM", "STUDYID", "Study Identifier", "text", "auto")
    ds = next(r for r in wb["Datasets"].iter_rows(min_row=2, values_only=True) if r[0] == "LB")
    assert ds[5] == "STUDYID, USUBJID, LBTESTCD, VISITNUM, LBDTC" and ds[6] == "Yes"
    for ws in wb.worksheets[:-1]:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
    assert wb.properties.created == wb.properties.modified == dt.datetime(2025, 3, 28)


def test_analysis_displays_and_results_in_the_p21_layout(exported):
    analysis = _yaml_files(REPO_SPECS)["analysis.yaml"]
    wb = load_workbook(exported)
    displays = [r for r in wb["Analysis Displays"].iter_rows(values_only=True)]
    assert displays[0][:4] == ("ID", "Title", "Document", "Pages")
    assert [r[0] for r in displays[1:]] == [d["oid"] for d in analysis["displays"]] == ["RD.TFS.KM", "RD.TEAE.INC"]
    assert displays[1][:3] == ("RD.TFS.KM", analysis["displays"][0]["description"], "LF.ADRG")
    results = [r for r in wb["Analysis Results"].iter_rows(values_only=True)]
    assert results[0][:13] == ("Display", "ID", "Description", "Variable(s)", "Reason", "Purpose", "Join Comment",
                               "Where Clause", "Documentation", "Pages", "Programming Context",
                               "Programming Code", "Programming Document")
    teae = {h: v for h, v in zip(results[0], results[2], strict=True)}
    assert (teae["Display"], teae["ID"], teae["Reason"], teae["Purpose"], teae["Join Comment"]) == (
        "RD.TEAE.INC", "AR.TEAE.INC", "SPECIFIED IN PROTOCOL", "PRIMARY OUTCOME MEASURE", "COM.AR.TEAE.INC")
    assert teae["Variable(s)"] == "ADAE.AEBODSYS, ADAE.AEDECOD, ADAE.TRT01A, ADSL.TRT01A"
    assert teae["Where Clause"] == "WC.AR.TEAE.INC.ADAE, WC.AR.TEAE.INC.ADSL"
    assert teae["Programming Code"] == "aclf_cdisc.analysis.teae.teae_incidence(adae, adsl, safety)"
    assert teae["Extra (JSON)"] is None  # every key in a column of its own
    tfs = {h: v for h, v in zip(results[0], results[1], strict=True)}
    assert (tfs["Parameter Dataset"], tfs["Parameter Variable"], tfs["Variable(s)"]) == ("ADTTE", "PARAMCD",
                                                                                          "ADTTE.AVAL, ADTTE.CNSR")
    # the selections are WhereClauses rows, one condition a row, as P21 lists them
    wheres = [r[:5] for r in wb["WhereClauses"].iter_rows(min_row=2, values_only=True)
              if str(r[0]).startswith("WC.AR.")]
    assert wheres == [("WC.AR.TFS.KM.LOGRANK.COX.ADTTE", "ADTTE", "PARAMCD", "EQ", "TFS"),
                      ("WC.AR.TFS.KM.LOGRANK.COX.ADTTE", "ADTTE", "ITTFL", "EQ", "Y"),
                      ("WC.AR.TEAE.INC.ADAE", "ADAE", "TRTEMFL", "EQ", "Y"),
                      ("WC.AR.TEAE.INC.ADAE", "ADAE", "SAFFL", "EQ", "Y"),
                      ("WC.AR.TEAE.INC.ADSL", "ADSL", "SAFFL", "EQ", "Y")]
    # the other analysis keys are Study attributes
    study = {r[0]: r for r in wb["Study"].iter_rows(min_row=2, values_only=True)}
    assert {k for k in study if k.startswith("analysis.yaml#")} == {
        "analysis.yaml#settings", "analysis.yaml#survival", "analysis.yaml#safety", "analysis.yaml#baseline"}


def test_analysis_sheets_alone_give_analysis_yaml_back(exported, tmp_path):
    # Without the hidden SpecSource texts, the data come from the sheets alone.
    files, issues = import_workbook(_broken(exported, tmp_path, lambda wb: wb.remove(wb["SpecSource"])))
    assert [i for i in issues if i.severity == "error"] == []
    assert files["analysis.yaml"] == _yaml_files(REPO_SPECS)["analysis.yaml"]


def test_edited_analysis_result_is_written_fresh(exported, tmp_path):
    def edit(wb):
        ws = wb["Analysis Results"]
        ws["D3"] = "ADAE.AEBODSYS, ADAE.AEDECOD, ADSL.TRT01A"   # Variable(s): ADAE.TRT01A dropped
        ws["E3"] = "SPECIFIED IN SAP"                            # Reason
    files, issues = import_workbook(_broken(exported, tmp_path, edit))
    assert [i for i in issues if i.severity == "error"] == []
    result = files["analysis.yaml"]["displays"][1]["results"][0]
    assert result["reason"] == "SPECIFIED IN SAP"
    assert [(d["dataset"], d["variables"]) for d in result["datasets"]] == [
        ("ADAE", ["AEBODSYS", "AEDECOD"]), ("ADSL", ["TRT01A"])]
    assert result["datasets"][0]["where"] == [["TRTEMFL", "EQ", ["Y"]], ["SAFFL", "EQ", ["Y"]]]


def test_bad_analysis_cells_are_named_by_sheet_row_and_column(exported, tmp_path):
    def edit(wb):
        ws = wb["Analysis Results"]
        ws["A2"] = "RD.NOPE"                                      # Display not on Analysis Displays
        ws["H3"] = "WC.AR.TEAE.INC.ADAE, WC.MISSING"              # Where Clause unknown
        ws["D3"] = "ADAE.AEBODSYS, ADLB.AVAL, TRT01A"             # not DATASET.VARIABLE of a selected dataset
        ws["E3"] = "BECAUSE"                                      # Reason outside the ARM terms
    _, issues = import_workbook(_broken(exported, tmp_path, edit))
    found = {(i.rule, i.file, i.row, i.column, i.value) for i in issues if i.severity == "error"}
    assert ("workbook.display-unknown", "broken.xlsx#Analysis Results", 2, "A (Display)", "RD.NOPE") in found
    assert ("workbook.where-unknown", "broken.xlsx#Analysis Results", 3, "H (Where Clause)", "WC.MISSING") in found
    assert ("workbook.cell-invalid", "broken.xlsx#Analysis Results", 3, "D (Variable(s))", "ADLB.AVAL") in found
    assert ("workbook.cell-invalid", "broken.xlsx#Analysis Results", 3, "D (Variable(s))", "TRT01A") in found
    reason = next(i for i in issues if i.column == "E (Reason)")
    assert (reason.rule, reason.file, reason.row, reason.value) == ("spec.schema.enum", "broken.xlsx#Analysis Results",
                                                                    3, "BECAUSE")


def test_export_is_byte_reproducible(exported, tmp_path):
    again = tmp_path / "again.xlsx"
    export_workbook(REPO_SPECS, again)
    assert again.read_bytes() == exported.read_bytes()
    with zipfile.ZipFile(io.BytesIO(exported.read_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 3, 28, 0, 0, 0)}


def test_import_gives_every_spec_file_back(imported):
    original = _yaml_files(REPO_SPECS)
    assert _yaml_files(imported) == original
    assert sorted(original) == sorted(p.relative_to(REPO_SPECS).as_posix() for p in REPO_SPECS.rglob("*.yaml"))
    assert main(["spec", "check", "--specs", str(imported)]) == 0


def test_build_from_imported_specs_is_byte_identical(imported, tmp_path, shared):
    outputs = {}
    for name, specs in (("original", REPO_SPECS), ("imported", imported)):
        out = tmp_path / name
        assert main(["build", "--specs", str(specs), "--out", str(out)]) == 0
        outputs[name] = {p.relative_to(out).as_posix(): p.read_bytes()
                         for p in sorted(out.rglob("*")) if p.is_file()}
    assert sorted(outputs["imported"]) == sorted(outputs["original"])
    assert len(outputs["original"]) >= 26
    for rel, data in outputs["original"].items():
        assert outputs["imported"][rel] == data, rel


def test_unchanged_files_keep_their_text_and_edited_ones_are_rewritten(exported, tmp_path):
    def edit(wb):
        ws = wb["Variables"]
        ws.cell(_row_of(ws, "DM", "AGE"), 4).value = "Age at Consent"
    target = tmp_path / "specs"
    assert main(["spec", "import", "--xlsx", str(_broken(exported, tmp_path, edit)), "--to", str(target)]) == 0
    dm = yaml.safe_load((target / "sdtm" / "dm.yaml").read_text(encoding="utf-8"))
    assert next(v for v in dm["variables"] if v["name"] == "AGE")["label"] == "Age at Consent"
    assert "#" not in (target / "sdtm" / "dm.yaml").read_text(encoding="utf-8")  # regenerated
    for rel in ("study.yaml", "codelists.yaml", "sdtm/ae.yaml", "raw/dm.yaml"):
        assert (target / rel).read_bytes() == (REPO_SPECS / rel).read_bytes(), rel


def test_unknown_keys_and_files_survive(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, specs)
    dm = yaml.safe_load((specs / "sdtm" / "dm.yaml").read_text(encoding="utf-8"))
    dm["review_status"] = {"by": "QC", "rounds": [1, 2]}
    dm["variables"][0]["new_flag"] = None
    dm["variables"][1]["origin"]["pages"] = [12, "13"]
    (specs / "sdtm" / "dm.yaml").write_text(yaml.safe_dump(dm, sort_keys=False), encoding="utf-8")
    (specs / "analysis").mkdir()
    (specs / "analysis" / "displays.yaml").write_text("displays:\n  - {id: T14.1, title: 'A, B'}\n",
                                                       encoding="utf-8")
    target = tmp_path / "wb.xlsx"
    export_workbook(specs, target)
    files, issues = import_workbook(target)
    assert yaml.safe_load(files["sdtm/dm.yaml"]) == dm  # unchanged since export: its text is kept
    # the data survive; the dataset schema (not extended here) still names the new keys where they sit
    errors = {(i.rule, i.file, i.value, i.column.split(" ", 1)[1]) for i in issues if i.severity == "error"}
    assert errors == {("spec.schema.unknown-key", "wb.xlsx#Datasets", "review_status", "(Extra (JSON))"),
                      ("spec.schema.unknown-key", "wb.xlsx#Variables", "new_flag", "(Extra (JSON))")}
    assert yaml.safe_load(files["analysis/displays.yaml"]) == {"displays": [{"id": "T14.1", "title": "A, B"}]}
    assert load_workbook(target).sheetnames[-2:] == ["Files", "SpecSource"]
    assert [r[0] for r in load_workbook(target)["Files"].iter_rows(min_row=2, values_only=True)] == [
        "analysis/displays.yaml"]


# --------------------------------------------------------------------------------------------
# A workbook that breaks the layout
# --------------------------------------------------------------------------------------------
def _broken(exported: Path, tmp_path: Path, edit) -> Path:
    wb = load_workbook(exported)
    edit(wb)
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    return path


def _row_of(ws, dataset: str, variable: str | None = None) -> int:
    for row in ws.iter_rows(min_row=2):
        values = [c.value for c in row]
        if variable is None and values[0] == dataset:
            return row[0].row
        if variable is not None and values[1] == dataset and values[2] == variable:
            return row[0].row
    raise AssertionError(dataset)


def test_bad_cells_are_named_by_sheet_row_and_column(exported, tmp_path, capsys):
    rows = {}

    def edit(wb):
        rows["ds"] = _row_of(wb["Datasets"], "AE")
        wb["Datasets"].cell(rows["ds"], 7).value = "Maybe"                     # Repeating
        rows["var"] = _row_of(wb["Variables"], "DM", "AGE")
        wb["Variables"].cell(rows["var"], 6).value = "eight"                   # Length
        wb["Variables"].cell(rows["var"] + 1, 2).value = "XX"                  # Dataset
        wb["Methods"]["D2"] = "=CONCAT(A1, B1)"                                # a formula
    target = tmp_path / "out"
    code = main(["spec", "import", "--xlsx", str(_broken(exported, tmp_path, edit)), "--to", str(target)])
    assert code == 1
    assert not target.exists()
    _, issues = import_workbook(tmp_path / "broken.xlsx")
    found = {(i.rule, i.file, i.row, i.column, i.value) for i in issues if i.severity == "error"}
    assert ("workbook.cell-invalid", "broken.xlsx#Datasets", rows["ds"], "G (Repeating)", "Maybe") in found
    assert ("workbook.dataset-unknown", "broken.xlsx#Variables", rows["var"] + 1, "B (Dataset)", "XX") in found
    assert ("workbook.formula", "broken.xlsx#Methods", 2, "D (Description)", "=CONCAT(A1, B1)") in found
    length = next(i for i in issues if i.column == "F (Length)")
    assert (length.file, length.row, length.value) == ("broken.xlsx#Variables", rows["var"], "eight")
    assert length.rule.startswith("spec.schema.")
    assert "nothing written" in capsys.readouterr().err


@pytest.mark.parametrize("order", [True, 2.5, "second"])
def test_an_order_that_is_not_a_whole_number_is_named_at_its_cell(exported, tmp_path, order):
    rows = {}

    def edit(wb):
        rows["var"] = _row_of(wb["Variables"], "DM", "AGE")
        wb["Variables"].cell(rows["var"], 1).value = order                    # Order
    _, issues = import_workbook(_broken(exported, tmp_path, edit))
    found = [(i.rule, i.file, i.row, i.column, i.value) for i in issues if i.severity == "error"]
    assert found == [("workbook.cell-invalid", "broken.xlsx#Variables", rows["var"], "A (Order)", order)]


def test_missing_sheet_and_column(exported, tmp_path):
    def edit(wb):
        del wb["Variables"]
        wb["Datasets"].delete_cols(1)
    _, issues = import_workbook(_broken(exported, tmp_path, edit))
    found = {(i.rule, i.file, i.column) for i in issues}
    assert ("workbook.sheet-missing", "broken.xlsx#Variables", None) in found
    assert ("workbook.column-missing", "broken.xlsx#Datasets", "Dataset") in found


def test_import_refuses_a_folder_that_is_not_empty(exported, tmp_path, capsys):
    target = tmp_path / "specs"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["spec", "import", "--xlsx", str(exported), "--to", str(target)]) == 1
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    assert "workbook.target-not-empty" in capsys.readouterr().err


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_part(workbook: Path, name: str, data: bytes) -> bytes:
    with zipfile.ZipFile(workbook) as archive:
        return _zip({part: data if part == name else archive.read(part) for part in archive.namelist()})


@pytest.mark.parametrize(("name", "content"), [
    ("specs.txt", lambda _: b"Dataset,Variable\nDM,AGE\n"),
    ("specs.csv", lambda _: b"Dataset,Variable\nDM,AGE\n"),
    ("specs.xlsx", lambda _: b""),
    ("specs", lambda _: b"\x00" * 10),
    ("specs.zip", lambda _: _zip({"notes.txt": b"not a workbook"})),
    ("specs.xlsx", lambda wb: _with_part(wb, "xl/workbook.xml", b"<not xml")),
    ("specs.xlsx", lambda wb: _with_part(wb, "[Content_Types].xml", b"garbage")),
    ("specs.xlsx", lambda wb: _with_part(wb, "xl/styles.xml", b"<styleSheet")),
])
def test_a_file_that_is_not_a_workbook_is_named_and_nothing_written(exported, tmp_path, capsys, name, content):
    source = tmp_path / name
    source.write_bytes(content(exported))
    target = tmp_path / "out"
    assert main(["spec", "import", "--xlsx", str(source), "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert err.splitlines()[0].startswith("[error] workbook.unreadable: (workbook): not a readable .xlsx workbook (")
    assert f"(file={name}#(workbook)); expected an Excel .xlsx file" in err.splitlines()[0]
    assert err.splitlines()[1] == f"spec import: {source}: 1 error(s); nothing written to {target}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_workbook_is_read_whatever_its_name_ends_in(exported, tmp_path):
    source = tmp_path / "specs.bin"
    shutil.copyfile(exported, source)
    files, issues = import_workbook(source)
    assert "study.yaml" in files and not [i for i in issues if i.severity == "error"]


def _files_sheet(path: str):
    def edit(wb):
        ws = wb.create_sheet("Files")
        ws.append(["Path", "Part", "Content"])
        ws.append([path, 0, "written"])
    return edit


def _raw_form_file(path: str):
    def edit(wb):
        wb["RawForms"]["H2"] = path
    return edit


@pytest.mark.parametrize(("edit", "cell", "path_of", "problem"), [
    (_files_sheet, ("Files", 2, "A (Path)"), lambda root: "../escaped.yaml", "has an empty, '.' or '..' part"),
    (_files_sheet, ("Files", 2, "A (Path)"), lambda root: "deep/../../escaped.yaml", "has an empty, '.' or '..' part"),
    (_files_sheet, ("Files", 2, "A (Path)"), lambda root: f"{root}/escaped.yaml", "is an absolute path"),
    (_files_sheet, ("Files", 2, "A (Path)"), lambda root: "..\\escaped.yaml", "holds a backslash"),
    (_raw_form_file, ("RawForms", 2, "H (File)"), lambda root: "../escaped.yaml", "has an empty, '.' or '..' part"),
])
def test_a_file_path_outside_the_spec_folder_is_refused_at_its_cell(exported, tmp_path, capsys, edit, cell, path_of,
                                                                    problem):
    """A File or Path cell says where a spec file is written; one that leaves the new folder (a '..',
    an absolute path) would write anywhere the user can, so it is an error at the cell and nothing
    is written, neither in the folder nor beside it."""
    value = path_of(tmp_path)
    workbook = _broken(exported, tmp_path, edit(value))
    target = tmp_path / "imp" / "specs"
    assert main(["spec", "import", "--xlsx", str(workbook), "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    _, issues = import_workbook(workbook)
    sheet, row, column = cell
    found = [i for i in issues if i.rule == "workbook.file-path-invalid"]
    assert [(i.file, i.row, i.column, i.value) for i in found] == [(f"broken.xlsx#{sheet}", row, column, value)]
    assert problem in found[0].message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx"]


def test_a_files_row_that_would_replace_another_sheets_file_is_refused(exported, tmp_path):
    _, issues = import_workbook(_broken(exported, tmp_path, _files_sheet("study.yaml")))
    found = [(i.rule, i.file, i.row, i.column, i.value) for i in issues if i.severity == "error"]
    assert found == [("workbook.duplicate", "broken.xlsx#Files", 2, "A (Path)", "study.yaml")]


@pytest.mark.parametrize(("rel", "problem"), [
    ("../x.yaml", "has an empty, '.' or '..' part"),
    ("sdtm", "is also the folder of other spec files"),
    ("C:/x.yaml", "is an absolute path"),
    ("", "has an empty, '.' or '..' part"),
])
def test_write_spec_folder_refuses_a_path_it_cannot_write_inside_the_folder(tmp_path, rel, problem):
    from aclf_cdisc.errors import SpecError
    from aclf_cdisc.spec.workbook import write_spec_folder

    target = tmp_path / "specs"
    with pytest.raises(SpecError) as raised:
        write_spec_folder({"sdtm/dm.yaml": {"dataset": "DM"}, rel: {"a": 1}}, target)
    assert [(i.rule, i.file) for i in raised.value.issues] == [("workbook.file-path-invalid", rel)]
    assert problem in raised.value.issues[0].message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["[" * 20000, "[" * 600 + "]" * 600, '{"a":' * 3000 + "1" + "}" * 3000,
                                  "- " * 3000 + "x"])
def test_a_json_cell_nested_without_bound_is_a_cell_error_not_a_crash(exported, tmp_path, capsys, text):
    """Nesting deeper than a spec file's exhausted the parsers (or, parsed, the code that merges and
    writes the data) in a RecursionError, exit 3; it is an error at the cell and nothing is written."""
    def edit(wb):
        wb["Methods"]["I2"] = text
    target = tmp_path / "out"
    assert main(["spec", "import", "--xlsx", str(_broken(exported, tmp_path, edit)), "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    _, issues = import_workbook(tmp_path / "broken.xlsx")
    found = [(i.rule, i.file, i.row, i.column, i.expected) for i in issues if i.severity == "error"]
    assert found == [("workbook.cell-invalid", "broken.xlsx#Methods", 2, "I (Extra (JSON))",
                      "JSON whose lists and objects nest at most 100 levels deep, as a spec file's do")]
    assert not target.exists()


def test_a_spec_source_nested_without_bound_is_not_kept_and_not_a_crash(exported, tmp_path):
    def edit(wb):
        ws = wb["SpecSource"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "methods.yaml")
        row[2].value = "[" * 20000
    files, issues = import_workbook(_broken(exported, tmp_path, edit))
    assert [i for i in issues if i.severity == "error"] == []
    assert files["methods.yaml"] == yaml.safe_load((REPO_SPECS / "methods.yaml").read_text(encoding="utf-8"))


def test_export_onto_a_folder_is_refused_and_leaves_nothing_beside_it(tmp_path, capsys):
    """export wrote .<name>.partial beside the target and renamed it over the target: onto a folder
    it failed naming that file and left it behind (for --xlsx /tmp: /.tmp.partial)."""
    target = tmp_path / "specs.xlsx"
    target.mkdir()
    assert main(["spec", "export", "--xlsx", str(target), "--specs", str(REPO_SPECS)]) == 1
    err = capsys.readouterr().err
    assert f"[error] output.not-a-file: {target} is a folder, which the output" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["specs.xlsx"] and list(target.iterdir()) == []
