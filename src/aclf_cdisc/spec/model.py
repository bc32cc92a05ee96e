"""The spec object model: what the YAML files in ``specs/`` load into.

Everything a transform, a pandera schema, an XPT header or a Define-XML element needs to know
about a dataset or variable lives here, read once from the spec files. Nothing in this module
knows about any particular study or dataset; the objects are frozen so no stage can alter the
spec another stage sees.

Vocabulary follows Define-XML 2.1 (DataType, Origin Type/Source, Mandatory) and the Pinnacle 21
spec workbook (Core, Method, Comment, Codelist), so specs read like the workbook programmers know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Define-XML 2.1 item data types (the subset a submission dataset uses).
DataType = Literal[
    "text", "integer", "float", "date", "datetime", "time", "partialDate", "partialTime",
    "partialDatetime", "incompleteDatetime", "durationDatetime", "intervalDatetime",
]
NUMERIC_DATA_TYPES: frozenset[str] = frozenset({"integer", "float"})
OriginType = Literal["Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available"]
OriginSource = Literal["Investigator", "Sponsor", "Subject", "Vendor"]
Core = Literal["Req", "Exp", "Perm", "Cond"]
MapRule = Literal["copy", "ct", "const", "iso_datetime", "derive"]
UNSCHEDULED_FOLDER = "Unscheduled"  # RawForm.visits: the unscheduled EDC folders ("Unscheduled n")


@dataclass(frozen=True)
class Origin:
    type: OriginType
    source: OriginSource | None = None
    pages: tuple[str, ...] = ()  # aCRF page references for collected items
    predecessor: str | None = None  # DATASET.VARIABLE for Predecessor origins
    description: str | None = None


@dataclass(frozen=True)
class Mapping:
    """How a variable is obtained from the domain's assembled raw frame (sdtm.oak vocabulary).

    copy: take raw column ``source`` as is (trimmed);
    ct: take ``source`` and recode it to the variable's codelist via the codelist's synonyms;
    const: hard-code ``value``;
    iso_datetime: build ISO 8601 from raw date column ``source`` (and optional ``time`` column);
    derive: computed by the domain's Python derivation named ``function``.
    """

    rule: MapRule
    source: str | None = None
    time: str | None = None
    value: Any = None
    function: str | None = None


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    data_type: DataType
    length: int | None  # None: the longest value present ("auto"), for character variables
    core: Core
    origin: Origin
    role: str | None = None
    codelist: str | None = None  # CodeList OID in codelists.yaml
    method: str | None = None  # MethodDef OID in methods.yaml
    comment: str | None = None  # CommentDef OID in comments.yaml
    display_format: str | None = None  # SAS format, e.g. DATE9.
    significant_digits: int | None = None
    mapping: Mapping | None = None
    value_list: str | None = None  # ValueListDef OID when value-level metadata applies
    collected_from: tuple[str, ...] = ()  # raw fields (form.FIELD) not named by the map rule (aCRF)

    @property
    def is_numeric(self) -> bool:
        return self.data_type in NUMERIC_DATA_TYPES

    @property
    def xpt_type(self) -> Literal["char", "num"]:
        return "num" if self.is_numeric else "char"


@dataclass(frozen=True)
class WhereClause:
    """A conjunction of (variable, comparator, values) conditions, as def:WhereClauseDef."""

    oid: str
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (variable, "EQ"|"IN"|..., values)


@dataclass(frozen=True)
class ValueLevel:
    """One row of value-level metadata: a variable's metadata where a where clause holds."""

    dataset: str
    variable: str
    where: WhereClause
    data_type: DataType
    length: int | None
    origin: Origin
    label: str | None = None
    codelist: str | None = None
    method: str | None = None
    comment: str | None = None
    significant_digits: int | None = None
    display_format: str | None = None
    mandatory: bool = False
    unit: str | None = None  # e.g. the standard unit of an LB test
    collected_from: tuple[str, ...] = ()  # raw fields (form.FIELD) these values come from (aCRF)


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    standard: Literal["SDTM", "ADaM"]
    class_: str  # def:Class, e.g. "SPECIAL PURPOSE", "FINDINGS", "SUBJECT LEVEL ANALYSIS DATASET"
    structure: str
    purpose: Literal["Tabulation", "Analysis"]
    keys: tuple[str, ...]
    sort_order: tuple[str, ...]
    variables: tuple[Variable, ...]
    repeating: bool = True
    reference_data: bool = False
    subclass: str | None = None  # ADaM def:SubClass, e.g. "TIME-TO-EVENT"
    domain: str | None = None  # SDTM domain code; for SUPP-- the parent domain
    description: str | None = None
    comment: str | None = None
    value_level: tuple[ValueLevel, ...] = ()
    source_file: str | None = None
    #: analysis conventions an ADaM builder reads (windows, units, boundary rules); see spec-format.md
    conventions: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def variable(self, name: str) -> Variable:
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(f"{self.name} has no variable {name}")

    @property
    def variable_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


