"""Subject blocks: the one place that schedules the SDTM and ADaM build over blocks of subjects.

The raw export is read once, whole (its layout and plausibility checks look across subjects).
It is then cut into blocks of consecutive subjects, and each block runs the ordinary stages,
DataFrames in, DataFrames out (:func:`aclf_cdisc.sdtm.pipeline.build_sdtm` without the trial
design, then :func:`aclf_cdisc.adam.pipeline.build_adam`), in a pool of worker processes.
The finished blocks are concatenated in block order and the study-level datasets (TS from the
whole study's DM; TA, TE, TV, TI from the spec) are built once, on the concatenated DM.

Why the result is the whole-frame build, byte for byte, at every block size:

* **Every record belongs to one subject.** Each raw form row is given to the block of the
  USUBJID it maps to (:func:`aclf_cdisc.sdtm.assemble.compute_usubjid`, the same function every
  domain uses). Within a block the rows keep their raw order and their raw index, file and record.
  The derivations of a subject's records (--SEQ, study days, EPOCH, visits, baselines, flags,
  time to event) read only that subject's rows. The one lookup across subjects, the IRT kit list
  (an infusion can use a kit dispensed to another subject; ``sdtm.infusions`` looks kits up by
  KITNO), is :data:`SHARED_FORMS`: every block gets the kits its own infusions name, whoever
  they were dispensed to, in raw order (so the first record of a kit, the one looked up, is the
  same), and every kit record without a number.
* **Blocks are ordered as the datasets are sorted.** Every subject-level dataset's sort order
  starts with variables that hold one value in the whole dataset (STUDYID, RDOMAIN) and then
  USUBJID; blocks hold consecutive USUBJIDs in ascending order. So the concatenation is sorted
  by the spec's keys, and records tied on every key belong to one subject, built in the same
  relative order as in the whole frame (the stable sort of ``conform_to_spec`` keeps it).
  :func:`concat_blocks` checks both facts on the data and stops (a bug, exit 3) if either fails.
* **Study-wide facts are computed once.** TS counts and dates come from the concatenated DM;
  XPT lengths, define statistics, checks, documents and the analysis page see the concatenated
  datasets, exactly as in the whole-frame build. Issues from the blocks are merged; the
  reports sort them by their content (``checks.report.sort_key``), never by arrival.

A study whose forms lack SITEID or SUBJID, or whose datasets do not sort by subject, builds as
one block. Worker processes are forked, so they inherit the raw export and the spec instead of
receiving copies; where fork does not exist the blocks run one after the other.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from aclf_cdisc.compact import (
    CompactDatasets,
    SpilledFrame,
    compact_frame,
    concat_columns,
    expand_column,
    kept_compacted,
    record_counts,
    spill_frame,
)
from aclf_cdisc.errors import AclfError, Issue
from aclf_cdisc.limits import MAX_WORKERS
from aclf_cdisc.package.atomic import spill_error, spill_folder
from aclf_cdisc.package.background import forked_map
from aclf_cdisc.package.heap import give_back_freed_memory
from aclf_cdisc.progress import ProgressHook, no_progress
from aclf_cdisc.raw import RawExport
from aclf_cdisc.raw.held import RAW_MISSING, as_read
from aclf_cdisc.sdtm.assemble import compute_usubjid
from aclf_cdisc.sdtm.lineage import LINEAGE, Lineage, lineage_of
from aclf_cdisc.spec.model import Spec

T = TypeVar("T")

WORKERS_ENV = "ACLF_WORKERS"  # worker processes when --workers is not given
BLOCK_ENV = "ACLF_BLOCK_SUBJECTS"  # subjects per block when --block-subjects is not given
DEFAULT_BLOCK_SUBJECTS = 1000  # about 100 MB of working frames per worker at this study's density
MAX_DEFAULT_WORKERS = 4  # each worker holds a block's working frames: more cores, not more memory
# Forms looked up across subjects: form -> (key, the form that looks it up by that key). The kit list is
# looked up by KITNO from the infusion log (sdtm.infusions); a block gets the records it can look up.
SHARED_FORMS = {"irt_kits": ("KITNO", "ex")}
SUBJECT_COLUMNS = ("SITEID", "SUBJID")


@dataclass(frozen=True)
class Schedule:
    """How a build runs: subjects per block and worker processes (both at least 1)."""

    block_subjects: int = DEFAULT_BLOCK_SUBJECTS
    workers: int = 1


def default_workers() -> int:
    """The cores this process may use, at most :data:`MAX_DEFAULT_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def _positive(value: str | int, name: str, most: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or (most is not None and number > most):
        bounds = ">= 1" if most is None else f"from 1 to {most}"
        raise AclfError(Issue(rule="build.schedule-invalid", message=f"{name} must be a whole number {bounds}",
                              value=str(value), expected="1, 2, ..." if most is None else f"1 to {most}"))
    return number


def from_environment(environ: Mapping[str, str], name: str) -> str | None:
    """The value of the environment variable ``name``; None when it is unset or empty (blank).

    >>> from_environment({"ACLF_WORKERS": " "}, "ACLF_WORKERS"), from_environment({"ACLF_WORKERS": "2"}, "ACLF_WORKERS")
    (None, '2')
    """
    value = environ.get(name)
    return value if value is not None and value.strip() else None


def resolve_schedule(block_subjects: int | None = None, workers: int | None = None,
                     environ: Mapping[str, str] | None = None) -> Schedule:
    """The schedule from the command line, else the environment (a variable set empty counts as
    unset), else the defaults. Workers: at most :data:`aclf_cdisc.limits.MAX_WORKERS`.

    >>> resolve_schedule(500, None, {"ACLF_WORKERS": "2"})
    Schedule(block_subjects=500, workers=2)
    >>> resolve_schedule(None, 1, {"ACLF_BLOCK_SUBJECTS": ""}).block_subjects == DEFAULT_BLOCK_SUBJECTS
    True
    """
    env = os.environ if environ is None else environ
    size = block_subjects if block_subjects is not None else from_environment(env, BLOCK_ENV) or DEFAULT_BLOCK_SUBJECTS
    count = workers if workers is not None else from_environment(env, WORKERS_ENV) or default_workers()
    return Schedule(block_subjects=_positive(size, "--block-subjects / " + BLOCK_ENV),
                    workers=_positive(count, "--workers / " + WORKERS_ENV, most=MAX_WORKERS))


# --------------------------------------------------------------------------------------------
# cutting the raw export into blocks
# --------------------------------------------------------------------------------------------

def form_subjects(form: pd.DataFrame, studyid: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, USUBJIDs): each row of a raw form as the number of its subject among the form's
    distinct USUBJIDs (None if the form cannot name its subjects).

    Computed once per distinct (SITEID, SUBJID) pair; no text is made per row.
    """
    if any(c not in form.columns for c in SUBJECT_COLUMNS):
        return None
    (sites, site_values), (subjects, subject_values) = (pd.factorize(form[c]) for c in SUBJECT_COLUMNS)
    if (sites < 0).any() or (subjects < 0).any():
        return None
    # each distinct (site, subject) pair once, as one number: no tuple per row
    codes, distinct = pd.factorize(sites.astype(np.int64) * len(subject_values) + subjects)
    ids = compute_usubjid(studyid, pd.Series(np.asarray(site_values, dtype=object)[distinct // len(subject_values)],
                                             dtype=object),
                          pd.Series(np.asarray(subject_values, dtype=object)[distinct % len(subject_values)],
                                    dtype=object))
    if ids.isna().any():
        return None
    return codes, ids.to_numpy(dtype=object)


def sorts_by_subject(spec: Spec) -> bool:
    """Every dataset but the trial design sorts by USUBJID (after variables holding one value)."""
    from aclf_cdisc.sdtm.pipeline import STUDY_DATASETS

    return all("USUBJID" in d.sort_order for d in spec.datasets.values() if d.name not in STUDY_DATASETS)


def block_count(subjects: int, block_subjects: int, workers: int = 1) -> int:
    """How many blocks ``subjects`` are cut into: blocks of at most ``block_subjects``, as many as
    a multiple of ``workers``, so that no worker waits alone for the last one; 1 (built whole)
    when the study is no larger than a block.

    >>> block_count(150, 1000, 2), block_count(2200, 1000, 1), block_count(2200, 1000, 2), block_count(1001, 1000, 4)
    (1, 3, 4, 4)
    """
    if subjects <= block_subjects:
        return 1
    count = -(-subjects // block_subjects)
    return -(-count // workers) * workers


def plan_blocks(raw: RawExport, spec: Spec, block_subjects: int, workers: int = 1) -> list[dict[str, np.ndarray]]:
    """Row positions of each form per block, raw order kept; no blocks (an empty plan) when the
    export is one block, built whole.

    Blocks hold consecutive subjects in ascending USUBJID order (the order the datasets are sorted
    in), :func:`block_count` of them, each as many subjects as the next or one more (never more
    than ``block_subjects``). A form in :data:`SHARED_FORMS` gives each block the records it looks up
    (:func:`looked_up_rows`).
    """
    if not sorts_by_subject(spec):
        return []
    subjects: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, form in raw.forms.items():
        if name in SHARED_FORMS or form is None:
            continue
        found = form_subjects(form, spec.study.studyid)
        if found is None:
            return []
        subjects[name] = found
    everyone = sorted(set().union(*(set(ids.tolist()) for _, ids in subjects.values())))
    count = block_count(len(everyone), block_subjects, workers)
    if count == 1:
        return []
    block_of = dict(zip(everyone, (np.arange(len(everyone)) * count // len(everyone)).tolist(), strict=True))
    plan: list[dict[str, np.ndarray]] = [{} for _ in range(count)]
    for name, (codes, ids) in subjects.items():
        blocks = np.array([block_of[i] for i in ids.tolist()], dtype=np.int64)[codes]  # each distinct subject once
        order = np.argsort(blocks, kind="stable")  # within a block, raw order
        cuts = np.searchsorted(blocks[order], np.arange(1, count))
        for rows, part in zip(plan, np.split(order, cuts), strict=True):
            rows[name] = part
    for name, (key, by) in SHARED_FORMS.items():
        shared = raw.forms.get(name)
        if shared is not None:
            for rows, part in zip(plan, looked_up_rows(shared, key, raw.forms.get(by), [r.get(by) for r in plan]),
                                  strict=True):
                rows[name] = part
    return plan


def looked_up_rows(shared: pd.DataFrame, key: str, looking: pd.DataFrame | None,
                   blocks: Sequence[np.ndarray | None]) -> list[np.ndarray]:
    """For each block (its rows of ``looking``), the rows of ``shared`` it can look up by ``key``:
    those whose key one of its rows holds, and those without a key (a blank looks up a blank), in
    raw order. Every row of ``shared`` for every block when ``looking`` or either key column is missing.

    >>> kits = pd.DataFrame({"KITNO": ["K1", "K2", "K1", np.nan, "K3"]})
    >>> ex = pd.DataFrame({"KITNO": ["K1", "K3", "K9", np.nan]})
    >>> [rows.tolist() for rows in looked_up_rows(kits, "KITNO", ex, [np.array([0]), np.array([1, 2]), None])]
    [[0, 2, 3], [3, 4], [3]]
    """
    if looking is None or key not in shared.columns or key not in looking.columns:
        return [np.arange(len(shared)) for _ in blocks]
    shared_keys = expand_column(shared[key], missing=RAW_MISSING).to_numpy(dtype=object)
    looking_keys = expand_column(looking[key], missing=RAW_MISSING).to_numpy(dtype=object)
    codes, _ = pd.factorize(np.concatenate([shared_keys, looking_keys]))  # a blank key: -1
    shared_codes, looking_codes = codes[:len(shared_keys)], codes[len(shared_keys):]
    blank = shared_codes < 0
    return [np.flatnonzero(blank | (np.isin(shared_codes, looking_codes[rows]) if rows is not None else False))
            for rows in blocks]


class Handover(Generic[T]):
    """A value passed on with its ownership: :meth:`take` gives it once and keeps nothing, so whoever
    takes it holds the last reference and can let it go in the middle of a call (the build's raw
    export, let go once the blocks are built, before they are joined). :meth:`peek` reads it in place.

    >>> baton = Handover([1, 2])
    >>> baton.peek(), baton.take(), baton.taken
    ([1, 2], [1, 2], True)
    """

    def __init__(self, value: T) -> None:
        self._value: list[T] = [value]

    @property
    def taken(self) -> bool:
        return not self._value

    def peek(self) -> T:
        if not self._value:
            raise RuntimeError("the value was handed over already")
        return self._value[0]

    def take(self) -> T:
        value = self.peek()
        self._value.clear()
        return value


def whole_export(raw: RawExport) -> RawExport:
    """The export as read, from one read held compactly (``read_export(held=True)``)."""
    return replace(raw, forms={name: None if form is None else as_read(form) for name, form in raw.forms.items()})


def block_export(raw: RawExport, rows: Mapping[str, np.ndarray]) -> RawExport:
    """The export restricted to one block's rows, as read (raw index, file and record kept; no issues)."""
    forms = {name: None if form is None else as_read(form.iloc[rows[name]]) for name, form in raw.forms.items()}
    return replace(raw, forms=forms, issues=[])


# --------------------------------------------------------------------------------------------
# one block
# --------------------------------------------------------------------------------------------

@dataclass
class BlockResult:
    """What one block gives back: its datasets (compacted, :mod:`aclf_cdisc.compact`) and
    warnings, or the Issues of the error that stopped it."""

    datasets: dict[str, pd.DataFrame]
    issues: list[Issue]
    error: tuple[type[AclfError], list[Issue], str] | None = None


@dataclass
class SpilledBlock:
    """One finished block as the build holds it until the join: its datasets on disk (a file per
    dataset, by name), their record counts, and its warnings or the error that stopped it."""

    files: dict[str, Path]
    records: int
    issues: list[Issue]
    error: tuple[type[AclfError], list[Issue], str] | None = None


def build_block(raw: RawExport, spec: Spec, *, blinded: bool) -> BlockResult:
    """SDTM (without the trial design) then ADaM for one block of subjects."""
    from aclf_cdisc.adam.pipeline import build_adam
    from aclf_cdisc.sdtm.pipeline import build_sdtm

    issues: list[Issue] = []
    try:
        sdtm = build_sdtm(raw, spec, blinded=blinded, issues=issues, study_level=False)
        datasets = sdtm if blinded else {**sdtm, **build_adam(sdtm, spec)}
    except AclfError as exc:
        return BlockResult({}, issues, (type(exc), list(exc.issues), exc.summary))
    return BlockResult({name: _compacted_with_checked_lineage(frame) for name, frame in datasets.items()}, issues)


def _compacted_with_checked_lineage(frame: pd.DataFrame) -> pd.DataFrame:
    """A finished block's dataset compacted, carrying its lineage only where it still describes the
    rows (:func:`aclf_cdisc.sdtm.lineage.lineage_of`, checked here in the block's worker, cell by
    cell on its keys): the join takes each block's lineage as it comes (:func:`_block_lineage`)."""
    out = compact_frame(frame)
    if LINEAGE in out.attrs and lineage_of(frame) is None:
        del out.attrs[LINEAGE]
    return out


def _block_lineage(block: pd.DataFrame) -> Lineage | None:
    """The lineage a built block carries (:func:`_compacted_with_checked_lineage` checked it)."""
    lineage = block.attrs.get(LINEAGE)
    return lineage if isinstance(lineage, Lineage) and len(lineage.rows) == len(block) else None


def spill_block(result: BlockResult, folder: Path, number: int) -> SpilledBlock:
    """Write a block's datasets to ``folder`` (``<number>.<dataset>.pickle``, pickled as the pool
    would have sent them, lineage included) and keep only their names.

    A full disk (any OSError) becomes the block's error (:func:`aclf_cdisc.package.atomic.spill_error`).
    """
    files: dict[str, Path] = {}
    try:
        for name, frame in result.datasets.items():
            files[name] = folder / f"{number:06d}.{name}.pickle"
            with files[name].open("wb") as out:
                pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        error = spill_error(exc, folder)
        return SpilledBlock({}, 0, result.issues, (type(error), list(error.issues), error.summary))
    return SpilledBlock(files, sum(record_counts(result.datasets).values()), result.issues, result.error)


def read_spilled(path: Path) -> pd.DataFrame:
    """A dataset of one block, read back from its file (:func:`spill_block`) and the file removed."""
    with path.open("rb") as source:
        frame: pd.DataFrame = pickle.load(source)  # written by this build, in its own private folder
    path.unlink()
    return frame


def run_blocks(raw: RawExport, spec: Spec, plan: list[dict[str, np.ndarray]], *, blinded: bool,
               workers: int, folder: Path) -> Iterator[SpilledBlock]:
    """Each block, in block order, built by up to ``workers`` forked processes
    (:func:`aclf_cdisc.package.background.forked_map`: they inherit the raw export and the spec)
    and written to ``folder`` by the process that built it: only its file names travel back, and
    the build's process holds no finished block until the join.
    """
    def build(numbered: tuple[int, dict[str, np.ndarray]]) -> SpilledBlock:
        number, rows = numbered
        return spill_block(build_block(block_export(raw, rows), spec, blinded=blinded), folder, number)

    return forked_map(build, list(enumerate(plan, 1)), workers=workers)


# --------------------------------------------------------------------------------------------
# putting the blocks together
# --------------------------------------------------------------------------------------------

def _concat_lineage(parts: Sequence[pd.DataFrame]) -> Lineage | None:
    """One lineage for the concatenated parts; None unless every non-empty part has one."""
    lineages = [_block_lineage(p) for p in parts if len(p)]
    if not lineages or any(lin is None for lin in lineages):
        return None
    present = [lin for lin in lineages if lin is not None]
    names = [name for name, _ in present[0].keys]
    if any([name for name, _ in lin.keys] != names for lin in present):
        return None
    return Lineage.concat(present)


class BlockOrderError(AssertionError):
    """The concatenated blocks are not in the dataset's sort order: a bug, never the user's data."""


def _check_block_order(name: str, parts: Sequence[pd.DataFrame], sort_order: Sequence[str]) -> None:
    """The variables before USUBJID hold one value; USUBJIDs ascend strictly from block to block."""
    present = [p for p in parts if len(p)]
    leading = list(sort_order[:list(sort_order).index("USUBJID")])
    for column in leading:
        if len({v for p in present for v in p[column].drop_duplicates().tolist()}) > 1:
            raise BlockOrderError(f"{name}: {column} sorts before USUBJID and is not constant")
    for before, after in pairwise(present):
        if not str(before["USUBJID"].iloc[-1]) < str(after["USUBJID"].iloc[0]):
            raise BlockOrderError(f"{name}: block of {after['USUBJID'].iloc[0]} after {before['USUBJID'].iloc[-1]}")


def concat_blocks(name: str, parts: Iterable[pd.DataFrame], spec: Spec) -> pd.DataFrame:
    """One dataset from its (compacted) blocks, in block order, with the lineage of every record
    (each block's as :func:`build_block` checked it).

    ``parts`` may come as they are read (an iterator over the blocks' files): they are joined one
    variable at a time (:func:`aclf_cdisc.compact.concat_columns`), each block's column let go as
    soon as it is joined, so the blocks and the joined dataset are never held whole together.
    """
    blocks = list(parts)
    _check_block_order(name, blocks, spec.dataset(name).sort_order)
    present = [p for p in blocks if len(p)] or blocks[:1]
    lineage = _concat_lineage(present)
    if len(present) == 1:
        out = present[0].reset_index(drop=True)
    else:
        names, records = list(present[0].columns), sum(len(p) for p in present)
        columns = [{str(c): p[c] for c in p.columns} for p in present]
        del blocks, present  # each block's columns are now held by `columns` alone
        out = concat_columns(columns, names, records)
    out.attrs = {}
    if lineage is not None:
        out.attrs[LINEAGE] = lineage
    return out


def _join_spilled(blocks: Iterator[SpilledBlock], count: int, spec: Spec, issues: list[Issue],
                  progress: ProgressHook, folder: Path, keep: Path | None) -> dict[str, pd.DataFrame | SpilledFrame]:
    """Every dataset joined from its blocks' files, one dataset at a time (each file removed once
    read); with ``keep``, a joined dataset the store keeps compacted (:func:`aclf_cdisc.compact.kept_compacted`)
    is written there (:func:`aclf_cdisc.compact.spill_frame`) instead of being held."""
    files: dict[str, list[Path]] = {}
    errors: list[tuple[type[AclfError], list[Issue], str]] = []
    for number, block in enumerate(blocks, 1):
        issues.extend(block.issues)
        if block.error is not None:
            errors.append(block.error)
        for name, path in block.files.items():
            files.setdefault(name, []).append(path)
        progress("block", f"{number}/{count}", block.records)
    if errors:
        kind, _, summary = errors[0]
        # one Issue per problem: a full disk fails every block the same way
        distinct = {repr(i): i for _, found, _ in errors for i in found}
        raise kind(list(distinct.values()), summary)
    give_back_freed_memory()  # every block is built: what only the blocks needed goes back before the join
    joined: dict[str, pd.DataFrame | SpilledFrame] = {}
    try:
        for name in list(files):
            frame = concat_blocks(name, (read_spilled(path) for path in files.pop(name)), spec)
            joined[name] = spill_frame(frame, keep / f"{name}.held") if keep and kept_compacted(frame) else frame
    except OSError as exc:
        raise spill_error(exc, keep or folder) from None
    return joined


def build_in_blocks(raw: RawExport | Handover[RawExport], spec: Spec, *, blinded: bool, issues: list[Issue],
                    schedule: Schedule, progress: ProgressHook = no_progress, work: Path | None = None,
                    blocks: list[dict[str, np.ndarray]] | None = None) -> CompactDatasets | None:
    """SDTM and ADaM block by block; None when the study is one block (the caller builds it whole,
    and a ``raw`` handed over is left untaken). ``blocks`` is the plan when the caller has made it
    (:func:`plan_blocks`, by ``schedule``; empty for one block), else (None) it is made here.

    A ``raw`` export handed over (:class:`Handover`) is let go once the last block is built: the
    join and the study-level datasets never hold it (at 100,000 subjects, about 1 GB).

    Each finished block waits on disk until every block is built (:func:`run_blocks`), in the
    build's working folder ``work`` (:func:`aclf_cdisc.package.atomic.spill_folder`), else in a
    temporary folder; the joined datasets are held compactly and read back as built
    (:class:`CompactDatasets`). With ``work``, the large ones stay there, mapped back on each read:
    the folder must outlive the datasets returned.

    Warnings are appended to ``issues``; errors of every block are raised together, as one error
    of the first block's kind.
    """
    from aclf_cdisc.adam.pipeline import ADAM_DATASETS
    from aclf_cdisc.sdtm.pipeline import STUDY_DATASETS, build_study_sdtm

    source = raw if isinstance(raw, Handover) else Handover(raw)
    plan = blocks if blocks is not None else plan_blocks(source.peek(), spec, schedule.block_subjects,
                                                         schedule.workers)
    if not plan:
        return None
    with spill_folder(inside=work) as folder:  # the blocks wait in it for the join
        # once the last block is built, its workers' map ends, and with it the last hold on the export
        finished = run_blocks(source.take(), spec, plan, blinded=blinded, workers=schedule.workers, folder=folder)
        datasets = _join_spilled(finished, len(plan), spec, issues, progress, folder, work)
    study = build_study_sdtm(spec, CompactDatasets(datasets))
    assert set(study) == set(STUDY_DATASETS), "build_study_sdtm and STUDY_DATASETS disagree"
    built = {**datasets, **{name: compact_frame(frame) for name, frame in study.items()}}
    # the whole-frame order: SDTM by name (build_sdtm), then ADaM in build order (build_adam)
    return CompactDatasets({name: built[name] for name in [*sorted(set(built) - set(ADAM_DATASETS)),
                                                           *(n for n in ADAM_DATASETS if n in built)]})
