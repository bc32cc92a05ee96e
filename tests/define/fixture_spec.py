"""A small, hand-built spec and matching data frames for the Define-XML tests.

SDTM: DM, AE (MedDRA-coded), LB (value level on LBORRES/LBSTRESN by LBTESTCD), TS (TSVAL by
TSPARMCD), SUPPDM (QVAL by QNAM). ADaM: ADSL, ADLB (BDS, AVAL by PARAMCD). Built directly from
the object model so these tests do not depend on the spec loader.
"""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.spec.model import (
    Codelist,
    Comment,
    Dataset,
    Document,
    Method,
    Origin,
    Spec,
    Study,
    Term,
    ValueLevel,
    Variable,
    WhereClause,
)

STUDYID = "ACLF-HUCMSC-01"
CREATED = "2025-06-30T12:00:00"

SPONSOR = Origin("Assigned", "Sponsor")
PROTOCOL = Origin("Protocol", "Sponsor")
CRF = Origin("Collected", "Investigator", pages=("3",))


def V(name, label, data_type="text", length=None, core="Req", origin=SPONSOR, **kw) -> Variable:
    return Variable(name=name, label=label, data_type=data_type, length=length, core=core,
                    origin=origin, **kw)


def _study() -> Study:
    return Study(
        studyid=STUDYID, title="hUC-MSC in acute-on-chronic liver failure", protocol="ACLF-01",
        sponsor="Example Sponsor", registry_id="NCT05985863",
        ct_versions={"SDTM": "2025-03-28", "ADaM": "2025-03-28"}, meddra_version="27.1",
        arms=(), elements=(), trial_arms=(), epochs=(), visits=(), trial_summary=(),
        inclusion_exclusion=(),
    )


def _codelists() -> dict[str, Codelist]:
    cls = [
        Codelist("CL.SEX", "Sex", "text", (Term("F", "Female", "C16576"), Term("M", "Male", "C20197"),
                                            Term("U", "Unknown", "C17998")), nci_code="C66731"),
        Codelist("CL.AGEU", "Age Unit", "text", (Term("YEARS", None, "C29848"), Term("MONTHS", None, "C29846")),
                 nci_code="C66781"),
        Codelist("CL.NY", "No Yes Response", "text", (Term("N", "No", "C49487"), Term("Y", "Yes", "C49488")),
                 nci_code="C66742"),
        Codelist("CL.DOMAIN", "Domain Abbreviation", "text",
                 (Term("DM", "Demographics", "C49572"), Term("AE", "Adverse Events", "C49562"),
                  Term("LB", "Laboratory Test Results", "C49592"), Term("TS", "Trial Summary", "C53483")),
                 nci_code="C66734", extensible=True),
        Codelist("CL.LBTESTCD", "Laboratory Test Code", "text",
                 (Term("BILI", "Bilirubin", "C38037"), Term("ALB", "Albumin", "C64431"),
                  Term("INR", "Prothrombin Intl. Normalized Ratio", "C64805"),
                  Term("SODIUM", "Sodium", "C64809")), nci_code="C65047", extensible=True),
        Codelist("CL.LBTEST", "Laboratory Test Name", "text",
                 (Term("Bilirubin", None, "C38037"), Term("Albumin", None, "C64431"),
                  Term("Prothrombin Intl. Normalized Ratio", None, "C64805"), Term("Sodium", None, "C64809")),
                 nci_code="C67154", extensible=True),
        Codelist("CL.UNIT", "Unit", "text",
                 (Term("umol/L", None, "C48508"), Term("g/L", None, "C42576"), Term("mmol/L", None, "C64387"),
                  Term("RATIO", None, "C25561"), Term("x ULN", None, None, extended=True)),
                 nci_code="C71620", extensible=True),
        Codelist("CL.AEDECOD", "MedDRA Preferred Term", "text",
                 external={"dictionary": "MedDRA", "version": "27.1"}),
        Codelist("CL.TSPARMCD", "Trial Summary Parameter Test Code", "text",
                 (Term("SSTDTC", "Study Start Date", "C69208"), Term("AGEMIN", "Planned Minimum Age of Subjects",
                                                                     "C69210")), nci_code="C66738",
                 extensible=True),
        Codelist("CL.QNAM", "Supplemental Qualifier Name (DM)", "text",
                 (Term("RANDDT", "Randomization Date"), Term("MELDBL", "Baseline MELD Score"))),
        Codelist("CL.PARAMCD", "Parameter Code (ADLB)", "text",
                 (Term("BILI", "Bilirubin (umol/L)"), Term("ALB", "Albumin (g/L)"),
                  Term("MELD", "MELD Score"), Term("CTP", "Child-Turcotte-Pugh Score"))),
        Codelist("CL.PARAMTYP", "Parameter Type", "text", (Term("DERIVED", None, "C81197"),),
                 nci_code="C81225", ct="ADaM"),
        Codelist("CL.ARMCD", "Planned Arm Code", "text",
                 (Term("HUCMSC", "hUC-MSC plus standard medical treatment"),
                  Term("SMT", "Standard medical treatment"),
                  Term("SCRNFAIL", "Screen Failure")), nci_code=None),
    ]
    return {c.oid: c for c in cls}


