"""``aclf-cdisc xpt``: info, dump, to-json, from-json, and the exit-code contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from aclf_cdisc.cli import main


def _anchor(shared: Path, name: str) -> Path:
    return shared / "anchors" / "cdiscpilot01" / f"{name}.xpt"


def test_info(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xpt", "info", str(_anchor(shared, "adam/adtte"))]) == 0
    out = capsys.readouterr().out
    assert "dataset   ADTTE" in out and "rows      254" in out and "SAS       9.3 on X64_7HOM" in out
    assert "TRTSDT    num     8  DATE9." in out


def test_dump(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xpt", "dump", str(_anchor(shared, "sdtm/ta")), "--rows", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "STUDYID" in out[0] and "CDISCPILOT01" in out[1]


@pytest.mark.parametrize("rows", ["-5", "-1", "two"])
def test_dump_of_a_negative_row_count_is_a_usage_error(shared: Path, capsys: pytest.CaptureFixture[str],
                                                        rows: str) -> None:
    """``--rows -5`` printed an empty table and exit 0, as if the file held no rows."""
    with pytest.raises(SystemExit) as stopped:
        main(["xpt", "dump", str(_anchor(shared, "sdtm/ta")), "--rows", rows])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        f"aclf-cdisc xpt dump: error: argument --rows: expected a whole number >= 0, got '{rows}'")


def test_dump_of_zero_rows_prints_the_header_only(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xpt", "dump", str(_anchor(shared, "sdtm/ta")), "--rows", "0"]) == 0
    assert "STUDYID" in capsys.readouterr().out


def test_json_round_trip_gives_the_same_bytes(shared: Path, tmp_path: Path) -> None:
    source = _anchor(shared, "adam/adsl")
    assert main(["xpt", "to-json", str(source), str(tmp_path / "adsl.json")]) == 0
    assert main(["xpt", "from-json", str(tmp_path / "adsl.json"), str(tmp_path / "adsl.xpt"),
                 "--created", "2012-10-15T22:56:22"]) == 0
    raw = (tmp_path / "adsl.xpt").read_bytes()
    assert raw[8 * 80:] == source.read_bytes()[8 * 80:]  # all but the SAS version/OS header records


def test_encoding_problem_is_a_data_error(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xpt", "info", str(_anchor(shared, "sdtm/ts"))]) == 1
    assert "xpt.read-encoding" in capsys.readouterr().err
    assert main(["xpt", "info", str(_anchor(shared, "sdtm/ts")), "--encoding", "windows-1252"]) == 0


@pytest.mark.parametrize("action", ["info", "dump", "to-json", "from-json"])
@pytest.mark.parametrize("encoding", ["bogus", "rot13", "utf-16", "undefined"])
def test_an_encoding_xpt_text_cannot_be_in_is_a_usage_error(shared: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            action: str, encoding: str) -> None:
    # no such codec, a bytes-to-bytes codec, one that does not write ASCII as ASCII, one that refuses all
    outputs = [str(tmp_path / "out")] if action in ("to-json", "from-json") else []
    with pytest.raises(SystemExit) as ended:
        main(["xpt", action, str(_anchor(shared, "sdtm/ta")), *outputs, "--encoding", encoding])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument --encoding: {encoding!r} is not an encoding XPT text can be in" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_an_ascii_compatible_encoding_is_taken(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xpt", "info", str(_anchor(shared, "sdtm/ta")), "--encoding", "latin-1"]) == 0
    assert "dataset   TA" in capsys.readouterr().out


def test_a_malformed_dataset_json_is_one_located_line_and_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "dm.json"
    source.write_text('{"datasetJSONVersion": "1.1.0", "name": "DM", "columns": [{"name": "AGE", '
                      '"dataType": "integer"}], "rows": [[30], ["thirty"]]}', encoding="utf-8")
    assert main(["xpt", "from-json", str(source), str(tmp_path / "dm.xpt")]) == 1
    err = capsys.readouterr().err
    assert err == (f"aclf-cdisc xpt: [error] json.value-invalid: a value is not of its column's dataType integer "
                   f"(file={source}, row=2, column=AGE); value='thirty'; expected a finite number or null\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dm.json"]


@pytest.mark.parametrize("kind", ["folder", "named pipe"])
def test_to_json_onto_a_folder_or_a_pipe_is_refused_and_leaves_it_be(shared: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     kind: str) -> None:
    """The JSON was renamed over whatever OUT was: a named pipe (or, for root, a device such as
    /dev/null) became a regular file with exit 0, and a folder gave an error naming a temp file."""
    import os
    import stat

    target = tmp_path / "out.json"
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    assert main(["xpt", "to-json", str(_anchor(shared, "sdtm/ta")), str(target)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"aclf-cdisc xpt: [error] output.not-a-file: {target} is a {kind}, which the output (a new file renamed "
        f"into its place) would replace (file={target}); expected the path of a regular file, or of one that "
        "does not exist yet"]
    assert (stat.S_ISDIR if kind == "folder" else stat.S_ISFIFO)(os.lstat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
