"""build_sdtm: the raw export to every SDTM dataset the spec declares, in dependency order.

    DM  (subjects, reference dates, arms)
    SE  (subject elements: EPOCH for everything after)
    SV  visit map (one numbering of unscheduled visits for every domain)
    DS/SUPPDS, EC, EX (from EC), SV, LB, AE, RS, PR/SUPPPR
    RELREC (the dataset-level relationships of relrec.yaml: EC and EX by --LNKID)
    TS, TA, TE, TV, TI (trial design; TS counts ACTSUB from DM)

Warnings are appended to ``issues``; any error stops the build with every problem listed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from aclf_cdisc.errors import DerivationError, InputError, Issue
from aclf_cdisc.raw import RawExport
from aclf_cdisc.sdtm.assemble import TrimmedForms
from aclf_cdisc.sdtm.domains.ae import build_ae
from aclf_cdisc.sdtm.domains.dm import build_dm, no_subjects_issue
from aclf_cdisc.sdtm.domains.ds import build_ds_suppds
from aclf_cdisc.sdtm.domains.ec import build_ec
from aclf_cdisc.sdtm.domains.ex import build_ex
from aclf_cdisc.sdtm.domains.lb import build_lb
from aclf_cdisc.sdtm.domains.pr import build_pr_supppr
from aclf_cdisc.sdtm.domains.relrec import build_relrec
from aclf_cdisc.sdtm.domains.rs import build_rs
from aclf_cdisc.sdtm.domains.se import build_se
from aclf_cdisc.sdtm.domains.sv import build_sv
from aclf_cdisc.sdtm.domains.trial_design import build_ta, build_te, build_ti, build_ts, build_tv
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
from aclf_cdisc.sdtm.visits import subject_visit_map
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.tasks import MapEach, serial_map

# Every SDTM dataset a builder here produces; the spec must declare exactly these.
BUILT_DATASETS = ("AE", "DM", "DS", "EC", "EX", "LB", "PR", "RELREC", "RS", "SE", "SUPPDS", "SUPPPR", "SV",
                  "TA", "TE", "TI", "TS", "TV")


def check_spec_coverage(spec: Spec) -> None:
    """Fail before building when the spec and the builders disagree on the SDTM dataset list."""
    declared = {d.name for d in spec.by_standard("SDTM")}
    problems = [
        Issue(rule="sdtm.dataset-not-built", dataset=name, file=spec.root,
              message=f"the spec declares {name} but no builder produces it")
        for name in sorted(declared - set(BUILT_DATASETS))
    ] + [
        Issue(rule="sdtm.dataset-not-in-spec", dataset=name, file=spec.root,
              message=f"a builder produces {name} but the spec has no sdtm/{name.lower()}.yaml")
        for name in sorted(set(BUILT_DATASETS) - declared)
    ]
    if problems:
        raise DerivationError(problems, "the SDTM builders and the spec's SDTM datasets disagree")


# The study-level datasets: the trial design from the spec and (TS) the whole study's DM, and the
# dataset-level relationships (RELREC) from the whole study's records: never from one subject's.
STUDY_DATASETS = ("RELREC", "TA", "TE", "TI", "TS", "TV")


def build_study_sdtm(spec: Spec, subject_level: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The study-level SDTM datasets (:data:`STUDY_DATASETS`) from the spec and the whole study's
    subject-level datasets (``subject_level``: DM, EC, EX, ...)."""
    return {"TS": build_ts(spec, dm=subject_level["DM"]), "TA": build_ta(spec), "TE": build_te(spec),
            "TV": build_tv(spec), "TI": build_ti(spec), "RELREC": build_relrec(subject_level, spec)}


