"""A form is read chunk by chunk into codes and held compactly from the moment it is checked:
the values, the issues and the forms as read are exactly those of reading the file whole."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aclf_cdisc.errors import InputError
from aclf_cdisc.raw import check_form, read_export
from aclf_cdisc.raw.held import as_read
from aclf_cdisc.raw.reader import MisshapenRecord, read_coded_csv, read_form_file
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.model import RawColumn, RawForm

# cell text a CSV can carry: spaces around, blanks, quotes, commas, line breaks, non-ASCII
CELLS = st.one_of(st.just(""), st.just(" "), st.sampled_from(["a", " a", "a ", "A", "b", "1", "01 JAN 2024"]),
                  st.text(alphabet="ab ,\"\n\x00éΩ1", max_size=6))


def _as_read(path: Path, chunk_records: int) -> pd.DataFrame:
    coded = read_coded_csv(path, chunk_records=chunk_records)
    return pd.DataFrame({name: pd.Series(np.append(distinct, None).take(codes), dtype=object)
                         for name, codes, distinct in coded.columns})


def _lines(rows: list[list[str]]) -> list[str]:
    """How each row is written (a row holding one empty field is written ``""``)."""
    written = []
    for row in rows:
        text = io.StringIO()
        csv.writer(text, lineterminator="").writerow(row)
        written.append(text.getvalue())
    return written


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    path.write_text(text.getvalue(), encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=12), chunk=st.integers(1, 14))
def test_a_csv_coded_chunk_by_chunk_holds_exactly_the_text_read_whole(tmp_path: Path, rows, chunk) -> None:
    path = tmp_path / "x.csv"
    _write(path, ["A", "B", "A"], rows)  # a header naming a column twice: renamed as the whole read renames it
    whole = read_form_file(path)
    coded = _as_read(path, chunk)
    assert list(coded.columns) == list(whole.columns) == ["A", "B", "A.1"]
    assert coded.to_numpy().tolist() == whole.to_numpy().tolist()
    assert read_coded_csv(path, chunk_records=chunk).records == len(whole)


def test_codes_index_each_distinct_value_once_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    _write(path, ["V"], [["b"], ["a"], ["b"], [""], ["a"], ["c"], ["b"]])
    [(name, codes, distinct)] = read_coded_csv(path, chunk_records=2).columns
    assert (name, distinct.tolist(), codes.tolist(), codes.dtype) == ("V", ["b", "a", "", "c"], [0, 1, 0, 2, 1, 3, 0],
                                                                      np.dtype(np.int8))


def test_a_header_without_records_reads_as_an_empty_form(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("SUBJID,VSDAT\n", encoding="utf-8")
    coded = read_coded_csv(path, chunk_records=2)
    assert coded.records == 0 and [name for name, _c, _d in coded.columns] == ["SUBJID", "VSDAT"]
    form = RawForm(name="vs", label="Vital Signs", columns=(RawColumn("SUBJID", "text", required=True),
                                                            RawColumn("VSDAT", "date")))
    checked, issues = check_form(coded, form, "x.csv")
    assert issues == [] and checked.shape == (0, 4)


def test_a_form_checked_held_is_the_form_checked_as_objects_once_rebuilt() -> None:
    frame = pd.DataFrame({"subjid": [" 1", "1 ", "", "2"], "VSDAT": ["01 JAN 2024", " ", "x", "01 JAN 2024"]})
    form = RawForm(name="vs", label="Vital Signs", columns=(RawColumn("SUBJID", "text", required=True),
                                                            RawColumn("VSDAT", "date"), RawColumn("VSTIM", "time")))
    held, held_issues = check_form(frame, form, "vs.csv", held=True)
    plain, plain_issues = check_form(frame, form, "vs.csv")
    assert held["SUBJID"].cat.categories.tolist() == ["1", "2"]  # "1" once: trimmed, then coded
    assert held["SUBJID"].cat.codes.tolist() == [0, 0, -1, 1]
    assert held_issues == plain_issues and [(i.rule, i.row) for i in plain_issues] == [
        ("raw.column-missing", None), ("raw.value-missing", 3), ("raw.date-invalid", 3)]
    pd.testing.assert_frame_equal(as_read(held), plain)
    assert plain["SUBJID"].tolist()[2] is not None and np.isnan(plain["SUBJID"].tolist()[2])  # blank: NaN


@pytest.fixture(scope="module")
def spec():
    return load_spec(None)


def test_the_sample_read_held_is_the_sample_as_read(spec) -> None:
    plain, held = read_export(edc_dir(), spec), read_export(edc_dir(), spec, held=True)
    assert held.issues == plain.issues and held.files == plain.files
    for name, form in plain.forms.items():
        assert all(isinstance(held.forms[name][c].dtype, pd.CategoricalDtype)
                   for c in form.columns if form[c].notna().any() and not c.startswith("__")), name
        pd.testing.assert_frame_equal(as_read(held.forms[name]), form)


def _edit(folder: Path, form: str, edits: dict[tuple[int, str], str]) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"{form}.csv", dtype=str, keep_default_na=False)
    for (row, column), value in edits.items():
        frame.loc[row, column] = value
    frame.to_csv(folder / f"{form}.csv", index=False, lineterminator="\n")
    return frame


def test_plausibility_finds_the_same_in_held_forms(spec, tmp_path: Path) -> None:
    # each family of checks: those that read held columns by their distinct values (a line break, a
    # future date, a kit of an unknown subject) and those given the forms they name rebuilt (an age)
    folder = tmp_path / "edc"
    shutil.copytree(edc_dir(), folder)
    _edit(folder, "lb", {(3, "LBORRES"): "12\n5"})
    plain, held = read_export(folder, spec), read_export(folder, spec, held=True)
    assert [(i.rule, i.severity, i.file, i.row, i.column, i.value) for i in held.issues] == [
        ("raw.text-line-break", "warning", "lb.csv", 4, "LBORRES", "12\n5")]
    assert held.issues == plain.issues
    _edit(folder, "lb", {(7, "LBDAT"): "01 JAN 2031"})
    kits = _edit(folder, "irt_kits", {(0, "SUBJID"): "999-9999"})
    _edit(folder, "dm", {(2, "AGE"): "130"})
    with pytest.raises(InputError) as caught:
        read_export(folder, spec, held=True)
    found = {(i.rule, i.file, i.row, i.column, i.value) for i in caught.value.issues}
    assert found == {("raw.date-future", "lb.csv", 8, "LBDAT", "01 JAN 2031"),
                     ("raw.kit-subject-unknown", "irt_kits.csv", 1, "KITNO", kits.loc[0, "KITNO"]),
                     ("raw.age-not-human", "dm.csv", 3, "AGE", "130"),
                     ("raw.age-not-eligible", "dm.csv", 3, "AGE", "130")}  # an eligible subject (ie.IEYN)
    with pytest.raises(InputError) as as_objects:
        read_export(folder, spec)
    assert as_objects.value.issues == caught.value.issues


def test_a_ragged_record_past_the_first_chunk_is_named_by_its_record(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("A,B\n1,2\n3,4\n5,6\n7,8,9\n1,2\n", encoding="utf-8")
    with pytest.raises(MisshapenRecord) as caught:
        read_coded_csv(path, chunk_records=2)
    assert (caught.value.record, caught.value.fields, caught.value.expected) == (4, 3, 2)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=10), blank=st.integers(0, 10),
       chunk=st.integers(1, 11))
def test_a_record_with_another_number_of_fields_than_the_header_is_named(tmp_path: Path, rows, blank,
                                                                          chunk) -> None:
    # whatever the record (the first, the last, one too many or too few), with quotes or without
    path = tmp_path / "x.csv"
    _write(path, ["A", "B", "C"], rows)
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:blank + 1], "", *lines[blank + 1:]]), encoding="utf-8")  # a blank line
    records = [row for row, line in zip(rows, _lines(rows), strict=True) if line.strip()]  # blank: no record
    misshapen = [(number, len(row)) for number, row in enumerate(records, 1) if len(row) != 3]
    try:
        coded = read_coded_csv(path, chunk_records=chunk)
    except MisshapenRecord as exc:
        assert misshapen and (exc.record, exc.fields, exc.expected) == (*misshapen[0], 3)
    else:
        assert not misshapen and coded.records == len(records)
