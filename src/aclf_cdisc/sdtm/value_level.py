"""Value-level metadata lookups: which value-level row of a variable applies to which value."""

from __future__ import annotations

from aclf_cdisc.spec.model import Dataset, ValueLevel


def value_level_by(dataset: Dataset, variable: str, by: str) -> list[tuple[str, ValueLevel]]:
    """(value of ``by``, row) for each value-level row of ``variable`` whose where clause says ``by`` EQ/IN it.

    In spec order, so a dict built from the pairs keeps the last row stated for a value.
    """
    return [
        (value, row)
        for row in dataset.value_level
        if row.variable == variable
        for var, comparator, values in row.where.conditions
        if var == by and comparator in ("EQ", "IN")
        for value in values
    ]
