"""The spec workbook layout: sheets, their columns, and where each column lives in the spec YAML.

Pinnacle 21's spec template columns come first on every sheet (``p21=True``), in P21's order;
extension columns follow for what the YAML holds that P21 has no column for. Every record sheet
ends with an ``Extra (JSON)`` column holding, as compact JSON, whatever part of the record no
column took (a key added to the YAML later, an explicit ``null``, a value a cell cannot hold
exactly), so export then import loses nothing.

A column's ``role`` says how import treats it:

``data``     read into the spec at ``path``
``context``  names the record's parent (the dataset of a variable, the form of a raw column)
``derived``  written by export from other fields (e.g. Mandatory from Core); ignored on import
``unused``   a P21 column the spec has no field for; export leaves it empty, import warns if filled
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["data", "context", "derived", "unused"]
EXTRA = "Extra (JSON)"


@dataclass(frozen=True)
class Col:
    header: str
    path: tuple[str, ...] = ()
    kind: str = "scalar"
    width: int = 14
    role: Role = "data"
    p21: bool = True
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Col, ...]
    extras: tuple[str, ...] = (EXTRA,)
    description: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (*(c.header for c in self.columns), *self.extras)

    def data_columns(self) -> tuple[Col, ...]:
        return tuple(c for c in self.columns if c.role == "data")

    def column(self, header: str) -> Col | None:
        return next((c for c in self.columns if c.header == header), None)


def _ext(header: str, path: tuple[str, ...] = (), kind: str = "scalar", width: int = 14,
         role: Role = "data") -> Col:
    return Col(header, path, kind, width, role, p21=False)


# Study sheet: one row per study attribute. P21 attribute names for the three P21 knows.
STUDY = Sheet("Study", (
    Col("Attribute", width=24, role="context", required=True),
    Col("Value", width=60, role="context"),
    _ext("Value (JSON)", width=60, role="context"),
    _ext("Sheet", width=18, role="context"),
), extras=())
STUDY_ATTRIBUTES: dict[str, str] = {"studyid": "StudyName", "title": "StudyDescription",
                                    "protocol": "ProtocolName"}
# Sheets for the study tables of study.yaml (list-of-record keys); other such keys get their own
# sheet named after the key.
STUDY_TABLE_SHEETS: dict[str, str] = {
    "arms": "Arms", "elements": "Elements", "trial_arms": "TrialArms", "visits": "Visits",
    "trial_summary": "TrialSummary", "inclusion_exclusion": "InclusionExclusion",
}
# Study-level files whose record list has a sheet of its own; their other top-level keys are
# Study sheet attributes named ``<file>#<key>``.
STUDY_FILES: dict[str, str] = {"codelists.yaml": "codelists", "methods.yaml": "methods",
                               "comments.yaml": "comments", "documents.yaml": "documents",
                               "analysis.yaml": "displays"}
ANALYSIS_FILE = "analysis.yaml"

ORIGIN = (
    Col("Origin", ("origin", "type"), width=12),
    Col("Source", ("origin", "source"), width=12),
    Col("Pages", ("origin", "pages"), "words", width=10),
)

DATASETS = Sheet("Datasets", (
    Col("Dataset", ("dataset",), width=10, required=True),
    Col("Description", ("label",), width=32),
    Col("Class", ("class",), width=18),
    Col("Structure", ("structure",), width=40),
    Col("Purpose", ("purpose",), width=12),
    Col("Key Variables", ("keys",), "list", width=40),
    Col("Repeating", ("repeating",), "yesno", width=10),
    Col("Reference Data", ("reference_data",), "yesno", width=10),
    Col("Comment", ("comment",), width=16),
    _ext("Standard", ("standard",), width=10),
    _ext("Subclass", ("subclass",), width=16),
    _ext("Domain", ("domain",), width=8),
    _ext("Sort Order", ("sort_order",), "list", width=40),
    _ext("Long Description", ("description",), width=60),
    _ext("File", width=18, role="context"),
))

VARIABLES = Sheet("Variables", (
    Col("Order", kind="integer", width=7, role="context"),
    Col("Dataset", width=10, role="context", required=True),
    Col("Variable", ("name",), width=10, required=True),
    Col("Label", ("label",), width=40),
    Col("Data Type", ("data_type",), width=11),
    Col("Length", ("length",), "integer", width=8),
    Col("Significant Digits", ("significant_digits",), "integer", width=10),
    Col("Format", ("display_format",), width=10),
    Col("Mandatory", width=10, role="derived"),
    Col("Codelist", ("codelist",), width=16),
    *ORIGIN[:2],
    ORIGIN[2],
    Col("Method", ("method",), width=18),
    Col("Predecessor", ("origin", "predecessor"), width=16),
    Col("Role", ("role",), width=18),
    Col("Comment", ("comment",), width=16),
    Col("Developer Notes", width=20, role="unused"),
    _ext("Core", ("core",), width=7),
    _ext("Origin Description", ("origin", "description"), width=30),
    _ext("Value List", ("value_list",), width=18),
    _ext("Map Rule", ("map", "rule"), width=10),
    _ext("Map Source", ("map", "source"), width=16),
    _ext("Map Time", ("map", "time"), width=12),
    _ext("Map Value", ("map", "value"), width=14),
    _ext("Map Function", ("map", "function"), width=24),
    _ext("Collected From", ("collected_from",), "list", width=24),
))

VALUE_LEVEL = Sheet("ValueLevel", (
    Col("Order", kind="integer", width=7, role="context"),
    Col("Dataset", width=10, role="context", required=True),
    Col("Variable", ("variable",), width=10, required=True),
    Col("Where Clause", ("where", "oid"), width=26),
    Col("Data Type", ("data_type",), width=11),
    Col("Length", ("length",), "integer", width=8),
    Col("Significant Digits", ("significant_digits",), "integer", width=10),
    Col("Format", ("display_format",), width=10),
    Col("Mandatory", ("mandatory",), "yesno", width=10),
    Col("Codelist", ("codelist",), width=16),
    *ORIGIN,
    Col("Method", ("method",), width=18),
    Col("Predecessor", ("origin", "predecessor"), width=16),
    Col("Comment", ("comment",), width=16),
    Col("Developer Notes", width=20, role="unused"),
    _ext("Label", ("label",), width=30),
    _ext("Unit", ("unit",), width=10),
    _ext("Origin Description", ("origin", "description"), width=30),
    _ext("Collected From", ("collected_from",), "list", width=24),
))

WHERE_CLAUSES = Sheet("WhereClauses", (
    Col("ID", width=26, role="context", required=True),
    Col("Dataset", width=10, role="context", required=True),
    Col("Variable", width=10, role="context"),
    Col("Comparator", width=11, role="context"),
    Col("Value", width=30, role="context"),
    Col("Comment", width=16, role="unused"),
    _ext("Values (JSON)", width=30, role="context"),
), extras=())

CODELISTS = Sheet("Codelists", (
    Col("ID", ("oid",), width=18, required=True),
    Col("Name", ("name",), width=30),
    Col("NCI Codelist Code", ("nci_code",), width=12),
    Col("Data Type", ("data_type",), width=10),
    Col("Terminology", width=16, role="derived"),
    Col("Comment", width=14, role="unused"),
    Col("Order", ("order",), "integer", width=7, role="context"),
    Col("Term", ("value",), width=30, role="context"),
    Col("NCI Term Code", ("nci_code",), width=12, role="context"),
    Col("Decoded Value", ("decode",), width=30, role="context"),
    _ext("Extensible", ("extensible",), "yesno", width=10),
    _ext("CT Package", ("ct",), width=10),
    _ext("Extended", ("extended",), "yesno", width=10, role="context"),
    _ext("Synonyms", ("synonyms",), "list", width=30, role="context"),
), extras=("Codelist Extra (JSON)", "Term Extra (JSON)"))
TERM_COLUMNS = ("Order", "Term", "NCI Term Code", "Decoded Value", "Extended", "Synonyms")

DICTIONARIES = Sheet("Dictionaries", (
    Col("ID", ("oid",), width=18, required=True),
    Col("Name", ("name",), width=24),
    Col("Data Type", ("data_type",), width=10),
    Col("Dictionary", ("external", "dictionary"), width=14),
    Col("Version", ("external", "version"), width=10),
    _ext("Href", ("external", "href"), width=30),
    _ext("Ref", ("external", "ref"), width=20),
    _ext("Position", kind="integer", width=9, role="context"),
))

METHODS = Sheet("Methods", (
    Col("ID", ("oid",), width=22, required=True),
    Col("Name", ("name",), width=36),
    Col("Type", ("type",), width=12),
    Col("Description", ("description",), width=80),
    Col("Expression Context", width=12, role="unused"),
    Col("Expression Code", ("expression",), width=40),
    Col("Document", ("document",), width=12),
    Col("Pages", width=8, role="unused"),
))

COMMENTS = Sheet("Comments", (
    Col("ID", ("oid",), width=22, required=True),
    Col("Description", ("description",), width=80),
    Col("Document", ("document",), width=12),
    Col("Pages", width=8, role="unused"),
))

DOCUMENTS = Sheet("Documents", (
    Col("ID", ("oid",), width=14, required=True),
    Col("Title", ("title",), width=40),
    Col("Href", ("href",), width=24),
))

# Analysis Results Metadata (analysis.yaml ``displays``): one row per display, one per result.
# A result's datasets are its Where Clause IDs (rows of the WhereClauses sheet, whose Dataset
# column names the dataset, one ID per dataset in order) and its Variable(s) as DATASET.VARIABLE.
ANALYSIS_DISPLAYS = Sheet("Analysis Displays", (
    Col("ID", ("oid",), width=16, required=True),
    Col("Title", ("description",), width=60),
    Col("Document", ("document", "oid"), width=12),
    Col("Pages", ("document", "destination"), width=14),
    _ext("Name", ("name",), width=16),
    _ext("Document Title", ("document", "title"), width=30),
))

ANALYSIS_RESULTS = Sheet("Analysis Results", (
    Col("Display", width=16, role="context", required=True),
    Col("ID", ("oid",), width=26, required=True),
    Col("Description", ("description",), width=50),
    Col("Variable(s)", width=30, role="context"),
    Col("Reason", ("reason",), width=22),
    Col("Purpose", ("purpose",), width=26),
    Col("Join Comment", ("comment",), width=18),
    Col("Where Clause", width=34, role="context"),
    Col("Documentation", ("documentation",), width=60),
    Col("Pages", width=8, role="unused"),
    Col("Programming Context", ("code", "context"), width=30),
    Col("Programming Code", ("code", "text"), width=60),
    Col("Programming Document", width=16, role="unused"),
    _ext("Parameter Dataset", ("parameter", "dataset"), width=12),
    _ext("Parameter Variable", ("parameter", "variable"), width=12),
))

RAW_FORMS = Sheet("RawForms", (
    _ext("Form", ("form",), width=12),
    _ext("Label", ("label",), width=30),
    _ext("Blinded", ("blinded",), "yesno", width=9),
    _ext("Keys", ("keys",), "list", width=30),
    _ext("Description", ("description",), width=60),
    _ext("CRF", ("crf",), "yesno", width=6),
    _ext("Visits", ("visits",), "list", width=40),
    _ext("File", width=18, role="context"),
))

RAW_COLUMNS = Sheet("RawColumns", (
    _ext("Form", width=12, role="context"),
    _ext("Order", kind="integer", width=7, role="context"),
    _ext("Column", ("name",), width=12),
    _ext("Type", ("type",), width=10),
    _ext("Required", ("required",), "yesno", width=9),
    _ext("Allowed", ("allowed",), "list", width=40),
    _ext("Description", ("description",), width=60),
))

FILES = Sheet("Files", (
    _ext("Path", width=30, role="context"),
    _ext("Part", kind="integer", width=6, role="context"),
    _ext("Content", width=100, role="context"),
), extras=())

# The YAML text of every spec file as exported (hidden): import writes a file's text back
# verbatim, comments and layout included, when the sheets give exactly its data.
SOURCES = Sheet("SpecSource", FILES.columns, extras=())

# P21 sheets first, in P21's order; extension sheets after.
P21_SHEETS: tuple[Sheet, ...] = (STUDY, DATASETS, VARIABLES, VALUE_LEVEL, WHERE_CLAUSES, CODELISTS,
                                 DICTIONARIES, METHODS, COMMENTS, DOCUMENTS, ANALYSIS_DISPLAYS, ANALYSIS_RESULTS)
REQUIRED_SHEETS: tuple[str, ...] = ("Study", "Datasets", "Variables")