@dataclass(frozen=True)
class Term:
    submission_value: str
    decode: str | None = None
    nci_code: str | None = None
    extended: bool = False  # sponsor-extended term (not in CDISC CT)
    synonyms: tuple[str, ...] = ()  # raw values that recode to this term (case-insensitive)
    order: int | None = None


@dataclass(frozen=True)
class Codelist:
    oid: str
    name: str
    data_type: DataType
    terms: tuple[Term, ...] = ()
    nci_code: str | None = None
    extensible: bool = False
    external: dict[str, str] | None = None  # {"dictionary": "MedDRA", "version": "27.1"}
    ct: str | None = None  # CDISC CT package ("SDTM" or "ADaM") of a CDISC codelist (one with nci_code)

    @property
    def kind(self) -> Literal["cdisc", "external", "sponsor"]:
        """CDISC CT (def:StandardOID), external dictionary, or sponsor-defined (def:IsNonStandard)."""
        if self.external:
            return "external"
        return "cdisc" if self.nci_code else "sponsor"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(t.submission_value for t in self.terms)


@dataclass(frozen=True)
class Method:
    oid: str
    name: str
    type: Literal["Computation", "Imputation"]
    description: str
    document: str | None = None
    expression: str | None = None  # the Python derivation implementing it, for traceability


@dataclass(frozen=True)
class Comment:
    oid: str
    description: str
    document: str | None = None


@dataclass(frozen=True)
class Document:
    oid: str
    title: str
    href: str


@dataclass(frozen=True)
class Arm:
    armcd: str
    arm: str
    planned: bool = True  # False for partial multi-stage paths (not a TA arm)


@dataclass(frozen=True)
class Element:
    etcd: str
    element: str
    start_rule: str
    end_rule: str | None = None
    duration: str | None = None  # TEDUR, ISO 8601 duration


@dataclass(frozen=True)
class Visit:
    visitnum: float
    visit: str
    visitdy: int | None
    window_low: int | None  # study day lower bound of the analysis/visit window
    window_high: int | None
    start_rule: str | None = None
    end_rule: str | None = None
    armcd: str | None = None
    edc_folder: str | None = None  # the raw EDC folder name (raw VISIT) this visit maps from


@dataclass(frozen=True)
class Study:
    studyid: str
    title: str
    protocol: str
    sponsor: str
    registry_id: str
    ct_versions: dict[str, str]  # {"SDTM": "2025-03-28", "ADaM": ...}
    meddra_version: str
    arms: tuple[Arm, ...]
    elements: tuple[Element, ...]
    trial_arms: tuple[dict[str, Any], ...]  # TA rows: ARMCD, TAETORD, ETCD, TABRANCH, TATRANS, EPOCH
    epochs: tuple[str, ...]
    visits: tuple[Visit, ...]
    trial_summary: tuple[dict[str, Any], ...]  # TS rows: TSPARMCD, TSPARM, TSVAL, TSVALCD, TSVCDREF...
    inclusion_exclusion: tuple[dict[str, Any], ...]  # TI rows
    conventions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawColumn:
    """One field of a raw EDC form (CDASH name), as the export carries it."""

    name: str
    data_type: Literal["text", "integer", "float", "date", "time"]  # date: raw text, may be partial
    required: bool = False
    allowed: tuple[str, ...] = ()  # allowed raw values (case-insensitive), empty = any
    description: str | None = None
    odm_item: str | None = None  # ItemOID in an ODM export; None = IT.<FORM>.<COLUMN>


