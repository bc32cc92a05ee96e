"""XPT metadata from the spec: labels, order, types, lengths and formats are never restated in code.

Character lengths follow the spec; a spec length of None ("auto") means the longest value present,
counted in bytes (at least 1), which is what the FDA asks for to avoid padded datasets.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from aclf_cdisc.errors import Issue, TransportError
from aclf_cdisc.spec.model import Dataset, Variable
from aclf_cdisc.transport.meta import XptDataset, XptHeader, XptVariable

NUMERIC_LENGTH = 8


def longest_bytes(values: pd.Series, encoding: str = "ascii") -> int:
    """Longest value in bytes (at least 1). ASCII counts in UTF-8 so non-ASCII text still counts
    as the bytes it would take; the writer refuses it under ASCII anyway."""
    counting = "utf-8" if encoding.lower() in ("ascii", "us-ascii") else encoding
    if isinstance(values.dtype, pd.CategoricalDtype):  # compacted: its categories are its distinct values
        if not (values.cat.codes.to_numpy() >= 0).any():
            return 1
        present = pd.Series(values.cat.categories.to_numpy(dtype=object), dtype=object)
    else:
        present = values.dropna()
    if present.empty:
        return 1
    texts = _distinct_texts(present)
    if texts is None:
        texts = [str(text) for text in present.astype(str).unique()]
    return max(max(len(text.encode(counting, errors="replace")) for text in texts), 1)


def _distinct_texts(present: pd.Series) -> list[str] | None:
    """The distinct values of a column of text without missing values, or None if some value is not text.

    Text equals only text with the same characters, so its distinct values have the lengths of all.
    """
    distinct = present.unique()
    if all(isinstance(value, str) for value in distinct):
        return list(distinct)
    return None


def xpt_variable(var: Variable, values: pd.Series | None, encoding: str = "ascii") -> XptVariable:
    """One spec variable as an XPT variable: label, type and format from the spec."""
    if var.xpt_type == "num":
        length = NUMERIC_LENGTH
    elif var.length is not None:
        length = var.length
    else:
        length = longest_bytes(values if values is not None else pd.Series([], dtype="str"), encoding)
    return XptVariable(name=var.name, label=var.label, type=var.xpt_type, length=length,
                       format=var.display_format)


def select_spec_columns(dataset: Dataset, df: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns in spec order, dropping any the spec does not define.

    A spec variable missing from the frame is an error (``xpt.column-missing``): a transport file
    must not silently lose a variable the spec promises.
    """
    missing = [v.name for v in dataset.variables if v.name not in df.columns]
    if missing:
        raise TransportError([Issue(rule="xpt.column-missing", message=f"the frame has no {name}",
                                    dataset=dataset.name, column=name,
                                    expected=f"every variable of the {dataset.name} spec")
                              for name in missing])
    return df.loc[:, list(dataset.variable_names)]


def xpt_meta_from_spec(dataset: Dataset, df: pd.DataFrame, header: XptHeader | None = None, *,
                       encoding: str = "ascii") -> XptDataset:
    """The XptDataset for ``df`` as the spec describes it (variables in spec order)."""
    return xpt_meta_from_columns(dataset, lambda name: df[name] if name in df.columns else None, header,
                                 encoding=encoding)


def xpt_meta_from_columns(dataset: Dataset, column: Callable[[str], pd.Series | None],
                          header: XptHeader | None = None, *, encoding: str = "ascii") -> XptDataset:
    """:func:`xpt_meta_from_spec` for a dataset read one variable at a time: ``column(name)`` gives a
    variable's values (None if the dataset lacks it), asked only of the text variables whose length
    the spec leaves to the data."""
    header = header or XptHeader()
    variables = tuple(xpt_variable(v, column(v.name) if v.xpt_type != "num" and v.length is None else None,
                                   encoding)
                      for v in dataset.variables)
    return XptDataset(name=dataset.name, label=dataset.label, variables=variables,
                      created=header.created, modified=header.modified,
                      sas_version=header.sas_version, os_name=header.os_name)
