"""The time-to-event parameters of this study, declared as data (study.md "Analysis conventions").

A parameter is a :class:`TteParameter`: its PARAMCD/PARAM, the ADSL origin date, and the event and
censoring sources (:mod:`aclf_cdisc.adam.sources`) that :func:`derive_param_tte` combines. To add
a parameter a statistician adds a declaration to :data:`TTE_PARAMETERS`; no builder code changes.

The source datasets the declarations refer to are prepared by :mod:`aclf_cdisc.adam.adtte`:

``adsl``
    ADSL, plus ``FUENDDT`` (end of follow-up: RANDDT + the study's follow-up length).
``ds``
    SDTM DS, plus ``DSSTDT`` (DSSTDTC as a date; partial dates stay missing) and ``FUENDDT``.
``pr``
    SDTM PR, plus ``PRSTDT`` (PRSTDTC as a date; partial dates stay missing) and ``FUENDDT``.

Rules every declaration follows (stated in methods.yaml, MT.ADTTE.*):

* events count only up to the end of follow-up (``<= FUENDDT``); a later event is not observed
  within the analysis and the subject is censored at the end of follow-up;
* censoring is at the last known alive date when that is within follow-up, else at the end of
  follow-up (the two censoring sources exclude each other, so exactly one applies);
* several candidate event dates: the earliest wins; on the same date the source listed first
  wins, then the smallest SRCSEQ (derive_param_tte), so input row order never matters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from aclf_cdisc.adam.sources import CensorSource, EventSource
from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.spec.conventions import convention_value, render_conventions
from aclf_cdisc.spec.model import Spec

#: Column added to every source dataset: the subject's end of follow-up date.
FOLLOW_UP_END = "FUENDDT"


@dataclass(frozen=True)
class TteParameter:
    """One ADTTE parameter: PARAMCD, PARAM, the ADSL origin date and the sources to combine."""

    paramcd: str
    param: str
    start_date: str
    events: tuple[EventSource, ...]
    censors: tuple[CensorSource, ...]


# ----------------------------------------------------------------------------------------------
# Events
# ----------------------------------------------------------------------------------------------
#: Death, from the end-of-study disposition record (DSSCAT STUDY PARTICIPATION, DSDECOD DEATH),
#: within follow-up. The STUDY TREATMENT disposition of a stage ended by death copies that date; it
#: is not a second source (and its DSSEQ is not the record to trace).
DEATH_DS = EventSource(
    "ds",
    date="DSSTDT",
    filter=("DSCAT == 'DISPOSITION EVENT' and DSSCAT == 'STUDY PARTICIPATION' and DSDECOD == 'DEATH' "
            f"and DSSTDT <= {FOLLOW_UP_END}"),
    set_values_to={"EVNTDESC": "DEATH", "SRCDOM": "DS", "SRCVAR": "DSSTDTC"},
    srcseq_var="DSSEQ",
)
#: Death known only from DM.DTHDTC (e.g. after a transplant ended participation); listed after
#: DEATH_DS so that the DS record is the one traced when both give the same date.
DEATH_DM = EventSource(
    "adsl",
    date="DTHDT",
    filter=f"DTHFL == 'Y' and DTHDT <= {FOLLOW_UP_END}",
    set_values_to={"EVNTDESC": "DEATH", "SRCDOM": "ADSL", "SRCVAR": "DTHDT"},
)
#: Liver transplantation, from PR, within follow-up: the TFS event and the OS censoring.
_PR_TRANSPLANT = f"PRTRT == 'LIVER TRANSPLANTATION' and PRSTDT <= {FOLLOW_UP_END}"
TRANSPLANT = EventSource(
    "pr",
    date="PRSTDT",
    filter=_PR_TRANSPLANT,
    set_values_to={"EVNTDESC": "LIVER TRANSPLANTATION", "SRCDOM": "PR", "SRCVAR": "PRSTDTC"},
    srcseq_var="PRSEQ",
)

# ----------------------------------------------------------------------------------------------
# Censoring
# ----------------------------------------------------------------------------------------------
#: Last date known alive (without transplant, for TFS: transplant ends participation).
LAST_ALIVE = CensorSource(
    "adsl",
    date="LSTALVDT",
    filter=f"LSTALVDT <= {FOLLOW_UP_END}",
    set_values_to={"EVNTDESC": "ALIVE WITHOUT EVENT", "CNSDTDSC": "LAST KNOWN ALIVE DATE",
                   "SRCDOM": "ADSL", "SRCVAR": "LSTALVDT"},
)
#: End of follow-up, when the subject was known alive after it. Administrative censoring has
#: the CNSR of every censoring (conventions tfs.cnsr.censored); CNSDTDSC tells it apart, its week
#: filled in from conventions.follow_up_weeks by :func:`tte_parameters`.
#: SRCDOM/SRCVAR stay empty: the date is computed (RANDDT + follow-up), no variable holds it.
END_OF_FOLLOW_UP = CensorSource(
    "adsl",
    date=FOLLOW_UP_END,
    filter=f"LSTALVDT > {FOLLOW_UP_END}",
    set_values_to={"EVNTDESC": "ALIVE WITHOUT EVENT AT END OF FOLLOW-UP",
                   "CNSDTDSC": "END OF FOLLOW-UP (WEEK {{ follow_up_weeks }})"},
)
#: OS only: a liver transplant within follow-up censors overall survival at the transplant (it
#: ends participation: informative censoring, named as such).
_TRANSPLANTED = f"LTXFL == 'Y' and LTXDT <= {FOLLOW_UP_END}"
TRANSPLANT_CENSOR = CensorSource(
    "pr",
    date="PRSTDT",
    filter=_PR_TRANSPLANT,
    set_values_to={"EVNTDESC": "CENSORED AT LIVER TRANSPLANTATION", "CNSDTDSC": "LIVER TRANSPLANTATION DATE",
                   "SRCDOM": "PR", "SRCVAR": "PRSTDTC"},
    srcseq_var="PRSEQ",
)
#: OS: the last-alive and end-of-follow-up censorings of subjects not transplanted within follow-up.
LAST_ALIVE_NOT_TRANSPLANTED = CensorSource(
    "adsl",
    date="LSTALVDT",
    filter=f"LSTALVDT <= {FOLLOW_UP_END} and not ({_TRANSPLANTED})",
    set_values_to=dict(LAST_ALIVE.set_values_to),
)
END_OF_FOLLOW_UP_NOT_TRANSPLANTED = CensorSource(
    "adsl",
    date=FOLLOW_UP_END,
    filter=f"LSTALVDT > {FOLLOW_UP_END} and not ({_TRANSPLANTED})",
    set_values_to=dict(END_OF_FOLLOW_UP.set_values_to),
)

# ----------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------
TTE_PARAMETERS: tuple[TteParameter, ...] = (
    TteParameter(
        paramcd="TFS",
        param="Transplant-free Survival from Randomization (days)",
        start_date="RANDDT",
        events=(DEATH_DS, DEATH_DM, TRANSPLANT),
        censors=(LAST_ALIVE, END_OF_FOLLOW_UP),
    ),
    TteParameter(
        paramcd="TFS2",
        param="Transplant-free Survival from Stage-2 Randomization (days)",
        start_date="RAND2DT",
        events=(DEATH_DS, DEATH_DM, TRANSPLANT),
        censors=(LAST_ALIVE, END_OF_FOLLOW_UP),
    ),
    TteParameter(
        paramcd="OS",
        param="Overall Survival from Randomization (days)",
        start_date="RANDDT",
        events=(DEATH_DS, DEATH_DM),
        censors=(TRANSPLANT_CENSOR, LAST_ALIVE_NOT_TRANSPLANTED, END_OF_FOLLOW_UP_NOT_TRANSPLANTED),
    ),
)


# ----------------------------------------------------------------------------------------------
# The declarations completed from the study's conventions
# ----------------------------------------------------------------------------------------------
#: Codelist of each description variable a source sets.
DESCRIPTION_CODELISTS = {"EVNTDESC": "CL.EVNTDESC", "CNSDTDSC": "CL.CNSDTDSC"}


def _cnsr_convention(spec: Spec) -> tuple[object, object]:
    try:
        return (convention_value(spec.study.conventions, "tfs.cnsr.event"),
                convention_value(spec.study.conventions, "tfs.cnsr.censored"))
    except KeyError:
        return None, None


def tte_parameters(spec: Spec, parameters: tuple[TteParameter, ...] = TTE_PARAMETERS) -> tuple[TteParameter, ...]:
    """``parameters`` with the study's conventions filled in, as ADTTE derives them.

    * CNSR of every censoring source = ``conventions.tfs.cnsr.censored``; ``tfs.cnsr.event`` must
      be 0, the CNSR every event has (ADaMIG; :class:`EventSource`);
    * ``{{ path }}`` placeholders in EVNTDESC/CNSDTDSC (the end-of-follow-up week) are rendered
      from the conventions, and each rendered text must be a term of its codelist
      (:data:`DESCRIPTION_CODELISTS`), so the codelist and the convention cannot disagree.

    Any breach is a SpecError naming the convention or codelist (rules ``spec.tte-cnsr``,
    ``spec.tte-description``).
    """
    event, censored = _cnsr_convention(spec)
    if (event != 0 or isinstance(censored, bool) or not isinstance(censored, int) or censored < 1):
        raise SpecError([Issue(rule="spec.tte-cnsr", file="specs/study.yaml", column="conventions.tfs.cnsr",
                               value=f"event: {event}, censored: {censored}",
                               message="ADTTE takes CNSR from conventions.tfs.cnsr",
                               expected="event: 0 and censored: a positive integer")])
    issues: list[Issue] = []

    def completed(source: EventSource | CensorSource) -> dict[str, str]:
        values = {k: render_conventions(v, spec.study.conventions) for k, v in source.set_values_to.items()}
        for var, oid in DESCRIPTION_CODELISTS.items():
            codelist = spec.codelists.get(oid)
            if var in values and (codelist is None or values[var] not in codelist.values):
                issues.append(Issue(rule="spec.tte-description", file="specs/codelists.yaml", column=oid,
                                    value=values[var], message=f"ADTTE sets {var} to a text {oid} does not list",
                                    expected=f"a term of {oid} (rendered from study.yaml conventions)"))
        return values

    out = tuple(replace(
        par,
        events=tuple(replace(e, set_values_to=completed(e)) for e in par.events),
        censors=tuple(replace(c, set_values_to=completed(c), censor=censored) for c in par.censors),
    ) for par in parameters)
    if issues:
        raise SpecError(list({(i.column, i.value): i for i in issues}.values()))
    return out
