"""Plausibility of a raw export: data that no real trial can hold, checked before any mapping.

Each check is a small pure function of the checked forms (``form -> DataFrame`` with ``__file`` and
``__row``, as :func:`aclf_cdisc.raw.read_export` returns them) and its entry in
``conventions.checks`` of ``specs/study.yaml``, which decides its severity and names the raw
columns it compares. Every Issue names the raw file, the 1-based record, the column and the value.

    issues = plausibility_issues(forms, spec.study)

Rules (``raw.<name>``, the key in ``conventions.checks``):

    text-nul             a text cell holding a NUL byte
    text-line-break      a text cell holding a line break (CR or LF)
    date-future          a date later than ``latest`` (a fixed date in the spec, never the clock)
    birth-after-consent  a birth date whose earliest possible day follows informed consent
    age-not-human        an age outside ``bounds`` (years)
    age-not-eligible     an eligible subject whose age is outside TS AGEMIN..AGEMAX
    dose-after-death     a dose given on a day after the death date (full dates only)
    kit-reassigned       one kit number dispensed with different subject or content
    kit-subject-unknown  a kit dispensed to a subject who is in no EDC form

The duplicated-header check (``column-duplicated``) reads the file's header itself, in
:func:`duplicated_header_issues`, because a reader renames the second column before any frame exists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.compact import distinct_of
from aclf_cdisc.errors import Issue, Severity, SpecError
from aclf_cdisc.raw.held import FormsAsRead
from aclf_cdisc.raw.parse import parse_raw_date
from aclf_cdisc.spec.model import RawForm, Study

FILE_COL, ROW_COL = "__file", "__row"  # as in aclf_cdisc.raw.reader (which imports this module)
SUBJECT = ("SITEID", "SUBJID")
Forms = Mapping[str, pd.DataFrame]
Check = Callable[[Forms, Mapping[str, Any], Study], list[Issue]]


def _split(source: str) -> tuple[str, str]:
    """``"dm.AGE"`` -> ``("dm", "AGE")``."""
    form, column = source.split(".", 1)
    return form, column


def _findings(rule: str, conf: Mapping[str, Any], frame: pd.DataFrame, mask: np.ndarray | pd.Series,
              column: str, message: str, expected: str, form: str) -> list[Issue]:
    """One Issue per record of ``frame`` where ``mask`` holds, naming raw file, row, column and value."""
    picked = frame.loc[np.asarray(mask, dtype=bool)]
    severity: Severity = conf.get("severity", "error")
    return [Issue(rule=f"raw.{rule}", severity=severity, message=message, file=str(file), dataset=form,
                  row=int(row), column=column, value=value, expected=expected)
            for file, row, value in zip(picked[FILE_COL], picked[ROW_COL], picked[column], strict=True)]


def date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest day each raw date text can mean (``UN JAN 2024`` spans January).

    Missing or unreadable text gives NaT on both sides (the layout check reports unreadable dates).

    >>> lo, hi = date_bounds(pd.Series(["UN FEB 2024", "05 MAR 2024", None]))
    >>> [str(d.date()) for d in lo[:2]], [str(d.date()) for d in hi[:2]], hi.isna().tolist()[2]
    (['2024-02-01', '2024-03-05'], ['2024-02-29', '2024-03-05'], True)
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    isos = pd.Series([_iso_or_none(text) for text in distinct], dtype="string")
    length = isos.str.len()
    low = pd.to_datetime(isos.where(length != 4, isos + "-01-01").where(length != 7, isos + "-01"),
                         format="%Y-%m-%d", errors="coerce")
    high = low + pd.offsets.YearEnd(0)
    high = high.where(length == 4, low + pd.offsets.MonthEnd(0)).where(length != 10, low)
    lookup_lo = pd.DatetimeIndex([*low, pd.NaT])  # code -1 (missing) picks the trailing NaT
    lookup_hi = pd.DatetimeIndex([*high, pd.NaT])
    return (pd.Series(lookup_lo[codes], index=values.index), pd.Series(lookup_hi[codes], index=values.index))


def _iso_or_none(text: object) -> str | None:
    try:
        return parse_raw_date(str(text))
    except ValueError:
        return None


def _subject_key(frame: pd.DataFrame) -> pd.Series:
    return frame[SUBJECT[0]].astype(str) + "/" + frame[SUBJECT[1]].astype(str)


def _subject_value(frame: pd.DataFrame, key: pd.Series, source: str, forms: Forms) -> pd.Series:
    """For each record of ``frame`` (subject ``key``), the subject's first value of ``source``."""
    form, column = _split(source)
    other = forms[form]
    present = other.assign(_key=_subject_key(other)).dropna(subset=[column])
    first: pd.Series = present.drop_duplicates("_key", keep="first").set_index("_key")[column]
    return key.map(first)


