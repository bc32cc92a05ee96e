"""What a define references: the methods, comments, documents and codelists its items name.

The section builders (datasets, value level) record each reference here as they write it; the
definition sections (methods and comments, codelists, documents) then write exactly the
definitions referenced, so nothing is an orphan and nothing referenced is missing. A reference to
an OID the spec does not define is an error naming where it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aclf_cdisc.define.common import distinct_code_texts, document_leaf_id
from aclf_cdisc.define.distinct import DistinctValues
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Origin, Spec


@dataclass
class References:
    """References made so far, and the problems found making them."""

    spec: Spec
    problems: list[Issue] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)
    comments: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    # codelist OID -> coded values found in the data of the items that reference it
    codelist_values: dict[str, set[str]] = field(default_factory=dict)
    standard: str | None = None  # SDTM cites aCRF pages; ADaM methods cite their programs
    # method OID -> the def:leaf of the program implementing it (analysis/adam/programs)
    method_programs: dict[str, Any] = field(default_factory=dict)
    _acrf_layout: Any = None
    _programs: Any = None

    def _missing(self, kind: str, oid: str, where: str, file: str) -> None:
        self.problems.append(Issue("define.spec-ref-missing", f"{where} names {kind} {oid}, which {file} "
                                   "does not define", value=oid))

    def _cite(self, kind: str, oid: str | None, where: str, defined: Mapping[str, Any], file: str,
              recorded: set[str]) -> str | None:
        """Record ``oid`` (a method or comment) and the document its definition cites; None when
        absent or undefined."""
        if oid is None:
            return None
        if oid not in defined:
            self._missing(kind, oid, where, file)
            return None
        recorded.add(oid)
        if defined[oid].document:
            self.document(defined[oid].document or "", f"{kind} {oid}")
        return oid

    def method(self, oid: str | None, where: str) -> str | None:
        """Record a MethodOID (the document and the program it cites); None when absent or undefined."""
        cited = self._cite("method", oid, where, self.spec.methods, "methods.yaml", self.methods)
        if cited is not None:
            self._program(cited)
        return cited

    def comment(self, oid: str | None, where: str) -> str | None:
        """Record a CommentOID (and the document it cites); None when absent or undefined."""
        return self._cite("comment", oid, where, self.spec.comments, "comments.yaml", self.comments)

    def document(self, oid: str, where: str) -> str | None:
        """Record a document; return its def:leaf ID."""
        if oid not in self.spec.documents:
            self._missing("document", oid, where, "documents.yaml")
            return None
        self.documents.add(oid)
        return document_leaf_id(oid)

    def codelist(self, oid: str | None, where: str, values: Any = None) -> str | None:
        """Record a CodeListOID and the coded values the referencing item holds (``values``: a
        Series, or DistinctValues whose code texts are already counted per distinct value)."""
        if oid is None:
            return None
        if oid not in self.spec.codelists:
            self._missing("codelist", oid, where, "codelists.yaml")
            return None
        found = self.codelist_values.setdefault(oid, set())
        if isinstance(values, DistinctValues):
            found.update(values.code_texts())
        elif values is not None:
            found.update(distinct_code_texts(values))
        return oid

    def _program(self, oid: str) -> None:
        """ADaM: record the exported program that implements a method (contents.programs)."""
        if self.standard != "ADaM" or oid in self.method_programs:
            return
        from aclf_cdisc.contents.programs import adam_programs, program_for_method

        if self._programs is None:
            self._programs = adam_programs(self.spec)
        program = program_for_method(self.spec.methods[oid], self._programs)
        if program is not None:
            self.method_programs[oid] = program

    def with_acrf_pages(self, origin: Origin, dataset: str, variable: str, where_oid: str | None = None) -> Origin:
        """SDTM: a Collected origin without pages in the spec cites the aCRF pages its fields are
        annotated on (the annotated CRF's layout, a pure function of the spec)."""
        if origin.type != "Collected" or origin.pages or self.standard != "SDTM":
            return origin
        from aclf_cdisc.contents.acrf import acrf_layout

        if self._acrf_layout is None:
            self._acrf_layout = acrf_layout(self.spec)
        pages = self._acrf_layout.pages_for(dataset, variable, where_oid)
        return replace(origin, pages=tuple(str(p) for p in pages)) if pages else origin
