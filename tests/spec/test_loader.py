"""Spec loading: every broken spec file yields an Issue naming the file, the location and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from aclf_cdisc.errors import SpecError
from aclf_cdisc.spec import check_spec, default_spec_root, load_dataset_file, load_spec
from aclf_cdisc.spec.loader import SCHEMA_NAMES, schema_validator
from aclf_cdisc.spec.model import Spec


def _break(root: Path, old: str, new: str, file: str = "sdtm/dm.yaml") -> Path:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _issues(root: Path) -> list[tuple[str, str | None, object, str | None]]:
    spec, issues = check_spec(root)
    assert spec is None, "a broken spec must not load"
    return [(i.rule, i.file, i.row, i.column) for i in issues]


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def test_01_schemas_are_valid_draft_2020_12() -> None:
    for name in SCHEMA_NAMES:
        schema_validator(name)  # raises on an invalid schema


def test_02_the_study_level_specs_load(spec_root: Path) -> None:
    # the project's study-level files with a minimal DM (dataset specs are checked on their own)
    spec = load_spec(spec_root)
    assert isinstance(spec, Spec)
    assert spec.study.registry_id == "NCT05985863"
    assert spec.study.ct_versions["SDTM"] == "2025-03-28"
    assert {"PBO", "MSC-PBO", "MSC-MSC", "MSC"} == {a.armcd for a in spec.study.arms}
    assert not next(a for a in spec.study.arms if a.armcd == "MSC").planned
    assert [v.visit for v in spec.study.visits][:2] == ["Screening", "Week 0"]
    assert all(v.edc_folder for v in spec.study.visits)
    assert "CL.SEX" in spec.codelists and spec.codelists["CL.MEDDRA"].external["version"] == "27.1"
    assert spec.study.conventions["teae_window_days"] == 28
    ts = {row["TSPARMCD"] for row in spec.study.trial_summary}
    assert {"SSTDTC", "TITLE", "TPHASE", "REGID", "SDTIGVER", "AGEMIN", "AGEMAX", "PLANSUB"} <= ts


def test_03_minimal_copy_loads(spec_root: Path) -> None:
    spec = load_spec(spec_root)
    dm = spec.dataset("dm")
    assert dm.variable_names == ("STUDYID", "USUBJID", "SEX", "AGE")
    assert dm.variable("STUDYID").length is None  # auto
    assert dm.variable("SEX").mapping is not None and dm.variable("SEX").mapping.source == "dm.SEX"
    assert dm.source_file == "specs/sdtm/dm.yaml"


def test_04_wrong_type_names_file_path_and_line(spec_root: Path) -> None:
    path = _break(spec_root, "    length: 8\n", "    length: eight\n")
    issues = _issues(spec_root)
    assert ("spec.schema.oneOf", "specs/sdtm/dm.yaml", _line_of(path, "length: eight"), "variables[3].length") in issues


def test_05_wrong_scalar_type(spec_root: Path) -> None:
    path = _break(spec_root, "repeating: false", "repeating: sometimes")
    assert ("spec.schema.type", "specs/sdtm/dm.yaml", _line_of(path, "repeating:"), "repeating") in _issues(spec_root)


def test_06_unknown_key_points_at_the_key(spec_root: Path) -> None:
    path = _break(spec_root, "    codelist: CL.SEX\n", "    codelist: CL.SEX\n    codlist: CL.SEX\n")
    issues = _issues(spec_root)
    assert ("spec.schema.unknown-key", "specs/sdtm/dm.yaml", _line_of(path, "codlist:"),
            "variables[2].codlist") in issues


def test_07_enum_value_out_of_range(spec_root: Path) -> None:
    _break(spec_root, "    core: Exp\n", "    core: Expected\n")
    rules = {(r, c) for r, _f, _l, c in _issues(spec_root)}
    assert ("spec.schema.enum", "variables[3].core") in rules


def test_08_unresolved_codelist_oid(spec_root: Path) -> None:
    path = _break(spec_root, "codelist: CL.SEX", "codelist: CL.SEXX")
    spec, issues = check_spec(spec_root)
    assert spec is None
    found = [i for i in issues if i.rule == "spec.codelist-unknown"]
    assert [(i.file, i.row, i.column, i.value, i.dataset) for i in found] == [
        ("specs/sdtm/dm.yaml", _line_of(path, "CL.SEXX"), "variables[2].codelist", "CL.SEXX", "DM")]


def test_09_key_not_a_variable(spec_root: Path) -> None:
    path = _break(spec_root, "keys: [STUDYID, USUBJID]", "keys: [STUDYID, USUBJD]")
    assert ("spec.keys-unknown", "specs/sdtm/dm.yaml", _line_of(path, "keys:"), "keys[1]") in _issues(spec_root)


def test_10_sort_order_not_a_variable(spec_root: Path) -> None:
    _break(spec_root, "sort_order: [STUDYID, USUBJID]", "sort_order: [STUDYID, SUBJID]")
    assert "sort_order[1]" in {c for r, _f, _l, c in _issues(spec_root) if r == "spec.sort-order-unknown"}


def test_11_derived_without_method(spec_root: Path) -> None:
    path = _break(spec_root, "    method: MT.DM.AGE\n", "")
    line = _line_of(path, "origin: {type: Derived}", occurrence=2)
    assert ("spec.derived-no-method", "specs/sdtm/dm.yaml", line, "variables[3].origin") in _issues(spec_root)


def test_12_unknown_method(spec_root: Path) -> None:
    _break(spec_root, "method: MT.DM.AGE", "method: MT.DM.AGEX")
    assert ("spec.method-unknown", "variables[3].method") in {(r, c) for r, _f, _l, c in _issues(spec_root)}


def test_13_predecessor_without_source(spec_root: Path) -> None:
    _break(spec_root, "origin: {type: Protocol}", "origin: {type: Predecessor}")
    assert ("spec.predecessor-missing", "variables[0].origin") in {(r, c) for r, _f, _l, c in _issues(spec_root)}


def test_14_numeric_auto_length(spec_root: Path) -> None:
    _break(spec_root, "    length: 8\n", "    length: auto\n")
    assert ("spec.length-auto-numeric", "variables[3].length") in {(r, c) for r, _f, _l, c in _issues(spec_root)}


def test_15_duplicate_variable(spec_root: Path) -> None:
    _break(spec_root, "  - name: AGE\n", "  - name: SEX\n")
    assert ("spec.variable-duplicate", "variables[3].name") in {(r, c) for r, _f, _l, c in _issues(spec_root)}


def test_16_map_source_must_be_a_raw_form_column(spec_root: Path) -> None:
    if not (spec_root / "raw").is_dir():
        pytest.skip("no raw form specs yet")
    _break(spec_root, "source: dm.SEX", "source: dm.GENDER")
    assert ("spec.map-source-unknown", "variables[2].map.source") in {
        (r, c) for r, _f, _l, c in _issues(spec_root)}


def test_17_yaml_syntax_error_has_a_line(spec_root: Path) -> None:
    (spec_root / "sdtm" / "dm.yaml").write_text("dataset: DM\nlabel: [unclosed\n", encoding="utf-8")
    rules = [(r, f) for r, f, line, _c in _issues(spec_root) if line is not None]
    assert ("spec.yaml-syntax", "specs/sdtm/dm.yaml") in rules


def test_17b_a_spec_file_that_is_not_utf8_names_its_line(spec_root: Path) -> None:
    with (spec_root / "sdtm" / "dm.yaml").open("ab") as handle:
        handle.write(b"# caf\xe9\n")  # Latin-1, as an editor may save it
    lines = (spec_root / "sdtm" / "dm.yaml").read_bytes().count(b"\n")
    found = {(r, f, line) for r, f, line, _c in _issues(spec_root)}
    assert ("spec.file-not-utf8", "specs/sdtm/dm.yaml", lines) in found


def test_18_all_problems_are_collected_before_raising(spec_root: Path) -> None:
    _break(spec_root, "codelist: CL.SEX", "codelist: CL.NOPE")
    _break(spec_root, "keys: [STUDYID, USUBJID]", "keys: [STUDYID, NOPE]")
    _break(spec_root, "method: MT.DM.AGE", "method: MT.NOPE")
    with pytest.raises(SpecError) as info:
        load_spec(spec_root)
    rules = {i.rule for i in info.value.issues}
    assert {"spec.codelist-unknown", "spec.keys-unknown", "spec.method-unknown"} <= rules


def test_19_study_file_cross_checks(spec_root: Path) -> None:
    path = _break(spec_root, "ETCD: PBO1, EPOCH: TREATMENT 1}", "ETCD: PBOX, EPOCH: TREATMENT 1}", file="study.yaml")
    _spec, issues = check_spec(spec_root)
    found = [(i.rule, i.file, i.row, i.column) for i in issues]
    assert ("spec.study-ta-element-unknown", "specs/study.yaml", _line_of(path, "ETCD: PBOX"),
            "trial_arms[1].ETCD") in found


def test_20_missing_required_study_file(spec_root: Path) -> None:
    (spec_root / "methods.yaml").unlink()
    assert ("spec.file-missing", "specs/methods.yaml", None, None) in _issues(spec_root)


def test_21_load_dataset_file_alone(spec_root: Path) -> None:
    dm = load_dataset_file(spec_root / "sdtm" / "dm.yaml")
    assert dm.name == "DM" and dm.keys == ("STUDYID", "USUBJID")
    _break(spec_root, "    method: MT.DM.AGE\n", "")
    with pytest.raises(SpecError) as info:
        load_dataset_file(spec_root / "sdtm" / "dm.yaml")
    assert [i.rule for i in info.value.issues] == ["spec.derived-no-method"]


def test_22_default_spec_root_finds_specs_from_a_subfolder(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACLF_SPECS", raising=False)
    monkeypatch.chdir(repo_root / "src")
    assert default_spec_root() == repo_root / "specs"


def test_23_collected_from_must_name_raw_form_columns(spec_root: Path) -> None:
    _break(spec_root, "    map: {rule: ct, source: dm.SEX}", "    map: {rule: ct, source: dm.SEX}\n"
           "    collected_from: [dm.SEX, dd.DEATHDAT]")
    assert ("spec.collected-from-unknown", "variables[2].collected_from[1]") in {
        (r, c) for r, _f, _l, c in _issues(spec_root)}


def test_24_crf_visits_must_be_study_visits(spec_root: Path) -> None:
    _break(spec_root, "visits: [Week 0, Week 1,", "visits: [Week 0, Week 99,", file="raw/ex.yaml")
    found = [(r, f, c) for r, f, _l, c in _issues(spec_root) if r == "spec.raw-visit-unknown"]
    assert found == [("spec.raw-visit-unknown", "specs/raw/ex.yaml", "visits[1]")]


@pytest.mark.parametrize(("old", "new", "column", "value"), [
    ('created: "2025-03-28T00:00:00"', 'created: "not a date"', "conventions.xpt.created", "not a date"),
    ('modified: "2025-03-28T00:00:00"', 'modified: "2025-02-30T00:00:00"', "conventions.xpt.modified",
     "2025-02-30T00:00:00"),
    ('creation_datetime: "2025-03-28T00:00:00"', 'creation_datetime: "2025-13-28T00:00:00"',
     "conventions.odm.creation_datetime", "2025-13-28T00:00:00"),
])
def test_25_a_convention_timestamp_must_be_a_real_date_and_time(spec_root: Path, old: str, new: str, column: str,
                                                                 value: str) -> None:
    path = _break(spec_root, old, new, file="study.yaml")
    _spec, issues = check_spec(spec_root)
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in issues] == [
        ("spec.convention-datetime", "specs/study.yaml", _line_of(path, new), column, value)]


def test_26_an_xpt_header_text_longer_than_its_field_is_a_schema_error(spec_root: Path) -> None:
    path = _break(spec_root, 'os_name: X64_7PRO', 'os_name: X64_WINDOWS_11', file="study.yaml")
    assert _issues(spec_root) == [("spec.schema.maxLength", "specs/study.yaml", _line_of(path, "os_name:"),
                                   "conventions.xpt.os_name")]


def test_27_a_map_function_must_be_one_the_builder_has(spec_root: Path) -> None:
    path = _break(spec_root, "    method: MT.SEQ\n",
                  "    method: MT.SEQ\n    map: {rule: derive, function: derive_nothing}\n")
    spec, issues = check_spec(spec_root)
    assert spec is None
    [issue] = issues
    assert (issue.rule, issue.file, issue.row, issue.column, issue.value, issue.dataset) == (
        "spec.map-function-unknown", "specs/sdtm/dm.yaml", _line_of(path, "derive_nothing"),
        "variables[1].map.function", "derive_nothing", "DM")
    assert issue.expected is not None and "derive_usubjid" in issue.expected


def test_28_a_map_source_must_be_a_column_the_builder_reads(spec_root: Path) -> None:
    path = _break(spec_root, "source: dm.SEX", "source: ae.AESEV")  # declared, but of a form DM is not built from
    spec, issues = check_spec(spec_root)
    assert spec is None
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in issues] == [
        ("spec.map-source-not-read", "specs/sdtm/dm.yaml", _line_of(path, "ae.AESEV"), "variables[2].map.source",
         "ae.AESEV")]
    assert issues[0].expected == ("a column of what DM is built from: form dm and ic.DSSTDAT, ic.ICVER, ie.IEYN, "
                                  "ie.IEDAT, dd.DTHDAT, eos.DSSTDAT, eos.DSDECOD, ltx.PRSTDAT, sv.VISDAT")


def test_29_a_column_the_builder_joins_from_another_form_may_be_mapped(spec_root: Path) -> None:
    _break(spec_root, "source: dm.SEX", "source: eos.DSDECOD")
    spec, issues = check_spec(spec_root)
    assert spec is not None and issues == []
