"""derive_param_tte: one time-to-event parameter from event and censoring sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.adam.sources import CensorSource, EventSource
from aclf_cdisc.errors import DerivationError, Issue

from ._common import as_date, as_tuple, assert_columns, assert_frame, filter_mask, record_key

TTE_VARS = ("STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ")


def _candidates(sources: Sequence[EventSource | CensorSource], source_datasets: Mapping[str, pd.DataFrame],
                keys: tuple[str, ...], kind: str) -> tuple[pd.DataFrame, list[Issue]]:
    frames, issues = [], []
    for number, source in enumerate(sources):
        if source.dataset_name not in source_datasets:
            raise ValueError(f"{kind} source {number + 1} names dataset {source.dataset_name!r}, "
                             f"which is not in `source_datasets`")
        data = source_datasets[source.dataset_name]
        assert_frame(data, f"source_datasets[{source.dataset_name!r}]")
        needed = [*keys, source.date] + ([source.srcseq_var] if source.srcseq_var else [])
        assert_columns(data, needed, dataset_name=source.dataset_name, argument=f"{kind} source {number + 1}")
        rows = data.loc[filter_mask(data, source.filter, f"{kind} source {number + 1} filter")]
        dates = as_date(rows[source.date])
        if kind == "event":
            for _, row in rows[dates.isna().to_numpy()].iterrows():
                issues.append(Issue(
                    rule="adam.tte-event-date-missing", dataset=source.dataset_name,
                    row=record_key(row, keys), column=source.date, value=None,
                    message="an event record has no date; it can neither count nor be ignored",
                    expected="a complete (or imputed) event date"))
        part = pd.DataFrame({k: rows[k].to_numpy() for k in keys})
        part["ADT"] = dates.to_numpy()
        part["SRCSEQ"] = (pd.to_numeric(rows[source.srcseq_var]).to_numpy(dtype=float)
                          if source.srcseq_var else np.nan)
        part["__source"] = number
        frames.append(part[part["ADT"].notna()])
    if not frames:
        empty = pd.DataFrame(columns=[*keys, "ADT", "SRCSEQ", "__source"])
        return empty, issues
    return pd.concat(frames, ignore_index=True), issues


def derive_param_tte(
    dataset_adsl: pd.DataFrame,
    source_datasets: Mapping[str, pd.DataFrame],
    start_date: str,
    event_conditions: Sequence[EventSource],
    censor_conditions: Sequence[CensorSource],
    set_values_to: Mapping[str, Any],
    subject_keys: Sequence[str] = ("STUDYID", "USUBJID"),
    *,
    dataset: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build one BDS time-to-event parameter: one record per subject with a start date.

    Permitted values:
      start_date: a date column of ADSL, e.g. "RANDDT" (study.md: TFS starts at stage-1
        randomization; the stage-2 TFS at the stage-2 randomization date, missing for subjects
        not re-randomized, who then get no record).
      event_conditions / censor_conditions: EventSource / CensorSource objects
        (aclf_cdisc.adam.sources); their list order is the tie-break order.
      set_values_to: constants for every record; PARAMCD required (PARAM etc. as given).
      dataset: an existing ADTTE to append to; the PARAMCD must not exist in it yet.

    Details (first match decides, per subject of ADSL with a non-missing start date):
      1. An event source row (after its filter) with a missing date: DerivationError
         (rule adam.tte-event-date-missing), since dropping it could censor a death.
      2. The subject has event dates: the earliest wins (CNSR 0, EVNTDESC and SRC* from that
         source). Several events on that date: the source listed first wins, then the smallest
         SRCSEQ. Per study.md "TFS", death or transplant, whichever comes first.
      3. Otherwise, the subject has censoring dates (rows with missing dates are skipped): the
         latest wins (CNSR = that source's censor value, >= 1); ties as in 2.
      4. Otherwise: DerivationError (rule adam.tte-no-date) naming the subject, since a
         randomized subject without any censoring date would silently leave the analysis.
      5. The chosen date before the start date: DerivationError (rule adam.tte-before-start)
         naming the subject, the source dataset, column and date. Censoring dates are not
         clamped to the start date: a date before randomization is a data error to fix, not to
         hide.
      6. AVAL = ADT - STARTDT + 1 days (an event on the start date gives AVAL 1).
    The result does not depend on the row order of any input; records are sorted by subject_keys.

    Returns: ``dataset`` (or an empty frame) with records carrying subject_keys, set_values_to,
    STARTDT, ADT, AVAL, CNSR, EVNTDESC, CNSDTDSC, SRCDOM, SRCVAR, SRCSEQ.

    Example::

        >>> from aclf_cdisc.adam.sources import CensorSource, EventSource
        >>> adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["01", "02"],
        ...                      "RANDDT": pd.to_datetime(["2023-10-01", "2023-10-03"]),
        ...                      "DTHDT": pd.to_datetime(["2023-10-20", None]),
        ...                      "LSTALVDT": pd.to_datetime(["2023-10-20", "2024-09-01"])})
        >>> death = EventSource("adsl", "DTHDT", filter="DTHDT.notna()", set_values_to={"EVNTDESC": "DEATH"})
        >>> alive = CensorSource("adsl", "LSTALVDT", set_values_to={"CNSDTDSC": "LAST KNOWN ALIVE"})
        >>> os_ = derive_param_tte(adsl, {"adsl": adsl}, "RANDDT", [death], [alive], {"PARAMCD": "OS"})
        >>> os_[["USUBJID", "AVAL", "CNSR"]].values.tolist()  # death on day 20; censored on day 335
        [['01', 20.0, 0], ['02', 335.0, 1]]
    """
    assert_frame(dataset_adsl, "dataset_adsl")
    keys = as_tuple(subject_keys, "subject_keys")
    events, censors = list(event_conditions), list(censor_conditions)
    if not all(isinstance(s, EventSource) for s in events):
        raise TypeError("`event_conditions` must hold EventSource objects")
    if not all(isinstance(s, CensorSource) for s in censors):
        raise TypeError("`censor_conditions` must hold CensorSource objects")
    if not events and not censors:
        raise ValueError("give at least one event or censor source")
    values = dict(set_values_to)
    if "PARAMCD" not in values:
        raise ValueError("`set_values_to` must set PARAMCD")
    clash = sorted(set(values) & set(TTE_VARS))
    if clash:
        raise ValueError(f"`set_values_to` cannot set {clash}; they come from the sources")
    assert_columns(dataset_adsl, [*keys, start_date], dataset_name="ADSL", argument="start_date/subject_keys")
    if dataset is not None:
        assert_frame(dataset, "dataset")
        if "PARAMCD" in dataset.columns and (dataset["PARAMCD"] == values["PARAMCD"]).any():
            raise DerivationError(Issue(
                rule="adam.paramcd-exists", dataset="ADTTE", column="PARAMCD", value=values["PARAMCD"],
                message=f"PARAMCD {values['PARAMCD']} already exists", expected="a new PARAMCD"))

    adsl = pd.DataFrame({k: dataset_adsl[k].to_numpy() for k in keys})
    adsl["STARTDT"] = as_date(dataset_adsl[start_date]).to_numpy()
    adsl = adsl[adsl["STARTDT"].notna()]
    if adsl.duplicated(list(keys)).any():
        raise DerivationError(Issue(rule="adam.adsl-duplicate", dataset="ADSL", column=", ".join(keys),
                                    message="ADSL has more than one record per subject",
                                    expected="one record per subject"))

    ev, issues_ev = _candidates(events, source_datasets, keys, "event")
    cn, _ = _candidates(censors, source_datasets, keys, "censor")
    if issues_ev:
        raise DerivationError(issues_ev)
    by = list(keys)
    # earliest event; ties: source order, then SRCSEQ
    ev = ev.sort_values([*by, "ADT", "__source", "SRCSEQ"], kind="mergesort", na_position="last")
    ev = ev.drop_duplicates(by, keep="first").assign(__kind="event")
    # latest censoring date; ties: source order, then SRCSEQ
    cn = cn.assign(__negdt=-(cn["ADT"].astype("int64") if len(cn) else 0))
    cn = cn.sort_values([*by, "__negdt", "__source", "SRCSEQ"], kind="mergesort", na_position="last")
    cn = cn.drop_duplicates(by, keep="first").drop(columns="__negdt").assign(__kind="censor")

    chosen = adsl.merge(ev, on=by, how="left")
    no_event = chosen["ADT"].isna()
    if no_event.any():
        fallback = adsl.merge(cn, on=by, how="left")
        chosen = pd.concat([chosen[~no_event], fallback[no_event.to_numpy()]], ignore_index=True)
    chosen = chosen.sort_values(by, kind="mergesort").reset_index(drop=True)

    issues: list[Issue] = []
    for _, row in chosen[chosen["ADT"].isna()].iterrows():
        issues.append(Issue(rule="adam.tte-no-date", dataset="ADSL", row=record_key(row, keys),
                            column=start_date, value=None,
                            message="subject has neither an event nor a censoring date",
                            expected="at least one censoring source covering every subject"))
    for _, row in chosen[(chosen["ADT"] < chosen["STARTDT"]).fillna(False)].iterrows():
        source = (events if row["__kind"] == "event" else censors)[int(row["__source"])]
        issues.append(Issue(rule="adam.tte-before-start", dataset=source.dataset_name,
                            row=record_key(row, keys), column=source.date, value=row["ADT"].date().isoformat(),
                            message=f"{row['__kind']} date is before the start date {start_date}",
                            expected=f">= {row['STARTDT'].date().isoformat()}"))
    if issues:
        raise DerivationError(issues)

    out = chosen[by].copy()
    for name, value in values.items():
        out[name] = value
    out["STARTDT"] = as_date(chosen["STARTDT"]).to_numpy()
    out["ADT"] = as_date(chosen["ADT"]).to_numpy()
    out["AVAL"] = ((out["ADT"] - out["STARTDT"]).dt.days + 1).astype(float)
    sources = [(events if k == "event" else censors)[int(i)] for k, i in zip(chosen["__kind"],
                                                                           chosen["__source"], strict=True)]
    out["CNSR"] = np.array([s.cnsr for s in sources], dtype=int)
    for var in ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR"):
        out[var] = pd.Series([s.set_values_to.get(var) for s in sources], index=out.index, dtype=object)
    out["SRCSEQ"] = chosen["SRCSEQ"].to_numpy(dtype=float)
    if dataset is None:
        return out
    return pd.concat([dataset, out], ignore_index=True)