def _where(frame: pd.DataFrame, conf: Mapping[str, Any], forms: Forms) -> pd.Series:
    """Records of ``frame`` (a form) whose subject meets every ``where`` condition of ``conf``."""
    keep = pd.Series(True, index=frame.index)
    key = _subject_key(frame)
    for source, wanted in (conf.get("where") or {}).items():
        form, column = _split(source)
        value = frame[column] if frame is forms.get(form) else _subject_value(frame, key, source, forms)
        keep &= value.astype("string").str.upper().eq(str(wanted).upper()).fillna(False).astype(bool)
    return keep


def _text_columns(form: RawForm | None, frame: pd.DataFrame) -> list[str]:
    if form is None:
        return [c for c in frame.columns if not c.startswith("__")]
    return [c.name for c in form.columns if c.name in frame.columns]


def check_text_characters(forms: Forms, conf: Mapping[str, Any], pattern: str, rule: str,
                          what: str) -> list[Issue]:
    """Cells of any form whose text matches ``pattern``, tested once per distinct value of a column."""
    found = re.compile(pattern).search
    issues: list[Issue] = []
    for name in sorted(forms):
        frame = forms[name]
        for column in [c for c in frame.columns if not str(c).startswith("__")]:
            # blanks (NaN) are among the distinct values and are not text: no dropna pass over the column
            bad = [v for v in distinct_of(frame[column]) if isinstance(v, str) and found(v)]
            if bad:
                hit = frame[column].isin(bad).to_numpy()
                issues += _findings(rule, conf, frame, hit, column, f"{name}.{column} holds {what}",
                                    "text on one line, without control characters", name)
    return issues


