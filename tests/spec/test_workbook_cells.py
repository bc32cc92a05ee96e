"""Cell-level round trip of tricky values through a real xlsx file (hypothesis)."""

from __future__ import annotations

import io
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from aclf_cdisc.spec.cells import decode, encode, from_json, same, to_structured
from aclf_cdisc.spec.layout import Col, Sheet
from aclf_cdisc.spec.workbook import Reader, read_sheet, record_from_row, record_row, workbook_bytes

SHEET = Sheet("Cells", (Col("Text", ("text",)), Col("Pages", ("origin", "pages"), "words"),
                        Col("Keys", ("keys",), "list"), Col("Flag", ("flag",), "yesno")))
TIMESTAMP = __import__("datetime").datetime(2025, 3, 28)

tricky_text = st.one_of(
    st.sampled_from(["007", "=1+1", "=SUM(A1:A3)", "+1", "-", "@x", "0.67", "1e5", "TRUE", "null", " lead",
                     "trail ", "a\nb", "a\r\nb", "_x000D_", "é漢😀", "", "\t", "'quoted", "{\"a\": 1}"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
values = st.one_of(tricky_text, st.integers(min_value=-(2 ** 60), max_value=2 ** 60),
                   st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
                   st.lists(tricky_text, max_size=3))


def _round_trip(records: list[dict]) -> tuple[list[dict], object]:
    data = workbook_bytes([(SHEET, [record_row(r, SHEET) for r in records])], TIMESTAMP, "T")
    wb = load_workbook(io.BytesIO(data))
    reader = Reader("t.xlsx")
    rows = read_sheet(wb["Cells"], SHEET, reader)
    assert [i for i in reader.issues if i.severity == "error"] == []
    by_number = dict(rows.rows)
    out = [record_from_row(reader, rows, n + 2, by_number.get(n + 2, {}), SHEET) for n in range(len(records))]
    return out, wb


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "text": values, "flag": values, "keys": values,
    "origin": st.fixed_dictionaries({}, optional={"pages": values, "type": values}),
}), min_size=1, max_size=4))
def test_any_record_survives_a_workbook(records):
    out, _ = _round_trip(records)
    for before, after in zip(records, out, strict=True):
        assert same(after, before)


def test_text_that_looks_like_a_formula_or_number_is_stored_as_text():
    records = [{"text": "=HYPERLINK(\"http://x\")"}, {"text": "007"}, {"text": "0.67"}, {"text": "a\nb"},
               {"text": 7}, {"text": 0.1}, {"text": 1.0}, {"text": ""}]
    out, wb = _round_trip(records)
    assert out == records and [type(r["text"]) for r in out] == [str, str, str, str, int, float, float, str]
    cells = [wb["Cells"].cell(row=i, column=1) for i in range(2, 10)]
    assert [c.data_type for c in cells[:6]] == ["s", "s", "s", "s", "n", "n"]
    # 1.0 would read back as the integer 1, "" as an empty cell: both travel as JSON instead
    assert cells[6].value is None and cells[7].value is None
    assert wb["Cells"].cell(row=8, column=5).value == '{"text": 1.0}'


def test_list_and_yesno_cells():
    assert encode("list", ["A", "B, C"]) is not None and not isinstance(encode("list", ["A", "B, C"]), str)
    assert decode("yesno", "y") is True and decode("yesno", "No") is False
    assert decode("integer", "8") == 8 and decode("integer", 8.0) == 8
    assert decode("words", "12, 13 14") == ["12", "13", "14"]
    assert not math.isnan(decode("scalar", 0.5))
    # JSON cannot key a mapping by number: such values travel as YAML flow and come back exact
    nested = {"basetypes": {1: "STAGE 1", 2: "STAGE 2"}, "x": None}
    assert to_structured(nested) == "{basetypes: {1: STAGE 1, 2: STAGE 2}, x: null}"
    assert same(from_json(to_structured(nested)), nested)