@dataclass(frozen=True)
class OdmMapping:
    """How one raw form is found in a CDISC ODM 1.3 export (``odm:`` of ``specs/raw/<form>.yaml``).

    Empty OIDs take the documented defaults (``F.<FORM>``, ``IG.<FORM>``); the columns name which
    field is filled from the ODM structure instead of an ItemData (None = not from the structure).
    """

    form_oid: str | None = None
    item_group_oid: str | None = None
    study: str | None = "STUDYID"   # ClinicalData/@StudyOID
    subject: str | None = "SUBJID"  # SubjectData/@SubjectKey
    site: str | None = "SITEID"     # SubjectData/SiteRef/@LocationOID
    visit: str | None = None        # StudyEventData (the StudyEventDef Name, plus the repeat key)


@dataclass(frozen=True)
class RawForm:
    """The layout of one raw EDC form file (``<name>.csv`` / ``.sas7bdat`` / ``.xpt``)."""

    name: str
    label: str
    columns: tuple[RawColumn, ...]
    keys: tuple[str, ...] = ()
    blinded: bool = False  # True for the IRT randomization export (it unblinds)
    description: str | None = None
    crf: bool = True  # False for a vendor transfer that is no CRF page (left out of the aCRF)
    visits: tuple[str, ...] = ()  # EDC visit folders the form is collected at; empty: a log form
    odm: OdmMapping = field(default_factory=OdmMapping)  # where the form is in an ODM export

    @property
    def form_oid(self) -> str:
        """FormOID in an ODM export: ``odm.form``, else ``F.<FORM>``."""
        return self.odm.form_oid or f"F.{self.name.upper()}"

    @property
    def item_group_oid(self) -> str:
        """ItemGroupOID in an ODM export: ``odm.item_group``, else ``IG.<FORM>``."""
        return self.odm.item_group_oid or f"IG.{self.name.upper()}"

    @property
    def structural_columns(self) -> dict[str, str]:
        """Columns filled from the ODM structure (StudyOID, SubjectKey, ...), by role."""
        roles = ("study", "subject", "site", "visit")
        return {role: col for role in roles if (col := getattr(self.odm, role)) is not None}

    def item_oids(self) -> dict[str, str]:
        """ItemOID -> column for each column carried as ItemData (``odm:``, else ``IT.<FORM>.<COLUMN>``)."""
        structural = set(self.structural_columns.values())
        return {c.odm_item or f"IT.{self.name.upper()}.{c.name}": c.name
                for c in self.columns if c.name not in structural}


@dataclass(frozen=True)
class Spec:
    """The whole specification: study, datasets by name, and the shared definitions."""

    study: Study
    datasets: dict[str, Dataset]
    codelists: dict[str, Codelist]
    methods: dict[str, Method]
    comments: dict[str, Comment]
    documents: dict[str, Document]
    raw_forms: dict[str, RawForm] = field(default_factory=dict)  # raw EDC layouts, by form name
    root: str | None = None  # the specs folder the spec was read from

    def dataset(self, name: str) -> Dataset:
        try:
            return self.datasets[name.upper()]
        except KeyError:
            raise KeyError(f"the spec has no dataset {name.upper()}") from None

    def by_standard(self, standard: str) -> list[Dataset]:
        return [d for d in self.datasets.values() if d.standard == standard]
