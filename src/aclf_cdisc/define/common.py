"""Namespaces, OID conventions and the dataset-metadata shape shared by the Define-XML modules.

OID conventions (one place, so builder, checker and stylesheet agree):

    Study            STDY.<STUDYID>
    MetaDataVersion  MDV.<STUDYID>.<SDTM|ADaM>
    def:Standard     STD.IG.<IG name>, STD.CT.<publishing set>
    ItemGroupDef     IG.<DATASET>
    ItemDef          IT.<DATASET>.<VARIABLE>; value level IT.<DATASET>.<VARIABLE>.<where values>
                     (values made tokens: anything but letters, digits, '.', '-' becomes '_')
    def:ValueListDef the spec's value_list OID, else VL.<DATASET>.<VARIABLE>
    def:WhereClauseDef, CodeList, MethodDef, def:CommentDef: the spec's OIDs
    def:leaf         LF.<DATASET> for datasets; documents: the spec's OID, prefixed LF. if missing
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from lxml import etree

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: ODM_NS, "def": DEF_NS, "xlink": XLINK_NS}
XP_NS = {"odm": ODM_NS, "def": DEF_NS, "xlink": XLINK_NS}

STYLESHEET_NAME = "define2-1.xsl"
DEFINE_NAME = "define.xml"
HTML_NAME = "define.html"

# Define-XML DataTypes stored as numbers in XPT; all others are character.
NUMERIC_TYPES = frozenset({"integer", "float"})
# DataTypes that carry a Length attribute (Define-XML 2.1 section 5.3.11).
LENGTH_TYPES = frozenset({"text", "integer", "float"})


def odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def deff(tag: str) -> str:
    return f"{{{DEF_NS}}}{tag}"


def translated_text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """Append ``<tag><TranslatedText xml:lang="en">text</TranslatedText></tag>`` to ``parent``."""
    el = etree.SubElement(parent, tag)
    tt = etree.SubElement(el, odm("TranslatedText"))
    tt.set(f"{{{XML_NS}}}lang", "en")
    tt.text = text
    return el


_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")


def oid_token(text: str) -> str:
    """``text`` as an OID fragment: runs of characters other than letters, digits, '.', '-' become '_'.

    >>> oid_token("DISPOSITION EVENT")
    'DISPOSITION_EVENT'
    >>> oid_token("CHILD-PUGH CLASSIFICATION")
    'CHILD-PUGH_CLASSIFICATION'
    """
    return _NOT_TOKEN.sub("_", text).strip("_") or "_"


def xpt_type_of(data_type: str) -> str:
    return "num" if data_type in NUMERIC_TYPES else "char"


def ig_oid(dataset: str) -> str:
    return f"IG.{dataset}"


def it_oid(dataset: str, variable: str) -> str:
    return f"IT.{dataset}.{variable}"


def dataset_leaf_id(dataset: str) -> str:
    return f"LF.{dataset}"


def document_leaf_id(doc_oid: str) -> str:
    return doc_oid if doc_oid.startswith("LF.") else f"LF.{doc_oid}"


# --------------------------------------------------------------------------------------------
# Dataset metadata: what the XPT file says (name, label, variables with name/label/type/length)
# --------------------------------------------------------------------------------------------


class VariableMetaLike(Protocol):
    name: str
    label: str
    type: Any
    length: Any


class DatasetMetaLike(Protocol):
    name: str
    label: str
    variables: Sequence[Any]


@dataclass(frozen=True)
class VariableMeta:
    name: str
    label: str
    type: str  # "char" | "num"
    length: int
    format: str | None = None


@dataclass(frozen=True)
class DatasetMeta:
    """The transport-level metadata of one dataset (a stand-in for ``transport.XptDataset``)."""

    name: str
    label: str
    variables: tuple[VariableMeta, ...]


def normalise_type(value: Any) -> str:
    """Map the many spellings of an XPT variable type onto ``char`` / ``num``."""
    text = str(getattr(value, "value", value)).strip().lower()
    if text in {"num", "numeric", "n", "2", "float", "integer", "number"}:
        return "num"
    return "char"


def meta_variables(meta: Any) -> list[VariableMeta]:
    """Read the per-variable metadata of an XptDataset-like object in file order."""
    out: list[VariableMeta] = []
    for var in meta.variables:
        length = getattr(var, "length", None)
        out.append(VariableMeta(
            name=str(var.name).upper(),
            label=str(getattr(var, "label", "") or ""),
            type=normalise_type(getattr(var, "type", "char")),
            length=int(length) if length is not None else 0,
            format=getattr(var, "format", None) or None,
        ))
    return out


def char_length(values: Iterable[Any]) -> int:
    """The XPT length of a character column: longest value in bytes, at least 1."""
    longest = 1
    for value in values:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        longest = max(longest, len(str(value).encode("utf-8")))
    return longest


def metadata_from_frame(dataset: Any, frame: pd.DataFrame) -> DatasetMeta:
    """The metadata an XPT writer would record for ``frame`` under spec ``dataset``.

    Used where no XPT file exists (tests, previews): spec labels and types, spec lengths where
    fixed, the longest value for ``auto`` character lengths and 8 bytes for numerics.
    """
    variables = []
    for var in dataset.variables:
        if var.name not in frame.columns:
            continue
        if var.is_numeric:
            length = 8
        elif var.length is not None:
            length = int(var.length)
        else:
            length = char_length(frame[var.name])
        variables.append(VariableMeta(var.name, var.label, var.xpt_type, length, var.display_format))
    return DatasetMeta(dataset.name, dataset.label, tuple(variables))


def code_text(value: Any) -> str | None:
    """A data value as the text a CodeList CodedValue holds (1.0 -> "1"); None when missing."""
    if value is None:
        return None
    if isinstance(value, float):
        if pd.isna(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    if text.strip() == "" or text == "nan":
        return None
    return text


#: Types of missing value each of which code_text always reads the same way (None, NaN: None;
#: pd.NA: "<NA>"; NaT: "NaT").
_MISSING_KINDS = frozenset({type(None), float, np.float64, type(pd.NA), type(pd.NaT)})


def _distinct_texts(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, texts): ``texts[codes]`` is code_text of each value, the last text standing for the
    missing values. Each distinct value is converted once.

    Only for values whose equal members always share one code text: the numbers of a numpy
    column, and text (object or string columns) whose missing values all read alike. Anything
    else (e.g. 1 and True, which compare equal but read differently) gives None, and the caller
    converts value by value.
    """
    if not isinstance(values, pd.Series) or len(values) == 0:
        return None
    dtype = values.dtype
    missing_text = None
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        # what iterating or mapping a numeric column hands over: Python numbers
        codes, uniques = pd.factorize(values.to_numpy())
        texts = [code_text(u) for u in uniques.tolist()]
    elif pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
        array = values.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(array, skipna=True) != "string":
            return None
        missing = pd.isna(array)
        if missing.any():
            absent = array[missing]
            first_of_kind = pd.Series(np.frompyfunc(type, 1, 1)(absent)).drop_duplicates()
            if not set(first_of_kind) <= _MISSING_KINDS:
                return None
            read_as = {code_text(value) for value in absent[first_of_kind.index]}
            if len(read_as) != 1:
                return None
            missing_text = read_as.pop()
        codes, uniques = pd.factorize(array)
        texts = [code_text(u) for u in uniques]
    else:
        return None
    return np.asarray(codes), np.array([*texts, missing_text], dtype=object)


