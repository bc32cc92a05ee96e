"""Value-level metadata: def:ValueListDef, def:WhereClauseDef and the value-level ItemDefs.

A spec value-level row is written only when its where clause matches a record (it describes
data). Value-level ItemDef OIDs are ``IT.<DATASET>.<VARIABLE>.<where values>`` made tokens.
Lengths: a text row's Length is the spec's when it gives one, else the longest value of the
subset; a numeric row's is the digits its subset needs. Neither may exceed the parent variable's
Length (the XPT column holds every subset), so a larger one is capped at the parent's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from lxml import etree

from aclf_cdisc.define.common import (
    condition_mask,
    deff,
    it_oid,
    odm,
    oid_token,
    translated_text,
)
from aclf_cdisc.define.datasets import ItemSize, item_size, origin_element, set_item_attrs
from aclf_cdisc.define.distinct import DistinctColumn, DistinctValues, distinct_column
from aclf_cdisc.define.references import References
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Dataset, Spec, ValueLevel

Conditions = tuple[tuple[str, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class ValueRow:
    dataset: Dataset
    row: ValueLevel
    item_oid: str


@dataclass
class ValueLevelPlan:
    """The value-level rows that describe data, grouped by (dataset, variable), and their clauses."""

    value_lists: dict[tuple[str, str], tuple[str, list[ValueRow]]] = field(default_factory=dict)
    where_clauses: OrderedDict[str, tuple[str, Conditions]] = field(default_factory=OrderedDict)
    problems: list[Issue] = field(default_factory=list)
    # dataset -> column -> its DistinctColumn: each column is factorized once, for the where
    # clauses that test it and for the statistics (codelist values, lengths) taken from it
    caches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value_list_oid(self, dataset: str, variable: str) -> str | None:
        found = self.value_lists.get((dataset, variable))
        return found[0] if found else None

    def mask(self, dataset: str, frame: pd.DataFrame, where_oid: str) -> pd.Series:
        return condition_mask(frame, self.where_clauses[where_oid][1], cache=self.caches.setdefault(dataset, {}))

    def column(self, dataset: str, frame: pd.DataFrame, variable: str) -> DistinctColumn:
        """``frame[variable]`` (``frame`` being ``dataset``'s) as a DistinctColumn, factorized once."""
        return distinct_column(self.caches.setdefault(dataset, {}), frame, variable)


def plan_value_level(datasets: list[Dataset], frames: Mapping[str, pd.DataFrame],
                     present: Mapping[str, set[str]], columns: dict[str, dict[str, Any]] | None = None
                     ) -> ValueLevelPlan:
    """Select the value-level rows that match records; check their where clauses. ``columns``
    (dataset -> column -> DistinctColumn of ``frames``) is filled as columns are factorized."""
    plan = ValueLevelPlan(caches=columns if columns is not None else {})
    for ds in datasets:
        frame = frames[ds.name]
        used_item_oids: set[str] = set()
        for row in ds.value_level:
            if row.variable not in present[ds.name]:
                continue
            conditions = tuple((c[0], c[1], tuple(str(x) for x in c[2])) for c in row.where.conditions)
            missing = [c[0] for c in conditions if c[0] not in present[ds.name]]
            if missing:
                plan.problems.append(Issue("define.vlm-variable-missing", f"where clause {row.where.oid} "
                                           f"tests {', '.join(missing)}, which {ds.name} does not have",
                                           dataset=ds.name, column=row.variable, value=row.where.oid))
                continue
            if not bool(condition_mask(frame, conditions, cache=plan.caches.setdefault(ds.name, {})).any()):
                continue  # describes no record
            known = plan.where_clauses.get(row.where.oid)
            if known is not None and known[1] != conditions:
                plan.problems.append(Issue("define.where-conflict", f"where clause {row.where.oid} is "
                                           "declared twice with different conditions", dataset=ds.name,
                                           value=row.where.oid))
                continue
            plan.where_clauses[row.where.oid] = (ds.name, conditions)
            suffix = ".".join(oid_token("-".join(values)) for _, _, values in conditions)
            item = f"{it_oid(ds.name, row.variable)}.{suffix}"
            if item in used_item_oids:
                item = f"{it_oid(ds.name, row.variable)}.{oid_token(row.where.oid)}"
            used_item_oids.add(item)
            vl_oid = ds.variable(row.variable).value_list or f"VL.{ds.name}.{row.variable}"
            plan.value_lists.setdefault((ds.name, row.variable), (vl_oid, []))[1].append(ValueRow(ds, row, item))
    return plan


def value_size(row: ValueLevel, subset: pd.Series | DistinctValues, parent: ItemSize) -> ItemSize:
    """The Length/SignificantDigits of one value-level item, never above the parent's Length."""
    if row.data_type not in ("text", "integer", "float"):
        return ItemSize(None, None)
    values = subset if isinstance(subset, DistinctValues) else DistinctValues.of(subset)
    if row.data_type == "text":
        size = ItemSize(row.length or values.char_length(), None)
    else:
        size = item_size(row.data_type, values.finite_numbers(), None, row.significant_digits)
    if parent.length is not None and size.length is not None and size.length > parent.length:
        size = replace(size, length=parent.length)
    return size


def value_item_defs(plan: ValueLevelPlan, ds: Dataset, frame: pd.DataFrame, parents: Mapping[str, ItemSize],
                    refs: References, acrf: str | None) -> list[etree._Element]:
    """The value-level ItemDefs of ``ds``, in value-list order."""
    items = []
    for (ds_name, var_name), (_, rows) in plan.value_lists.items():
        if ds_name != ds.name:
            continue
        parent_var = ds.variable(var_name)
        for value_row in rows:
            row = value_row.row
            where = f"{ds.name}.{var_name} where {row.where.oid}"
            subset = plan.column(ds.name, frame, var_name).rows(plan.mask(ds.name, frame, row.where.oid))
            item = etree.Element(odm("ItemDef"))
            set_item_attrs(item, value_row.item_oid, var_name, row.data_type,
                           value_size(row, subset, parents[var_name]), row.display_format)
            comment = refs.comment(row.comment, where)
            if comment:
                item.set(deff("CommentOID"), comment)
            label = row.label or parent_var.label
            if row.unit:
                label = f"{label} ({row.unit})"
            translated_text(item, odm("Description"), label)
            codelist = refs.codelist(row.codelist, where, subset)
            if codelist:
                etree.SubElement(item, odm("CodeListRef")).set("CodeListOID", codelist)
            origin_element(item, refs.with_acrf_pages(row.origin, ds.name, row.variable, row.where.oid), where,
                           refs, acrf)
            items.append(item)
    return items


def value_list_defs(plan: ValueLevelPlan, refs: References) -> list[etree._Element]:
    """One ``def:ValueListDef`` per variable with value-level rows."""
    out = []
    for (ds_name, var_name), (vl_oid, rows) in plan.value_lists.items():
        vl = etree.Element(deff("ValueListDef"))
        vl.set("OID", vl_oid)
        for order, value_row in enumerate(rows, start=1):
            row = value_row.row
            ref = etree.SubElement(vl, odm("ItemRef"))
            ref.set("ItemOID", value_row.item_oid)
            ref.set("OrderNumber", str(order))
            ref.set("Mandatory", "Yes" if row.mandatory else "No")
            method = refs.method(row.method, f"{ds_name}.{var_name} where {row.where.oid}")
            if method:
                ref.set("MethodOID", method)
            etree.SubElement(ref, deff("WhereClauseRef")).set("WhereClauseOID", row.where.oid)
        out.append(vl)
    return out


def where_clause_defs(plan: ValueLevelPlan, spec: Spec, refs: References) -> list[etree._Element]:
    """One ``def:WhereClauseDef`` per clause used; the values tested join the tested variable's codelist."""
    out = []
    for oid, (ds_name, conditions) in plan.where_clauses.items():
        wc = etree.Element(deff("WhereClauseDef"))
        wc.set("OID", oid)
        for variable, comparator, values in conditions:
            rc = etree.SubElement(wc, odm("RangeCheck"))
            rc.set("Comparator", comparator.upper())
            rc.set("SoftHard", "Soft")
            rc.set(deff("ItemOID"), it_oid(ds_name, variable))
            for value in values:
                etree.SubElement(rc, odm("CheckValue")).text = value
            var = spec.datasets[ds_name].variable(variable)
            if var.codelist in refs.codelist_values:
                refs.codelist_values[var.codelist].update(values)
        out.append(wc)
    return out
