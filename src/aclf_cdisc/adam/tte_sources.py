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

from dataclasses import dataclass

from aclf_cdisc.adam.sources import CensorSource, EventSource

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
#: Liver transplantation, from PR, within follow-up.
TRANSPLANT = EventSource(
    "pr",
    date="PRSTDT",
    filter=f"PRTRT == 'LIVER TRANSPLANTATION' and PRSTDT <= {FOLLOW_UP_END}",
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
    censor=1,
)
#: End of follow-up, when the subject was known alive after it. Administrative censoring has
#: CNSR 1 like every censoring (specs: tfs.cnsr {event: 0, censored: 1}); CNSDTDSC tells it apart.
#: SRCDOM/SRCVAR stay empty: the date is computed (RANDDT + 48 weeks), no variable holds it.
END_OF_FOLLOW_UP = CensorSource(
    "adsl",
    date=FOLLOW_UP_END,
    filter=f"LSTALVDT > {FOLLOW_UP_END}",
    set_values_to={"EVNTDESC": "ALIVE WITHOUT EVENT AT END OF FOLLOW-UP",
                   "CNSDTDSC": "END OF FOLLOW-UP (WEEK 48)"},
    censor=1,
)
#: OS only: a liver transplant within follow-up censors overall survival at the transplant (it
#: ends participation: informative censoring, named as such).
_TRANSPLANTED = f"LTXFL == 'Y' and LTXDT <= {FOLLOW_UP_END}"
TRANSPLANT_CENSOR = CensorSource(
    "pr",
    date="PRSTDT",
    filter=f"PRTRT == 'LIVER TRANSPLANTATION' and PRSTDT <= {FOLLOW_UP_END}",
    set_values_to={"EVNTDESC": "CENSORED AT LIVER TRANSPLANTATION", "CNSDTDSC": "LIVER TRANSPLANTATION DATE",
                   "SRCDOM": "PR", "SRCVAR": "PRSTDTC"},
    srcseq_var="PRSEQ",
    censor=1,
)
#: OS: the last-alive and end-of-follow-up censorings of subjects not transplanted within follow-up.
LAST_ALIVE_NOT_TRANSPLANTED = CensorSource(
    "adsl",
    date="LSTALVDT",
    filter=f"LSTALVDT <= {FOLLOW_UP_END} and not ({_TRANSPLANTED})",
    set_values_to=dict(LAST_ALIVE.set_values_to),
    censor=1,
)
END_OF_FOLLOW_UP_NOT_TRANSPLANTED = CensorSource(
    "adsl",
    date=FOLLOW_UP_END,
    filter=f"LSTALVDT > {FOLLOW_UP_END} and not ({_TRANSPLANTED})",
    set_values_to=dict(END_OF_FOLLOW_UP.set_values_to),
    censor=1,
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
