"""``aclf-cdisc spec check``: exit 0 on a clean spec, 1 with located issues on a broken one."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from aclf_cdisc.commands import spec as spec_command


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aclf-cdisc")
    spec_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_01_clean_spec_with_ct(spec_root: Path, shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["spec", "check", "--specs", str(spec_root),
                 "--ct", str(shared / "ct" / "sdtm-terminology-2025-03-28.tar.xz")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "OK" in out.out


def test_02_broken_spec_exits_1_and_names_the_place(spec_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec_root / "sdtm" / "dm.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("CL.SEX", "CL.SEXX"), encoding="utf-8")
    code = _run(["spec", "check", "--specs", str(spec_root)])
    err = capsys.readouterr().err
    assert code == 1
    assert "spec.codelist-unknown" in err and "file=specs/sdtm/dm.yaml" in err
    assert "column=variables[2].codelist" in err