def _as_mapped(texts: np.ndarray, values: pd.Series, **kwargs: Any) -> pd.Series:
    """``texts`` with the dtype ``values.map`` gives such results: inferred, and a string column's
    own string dtype when text is inferred."""
    out = pd.Series(texts, **kwargs)
    if isinstance(values.dtype, pd.StringDtype) and isinstance(out.dtype, pd.StringDtype):
        out = out.astype(values.dtype)
    return out


def code_texts(values: pd.Series) -> pd.Series:
    """``values.map(code_text)``, converting each distinct value once."""
    found = _distinct_texts(values)
    if found is None:
        return values.map(code_text)
    codes, texts = found
    return _as_mapped(texts[codes], values, index=values.index, name=values.name)


def distinct_code_texts(values: Iterable[Any]) -> set[str]:
    """The code texts of ``values`` (missing values left out), each distinct value converted once."""
    found = _distinct_texts(values)
    if found is None:
        return {v for v in (code_text(x) for x in values) if v is not None}
    codes, texts = found
    used = np.zeros(len(texts), dtype=bool)
    used[codes] = True
    return {t for t in texts[used] if t is not None}


def condition_mask(frame: pd.DataFrame, conditions: Sequence[tuple[str, str, Sequence[str]]], *,
                   cache: dict[str, Any] | None = None) -> pd.Series:
    """Rows of ``frame`` where every (variable, comparator, values) condition holds.

    Comparators EQ/NE/IN/NOTIN compare as text; LT/LE/GT/GE compare numerically. A condition on a
    column the frame lacks matches nothing. ``cache`` (one dict per frame, kept by the caller)
    keeps the text of each tested column between calls.
    """
    mask = pd.Series(True, index=frame.index)
    for variable, comparator, values in conditions:
        if variable not in frame.columns:
            return pd.Series(False, index=frame.index)
        wanted = set(values)
        comp = comparator.upper()
        if comp in {"EQ", "IN", "NE", "NOTIN"}:
            hit = _text_isin(frame[variable], wanted, cache, variable)
            mask &= hit if comp in {"EQ", "IN"} else ~hit
        else:
            numbers = pd.to_numeric(frame[variable], errors="coerce")
            bound = float(next(iter(values)))
            ops = {"LT": numbers < bound, "LE": numbers <= bound, "GT": numbers > bound,
                   "GE": numbers >= bound}
            mask &= ops.get(comp, pd.Series(True, index=frame.index)).fillna(False)
    return mask


def _text_isin(column: pd.Series, wanted: set[str], cache: dict[str, Any] | None, variable: str) -> pd.Series:
    """``column.map(code_text).isin(wanted)``, tested once per distinct value."""
    found = cache.get(variable) if cache is not None else None
    if found is None:
        found = _distinct_texts(column)
        if found is None:
            found = column.map(code_text)
        if cache is not None:
            cache[variable] = found
    if isinstance(found, pd.Series):
        return found.isin(wanted)
    codes, texts = found
    hit = _as_mapped(texts, column).isin(wanted).to_numpy()
    return pd.Series(hit[codes], index=column.index, dtype=bool)


def unpack_datasets(datasets: Mapping[str, Any]) -> dict[str, tuple[pd.DataFrame, Any]]:
    """Accept ``{name: (frame, meta)}`` and normalise keys to upper-case dataset names."""
    out: dict[str, tuple[pd.DataFrame, Any]] = {}
    for name, value in datasets.items():
        frame, meta = value
        out[str(name).upper()] = (frame, meta)
    return out