def _methods() -> dict[str, Method]:
    ms = [
        Method("MT.USUBJID", "Algorithm to derive USUBJID", "Computation",
               "Concatenation of STUDYID, SITEID and SUBJID separated by hyphens.",
               expression="aclf_cdisc.sdtm.common.derive_usubjid"),
        Method("MT.AGE", "Algorithm to derive AGE", "Computation",
               "Integer years between BRTHDTC and RFICDTC.", document="DOC.CSDRG"),
        Method("MT.SEQ", "Algorithm to derive --SEQ", "Computation",
               "Sequential number within USUBJID in the dataset's sort order."),
        Method("MT.LBSTRESN", "Algorithm to derive LBSTRESN", "Computation",
               "LBORRES converted to the standard unit, as a number."),
        Method("MT.ADLB.AVAL", "Algorithm to derive AVAL", "Computation", "LBSTRESN for lab parameters."),
        Method("MT.ADLB.AVAL.MELD", "Algorithm to derive MELD", "Computation",
               "3.78 ln(bilirubin mg/dL) + 11.2 ln(INR) + 9.57 ln(creatinine mg/dL) + 6.43."),
        Method("MT.ADSL.TRTSDT", "Algorithm to derive TRTSDT", "Computation",
               "Date of first exposure (EXSTDTC of the first EX record)."),
        Method("MT.UNUSED", "Never referenced", "Computation", "Must not appear in define.xml."),
    ]
    return {m.oid: m for m in ms}


def _comments() -> dict[str, Comment]:
    cs = [
        Comment("COM.DM", "Screen failures are included."),
        Comment("COM.LBORRES", "Local laboratory results; see value level metadata."),
        Comment("COM.UNUSED", "Must not appear in define.xml."),
    ]
    return {c.oid: c for c in cs}


def _documents() -> dict[str, Document]:
    ds = [
        Document("DOC.ACRF", "Annotated CRF", "acrf.pdf"),
        Document("DOC.CSDRG", "Clinical Study Data Reviewer's Guide", "csdrg.pdf"),
        Document("DOC.ADRG", "Analysis Data Reviewer's Guide", "adrg.pdf"),
        Document("DOC.SAP", "Statistical Analysis Plan", "sap.pdf"),
    ]
    return {d.oid: d for d in ds}