def check_text_nul(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    return check_text_characters(forms, conf, "\x00", "text-nul", "a NUL byte")


def check_text_line_break(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    return check_text_characters(forms, conf, "[\r\n]", "text-line-break", "a line break")


def check_date_future(forms: Forms, conf: Mapping[str, Any], study: Study, *,
                      layouts: Mapping[str, RawForm] | None = None) -> list[Issue]:
    """Dates of any date column whose earliest possible day is after ``latest``."""
    latest = pd.Timestamp(conf["latest"])
    issues: list[Issue] = []
    for name in sorted(forms):
        frame = forms[name]
        layout = (layouts or {}).get(name)
        columns = ([c.name for c in layout.columns if c.data_type == "date" and c.name in frame.columns] if layout
                   else [c for c in frame.columns if str(c).endswith("DAT")])
        for column in columns:
            low, _high = date_bounds(frame[column])
            issues += _findings("date-future", conf, frame, (low > latest).to_numpy(), column,
                                f"{name}.{column} is after the last possible collection date",
                                f"a date on or before {latest.date()} (conventions.checks.date-future)", name)
    return issues


def check_birth_after_consent(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    """Birth dates whose earliest possible day follows the subject's informed consent date."""
    form, column = _split(conf["birth"])
    frame = forms[form]
    birth, _ = date_bounds(frame[column])
    _, consent_latest = date_bounds(_subject_value(frame, _subject_key(frame), conf["consent"], forms))
    consent_text = _subject_value(frame, _subject_key(frame), conf["consent"], forms)
    late = (birth > consent_latest).to_numpy()
    issues = _findings("birth-after-consent", conf, frame, late, column,
                       f"{form}.{column} is after informed consent ({conf['consent']})",
                       "a birth date before informed consent", form)
    return [_with_expected(i, f"a birth date before informed consent on {c}")
            for i, c in zip(issues, consent_text[late], strict=True)]


def _with_expected(issue: Issue, expected: str) -> Issue:
    return Issue(**{**issue.as_dict(), "expected": expected})


def _ages(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def check_age_not_human(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    form, column = _split(conf["age"])
    low, high = conf["bounds"]
    age = _ages(forms[form], column)
    return _findings("age-not-human", conf, forms[form], ((age < low) | (age > high)).to_numpy(), column,
                     f"{form}.{column} is an age no human has", f"an age from {low} to {high} years", form)


def eligible_age_range(study: Study) -> tuple[float, float]:
    """The planned age range in years, from TS AGEMIN and AGEMAX (ISO 8601 ``PnY``)."""
    found: dict[str, float] = {}
    for row in study.trial_summary:
        code = row.get("TSPARMCD")
        if code in ("AGEMIN", "AGEMAX"):
            m = re.fullmatch(r"P(\d+(?:\.\d+)?)Y", str(row.get("TSVAL", "")))
            if m is None:
                raise ValueError(f"TS {code} {row.get('TSVAL')!r} is not PnY")
            found[str(code)] = float(m.group(1))
    return found.get("AGEMIN", -np.inf), found.get("AGEMAX", np.inf)


def check_age_not_eligible(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    form, column = _split(conf["age"])
    frame = forms[form]
    low, high = eligible_age_range(study)
    age = _ages(frame, column)
    outside = ((age < low) | (age > high)) & _where(frame, conf, forms)
    return _findings("age-not-eligible", conf, frame, outside.to_numpy(), column,
                     f"{form}.{column} of a subject who met every eligibility criterion is outside "
                     f"the planned ages", f"an age from {low:g} to {high:g} years (TS AGEMIN, AGEMAX)", form)


def check_dose_after_death(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    """Doses given on a full date after a full death date; partial dates are not compared."""
    form, column = _split(conf["dose"])
    frame = forms[form]
    dose_lo, dose_hi = date_bounds(frame[column])
    death_text = _subject_value(frame, _subject_key(frame), conf["death"], forms)
    death_lo, death_hi = date_bounds(death_text)
    full = (dose_lo == dose_hi) & (death_lo == death_hi)
    after = (full & (dose_lo > death_lo) & _where(frame, conf, forms)).to_numpy()
    issues = _findings("dose-after-death", conf, frame, after, column,
                       f"{form}.{column}: a dose recorded after the subject's death ({conf['death']})",
                       "a dose on or before the death date", form)
    return [_with_expected(i, f"a dose on or before the death date {d}")
            for i, d in zip(issues, death_text[after], strict=True)]


def check_kit_reassigned(forms: Forms, conf: Mapping[str, Any], study: Study) -> list[Issue]:
    """Every record of a kit number whose records disagree on anything (subject, site, content)."""
    form, column = _split(conf["kit"])
    frame = forms[form]
    content = [c for c in frame.columns if not str(c).startswith("__") and c != column]
    distinct = frame.drop_duplicates([column, *content])
    clash = distinct[column][distinct[column].duplicated(keep=False)].dropna()
    mask = frame[column].isin(set(clash)).to_numpy()
    return _findings("kit-reassigned", conf, frame, mask, column,
                     f"{form}.{column}: one kit number dispensed with different subject or content",
                     "each kit number dispensed once, to one subject, with one content", form)


def check_kit_subject_unknown(forms: Forms, conf: Mapping[str, Any], study: Study, *,
                              layouts: Mapping[str, RawForm] | None = None) -> list[Issue]:
    """Kits dispensed to a subject who appears in no non-IRT form of the export."""
    form, column = _split(conf["kit"])
    frame = forms[form]
    known: set[str] = set()
    for name, other in forms.items():
        blinded = layouts[name].blinded if layouts and name in layouts else name == form
        if name != form and not blinded and all(c in other.columns for c in SUBJECT):
            known.update(_subject_key(other[list(SUBJECT)].drop_duplicates()).tolist())
    mask = (~_subject_key(frame).isin(known)).to_numpy()
    issues = _findings("kit-subject-unknown", conf, frame, mask, column,
                       f"{form}.{column} dispensed to a subject no EDC form holds",
                       "a subject of the EDC forms (dm, ic, ...)", form)
    subjects = frame.loc[mask, SUBJECT[1]]
    return [Issue(**{**i.as_dict(), "message": f"{i.message} ({SUBJECT[1]} {s})"})
            for i, s in zip(issues, subjects, strict=True)]


CHECKS: dict[str, Check] = {
    "text-nul": check_text_nul,
    "text-line-break": check_text_line_break,
    "birth-after-consent": check_birth_after_consent,
    "age-not-human": check_age_not_human,
    "age-not-eligible": check_age_not_eligible,
    "dose-after-death": check_dose_after_death,
    "kit-reassigned": check_kit_reassigned,
}
WITH_LAYOUTS = {"date-future": check_date_future, "kit-subject-unknown": check_kit_subject_unknown}
# the checks that walk every form read held columns as they are (by their distinct values); the
# others are given the few forms they name rebuilt as read (aclf_cdisc.raw.held.FormsAsRead)
WALKS = {"text-nul", "text-line-break", *WITH_LAYOUTS}


SOURCE_KEYS = ("birth", "consent", "age", "dose", "death", "kit")


def _sources(conf: Mapping[str, Any]) -> list[str]:
    return [str(v) for k, v in conf.items() if k in SOURCE_KEYS] + [str(s) for s in conf.get("where") or {}]


def source_issues(name: str, conf: Mapping[str, Any], layouts: Mapping[str, RawForm]) -> list[Issue]:
    """A check naming a raw column no layout declares: a spec error, never a check silently skipped."""
    issues = []
    for source in _sources(conf):
        form, column = _split(source)
        if form not in layouts or column not in {c.name for c in layouts[form].columns}:
            issues.append(Issue(rule="spec.check-source-unknown", file="study.yaml", dataset=form, column=column,
                                value=source, message=f"conventions.checks.{name} names {source}, "
                                                      f"which no raw layout declares",
                                expected="form.COLUMN of a specs/raw layout"))
    return issues


def _forms_present(conf: Mapping[str, Any], forms: Forms) -> bool:
    """Every form the check compares is in the export (a blinded export has no IRT forms)."""
    return all(_split(s)[0] in forms and _split(s)[1] in forms[_split(s)[0]].columns for s in _sources(conf))


def plausibility_issues(forms: Forms, study: Study, layouts: Mapping[str, RawForm] | None = None) -> list[Issue]:
    """Every check of ``conventions.checks`` whose forms are in the export, in spec order.

    ``forms`` may be held compactly (:mod:`aclf_cdisc.raw.held`): the checks that walk every form
    (text, future dates, kits of unknown subjects) read the held columns by their distinct values,
    the others get the forms they name rebuilt as read.

    With ``layouts``, a check naming a column no layout declares raises :class:`SpecError` first.
    """
    checks = study.conventions.get("checks") or {}
    if layouts is not None:
        wrong = [i for name, conf in checks.items() for i in source_issues(name, conf, layouts)]
        if wrong:
            raise SpecError(wrong, "conventions.checks names raw columns no layout declares")
    issues: list[Issue] = []
    for name, conf in checks.items():
        if name in CHECKS and _forms_present(conf, forms):
            issues += CHECKS[name](forms if name in WALKS else FormsAsRead(forms), conf, study)
        elif name in WITH_LAYOUTS and _forms_present(conf, forms):
            issues += WITH_LAYOUTS[name](forms, conf, study, layouts=layouts)
    return issues


def duplicated_header_issues(path: Path, form: str, conf: Mapping[str, Any] | None) -> list[Issue]:
    """A CSV header naming one column twice (case and surrounding spaces ignored): one Issue per repeat.

    The header is no record, so the row is empty; the value is the column name as typed and the
    message names both header positions.
    """
    if conf is None or path.suffix.lower() != ".csv":
        return []
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        try:
            header = next(csv.reader(handle), [])
        except csv.Error as exc:  # a header cell longer than any column name (the csv module's limit)
            return [Issue(rule="raw.header-unreadable", file=path.name, dataset=form, row=None,
                          message=f"{form}: the header cannot be read as column names: {exc}",
                          expected="a header line of column names")]
    seen: dict[str, int] = {}
    issues = []
    severity: Severity = conf.get("severity", "error")
    for position, name in enumerate(header, start=1):
        key = name.strip().upper()
        if key in seen:
            issues.append(Issue(rule="raw.column-duplicated", severity=severity, file=path.name, dataset=form,
                                column=name.strip(), value=name,
                                message=f"{form} names column {name.strip()} twice (header positions "
                                        f"{seen[key]} and {position})",
                                expected="each column once in the header"))
        else:
            seen[key] = position
    return issues
