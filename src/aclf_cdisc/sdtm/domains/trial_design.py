"""Trial design datasets TS, TA, TE, TV and TI, built from specs/study.yaml.

Everything here is protocol metadata (study.yaml); the only data-driven values are TS ACTSUB
(number of randomized subjects in DM: ARMCD not empty, MT.TS.ACTSUB), ONGOSIND (N once every
randomized subject has DM.RFENDTC, MT.TS.ONGOSIND), SENDTC (the last DM.RFPENDTC of a study no
longer ongoing, MT.TS.SENDTC) and DCUTDTC/DCUTDESC (the build's data cut-off date; TSVALNF = NI
when the build names none, or for SENDTC while the study is ongoing). TSPARM is the CDISC CT decode of
TSPARMCD (codelist of TS.TSPARMCD) so it always matches the code, whatever text study.yaml holds.
TSSEQ numbers the records of one TSPARMCD (1, 2, ... in study.yaml order).
"""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.study_day import iso_date_part
from aclf_cdisc.spec.model import Spec

TS_FIELDS = ("TSPARMCD", "TSPARM", "TSVAL", "TSVALNF", "TSVALCD", "TSVCDREF", "TSVCDVER")


def _tsparm_decodes(spec: Spec) -> dict[str, str]:
    codelist = spec.dataset("TS").variable("TSPARMCD").codelist
    if not codelist or codelist not in spec.codelists:
        return {}
    return {t.submission_value: t.decode for t in spec.codelists[codelist].terms if t.decode}


def count_randomized(dm: pd.DataFrame) -> int:
    """Subjects with a planned arm (ARMCD not empty): randomized subjects, MT.TS.ACTSUB."""
    return int(dm["ARMCD"].notna().sum())


def study_ongoing(dm: pd.DataFrame) -> bool:
    """True while a randomized subject (ARMCD not empty) has no end of study (DM.RFENDTC empty)."""
    randomized = dm[dm["ARMCD"].notna() & dm["ARMCD"].astype(str).str.strip().ne("")]
    ended = randomized["RFENDTC"].notna() & randomized["RFENDTC"].astype(str).str.strip().ne("")
    return randomized.empty or not bool(ended.all())


def study_end_date(dm: pd.DataFrame) -> str | None:
    """SENDTC: the last end of participation (date part of DM.RFPENDTC); None while ongoing."""
    if study_ongoing(dm):
        return None
    dates = iso_date_part(dm["RFPENDTC"]).dropna()
    return str(dates.max()) if len(dates) else None


def _ny_code(spec: Spec, value: str) -> str | None:
    for term in spec.codelists["CL.NY"].terms if "CL.NY" in spec.codelists else ():
        if term.submission_value == value:
            return term.nci_code
    return None


def build_ts(spec: Spec, *, dm: pd.DataFrame, data_cutoff: str | None = None) -> pd.DataFrame:
    """TS from study.yaml trial_summary; ACTSUB, ONGOSIND and SENDTC from DM; DCUTDTC/DCUTDESC from
    ``data_cutoff`` (ISO 8601 date)."""
    dataset = spec.dataset("TS")
    decodes = _tsparm_decodes(spec)
    derived = {
        "ACTSUB": str(count_randomized(dm)),
        "ONGOSIND": "Y" if study_ongoing(dm) else "N",
        "SENDTC": study_end_date(dm),
        "DCUTDTC": data_cutoff,
        "DCUTDESC": None if data_cutoff is None else "Data cut-off date of this build",
    }
    rows = []
    for row in spec.study.trial_summary:
        record = {name: row.get(name) for name in TS_FIELDS}
        parmcd: str = row["TSPARMCD"]  # required by study.schema.json
        record["TSPARM"] = decodes.get(parmcd, record["TSPARM"])
        if row.get("derived"):
            record["TSVAL"] = derived.get(parmcd)
            if record["TSVAL"] is None:
                record["TSVALNF"] = "NI"
                record["TSVCDREF"] = record["TSVCDVER"] = None
            elif parmcd in ("DCUTDTC", "SENDTC"):
                record["TSVCDREF"] = "ISO 8601"
            elif parmcd == "ONGOSIND":
                record["TSVALCD"] = _ny_code(spec, record["TSVAL"])
        rows.append({k: (None if v is None else str(v)) for k, v in record.items()})
    frame = pd.DataFrame(rows, columns=list(TS_FIELDS))
    frame["STUDYID"] = spec.study.studyid
    frame["DOMAIN"] = "TS"
    frame["TSSEQ"] = (frame.groupby("TSPARMCD", sort=False).cumcount() + 1).astype("float64")
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["_order"])
    return conform_to_spec(frame, dataset)


def build_ta(spec: Spec) -> pd.DataFrame:
    """TA from study.yaml trial_arms, ARM and ELEMENT texts from the arms and elements."""
    arms = {a.armcd: a.arm for a in spec.study.arms}
    elements = {e.etcd: e.element for e in spec.study.elements}
    frame = pd.DataFrame([dict(row) for row in spec.study.trial_arms])
    for column in ("TABRANCH", "TATRANS"):
        if column not in frame.columns:
            frame[column] = None
    frame["STUDYID"] = spec.study.studyid
    frame["DOMAIN"] = "TA"
    frame["ARM"] = frame["ARMCD"].map(arms)
    frame["ELEMENT"] = frame["ETCD"].map(elements)
    return conform_to_spec(frame.astype(object).where(frame.notna(), None), spec.dataset("TA"))


def build_te(spec: Spec) -> pd.DataFrame:
    frame = pd.DataFrame({
        "STUDYID": spec.study.studyid, "DOMAIN": "TE",
        "ETCD": [e.etcd for e in spec.study.elements],
        "ELEMENT": [e.element for e in spec.study.elements],
        "TESTRL": [e.start_rule for e in spec.study.elements],
        "TEENRL": [e.end_rule for e in spec.study.elements],
        "TEDUR": [e.duration for e in spec.study.elements],
    })
    return conform_to_spec(frame, spec.dataset("TE"))


def build_tv(spec: Spec) -> pd.DataFrame:
    arms = {a.armcd: a.arm for a in spec.study.arms}
    frame = pd.DataFrame({
        "STUDYID": spec.study.studyid, "DOMAIN": "TV",
        "VISITNUM": [float(v.visitnum) for v in spec.study.visits],
        "VISIT": [v.visit for v in spec.study.visits],
        "VISITDY": [float(v.visitdy) if v.visitdy is not None else None for v in spec.study.visits],
        "ARMCD": [v.armcd for v in spec.study.visits],
        "ARM": [arms.get(v.armcd) if v.armcd else None for v in spec.study.visits],
        "TVSTRL": [v.start_rule for v in spec.study.visits],
        "TVENRL": [v.end_rule for v in spec.study.visits],
    })
    return conform_to_spec(frame, spec.dataset("TV"))


def build_ti(spec: Spec) -> pd.DataFrame:
    frame = pd.DataFrame([dict(row) for row in spec.study.inclusion_exclusion])
    frame["STUDYID"] = spec.study.studyid
    frame["DOMAIN"] = "TI"
    return conform_to_spec(frame, spec.dataset("TI"))
