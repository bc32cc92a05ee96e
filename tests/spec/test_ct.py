"""Codelists in specs/codelists.yaml against the CDISC CT release the study pins (2025-03-28)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.ct import ControlledTerminology, check_codelists, read_ct
from aclf_cdisc.spec.model import Codelist, Term

CT_FILE = "ct/sdtm-terminology-2025-03-28.tar.xz"


@pytest.fixture(scope="module")
def ct(shared: Path) -> ControlledTerminology:
    return read_ct(shared / CT_FILE)


def test_01_reader_parses_codelists_and_terms(ct: ControlledTerminology) -> None:
    sex = ct.codelists["C66731"]
    assert sex.submission_value == "SEX" and not sex.extensible
    assert sex.terms["F"].code == "C16576"
    assert ct.by_name("LBTESTCD").terms["BILI"].code == "C38037"


def test_02_every_cdisc_codelist_and_term_exists_in_ct(ct: ControlledTerminology, spec_root: Path) -> None:
    spec = load_spec(spec_root)
    issues = check_codelists(spec.codelists.values(), ct)
    assert [i.render() for i in issues] == []


def test_03_codelists_name_their_nci_codelist_explicitly(ct: ControlledTerminology, spec_root: Path) -> None:
    spec = load_spec(spec_root)
    for codelist in spec.codelists.values():
        if codelist.external:
            continue
        if codelist.nci_code is None:  # sponsor codelist: its terms are its own, never "extensions"
            assert not any(t.extended for t in codelist.terms), codelist.oid
            continue
        if codelist.ct == "ADaM":  # ADaM CT release: tests/define/test_codelists.py
            continue
        assert codelist.nci_code in ct.codelists, codelist.oid
        for term in codelist.terms:
            if not term.extended:
                assert term.nci_code == ct.codelists[codelist.nci_code].terms[term.submission_value].code


def test_04_study_version_matches_the_ct_file(spec_root: Path) -> None:
    spec = load_spec(spec_root)
    assert spec.study.ct_versions["SDTM"] in CT_FILE


def test_05_wrong_term_wrong_code_and_closed_extension_are_reported(ct: ControlledTerminology) -> None:
    bad = Codelist(oid="CL.SEX", name="Sex", data_type="text", nci_code="C66731", extensible=False, terms=(
        Term("F", nci_code="C16576"),
        Term("FEMALE", nci_code="C16576"),                 # not a submission value
        Term("M", nci_code="C99999"),                      # wrong code
        Term("X", extended=True),                          # extends a non-extensible codelist
    ))
    unknown = Codelist(oid="CL.NOPE", name="x", data_type="text", nci_code="C0", terms=(Term("A"),))
    issues = check_codelists([bad, unknown], ct)
    assert [(i.rule, i.column, i.value) for i in issues] == [
        ("ct.term-unknown", "codelists[0].terms[1].value", "FEMALE"),
        ("ct.term-code-mismatch", "codelists[0].terms[2].nci_code", "C99999"),
        ("ct.term-extends-closed-codelist", "codelists[0].terms[3]", "X"),
        ("ct.codelist-unknown", "codelists[1].nci_code", "C0"),
    ]


HEADER = "\t".join(("Code", "Codelist Code", "Codelist Extensible (Yes/No)", "Codelist Name",
                    "CDISC Submission Value", "CDISC Synonym(s)", "CDISC Definition", "NCI Preferred Term"))


@pytest.mark.parametrize(("name", "encode", "row", "byte"), [
    ("ct.txt", lambda text: text.encode("latin-1"), 3, "0xe9"),
    ("ct.txt", lambda text: text.encode("utf-16"), 1, "0xff"),
    ("ct.zip", lambda text: text.encode("latin-1"), 3, "0xe9"),
])
def test_06_a_ct_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path, capsys, name: str, encode, row: int,
                                                              byte: str) -> None:
    """A CT export saved in another encoding was an internal error (UnicodeDecodeError); it is one
    error naming the file, the line and the bytes, for ``spec check --ct`` and ``read_ct`` alike."""
    import zipfile

    from aclf_cdisc.cli import main
    from aclf_cdisc.errors import SpecError

    data = encode("\n".join([HEADER, "C66731\t\tNo\tSex\tSEX\tSex\tSex.\tCDISC SDTM Sex Terminology",
                             "C20197\tC66731\t\tSex\tM\tMale\tA m\u00e9le.\tMale", ""]))
    path = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("SDTM Terminology.txt", data)
    else:
        path.write_bytes(data)
    with pytest.raises(SpecError) as raised:
        read_ct(path)
    issue = raised.value.issues[0]
    assert (issue.rule, issue.file, issue.row) == ("ct.file-not-utf8", str(path), row)
    assert f"byte {byte}" in issue.message
    assert main(["spec", "check", "--ct", str(path)]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert f"[error] ct.file-not-utf8: the CT file is not UTF-8 text: byte {byte}" in err
