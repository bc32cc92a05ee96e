"""Few-row specs for the rule tests: a dataset is built from (name, data_type, length, core[, codelist]) tuples."""

from __future__ import annotations

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.spec.model import Codelist, Dataset, Origin, Spec, Study, Term, Variable

STUDY = Study(studyid="S", title="t", protocol="p", sponsor="s", registry_id="r", ct_versions={},
              meddra_version="27.1", arms=(), elements=(), trial_arms=(), epochs=(), visits=(),
              trial_summary=(), inclusion_exclusion=())


def var(name, data_type="text", length=None, core="Perm", codelist=None, predecessor=None):
    origin = Origin("Predecessor", predecessor=predecessor) if predecessor else Origin("Derived")
    return Variable(name=name, label=name, data_type=data_type, length=length, core=core, origin=origin,
                    codelist=codelist)


def dataset(name, *variables, standard="SDTM", class_="X", subclass=None, label="x"):
    return Dataset(name=name, label=label, standard=standard, class_=class_, structure="x",
                   purpose="Tabulation" if standard == "SDTM" else "Analysis", keys=(), sort_order=(),
                   variables=tuple(variables), subclass=subclass)


def codelist(oid, *values, extensible=False, data_type="text", name=None):
    return Codelist(oid=oid, name=name or oid, data_type=data_type, extensible=extensible,
                    terms=tuple(Term(v) for v in values))


def spec(*datasets, codelists=()):
    return Spec(study=STUDY, datasets={d.name: d for d in datasets}, codelists={c.oid: c for c in codelists},
                methods={}, comments={}, documents={})


EMPTY = spec()


def found(rule_module, datasets, spec=EMPTY):
    """(rule, dataset, column, value) of each issue the rule reports."""
    return [(i.rule, i.dataset, i.column, i.value) for i in rule_of(rule_module).run(datasets, spec)]
