"""Read a CDISC Controlled Terminology release (NCI EVS tab-delimited export) and check codelists against it.

The NCI EVS "SDTM Terminology.txt" file has one row per codelist (empty ``Codelist Code``) and one
row per term (``Codelist Code`` = its codelist's NCI code). Columns: Code, Codelist Code,
Codelist Extensible (Yes/No), Codelist Name, CDISC Submission Value, CDISC Synonym(s),
CDISC Definition, NCI Preferred Term. The file may be given as is or inside a ``.tar.xz`` /
``.tar.gz`` / ``.zip`` archive, so a user can point the product at the release they downloaded.
"""

from __future__ import annotations

import csv
import io
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aclf_cdisc.errors import Issue, SpecError, undecodable_at
from aclf_cdisc.spec.model import Codelist
from aclf_cdisc.spec.yamlio import YamlDoc, format_path

CT_COLUMNS = (
    "Code", "Codelist Code", "Codelist Extensible (Yes/No)", "Codelist Name", "CDISC Submission Value",
    "CDISC Synonym(s)", "CDISC Definition", "NCI Preferred Term",
)


@dataclass(frozen=True)
class CTTerm:
    code: str
    submission_value: str
    synonyms: tuple[str, ...] = ()
    preferred_term: str | None = None


@dataclass
class CTCodelist:
    code: str
    name: str
    submission_value: str  # the codelist's short name, e.g. SEX, LBTESTCD
    extensible: bool
    terms: dict[str, CTTerm] = field(default_factory=dict)  # by submission value


@dataclass
class ControlledTerminology:
    source: str
    codelists: dict[str, CTCodelist]  # by NCI code

    def by_name(self, short_name: str) -> CTCodelist | None:
        for codelist in self.codelists.values():
            if codelist.submission_value == short_name:
                return codelist
        return None


def _ct_text(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path, "r|*") as archive:  # one streaming pass: an .xz archive is decompressed once
            texts = []
            for member in archive:
                if member.isfile() and member.name.lower().endswith(".txt"):
                    handle = archive.extractfile(member)
                    assert handle is not None
                    texts.append(handle.read())
            if len(texts) != 1:
                raise SpecError(Issue(rule="ct.file-invalid", file=str(path),
                                      message=f"expected one .txt terminology file in the archive, "
                                              f"found {len(texts)}"))
            return texts[0].decode("utf-8-sig")
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
            if len(names) != 1:
                raise SpecError(Issue(rule="ct.file-invalid", file=str(path),
                                      message=f"expected one .txt terminology file in the archive, "
                                              f"found {len(names)}"))
            return archive.read(names[0]).decode("utf-8-sig")
    return path.read_text(encoding="utf-8-sig")


def not_utf8_issue(exc: UnicodeDecodeError, path: Path) -> Issue:
    """The error for a CT export that is not UTF-8 (NCI EVS publishes it in UTF-8; a file saved in
    another encoding, latin-1 or UTF-16, would misread every term): the line and the bytes."""
    line, byte = undecodable_at(exc)
    return Issue(rule="ct.file-not-utf8", file=str(path), row=line, message=f"the CT file is not UTF-8 text: {byte}",
                 value=repr(exc.object[max(exc.start - 20, 0):exc.start + 1]),
                 expected="the NCI EVS export as published, in UTF-8")


