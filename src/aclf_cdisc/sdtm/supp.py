"""SUPP-- datasets: collected data with no standard variable, one record per non-empty value.

QLABEL, QORIG and QEVAL come from the SUPP-- dataset spec's value-level rows (one per QNAM,
where clause ``QNAM EQ <name>``), so the qualifier's metadata is written once, in specs/.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aclf_cdisc.spec.model import Dataset, ValueLevel

SUPP_COLUMNS = ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL", "QORIG", "QEVAL")


def qualifier_metadata(supp_spec: Dataset) -> dict[str, ValueLevel]:
    """QNAM -> its value-level row in the SUPP-- spec."""
    found: dict[str, ValueLevel] = {}
    for row in supp_spec.value_level:
        for variable, _comparator, values in row.where.conditions:
            if variable == "QNAM":
                for qnam in values:
                    found[qnam] = row
    return found


def format_idvarval(values: pd.Series) -> pd.Series:
    """IDVARVAL text: integers without a decimal point (AESEQ 3.0 -> "3")."""
    numeric = pd.to_numeric(values, errors="coerce")
    as_int = numeric.map(lambda v: f"{int(v)}" if pd.notna(v) and float(v).is_integer() else None)
    return as_int.where(as_int.notna(), values.astype("string")).astype(object)


def build_supp(
    parent: pd.DataFrame,
    supp_spec: Dataset,
    qualifiers: Mapping[str, str],
    *,
    idvar: str | None,
) -> pd.DataFrame:
    """One SUPP-- record per parent record and qualifier with a non-empty value.

    ``qualifiers`` maps QNAM to the parent column holding its value; ``idvar`` is the parent's
    identifying variable (e.g. AESEQ), or None for DM-level qualifiers (IDVAR/IDVARVAL empty).
    Raises KeyError when a QNAM has no value-level row in the SUPP-- spec.
    """
    meta = qualifier_metadata(supp_spec)
    rdomain = supp_spec.domain or supp_spec.name.removeprefix("SUPP")
    pieces = []
    for qnam, column in qualifiers.items():
        if qnam not in meta:
            raise KeyError(f"{supp_spec.name}: QNAM {qnam} has no value-level row in the spec")
        row = meta[qnam]
        values = parent[column].astype("string").str.strip()
        keep = values.notna() & (values != "")
        if not keep.any():
            continue
        part = parent.loc[keep, ["STUDYID", "USUBJID"]].copy()
        part["RDOMAIN"] = rdomain
        part["IDVAR"] = idvar or ""
        part["IDVARVAL"] = format_idvarval(parent.loc[keep, idvar]) if idvar else ""
        part["QNAM"] = qnam
        part["QLABEL"] = row.label or qnam
        part["QVAL"] = values[keep].astype(object)
        part["QORIG"] = "CRF" if row.origin.type == "Collected" else row.origin.type  # SDTMIG 3.4 8.4
        part["QEVAL"] = row.origin.source.upper() if row.origin.type == "Assigned" and row.origin.source else ""
        pieces.append(part)
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUPP_COLUMNS})
    out = pd.concat(pieces, ignore_index=True)[list(SUPP_COLUMNS)]
    return out.sort_values(["USUBJID", "IDVARVAL", "QNAM"], kind="mergesort").reset_index(drop=True)