def _datasets() -> dict[str, Dataset]:
    derived_seq = Origin("Derived", "Sponsor")
    dm = Dataset(
        name="DM", label="Demographics", standard="SDTM", class_="SPECIAL PURPOSE",
        structure="One record per subject", purpose="Tabulation", keys=("STUDYID", "USUBJID"),
        sort_order=("STUDYID", "USUBJID"), repeating=False, domain="DM", comment="COM.DM",
        variables=(
            V("STUDYID", "Study Identifier", origin=PROTOCOL, role="Identifier"),
            V("DOMAIN", "Domain Abbreviation", length=2, codelist="CL.DOMAIN", role="Identifier"),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Derived", "Sponsor"), method="MT.USUBJID",
              role="Identifier"),
            V("AGE", "Age", "integer", 8, "Exp", Origin("Derived", "Sponsor"), method="MT.AGE",
              role="Record Qualifier"),
            V("AGEU", "Age Units", codelist="CL.AGEU", core="Exp", role="Variable Qualifier"),
            V("SEX", "Sex", origin=CRF, codelist="CL.SEX", role="Record Qualifier"),
            V("ARMCD", "Planned Arm Code", codelist="CL.ARMCD", core="Exp", role="Record Qualifier"),
            V("RFSTDTC", "Subject Reference Start Date/Time", "datetime", core="Exp",
              origin=Origin("Predecessor", "Sponsor", predecessor="EX.EXSTDTC"), role="Record Qualifier"),
        ),
    )
    ae = Dataset(
        name="AE", label="Adverse Events", standard="SDTM", class_="EVENTS",
        structure="One record per adverse event per subject", purpose="Tabulation",
        keys=("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"), sort_order=("STUDYID", "USUBJID", "AESEQ"),
        domain="AE",
        variables=(
            V("STUDYID", "Study Identifier", origin=PROTOCOL),
            V("DOMAIN", "Domain Abbreviation", length=2, codelist="CL.DOMAIN"),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Derived", "Sponsor"), method="MT.USUBJID"),
            V("AESEQ", "Sequence Number", "integer", 8, origin=derived_seq, method="MT.SEQ"),
            V("AETERM", "Reported Term for the Adverse Event", origin=Origin("Collected", "Investigator",
                                                                               pages=("12", "13"))),
            V("AEDECOD", "Dictionary-Derived Term", origin=Origin("Assigned", "Vendor"), codelist="CL.AEDECOD"),
            V("AESER", "Serious Event", origin=Origin("Collected", "Investigator", pages=("12",)),
              codelist="CL.NY", core="Exp"),
            V("AESTDTC", "Start Date/Time of Adverse Event", "date", core="Exp",
              origin=Origin("Collected", "Investigator", pages=("12",))),
        ),
    )
    lb_vl = (
        ValueLevel("LB", "LBORRES", WhereClause("WC.LB.LBTESTCD.BILI", (("LBTESTCD", "EQ", ("BILI",)),)),
                   "float", 8, CRF, comment="COM.LBORRES", unit="umol/L"),
        ValueLevel("LB", "LBORRES", WhereClause("WC.LB.LBTESTCD.ALB", (("LBTESTCD", "EQ", ("ALB",)),)),
                   "float", 8, CRF, unit="g/L"),
        # a test this study's data never has: the row must not reach define.xml
        ValueLevel("LB", "LBORRES", WhereClause("WC.LB.LBTESTCD.SODIUM", (("LBTESTCD", "EQ", ("SODIUM",)),)),
                   "float", 8, CRF, unit="mmol/L"),
        ValueLevel("LB", "LBSTRESN", WhereClause("WC.LB.LBTESTCD.BILI", (("LBTESTCD", "EQ", ("BILI",)),)),
                   "float", 8, Origin("Derived", "Sponsor"), method="MT.LBSTRESN", significant_digits=1,
                   unit="umol/L"),
        ValueLevel("LB", "LBSTRESN", WhereClause("WC.LB.LBTESTCD.ALB", (("LBTESTCD", "EQ", ("ALB",)),)),
                   "float", 8, Origin("Derived", "Sponsor"), method="MT.LBSTRESN", significant_digits=0,
                   unit="g/L"),
    )
    lb = Dataset(
        name="LB", label="Laboratory Test Results", standard="SDTM", class_="FINDINGS",
        structure="One record per lab test per time point per visit per subject", purpose="Tabulation",
        keys=("STUDYID", "USUBJID", "LBTESTCD", "LBDTC"), sort_order=("STUDYID", "USUBJID", "LBTESTCD", "LBDTC"),
        domain="LB", value_level=lb_vl,
        variables=(
            V("STUDYID", "Study Identifier", origin=PROTOCOL),
            V("DOMAIN", "Domain Abbreviation", length=2, codelist="CL.DOMAIN"),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Derived", "Sponsor"), method="MT.USUBJID"),
            V("LBSEQ", "Sequence Number", "integer", 8, origin=derived_seq, method="MT.SEQ"),
            V("LBTESTCD", "Lab Test or Examination Short Name.", codelist="CL.LBTESTCD", origin=CRF),
            V("LBTEST", "Lab Test or Examination Name", codelist="CL.LBTEST", origin=CRF),
            V("LBORRES", "Result or Finding in Original Units", origin=CRF, core="Exp", comment="COM.LBORRES",
              value_list="VL.LB.LBORRES"),
            V("LBORRESU", "Original Units", codelist="CL.UNIT", origin=CRF, core="Exp"),
            V("LBSTRESN", "Numeric Result/Finding in Standard Units", "float", 8, "Exp",
              Origin("Derived", "Sponsor"), method="MT.LBSTRESN"),
            V("LBDTC", "Date/Time of Specimen Collection", "datetime", core="Exp", origin=CRF),
        ),
    )
    ts = Dataset(
        name="TS", label="Trial Summary", standard="SDTM", class_="TRIAL DESIGN",
        structure="One record per trial summary parameter value", purpose="Tabulation",
        keys=("STUDYID", "TSPARMCD", "TSSEQ"), sort_order=("STUDYID", "TSPARMCD", "TSSEQ"),
        repeating=False, reference_data=True, domain="TS",
        value_level=(
            ValueLevel("TS", "TSVAL", WhereClause("WC.TS.TSPARMCD.SSTDTC", (("TSPARMCD", "EQ", ("SSTDTC",)),)),
                       "date", None, PROTOCOL),
            ValueLevel("TS", "TSVAL", WhereClause("WC.TS.TSPARMCD.AGEMIN", (("TSPARMCD", "EQ", ("AGEMIN",)),)),
                       "durationDatetime", None, PROTOCOL),
        ),
        variables=(
            V("STUDYID", "Study Identifier", origin=PROTOCOL),
            V("DOMAIN", "Domain Abbreviation", length=2, codelist="CL.DOMAIN"),
            V("TSSEQ", "Sequence Number", "integer", 8, origin=derived_seq, method="MT.SEQ"),
            V("TSPARMCD", "Trial Summary Parameter Short Name", codelist="CL.TSPARMCD", origin=PROTOCOL),
            V("TSVAL", "Parameter Value", origin=PROTOCOL, value_list="VL.TS.TSVAL"),
        ),
    )
    suppdm = Dataset(
        name="SUPPDM", label="Supplemental Qualifiers for DM", standard="SDTM", class_="RELATIONSHIP",
        structure="One record per IDVAR, IDVARVAL, and QNAM value per subject", purpose="Tabulation",
        keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
        sort_order=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"), domain="DM",
        value_level=(
            ValueLevel("SUPPDM", "QVAL", WhereClause("WC.SUPPDM.QNAM.RANDDT", (("QNAM", "EQ", ("RANDDT",)),)),
                       "date", None, Origin("Collected", "Investigator", pages=("4",)), label="Randomization Date"),
            ValueLevel("SUPPDM", "QVAL", WhereClause("WC.SUPPDM.QNAM.MELDBL", (("QNAM", "EQ", ("MELDBL",)),)),
                       "integer", 8, Origin("Derived", "Sponsor"), method="MT.ADLB.AVAL.MELD",
                       label="Baseline MELD Score"),
        ),
        variables=(
            V("STUDYID", "Study Identifier", origin=PROTOCOL),
            V("RDOMAIN", "Related Domain Abbreviation", length=2, codelist="CL.DOMAIN"),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Derived", "Sponsor"), method="MT.USUBJID"),
            V("IDVAR", "Identifying Variable", core="Exp"),
            V("IDVARVAL", "Identifying Variable Value", core="Exp"),
            V("QNAM", "Qualifier Variable Name", codelist="CL.QNAM"),
            V("QLABEL", "Qualifier Variable Label"),
            V("QVAL", "Data Value", value_list="VL.SUPPDM.QVAL", origin=Origin("Collected", "Investigator")),
            V("QORIG", "Origin"),
            V("QEVAL", "Evaluator", core="Exp"),
        ),
    )
    adsl = Dataset(
        name="ADSL", label="Subject-Level Analysis Dataset", standard="ADaM",
        class_="SUBJECT LEVEL ANALYSIS DATASET", structure="One record per subject", purpose="Analysis",
        keys=("STUDYID", "USUBJID"), sort_order=("STUDYID", "USUBJID"), repeating=False,
        variables=(
            V("STUDYID", "Study Identifier", origin=Origin("Predecessor", predecessor="DM.STUDYID")),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Predecessor", predecessor="DM.USUBJID")),
            V("AGE", "Age", "integer", 8, origin=Origin("Predecessor", predecessor="DM.AGE")),
            V("SEX", "Sex", origin=Origin("Predecessor", predecessor="DM.SEX"), codelist="CL.SEX"),
            V("TRTSDT", "Date of First Exposure to Treatment", "integer", 8, "Cond", Origin("Derived"),
              method="MT.ADSL.TRTSDT", display_format="DATE9."),
            V("SAFFL", "Safety Population Flag", codelist="CL.NY", origin=Origin("Derived"),
              method="MT.SEQ"),
        ),
    )
    adlb = Dataset(
        name="ADLB", label="Laboratory Analysis Dataset", standard="ADaM", class_="BASIC DATA STRUCTURE",
        structure="One record per subject per parameter per analysis visit", purpose="Analysis",
        keys=("STUDYID", "USUBJID", "PARAMCD", "AVISITN"), sort_order=("STUDYID", "USUBJID", "PARAMCD"),
        value_level=(
            ValueLevel("ADLB", "AVAL", WhereClause("WC.ADLB.PARAMCD.BILI", (("PARAMCD", "EQ", ("BILI",)),)),
                       "float", 8, Origin("Derived"), method="MT.ADLB.AVAL", significant_digits=1),
            ValueLevel("ADLB", "AVAL", WhereClause("WC.ADLB.PARAMCD.MELD", (("PARAMCD", "EQ", ("MELD",)),)),
                       "integer", 8, Origin("Derived"), method="MT.ADLB.AVAL.MELD"),
        ),
        variables=(
            V("STUDYID", "Study Identifier", origin=Origin("Predecessor", predecessor="ADSL.STUDYID")),
            V("USUBJID", "Unique Subject Identifier", origin=Origin("Predecessor", predecessor="ADSL.USUBJID")),
            V("PARAMCD", "Parameter Code", codelist="CL.PARAMCD", origin=Origin("Assigned")),
            V("PARAM", "Parameter", origin=Origin("Assigned")),
            V("PARAMTYP", "Parameter Type", codelist="CL.PARAMTYP", core="Cond", origin=Origin("Assigned")),
            V("AVISITN", "Analysis Visit (N)", "integer", 8, origin=Origin("Assigned")),
            V("AVAL", "Analysis Value", "float", 8, origin=Origin("Derived"), method="MT.ADLB.AVAL",
              value_list="VL.ADLB.AVAL"),
            V("ABLFL", "Baseline Record Flag", codelist="CL.NY", core="Cond", origin=Origin("Derived"),
              method="MT.SEQ"),
        ),
    )
    return {d.name: d for d in (dm, ae, lb, ts, suppdm, adsl, adlb)}


