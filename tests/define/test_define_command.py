"""``aclf-cdisc define`` on an outputs tree of real XPT files written by aclf_cdisc.transport."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from fixture_spec import CREATED, make_frames

from aclf_cdisc.commands import define as define_command
from aclf_cdisc.define import check_define
from aclf_cdisc.define.outputs import build_for_outputs, define_folder
from aclf_cdisc.transport import XptDataset, XptVariable, read_xpt, write_xpt


def _write_outputs(spec, root: Path) -> None:
    for name, frame in make_frames().items():
        ds = spec.datasets[name]
        variables = []
        for var in ds.variables:
            longest = max(1, int(frame[var.name].map(lambda v: len(v) if isinstance(v, str) else 0).max()))
            length = 8 if var.is_numeric else (var.length or longest)
            variables.append(XptVariable(var.name, var.label, var.xpt_type, length, var.display_format))
        folder = define_folder(root, spec.study.studyid, ds.standard)
        folder.mkdir(parents=True, exist_ok=True)
        write_xpt(frame, XptDataset(name, ds.label, tuple(variables)), folder / f"{name.lower()}.xpt")


@pytest.fixture()
def outputs(spec, tmp_path) -> Path:
    _write_outputs(spec, tmp_path)
    return tmp_path


def test_layout_is_the_package_layout(spec, tmp_path):
    sdtm = define_folder(tmp_path, spec.study.studyid, "SDTM")
    adam = define_folder(tmp_path, spec.study.studyid, "ADaM")
    assert sdtm.relative_to(tmp_path).as_posix() == "m5/datasets/aclf-hucmsc-01/tabulations/sdtm"
    assert adam.relative_to(tmp_path).as_posix() == "m5/datasets/aclf-hucmsc-01/analysis/adam/datasets"


def test_build_for_outputs_writes_checked_defines(spec, outputs, schema_dir):
    issues = build_for_outputs(outputs, spec, schema_dir=schema_dir, creation_datetime=CREATED)
    assert [i for i in issues if i.severity != "note"] == []
    for standard in ("SDTM", "ADaM"):
        folder = define_folder(outputs, spec.study.studyid, standard)
        names = sorted(p.name for p in folder.iterdir())
        assert {"define.xml", "define2-1.xsl", "define.html"} <= set(names)
        assert not [n for n in names if n.endswith(".tmp")]
        assert check_define(folder / "define.xml") == []
    # lengths in define.xml are the ones in the XPT files
    sdtm = define_folder(outputs, spec.study.studyid, "SDTM")
    _, meta = read_xpt(sdtm / "ae.xpt")
    text = (sdtm / "define.xml").read_text("utf-8")
    aeterm = next(v for v in meta.variables if v.name == "AETERM")
    assert f'OID="IT.AE.AETERM" Name="AETERM" DataType="text" Length="{aeterm.length}"' in text


def test_build_for_outputs_is_reproducible_and_schema_checked_without_flags(spec, outputs):
    issues = build_for_outputs(outputs, spec, creation_datetime=CREATED)
    assert sorted((i.rule, i.severity, i.file) for i in issues) == [
        ("define.schema-valid", "note", "m5/datasets/aclf-hucmsc-01/analysis/adam/datasets/define.xml"),
        ("define.schema-valid", "note", "m5/datasets/aclf-hucmsc-01/tabulations/sdtm/define.xml"),
    ]
    define = define_folder(outputs, spec.study.studyid, "SDTM") / "define.xml"
    first = define.read_bytes()
    build_for_outputs(outputs, spec, creation_datetime=CREATED)
    assert define.read_bytes() == first


def _run(argv: list[str]) -> int:
    # the define subcommand alone (cli.main imports every subcommand, some not written yet)
    parser = argparse.ArgumentParser(prog="aclf-cdisc")
    define_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_cli_define_exit_codes(spec, outputs, schema_dir, monkeypatch, capsys):
    import aclf_cdisc.spec as spec_pkg

    monkeypatch.setattr(spec_pkg, "load_spec", lambda root=None: spec)
    argv = ["define", "--outputs", str(outputs), "--schema-dir", str(schema_dir),
            "--creation-datetime", CREATED]
    assert _run(argv) == 0
    assert "0 error(s)" in capsys.readouterr().out
    # a dataset file the spec does not know is a rule broken: exit 1
    folder = define_folder(outputs, spec.study.studyid, "SDTM")
    (folder / "xx.xpt").write_bytes((folder / "ts.xpt").read_bytes().replace(b"TS      ", b"XX      "))
    assert _run(argv) == 1
