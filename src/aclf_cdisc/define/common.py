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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from lxml import etree

from aclf_cdisc.define.distinct import char_length
from aclf_cdisc.define.distinct import code_text as code_text  # re-exported: their first home
from aclf_cdisc.define.distinct import code_texts as code_texts
from aclf_cdisc.define.distinct import condition_mask as condition_mask
from aclf_cdisc.define.distinct import distinct_code_texts as distinct_code_texts

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


def unpack_datasets(datasets: Mapping[str, Any]) -> dict[str, tuple[pd.DataFrame, Any]]:
    """Accept ``{name: (frame, meta)}`` and normalise keys to upper-case dataset names."""
    out: dict[str, tuple[pd.DataFrame, Any]] = {}
    for name, value in datasets.items():
        frame, meta = value
        out[str(name).upper()] = (frame, meta)
    return out
