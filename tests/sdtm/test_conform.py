"""conform_to_spec: spec variables, order, types and sort order; None for missing text."""

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.errors import DerivationError
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.spec.model import Dataset, Origin, Variable

ORIGIN = Origin(type="Collected", source="Investigator")
DS = Dataset(
    name="XX", label="x", standard="SDTM", class_="EVENTS", structure="x", purpose="Tabulation",
    keys=("USUBJID", "XXSEQ"), sort_order=("USUBJID", "XXSEQ"),
    variables=(
        Variable("USUBJID", "Unique Subject Identifier", "text", None, "Req", ORIGIN),
        Variable("XXSEQ", "Sequence Number", "integer", 8, "Req", ORIGIN),
        Variable("XXTERM", "Term", "text", None, "Exp", ORIGIN),
        Variable("ADT", "Analysis Date", "integer", 8, "Exp", ORIGIN, display_format="DATE9."),
    ),
)


def test_01_orders_sorts_casts_and_drops_working_columns():
    frame = pd.DataFrame({
        "ae.RAW": ["x", "y"], "XXTERM": pd.array(["Rash  ", pd.NA], dtype="string"), "XXSEQ": ["2", "1"],
        "USUBJID": ["A", "A"], "ADT": pd.to_datetime(["2024-01-02", None]),
    })
    out = conform_to_spec(frame, DS)
    assert list(out.columns) == ["USUBJID", "XXSEQ", "XXTERM", "ADT"]
    assert out["XXSEQ"].tolist() == [1.0, 2.0] and out["XXSEQ"].dtype == np.float64
    assert out["XXTERM"].tolist() == [None, "Rash"]       # trailing spaces gone, missing is None
    assert out["XXTERM"].dtype == object
    assert pd.api.types.is_datetime64_any_dtype(out["ADT"])  # ADaM dates stay dates in memory


def test_02_a_variable_the_builder_did_not_produce_is_an_error():
    with pytest.raises(DerivationError) as failure:
        conform_to_spec(pd.DataFrame({"USUBJID": ["A"], "XXSEQ": [1]}), DS)
    assert [(i.rule, i.column) for i in failure.value.issues] == [
        ("sdtm.variable-not-derived", "XXTERM"), ("sdtm.variable-not-derived", "ADT")]
