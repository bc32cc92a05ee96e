"""Subject blocks (aclf_cdisc.package.blocks): the streamed build is the whole-frame build, byte for byte.

The sample is built whole and then in blocks of two sizes with one and two workers, and every
file of the two packages is compared. A 2,000-subject simulated export (simulated once per
session) is built whole and in blocks: the datasets (values, dtypes, order, raw lineage), the
issues and the XPT files must be the same. Everything else in the package (define, documents,
reports, analysis page) is a function of those, which the sample's package comparison covers.
"""

from __future__ import annotations

import errno
import os
import weakref
from collections import Counter
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.compact import record_counts
from aclf_cdisc.errors import AclfError, Issue
from aclf_cdisc.package import blocks
from aclf_cdisc.package.atomic import SPILL_TAG
from aclf_cdisc.package.blocks import (
    BlockOrderError,
    Handover,
    Schedule,
    block_export,
    concat_blocks,
    plan_blocks,
    resolve_schedule,
    whole_export,
)
from aclf_cdisc.package.build import (
    BuildOptions,
    build_datasets,
    build_package,
    check_datasets,
    read_raw,
    write_datasets,
)
from aclf_cdisc.sdtm.lineage import lineage_of

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
WHOLE = Schedule(block_subjects=10**9, workers=1)




@pytest.fixture(scope="module")
def sample_raw(spec):
    return read_raw(BuildOptions(spec_root=REPO_SPECS), spec)


@pytest.fixture(scope="module")
def held_raw(spec):  # as the build reads it
    return read_raw(BuildOptions(spec_root=REPO_SPECS), spec, held=True)


@pytest.fixture(scope="session")
def simulated_2000(tmp_path_factory) -> Path:
    from aclf_cdisc.simulate import simulate_export, write_export

    folder = tmp_path_factory.mktemp("edc-2000")
    write_export(simulate_export(n_subjects=2000, seed=20230930), folder)
    return folder


def _subjects(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(frame["SITEID"], frame["SUBJID"], strict=True))


# --------------------------------------------------------------------------------------------
# the plan
# --------------------------------------------------------------------------------------------

# 172 subjects in blocks of at most 40: 5 blocks (1 worker), 6 with 2 workers (a multiple of them),
# each holding 172 / blocks subjects, the first of a block the subject at ceil(172 * k / blocks)
@pytest.mark.parametrize(("workers", "sizes"), [(1, [35, 34, 35, 34, 34]), (2, [29, 29, 28, 29, 29, 28])])
def test_blocks_hold_consecutive_subjects_each_row_once_in_raw_order(sample_raw, spec, workers, sizes):
    everyone = sorted({s for name, f in sample_raw.forms.items() if name != "irt_kits" for s in _subjects(f)},
                      key=lambda s: s[1])  # SUBJID starts with the site: USUBJID order is SUBJID order
    assert len(everyone) == 172
    plan = plan_blocks(sample_raw, spec, 40, workers)
    assert len(plan) == len(sizes)
    seen: list[tuple[str, str]] = []
    starts = np.cumsum([0, *sizes]).tolist()
    for number, rows in enumerate(plan):
        block = {s for name, f in sample_raw.forms.items() if name != "irt_kits"
                 for s in _subjects(f.iloc[rows[name]])}
        assert sorted(block, key=lambda s: s[1]) == everyone[starts[number]:starts[number + 1]]
        seen += block
        kits, infused = sample_raw.forms["irt_kits"], set(sample_raw.forms["ex"]["KITNO"].iloc[rows["ex"]].dropna())
        assert rows["irt_kits"].tolist() == [i for i, kit in enumerate(kits["KITNO"]) if kit in infused]  # its kits
        for name, positions in rows.items():
            assert np.all(np.diff(positions) > 0), name  # raw order kept within the block
    assert sorted(seen) == sorted(everyone)
    for name, form in sample_raw.forms.items():
        if name != "irt_kits":
            together = np.sort(np.concatenate([rows[name] for rows in plan]))
            assert np.array_equal(together, np.arange(len(form))), name  # every row in exactly one block