def build_sdtm(raw: RawExport, spec: Spec, *, blinded: bool = False,
               issues: list[Issue] | None = None, study_level: bool = True,
               map_each: MapEach = serial_map) -> dict[str, pd.DataFrame]:
    """Every SDTM dataset of the spec, keyed by dataset name.

    ``study_level=False`` leaves out :data:`STUDY_DATASETS`: a block of subjects builds only the
    datasets whose records belong to a subject (:mod:`aclf_cdisc.package.blocks`). After DM, SE
    and the visit map, the domains fall in three independent groups (:func:`domain_groups`),
    computed by ``map_each`` (side by side in a one-block build: the largest in the build's
    process, the others on a forked worker); their warnings are
    reported in group order, so the issues are the same list wherever the groups ran.
    """
    check_spec_coverage(spec)
    empty = no_subjects_issue(raw)
    if empty is not None:
        raise InputError(empty)
    issues = issues if issues is not None else []
    forms = TrimmedForms(raw)  # every form trimmed once; each builder reads copies
    shared = SharedInputs(forms, spec, blinded)  # the infusions and randomization: assembled once
    dm = build_dm(forms, spec, blinded=blinded, issues=issues, shared=shared)
    se = build_se(forms, spec, dm=dm, blinded=blinded, issues=issues, shared=shared)
    visits = subject_visit_map(forms, spec)
    built = {"DM": dm, "SE": se}
    groups = domain_groups(forms, spec, dm=dm, se=se, visits=visits, blinded=blinded, shared=shared)
    sizes = {name: float(len(frame)) for name, frame in raw.forms.items() if frame is not None}
    for datasets, found in map_each(_run_group, groups, cost=lambda group: sum(sizes.get(f, 0.0) for f in group[0])):
        issues.extend(found)
        built.update(datasets)
    if not study_level:
        return {name: built[name] for name in sorted(built)}
    built.update(build_study_sdtm(spec, built))
    assert set(built) == set(BUILT_DATASETS), "BUILT_DATASETS is out of date"
    return {name: built[name] for name in sorted(built)}


DomainGroup = tuple[tuple[str, ...], Callable[[list[Issue]], dict[str, pd.DataFrame]]]


def domain_groups(forms: TrimmedForms, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, visits: pd.DataFrame,
                  blinded: bool, shared: SharedInputs | None = None) -> list[DomainGroup]:
    """The domains built after DM, SE and the visit map, in three groups that need nothing from each
    other: (the raw forms a group reads most, its builder). A builder appends its warnings to the
    list it is given. In order: the interventions and dispositions (EC first: EX and DS read it),
    labs, the adverse events and clinical assessments. ``shared``: the infusions and randomization
    DM and SE read (DS and EX read them too)."""
    def interventions(found: list[Issue]) -> dict[str, pd.DataFrame]:
        ec = build_ec(forms, spec, dm=dm, se=se, visit_map=visits, issues=found)
        ds, suppds = build_ds_suppds(forms, spec, dm=dm, se=se, ec=ec, blinded=blinded, issues=found, shared=shared)
        pr, supppr = build_pr_supppr(forms, spec, dm=dm, se=se, issues=found)
        return {"EC": ec, "DS": ds, "SUPPDS": suppds, "PR": pr, "SUPPPR": supppr,
                "SV": build_sv(forms, spec, dm=dm, se=se, visit_map=visits, issues=found),
                "EX": build_ex(forms, spec, dm=dm, se=se, ec=ec, visit_map=visits, blinded=blinded, issues=found,
                               shared=shared)}

    def labs(found: list[Issue]) -> dict[str, pd.DataFrame]:
        return {"LB": build_lb(forms, spec, dm=dm, se=se, visit_map=visits, issues=found)}

    def events(found: list[Issue]) -> dict[str, pd.DataFrame]:
        return {"AE": build_ae(forms, spec, dm=dm, se=se, issues=found),
                "RS": build_rs(forms, spec, dm=dm, se=se, visit_map=visits, issues=found)}

    return [(("ex", "ic", "ie", "eos", "ltx", "sv"), interventions), (("lb",), labs), (("ae", "cla"), events)]


def _run_group(group: DomainGroup) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    found: list[Issue] = []
    return group[1](found), found
