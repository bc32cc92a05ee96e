"""DS (Disposition) and SUPPDS.

Records, in the order they happen:

* Informed consent (ic): DSCAT PROTOCOL MILESTONE, DSDECOD INFORMED CONSENT OBTAINED. The consent
  form version (ic.ICVER) has no DS variable: SUPPDS QNAM ICVER on that record.
* Stage-1 randomization (irt_rand RANDSTG 1): PROTOCOL MILESTONE, DSDECOD RANDOMIZED,
  DSTERM "RANDOMIZED (STAGE 1)".
* Stage-2 randomization (RANDSTG 2): PROTOCOL MILESTONE, DSDECOD RE-RANDOMIZED (CDISC CT C186212,
  Protocol Milestone codelist), DSTERM "RE-RANDOMIZED (STAGE 2)". The CT term says what happened
  without a sponsor subcategory or a SUPPDS flag, and ``DSDECOD in (RANDOMIZED, RE-RANDOMIZED)``
  still finds both. The randomization number goes to DSREFID.
* Screen failure (ie IEYN = N): DISPOSITION EVENT, DSSCAT STUDY PARTICIPATION, DSDECOD SCREEN
  FAILURE, DSTERM naming the first criterion not met, date = eligibility assessment date.
* End of study (eos): DISPOSITION EVENT, DSSCAT STUDY PARTICIPATION, DSDECOD = eos.DSDECOD
  recoded to NCOMPLT (Liver transplant -> LIVER TRANSPLANTATION, sponsor extension, COM.DS.DSDECOD),
  DSTERM = the specify text, else the decoded term. A DEATH record must carry DM.DTHDTC: a
  different eos date is an error (the data are contradictory; no silent pick).
* Treatment disposition per stage (:func:`treatment_dispositions`, MT.DS.TREATMENT): DISPOSITION
  EVENT, DSSCAT STUDY TREATMENT, EPOCH = the stage's treatment epoch, for every subject with an EC
  record of the stage.

EPOCH from SE at DSSTDTC (treatment dispositions: the epoch they close); DSSTDY from DM.RFSTDTC.
A blinded build without irt_rand has no randomization records.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.assemble import form_file, frame_file, get_form, with_usubjid
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.ct import recode_ct
from aclf_cdisc.sdtm.dates import to_iso8601
from aclf_cdisc.sdtm.domains.ec import build_ec
from aclf_cdisc.sdtm.domains.se import stage_epochs
from aclf_cdisc.sdtm.epoch import derive_var_epoch_for
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.infusions import infusion_visits
from aclf_cdisc.sdtm.irt import require_irt
from aclf_cdisc.sdtm.lineage import lineage_of
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
from aclf_cdisc.sdtm.study_day import compute_dy, iso_date_part
from aclf_cdisc.sdtm.supp import build_supp
from aclf_cdisc.spec.model import Codelist, Spec

DOMAIN = "DS"
MILESTONE, DISPOSITION = "PROTOCOL MILESTONE", "DISPOSITION EVENT"
STUDY_PARTICIPATION, STUDY_TREATMENT = "STUDY PARTICIPATION", "STUDY TREATMENT"
COMPLETED = "COMPLETED"
CONSENT = "INFORMED CONSENT OBTAINED"
# tie-break of records on the same date/time: consent, randomizations, end of study, treatment dispositions
_ORDER = {"ic": 1, "rand1": 2, "rand2": 3, "ie": 4, "eos": 5, "trt": 6}


def _records(frame: pd.DataFrame, source: str, **values: Any) -> pd.DataFrame:
    out = pd.DataFrame({"USUBJID": frame["USUBJID"].to_numpy()})
    for name, value in values.items():
        out[name] = value.to_numpy() if isinstance(value, pd.Series) else value
    out["_src"] = source
    out["_ord"] = _ORDER[source]
    for lineage in (FILE_COL, ROW_COL):  # the raw record (sdtm.lineage)
        if lineage in frame.columns:
            out[lineage] = frame[lineage].to_numpy()
    return out


def assemble_ds(raw: Any, spec: Spec, *, dm: pd.DataFrame, ec: pd.DataFrame | None = None, blinded: bool = False,
                issues: list[Issue] | None = None, shared: SharedInputs | None = None) -> pd.DataFrame:
    """Every DS record with DSTERM, DSDECOD, DSCAT, DSSCAT, DSSTDTC, DSREFID and ICVER (for SUPPDS);
    ``_EPOCH`` on treatment dispositions (none without ``ec``). ``shared``: the build's
    randomization (assembled here when not given)."""
    found: list[Issue] = [] if issues is None else issues
    pieces = []

    ic_form = get_form(raw, "ic")
    assert ic_form is not None  # required form: get_form raised InputError when it is missing
    ic = with_usubjid(ic_form, spec)
    pieces.append(_records(
        ic, "ic", DSTERM=CONSENT, DSDECOD=CONSENT, DSCAT=MILESTONE, DSSCAT=None,
        DSSTDTC=to_iso8601(ic["DSSTDAT"], dataset=DOMAIN, variable="DSSTDTC", file=frame_file(ic, "ic"),
                           rows=ic["_row"], issues=found),
        DSREFID=None, ICVER=ic["ICVER"]))

    rand = (shared if shared is not None else SharedInputs(raw, spec, blinded)).randomization()
    stages = ((1, "RANDOMIZED (STAGE 1)", "RANDOMIZED"), (2, "RE-RANDOMIZED (STAGE 2)", "RE-RANDOMIZED"))
    for stage, term, decod in stages:
        part = rand[rand[f"RAND{stage}DTC"].notna()].rename(
            columns={f"RAND{stage}{FILE_COL}": FILE_COL, f"RAND{stage}{ROW_COL}": ROW_COL})
        pieces.append(_records(part, f"rand{stage}", DSTERM=term, DSDECOD=decod, DSCAT=MILESTONE, DSSCAT=None,
                               DSSTDTC=part[f"RAND{stage}DTC"], DSREFID=part[f"RAND{stage}NO"], ICVER=None))

    ie_form = get_form(raw, "ie")
    assert ie_form is not None  # required form: get_form raised InputError when it is missing
    ie = with_usubjid(ie_form, spec)
    failed = ie[ie["IEYN"].fillna("").str.upper() == "N"]
    ie_term = ("Eligibility criterion not met: " + failed["IETESTCD"].fillna("") + " "
               + failed["IETEST"].fillna("")).str.strip()
    pieces.append(_records(
        failed, "ie", DSTERM=ie_term, DSDECOD="SCREEN FAILURE", DSCAT=DISPOSITION, DSSCAT=STUDY_PARTICIPATION,
        DSSTDTC=to_iso8601(failed["IEDAT"], dataset=DOMAIN, variable="DSSTDTC", file=frame_file(ie, "ie"),
                           rows=failed["_row"],
                    issues=found),
        DSREFID=None, ICVER=None))

    eos_form = get_form(raw, "eos")
    assert eos_form is not None  # required form: get_form raised InputError when it is missing
    eos = with_usubjid(eos_form, spec)
    ncomplt = spec.codelists[_codelist(spec, "DSDECOD", DISPOSITION)]
    eos_decod, ct_issues = recode_ct(eos["DSDECOD"], ncomplt, dataset=DOMAIN, variable="DSDECOD",
                                     file=frame_file(eos, "eos"), rows=eos["_row"])
    found += ct_issues
    eos_dtc = to_iso8601(eos["DSSTDAT"], dataset=DOMAIN, variable="DSSTDTC", file=frame_file(eos, "eos"),
                         rows=eos["_row"], issues=found)
    end_of_study = _records(
        eos, "eos", DSTERM=eos["DSTERM"].where(eos["DSTERM"].notna(), eos_decod), DSDECOD=eos_decod,
        DSCAT=DISPOSITION, DSSCAT=STUDY_PARTICIPATION, DSSTDTC=eos_dtc, DSREFID=None, ICVER=None)
    pieces.append(end_of_study)
    if ec is not None:
        treatment, trt_issues = treatment_dispositions(ec, end_of_study, infusion_visits(spec), stage_epochs(spec),
                                                       ncomplt, file=form_file(raw, "ex"))
        found += trt_issues
        if not treatment.empty:
            pieces.append(_records(treatment, "trt", **{c: treatment[c] for c in treatment.columns
                                                         if c not in ("USUBJID", FILE_COL, ROW_COL)}))

    frame = pd.concat(pieces, ignore_index=True)
    death_issues = death_date_issues(frame, dm)
    if death_issues:
        raise DerivationError(death_issues, "DS death date differs from DM.DTHDTC")
    return frame


def treatment_dispositions(ec: pd.DataFrame, end_of_study: pd.DataFrame, schedule: dict[int, list[str]],
                           epochs: dict[int, str], ncomplt: Codelist, *,
                           file: str = "ex.csv") -> tuple[pd.DataFrame, list[Issue]]:
    """One STUDY TREATMENT disposition per subject and stage with an EC record of that stage (MT.DS.TREATMENT).

    * the stage's last scheduled infusion (``schedule[stage][-1]``) given: COMPLETED, dated at
      its end (ECENDTC);
    * recorded as not given: the reason (ECREASOC, recoded to NCOMPLT by the codelist's synonyms;
      DSTERM keeps it verbatim), dated at the end of the stage's last infusion given;
    * never reached and participation ended (end of study not COMPLETED): the end-of-study reason
      and date; participation not ended: no record yet (still on treatment).

    ``end_of_study`` holds USUBJID, DSDECOD, DSTERM, DSSTDTC of the end-of-study records (and their
    raw ``__file``/``__row``); ``file`` is the raw file of the infusion log the reasons come from.
    Each record keeps the raw record it derives from (sdtm.lineage): the infusion log row of the
    stage's last scheduled infusion (EC's lineage), else the end-of-study row.
    """
    columns = ["USUBJID", "DSTERM", "DSDECOD", "DSCAT", "DSSCAT", "DSSTDTC", "DSREFID", "ICVER", "_EPOCH",
               FILE_COL, ROW_COL]
    ec = with_raw_source(ec)
    eos = end_of_study[end_of_study["DSDECOD"].notna() & (end_of_study["DSDECOD"] != COMPLETED)]
    eos = eos.drop_duplicates("USUBJID").set_index("USUBJID")
    records: list[dict[str, Any]] = []
    for stage, visits in sorted(schedule.items()):
        staged = ec[ec["VISIT"].isin(visits)]
        last = _first_record(staged[staged["VISIT"] == visits[-1]],
                             ["ECOCCUR", "ECENDTC", "ECREASOC", FILE_COL, ROW_COL])
        given = staged[staged["ECOCCUR"] == "Y"].sort_values("ECSTDTC", kind="mergesort")
        last_end = _last_record(given, ["ECENDTC"])["ECENDTC"]  # the end of the stage's last infusion given
        for usubjid in sorted(staged["USUBJID"].dropna().unique()):
            base = {"USUBJID": usubjid, "DSCAT": DISPOSITION, "DSSCAT": STUDY_TREATMENT, "DSREFID": None,
                    "ICVER": None, "_EPOCH": epochs[stage], "_missed": False}
            if usubjid in last["ECOCCUR"] and last["ECOCCUR"][usubjid] == "Y":
                records.append({**base, "DSTERM": COMPLETED, "DSDECOD": COMPLETED,
                                "DSSTDTC": last["ECENDTC"][usubjid],
                                **_source(last, usubjid)})
            elif usubjid in last["ECOCCUR"]:
                records.append({**base, "DSTERM": last["ECREASOC"][usubjid], "DSDECOD": None, "_missed": True,
                                "DSSTDTC": last_end.get(usubjid), **_source(last, usubjid)})
            elif usubjid in eos.index:
                ended = eos.loc[usubjid]
                records.append({**base, "DSTERM": ended["DSTERM"], "DSDECOD": ended["DSDECOD"],
                                "DSSTDTC": ended["DSSTDTC"], FILE_COL: ended.get(FILE_COL),
                                ROW_COL: ended.get(ROW_COL)})
    frame = pd.DataFrame.from_records(records, columns=[*columns, "_missed"])
    missed = frame["_missed"].astype(bool)
    recoded, issues = recode_ct(frame.loc[missed, "DSTERM"], ncomplt, dataset=DOMAIN, variable="DSDECOD",
                                file=file)
    frame.loc[missed, "DSDECOD"] = recoded
    return frame[columns], issues


def _first_record(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[Any, Any]]:
    """Column -> {USUBJID: value on the subject's first record of ``frame``}."""
    first = frame.drop_duplicates("USUBJID", keep="first")
    return {c: dict(zip(first["USUBJID"], first[c], strict=True)) for c in columns}


def _source(records: dict[str, dict[Any, Any]], usubjid: Any) -> dict[str, Any]:
    """The raw file and row (``__file``/``__row``) of ``usubjid``'s record in ``records`` (:func:`_first_record`)."""
    return {FILE_COL: records[FILE_COL][usubjid], ROW_COL: records[ROW_COL][usubjid]}


def _last_record(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[Any, Any]]:
    """Column -> {USUBJID: value on the subject's last record of ``frame``}."""
    last = frame.drop_duplicates("USUBJID", keep="last")
    return {c: dict(zip(last["USUBJID"], last[c], strict=True)) for c in columns}


def with_raw_source(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a conformed SDTM ``frame`` with its lineage (raw file and row per record) as the
    ``__file``/``__row`` columns; both missing when the frame has no valid lineage."""
    lineage = lineage_of(frame)
    out = frame.copy()
    out[FILE_COL] = lineage.file_list() if lineage is not None else None
    out[ROW_COL] = lineage.row_list() if lineage is not None else None
    return out


def _codelist(spec: Spec, variable: str, dscat: str) -> str:
    """The codelist of ``variable`` on records of category ``dscat`` (value-level row, else the variable's)."""
    dataset = spec.dataset(DOMAIN)
    for row in dataset.value_level:
        if row.variable == variable and row.codelist and ("DSCAT", "EQ", (dscat,)) in row.where.conditions:
            return row.codelist
    codelist = dataset.variable(variable).codelist
    if not codelist:
        raise KeyError(f"{DOMAIN}.{variable} has no codelist for DSCAT {dscat} in the spec")
    return codelist


def death_date_issues(ds: pd.DataFrame, dm: pd.DataFrame) -> list[Issue]:
    """DS DEATH records whose date differs from DM.DTHDTC (date part compared).

    Each Issue cites the end-of-study record's raw file and 1-based row (``__file``/``__row``, for
    an ODM export the line of its ItemGroupData) and names the subject in its message; the subject
    alone (``USUBJID=...``) where the record carries no raw source.
    """
    deaths = ds[(ds["DSDECOD"] == "DEATH") & (ds["DSSCAT"] != STUDY_TREATMENT)]  # treatment records copy the date
    dthdtc = deaths["USUBJID"].map(dm.set_index("USUBJID")["DTHDTC"])
    differs = iso_date_part(deaths["DSSTDTC"]).fillna("") != iso_date_part(dthdtc).fillna("")
    bad = deaths[differs]
    files = bad[FILE_COL] if FILE_COL in bad.columns else pd.Series(None, index=bad.index, dtype=object)
    rows = bad[ROW_COL] if ROW_COL in bad.columns else pd.Series(None, index=bad.index, dtype=object)
    return [Issue(rule="sdtm.ds-death-date",
                  message=f"end-of-study DEATH date of {s} differs from the death form date",
                  file=None if pd.isna(f) else str(f), dataset=DOMAIN,
                  row=f"USUBJID={s}" if pd.isna(r) else int(r), column="DSSTDTC", value=d,
                  expected=f"DM.DTHDTC {t}")
            for s, f, r, d, t in zip(bad["USUBJID"], files, rows, bad["DSSTDTC"], dthdtc[differs], strict=True)]


def build_ds(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, ec: pd.DataFrame | None = None,
             blinded: bool = False, issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build DS (see :func:`build_ds_suppds` for DS with its SUPPDS)."""
    return build_ds_suppds(raw, spec, dm=dm, se=se, ec=ec, blinded=blinded, issues=issues)[0]


def build_ds_suppds(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, ec: pd.DataFrame | None = None,
                    blinded: bool = False, issues: list[Issue] | None = None,
                    shared: SharedInputs | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build DS and SUPPDS: EPOCH from SE, DSSTDY from DM, DSSEQ in date order.

    ``ec`` (:func:`aclf_cdisc.sdtm.domains.ec.build_ec`) gives the treatment dispositions; built here
    when not given. ``shared``: the build's randomization (:class:`SharedInputs`, same ``blinded``).
    """
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    if ec is None:
        ec = build_ec(raw, spec, dm=dm, se=se, issues=found)
    frame = assemble_ds(raw, spec, dm=dm, ec=ec, blinded=blinded, issues=found, shared=shared)
    settle_issues(found, issues, DOMAIN)
    frame["STUDYID"] = spec.study.studyid
    frame["DOMAIN"] = DOMAIN
    frame["DSSTDY"] = compute_dy(frame["DSSTDTC"], frame["USUBJID"].map(dm.set_index("USUBJID")["RFSTDTC"]))
    frame = derive_var_epoch_for(frame, "DSSTDTC", se, conventions=spec.study.conventions,
                                 observation_class=dataset.class_)
    if "_EPOCH" in frame.columns:  # a treatment disposition names the epoch it closes
        frame["EPOCH"] = frame["_EPOCH"].where(frame["_EPOCH"].notna(), frame["EPOCH"])
    frame["_day"] = iso_date_part(frame["DSSTDTC"]).fillna(frame["DSSTDTC"].astype("string"))
    frame = derive_var_seq(frame, "DSSEQ", order=["_day", "_ord", "DSSTDTC"])
    return conform_to_spec(frame, dataset), build_suppds(frame, spec)


def build_suppds(frame: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """SUPPDS from the working DS frame (DSSEQ assigned): ICVER on the consent record."""
    supp_spec = spec.dataset("SUPPDS")
    supp = build_supp(frame, supp_spec, {"ICVER": "ICVER"}, idvar="DSSEQ")
    return conform_to_spec(supp, supp_spec)