def _same_form(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal cell by cell with the same index and dtypes, every blank NaN as the reader gives it."""
    pd.testing.assert_frame_equal(got, expected)
    for name in expected.columns:
        assert [type(v) for v in got[name]] == [type(v) for v in expected[name]], name


def test_the_held_export_gives_back_every_form_and_every_block_as_read(sample_raw, held_raw, spec):
    held = held_raw
    lb, held_lb = sample_raw.forms["lb"], held.forms["lb"]
    assert isinstance(held_lb["LBTEST"].dtype, pd.CategoricalDtype) and held_lb["__row"].dtype == np.int64
    assert held_lb.memory_usage(deep=True).sum() < lb.memory_usage(deep=True).sum() / 4
    assert lb["LBORRES"].isna().any()  # blanks are there to come back as NaN
    for name, form in sample_raw.forms.items():
        if form is not None:
            _same_form(whole_export(held).forms[name], form)
    plan, plan_as_read = plan_blocks(held, spec, 40), plan_blocks(sample_raw, spec, 40)
    assert plan is not None and plan_as_read is not None
    assert [{k: v.tolist() for k, v in r.items()} for r in plan] == [
        {k: v.tolist() for k, v in r.items()} for r in plan_as_read]
    for rows in plan:
        as_read, from_held = block_export(sample_raw, rows), block_export(held, rows)
        for name, form in as_read.forms.items():
            if form is not None:
                _same_form(from_held.forms[name], form)


def test_a_study_no_bigger_than_a_block_is_one_block(sample_raw, spec):
    subjects = len({s for f in sample_raw.forms.values() for s in _subjects(f)})
    assert plan_blocks(sample_raw, spec, subjects + 50) == []
    assert plan_blocks(sample_raw, spec, subjects, 4) == []
    assert len(plan_blocks(sample_raw, spec, subjects - 1)) == 2
    assert len(plan_blocks(sample_raw, spec, subjects - 1, 3)) == 3  # two blocks' worth, on three workers


def test_the_schedule_comes_from_the_options_then_the_environment():
    assert resolve_schedule(200, 3, {"ACLF_WORKERS": "1", "ACLF_BLOCK_SUBJECTS": "9"}) == Schedule(200, 3)
    assert resolve_schedule(None, None, {"ACLF_WORKERS": "2", "ACLF_BLOCK_SUBJECTS": "9"}) == Schedule(9, 2)
    assert 1 <= resolve_schedule(None, None, {}).workers <= 4
    with pytest.raises(AclfError) as caught:
        resolve_schedule(None, None, {"ACLF_WORKERS": "two"})
    assert caught.value.issues[0].rule == "build.schedule-invalid"
    assert caught.value.issues[0].value == "two"


def test_blocks_out_of_subject_order_are_refused(spec):
    def dm(*subjects: str) -> pd.DataFrame:
        return pd.DataFrame({"STUDYID": ["S"] * len(subjects), "USUBJID": list(subjects)})

    assert concat_blocks("DM", [dm("S-1", "S-2"), dm("S-3")], spec)["USUBJID"].tolist() == ["S-1", "S-2", "S-3"]
    with pytest.raises(BlockOrderError):
        concat_blocks("DM", [dm("S-3"), dm("S-1", "S-2")], spec)


# --------------------------------------------------------------------------------------------
# the same bytes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def whole_sample(tree_bytes, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "outputs"
    build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=10**9, workers=1))
    return tree_bytes(out)


@pytest.mark.parametrize("block_subjects", [40, 100])
@pytest.mark.parametrize("workers", [1, 2])
def test_the_sample_package_is_the_same_bytes_in_blocks(tree_bytes, whole_sample, tmp_path, block_subjects, workers):
    out = tmp_path / "outputs"
    steps: list[tuple[str, str | None]] = []
    result = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=block_subjects,
                                        workers=workers, progress=lambda s, d, r: steps.append((s, d))))
    blocks = [d for s, d in steps if s == "block"]
    # 172 subjects in the sample export: 5 blocks of at most 40, 6 on two workers (a multiple of them); 2 of 100
    assert len(blocks) == {(40, 1): 5, (40, 2): 6, (100, 1): 2, (100, 2): 2}[block_subjects, workers]
    assert len(result.datasets) == 22  # 18 SDTM (RELREC and the trial design built once) and 4 ADaM
    streamed = tree_bytes(out)
    assert sorted(streamed) == sorted(whole_sample)
    assert [name for name in streamed if streamed[name] != whole_sample[name]] == []


def test_a_kit_dispensed_to_a_subject_of_another_block_is_looked_up_the_same_way(tree_bytes, tmp_path):
    # 101-0001 (the first block) is infused, at Week 1, with a kit the IRT dispensed to 105-0024 (the last)
    import shutil

    from aclf_cdisc.sample import edc_dir

    raw = tmp_path / "edc"
    shutil.copytree(edc_dir(), raw)
    ex = (raw / "ex.csv").read_text()
    assert ex.count("K-884559") == 1 and ex.count("K-226094") == 1
    (raw / "ex.csv").write_text(ex.replace("K-884559", "K-226094"))
    built = {}
    for size in (10**9, 40):
        out = tmp_path / f"out-{size}"
        build_package(BuildOptions(raw_dir=raw, spec_root=REPO_SPECS, out_dir=out, block_subjects=size, workers=1))
        built[size] = tree_bytes(out)
    assert [name for name in built[40] if built[40][name] != built[10**9][name]] == []
    report = pd.read_csv(tmp_path / "out-40" / "reports" / "validation.csv", dtype=str)
    found = report[report["rule"] == "sdtm.kit-other-subject"]
    assert found[["file", "row", "value"]].values.tolist() == [["ex.csv", "2", "K-226094"]]  # once, not per dataset


def test_finished_blocks_wait_on_disk_beside_the_output_and_are_gone_after_the_build(tmp_path):
    out = tmp_path / "outputs"
    seen: list[list[str]] = []

    def watch(stage: str, detail: str | None, records: int | None) -> None:
        if stage == "block":  # after each block: its files are in the working folder beside --out
            (work,) = [p for p in tmp_path.iterdir() if p.name.startswith(f".outputs{SPILL_TAG}{os.getpid()}-")]
            (folder,) = work.glob("blocks-*")
            seen.append(sorted(p.name for p in folder.iterdir()))

    build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=40, workers=1, progress=watch))
    assert len(seen) == 5 and "000001.DM.pickle" in seen[0] and "000005.LB.pickle" in seen[-1]
    assert len(seen[-1]) == 5 * len({name.split(".")[1] for name in seen[-1]})  # every dataset of every block
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]  # read back, then removed


@pytest.mark.parametrize("workers", [1, 2])
def test_large_datasets_are_mapped_from_the_working_folder_and_give_the_same_bytes(
        tree_bytes, whole_sample, tmp_path, monkeypatch, workers):
    # every dataset of the sample counted as large: each joined dataset goes to the working folder
    # and every reader (checks, XPT, define, documents, analysis page) maps it back from there
    from aclf_cdisc import compact

    monkeypatch.setattr(compact, "SMALL_CELLS", 0)
    out = tmp_path / "outputs"
    held: list[str] = []

    def watch(stage: str, detail: str | None, records: int | None) -> None:
        if stage == "datasets":
            (work,) = [p for p in tmp_path.iterdir() if p.name.startswith(f".outputs{SPILL_TAG}{os.getpid()}-")]
            held.extend(sorted(p.name for p in work.iterdir()))

    result = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=100, workers=workers,
                                        progress=watch))
    assert "LB.held" in held and "ADLB.held" in held
    assert not any(name.startswith("blocks-") for name in held)  # the blocks' folder went after the join
    assert len(held) == 22 - 6  # all but the trial design and RELREC, built once after the join
    streamed = tree_bytes(out)
    assert sorted(streamed) == sorted(whole_sample)
    assert [name for name in streamed if streamed[name] != whole_sample[name]] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]
    assert record_counts(result.datasets)["LB"] > 0  # counts outlive the working folder


def test_a_full_disk_for_the_working_files_is_one_error_and_nothing_is_published(tmp_path, monkeypatch):
    out = tmp_path / "outputs"

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(blocks.pickle, "dump", no_space)
    with pytest.raises(AclfError) as caught:
        build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=40, workers=1))
    assert [i.rule for i in caught.value.issues] == ["build.work-files-failed"]  # once, not once per block
    assert "No space left on device" in caught.value.issues[0].message
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no package, no working folder


@pytest.mark.parametrize("workers", [1, 2])
def test_an_export_handed_over_is_let_go_before_the_blocks_are_joined(spec, monkeypatch, workers):
    # the join of a large study must not hold the raw export beside the joined datasets
    handed = Handover(read_raw(BuildOptions(spec_root=REPO_SPECS), spec, held=True))
    alive = weakref.ref(handed.peek().forms["lb"])
    joining: list[bool] = []
    real_concat = blocks.concat_blocks

    def concat(name, parts, spec):
        joining.append(alive() is not None)
        return real_concat(name, parts, spec)

    monkeypatch.setattr(blocks, "concat_blocks", concat)
    built = build_datasets(handed, spec, blinded=False, issues=[],
                           schedule=Schedule(block_subjects=40, workers=workers))
    assert handed.taken and len(joining) == 16 and not any(joining)  # gone before the first dataset was joined
    assert record_counts(built)["LB"] == 15580


def test_an_export_handed_over_to_a_one_block_build_is_taken_by_it(held_raw, spec):
    handed = Handover(held_raw)
    built = build_datasets(handed, spec, blinded=False, issues=[], schedule=WHOLE)
    assert handed.taken and len(built["LB"]) == 15580
    with pytest.raises(RuntimeError, match="handed over already"):
        handed.peek()


def _children() -> set[int]:
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_the_page_worker_started_with_the_build_is_stopped_when_the_study_is_built_in_blocks(tmp_path):
    # it would hold its imports beside the block workers; a large study's page rides the checks
    seen: dict[str, set[int]] = {}

    def watch(stage: str, detail: str | None, records: int | None) -> None:
        seen.setdefault(stage, set()).update(_children())

    build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=tmp_path / "out", block_subjects=40, workers=2,
                               progress=watch))
    assert len(seen["specs"]) == 0 and len(seen["raw"]) == 1  # the page's worker, started after the spec
    (early,) = seen["raw"]
    assert early not in seen["block"] and len(seen["block"]) == 2  # the two block workers only


def test_a_large_or_blinded_export_gets_no_early_page_worker(tmp_path):
    from aclf_cdisc.package.build import EARLY_PAGE_BYTES, early_page_workers, export_bytes

    two = Schedule(block_subjects=1000, workers=2)
    assert early_page_workers(BuildOptions(), two) == 2  # the bundled sample: 1.7 MB
    assert early_page_workers(BuildOptions(blinded=True), two) == 1  # no page to make
    with (tmp_path / "lb.csv").open("wb") as large:  # sparse: its size, not its blocks on disk
        large.truncate(EARLY_PAGE_BYTES + 1)
    assert export_bytes(tmp_path) == EARLY_PAGE_BYTES + 1
    assert early_page_workers(BuildOptions(raw_dir=tmp_path), two) == 1
    assert export_bytes(tmp_path / "missing") == 0  # the reader reports a missing export, not this


def test_one_block_on_two_workers_is_the_same_bytes(tree_bytes, whole_sample, tmp_path):
    # one block: the SDTM domain groups, the checks and the XPT files go to the workers instead
    out = tmp_path / "outputs"
    result = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, block_subjects=10**9, workers=2))
    assert len(result.datasets) == 22
    assert sum(i.severity == "warning" for i in result.issues) > 0  # the warnings came back from the workers
    together = tree_bytes(out)
    assert sorted(together) == sorted(whole_sample)
    assert [name for name in together if together[name] != whole_sample[name]] == []


def test_the_sdtm_domain_groups_report_their_warnings_in_group_order(sample_raw, spec):
    from aclf_cdisc.package.background import forked_map
    from aclf_cdisc.sdtm.pipeline import build_sdtm

    alone: list[Issue] = []
    together: list[Issue] = []
    first = build_sdtm(sample_raw, spec, issues=alone)
    second = build_sdtm(sample_raw, spec, issues=together, map_each=partial(forked_map, workers=2))
    assert together == alone and len(alone) > 0
    _same_datasets(first, second)


def _same_datasets(whole: dict[str, pd.DataFrame], streamed: dict[str, pd.DataFrame]) -> None:
    assert list(streamed) == list(whole)
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(streamed[name], frame, check_exact=True)
        before, after = lineage_of(frame), lineage_of(streamed[name])
        assert (before is None) == (after is None), name
        if before is not None and after is not None:
            assert (after.file_list(), after.row_list()) == (before.file_list(), before.row_list()), name
            assert [(k, v.dtype, v.tolist()) for k, v in after.keys] == [
                (k, v.dtype, v.tolist()) for k, v in before.keys], name


@pytest.mark.scale
def test_2000_subjects_build_the_same_datasets_issues_and_xpt_files_in_blocks(tree_bytes, simulated_2000, spec,
                                                                             tmp_path):
    raw = read_raw(BuildOptions(raw_dir=simulated_2000), spec)
    whole_issues: list[Issue] = []
    whole = build_datasets(raw, spec, blinded=False, issues=whole_issues, schedule=WHOLE)
    assert len(whole["DM"]) > 2000  # randomized patients plus screen failures
    whole_xpt = tmp_path / "whole"
    write_datasets(whole, spec, whole_xpt)
    held = read_raw(BuildOptions(raw_dir=simulated_2000), spec, held=True)  # as the build reads it
    for schedule in (Schedule(block_subjects=400, workers=1), Schedule(block_subjects=900, workers=2)):
        issues: list[Issue] = []
        streamed = build_datasets(held, spec, blinded=False, issues=issues, schedule=schedule)
        _same_datasets(whole, streamed)
        assert Counter(map(repr, issues)) == Counter(map(repr, whole_issues))
        folder = tmp_path / f"blocks-{schedule.block_subjects}"
        write_datasets(streamed, spec, folder)
        assert tree_bytes(folder) == tree_bytes(whole_xpt)
    # the checks shared by two workers find what one process finds, in the same order
    alone = check_datasets(whole, spec, workers=1)
    assert any(i.severity == "warning" for i in alone)
    assert check_datasets(streamed, spec, workers=2) == alone


def test_an_empty_environment_variable_counts_as_unset_and_workers_are_capped():
    assert resolve_schedule(None, 2, {"ACLF_BLOCK_SUBJECTS": "", "ACLF_WORKERS": " "}).block_subjects == 1000
    assert resolve_schedule(None, None, {"ACLF_WORKERS": ""}) == resolve_schedule(None, None, {})
    assert resolve_schedule(None, None, {"ACLF_BLOCK_SUBJECTS": " "}) == resolve_schedule(None, None, {})
    assert resolve_schedule(None, None, {"ACLF_WORKERS": "64"}).workers == 64
    with pytest.raises(AclfError) as caught:
        resolve_schedule(None, None, {"ACLF_WORKERS": "65"})
    assert (caught.value.issues[0].rule, caught.value.issues[0].value, caught.value.issues[0].message) == (
        "build.schedule-invalid", "65", "--workers / ACLF_WORKERS must be a whole number from 1 to 64")