def read_ct(path: Path, *, only: Iterable[str] | None = None) -> ControlledTerminology:
    """Parse an NCI EVS CDISC terminology export (``.txt``, or an archive holding one).

    ``only``: keep just these codelists (NCI codes), for a reader that knows which it needs.
    """
    keep = None if only is None else frozenset(only)
    path = Path(path)
    try:
        text = _ct_text(path)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise SpecError(Issue(rule="ct.file-unreadable", message=f"cannot read CT file: {exc}",
                              file=str(path))) from exc
    except UnicodeDecodeError as exc:
        raise SpecError(not_utf8_issue(exc, path)) from exc
    lines = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(lines, [])
    missing = [c for c in CT_COLUMNS if c not in header]
    if missing:
        raise SpecError(Issue(rule="ct.file-invalid", file=str(path), message="not an NCI EVS CT export",
                              value=", ".join(missing), expected="columns " + ", ".join(CT_COLUMNS)))
    codelists: dict[str, CTCodelist] = {}
    terms: list[tuple[str, CTTerm]] = []
    i_code, i_parent, i_ext, i_name, i_value, i_syn, _, i_pt = (header.index(c) for c in CT_COLUMNS)
    width = max(i_code, i_parent, i_ext, i_name, i_value, i_syn, i_pt) + 1
    for cells in lines:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        code = cells[i_code].strip()
        parent = cells[i_parent].strip()
        if not code or (keep is not None and (parent or code) not in keep):
            continue
        if not parent:
            codelists[code] = CTCodelist(
                code=code, name=cells[i_name].strip(), submission_value=cells[i_value].strip(),
                extensible=cells[i_ext].strip().lower() == "yes",
            )
        else:
            text = cells[i_syn]
            synonyms = tuple(s.strip() for s in text.split(";") if s.strip()) if text.strip() else ()
            terms.append((parent, CTTerm(code=code, submission_value=cells[i_value].strip(), synonyms=synonyms,
                                         preferred_term=cells[i_pt].strip() or None)))
    for parent, term in terms:
        if parent in codelists:
            codelists[parent].terms[term.submission_value] = term
    return ControlledTerminology(source=str(path), codelists=codelists)


def check_codelists(codelists: Iterable[Codelist], ct: ControlledTerminology, *,
                    doc: YamlDoc | None = None) -> list[Issue]:
    """Every CDISC codelist's NCI code exists; every non-extended term and its code is in that codelist.

    Sponsor codelists (no NCI code) and external dictionaries (MedDRA) are skipped. ``doc`` (the
    parsed codelists.yaml) lets issues name the line of the offending term.
    """
    issues: list[Issue] = []
    file = doc.file if doc is not None else "codelists.yaml"

    def add(rule: str, path: list[str | int], message: str, value: object = None, expected: str | None = None,
            severity: str = "error") -> None:
        issues.append(Issue(rule=rule, message=f"{format_path(path)}: {message}", severity=severity,  # type: ignore[arg-type]
                            file=file, row=doc.line(path) if doc is not None else None,
                            column=format_path(path), value=value, expected=expected))

    for i, cl in enumerate(codelists):
        if cl.external or not cl.nci_code or cl.ct == "ADaM":  # ADaM CT: another release (tests check it)
            continue
        ref = ct.codelists.get(cl.nci_code)
        if ref is None:
            add("ct.codelist-unknown", ["codelists", i, "nci_code"],
                f"{cl.oid}: NCI code {cl.nci_code} is not a codelist in {Path(ct.source).name}", cl.nci_code,
                "an NCI codelist code of this CT release")
            continue
        if ref.extensible != cl.extensible:
            add("ct.codelist-extensible-mismatch", ["codelists", i, "extensible"],
                f"{cl.oid}: extensible is {cl.extensible} but {ref.submission_value} ({ref.code}) is "
                f"{'extensible' if ref.extensible else 'not extensible'} in CT", cl.extensible,
                str(ref.extensible).lower())
        for j, term in enumerate(cl.terms):
            ct_term = ref.terms.get(term.submission_value)
            if term.extended:
                if ct_term is not None:
                    add("ct.term-not-extension", ["codelists", i, "terms", j, "extended"],
                        f"{cl.oid}: {term.submission_value!r} is marked extended but is a CDISC term "
                        f"({ct_term.code}) of {ref.submission_value}", term.submission_value,
                        f"extended: false, nci_code: {ct_term.code}", severity="warning")
                elif not ref.extensible:
                    add("ct.term-extends-closed-codelist", ["codelists", i, "terms", j],
                        f"{cl.oid}: sponsor term {term.submission_value!r} added to non-extensible "
                        f"{ref.submission_value} ({ref.code})", term.submission_value, "a CDISC term")
                continue
            if ct_term is None:
                add("ct.term-unknown", ["codelists", i, "terms", j, "value"],
                    f"{cl.oid}: {term.submission_value!r} is not a term of {ref.submission_value} ({ref.code})",
                    term.submission_value, "a CDISC submission value, or extended: true")
                continue
            if term.nci_code != ct_term.code:
                add("ct.term-code-mismatch", ["codelists", i, "terms", j, "nci_code"],
                    f"{cl.oid}: {term.submission_value!r} has NCI code {term.nci_code} but CT says {ct_term.code}",
                    term.nci_code, ct_term.code)
    return issues