def make_spec() -> Spec:
    return Spec(study=_study(), datasets=_datasets(), codelists=_codelists(), methods=_methods(),
                comments=_comments(), documents=_documents())


def make_frames() -> dict[str, pd.DataFrame]:
    s = STUDYID
    subj = [f"{s}-001-0001", f"{s}-001-0002", f"{s}-002-0003"]
    dm = pd.DataFrame({
        "STUDYID": [s] * 3, "DOMAIN": ["DM"] * 3, "USUBJID": subj, "AGE": [54.0, 61.0, 47.0],
        "AGEU": ["YEARS"] * 3, "SEX": ["M", "F", "M"], "ARMCD": ["HUCMSC", "SMT", "HUCMSC"],
        "RFSTDTC": ["2024-03-01T09:30", "2024-03-04T10:00", "2024-04-11"],
    })
    ae = pd.DataFrame({
        "STUDYID": [s] * 2, "DOMAIN": ["AE"] * 2, "USUBJID": subj[:2], "AESEQ": [1.0, 1.0],
        "AETERM": ["FEVER", "ASCITES WORSENING"], "AEDECOD": ["Pyrexia", "Ascites"], "AESER": ["N", "Y"],
        "AESTDTC": ["2024-03-05", "2024-03-09"],
    })
    lb = pd.DataFrame({
        "STUDYID": [s] * 4, "DOMAIN": ["LB"] * 4, "USUBJID": [subj[0], subj[0], subj[1], subj[1]],
        "LBSEQ": [1.0, 2.0, 1.0, 2.0], "LBTESTCD": ["BILI", "ALB", "BILI", "ALB"],
        "LBTEST": ["Bilirubin", "Albumin", "Bilirubin", "Albumin"],
        "LBORRES": ["210", "28", "305", "31"], "LBORRESU": ["umol/L", "g/L", "umol/L", "g/L"],
        "LBSTRESN": [210.0, 28.0, 305.0, 31.0],
        "LBDTC": ["2024-03-01T08:00", "2024-03-01T08:00", "2024-03-04T08:10", "2024-03-04T08:10"],
    })
    ts = pd.DataFrame({
        "STUDYID": [s] * 2, "DOMAIN": ["TS"] * 2, "TSSEQ": [1.0, 1.0], "TSPARMCD": ["SSTDTC", "AGEMIN"],
        "TSVAL": ["2024-02-15", "P18Y"],
    })
    suppdm = pd.DataFrame({
        "STUDYID": [s] * 3, "RDOMAIN": ["DM"] * 3, "USUBJID": [subj[0], subj[0], subj[1]],
        "IDVAR": ["", "", ""], "IDVARVAL": ["", "", ""], "QNAM": ["RANDDT", "MELDBL", "RANDDT"],
        "QLABEL": ["Randomization Date", "Baseline MELD Score", "Randomization Date"],
        "QVAL": ["2024-03-01", "27", "2024-03-04"], "QORIG": ["CRF", "Derived", "CRF"],
        "QEVAL": ["", "", ""],
    })
    adsl = pd.DataFrame({
        "STUDYID": [s] * 3, "USUBJID": subj, "AGE": [54.0, 61.0, 47.0], "SEX": ["M", "F", "M"],
        "TRTSDT": [23436.0, 23439.0, None], "SAFFL": ["Y", "Y", "N"],
    })
    adlb = pd.DataFrame({
        "STUDYID": [s] * 4, "USUBJID": [subj[0]] * 2 + [subj[1]] * 2,
        "PARAMCD": ["BILI", "MELD", "BILI", "MELD"],
        "PARAM": ["Bilirubin (umol/L)", "MELD Score", "Bilirubin (umol/L)", "MELD Score"],
        "PARAMTYP": ["", "DERIVED", "", "DERIVED"], "AVISITN": [0.0, 0.0, 0.0, 0.0],
        "AVAL": [210.0, 27.0, 305.0, 31.0], "ABLFL": ["Y", "Y", "Y", "Y"],
    })
    return {"DM": dm, "AE": ae, "LB": lb, "TS": ts, "SUPPDM": suppdm, "ADSL": adsl, "ADLB": adlb}


def make_datasets(spec: Spec, standard: str) -> dict[str, tuple[pd.DataFrame, object]]:
    """``{name: (frame, metadata)}`` for one standard, metadata as an XPT writer would record it."""
    from aclf_cdisc.define import metadata_from_frame

    frames = make_frames()
    return {name: (frame, metadata_from_frame(spec.datasets[name], frame))
            for name, frame in frames.items() if spec.datasets[name].standard == standard}
