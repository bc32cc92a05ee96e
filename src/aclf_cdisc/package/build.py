"""The main job: raw EDC export -> SDTM -> ADaM -> checks -> XPT + Define-XML, published atomically.

Each stage is one call; the order of the calls is the data flow. Nothing is written until every
dataset has been built and checked; the package is then assembled in a staging folder and
swapped into ``--out`` only when the defines have passed their checks too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from aclf_cdisc.checks.run import issues_frame, run_checks
from aclf_cdisc.compact import (
    CompactDatasets,
    dataset_cells,
    dataset_columns,
    held_column,
    held_rows,
    record_counts,
)
from aclf_cdisc.define.outputs import build_for_outputs
from aclf_cdisc.documents.write import write_documents
from aclf_cdisc.errors import AclfError, Issue, ValidationError
from aclf_cdisc.package.atomic import (
    check_not_holding,
    check_output_target,
    parents_made_for,
    spill_folder,
    staged_output,
)
from aclf_cdisc.package.background import WorkerPool, forked_map, forked_map_beside, in_background, started_early
from aclf_cdisc.package.blinding import collapse_masked, stamp_outputs
from aclf_cdisc.package.blocks import (
    Handover,
    Schedule,
    build_in_blocks,
    plan_blocks,
    resolve_schedule,
    whole_export,
)
from aclf_cdisc.package.dataset_json import write_dataset_json_copies
from aclf_cdisc.package.heap import give_back_freed_memory, objects_kept_out_of_collections
from aclf_cdisc.package.layout import reports_dir, standard_dir, xpt_name
from aclf_cdisc.package.manifest import DigestingWriter, WrittenDigests, file_stamp, write_build_manifest
from aclf_cdisc.progress import ProgressHook, no_progress
from aclf_cdisc.raw import RawExport, read_export
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.tasks import MapEach, Rider, serial_map
from aclf_cdisc.transport import XptHeader
from aclf_cdisc.transport.from_spec import xpt_meta_from_columns
from aclf_cdisc.transport.xpt import write_xpt_rows


@dataclass(frozen=True)
class BuildOptions:
    """What a build reads and where it writes. ``raw_dir`` None means the embedded sample."""

    raw_dir: Path | None = None
    spec_root: Path | None = None
    out_dir: Path = Path("outputs")
    schema_dir: Path | None = None
    blinded: bool = False  # build without the IRT export: treatment variables masked
    dataset_json: bool = False  # also write a Dataset-JSON v1.1 copy of every dataset beside its XPT
    dummy_randomization: int | None = None  # seed: a generated dummy IRT export replaces the real one
    progress: ProgressHook = no_progress  # called as each step is done: (stage, dataset, records)
    block_subjects: int | None = None  # subjects per block (package.blocks); None: $ACLF_BLOCK_SUBJECTS or default
    workers: int | None = None  # worker processes for the blocks; None: $ACLF_WORKERS or the cores, at most 4


@dataclass
class BuildResult:
    out_dir: Path
    spec_root: Path | None
    # compacted when built in blocks, every read giving the built frame; the large datasets of a
    # study built in blocks are read from the build's working folder, removed when the build ends:
    # afterwards only their names and record counts (compact.record_counts) can be asked for
    datasets: Mapping[str, pd.DataFrame]
    issues: list[Issue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def xpt_header(spec: Spec) -> XptHeader:
    """Fixed XPT header fields from the study conventions (never the clock)."""
    conf = spec.study.conventions.get("xpt", {})
    defaults = XptHeader()
    return XptHeader(
        created=datetime.fromisoformat(conf["created"]) if "created" in conf else defaults.created,
        modified=datetime.fromisoformat(conf["modified"]) if "modified" in conf else defaults.modified,
        sas_version=str(conf.get("sas_version", defaults.sas_version)),
        os_name=str(conf.get("os_name", defaults.os_name)),
    )


def blinded_forms(spec: Spec) -> tuple[str, ...]:
    """The raw forms that unblind (irt_rand, irt_kits): never read, not even hashed, in a dry run."""
    return tuple(sorted(name for name, form in spec.raw_forms.items() if form.blinded))


def dummy_label(spec: Spec) -> str:
    """The label every output of a dummy-randomization build carries (study.yaml conventions)."""
    return str(spec.study.conventions["dummy_randomization_label"])


def read_raw(options: BuildOptions, spec: Spec, *, held: bool = False) -> RawExport:
    """The build's raw export, read and checked (``held``: its forms held compactly, :mod:`aclf_cdisc.raw.held`)."""
    raw = read_export(options.raw_dir or edc_dir(), spec, dummy_seed=options.dummy_randomization, held=held)
    if raw.blinded and not options.blinded:
        raise AclfError(
            Issue(
                rule="build.irt-missing",
                message="the export has no IRT randomization files (irt_rand, irt_kits); treatment "
                "cannot be derived. Add them, or build a blinded package with --blinded",
                file=str(options.raw_dir or edc_dir()),
            )
        )
    return raw


def build_datasets(raw: RawExport | Handover[RawExport], spec: Spec, *, blinded: bool, issues: list[Issue],
                   schedule: Schedule | None = None, progress: ProgressHook = no_progress,
                   work: Path | None = None,
                   blocks: list[dict[str, np.ndarray]] | None = None) -> Mapping[str, pd.DataFrame]:
    """SDTM then ADaM: in blocks of subjects when ``schedule`` cuts the study into more than one
    (:mod:`aclf_cdisc.package.blocks`; the same datasets, held compactly, the large ones in the
    working folder ``work`` when one is given, which must outlive them), else as one frame.
    ``raw`` may be held compactly (``read_raw(..., held=True)``): each block, or the
    one frame, is built from its rows as read; handed over (:class:`aclf_cdisc.package.blocks.Handover`),
    it is let go as soon as it has been read. ``blocks``: the blocks, when the caller has planned
    them (:func:`aclf_cdisc.package.blocks.plan_blocks`; empty: one block, not cut again)."""
    from aclf_cdisc.adam.pipeline import build_adam
    from aclf_cdisc.sdtm.pipeline import build_sdtm

    streamed = build_in_blocks(raw, spec, blinded=blinded, issues=issues, schedule=schedule, progress=progress,
                               work=work, blocks=blocks) if schedule is not None else None
    # one block: its SDTM domain groups side by side, the largest (LB) in this process, whose result would
    # otherwise be pickled back from a worker
    workers = schedule.workers if schedule is not None else 1
    sdtm = streamed if streamed is not None else build_sdtm(
        whole_export(raw.take() if isinstance(raw, Handover) else raw), spec, blinded=blinded, issues=issues,
        map_each=partial(forked_map_beside, workers=workers))
    if blinded:
        # Without the IRT export there are no randomization dates or treatments: ADSL, ADTTE and
        # every by-treatment analysis would be guesses, so a blinded build stops at SDTM.
        issues.append(Issue(rule="build.adam-skipped-blinded", severity="note",
                            message="blinded build: ADaM datasets need the IRT randomization export "
                                    "and were not built"))
        return sdtm
    # one block: ADLB here, ADAE and ADTTE beside it on a worker (ADLB would cost its pickling to come back)
    return sdtm if streamed is not None else {
        **sdtm, **build_adam(sdtm, spec, map_each=partial(forked_map_beside, workers=workers))}


def check_datasets(datasets: Mapping[str, pd.DataFrame], spec: Spec, *, blinded: bool = False,
                   workers: int = 1, rider: Rider | None = None) -> list[Issue]:
    """Spec-generated pandera schemas, then the conformance rules (under the spec's build checklist),
    shared by ``workers`` forked processes (the same findings in the same order for any number);
    the ``rider``'s task, if one is given, is handed out to them first."""
    from aclf_cdisc.checks.run import build_checklist

    map_each: MapEach = partial(forked_map, workers=workers)
    return run_checks(datasets, spec, checklist=build_checklist(spec, blinded=blinded),
                      map_each=rider.riding(map_each) if rider is not None else map_each)


def write_datasets(datasets: Mapping[str, pd.DataFrame], spec: Spec, root: Path,
                   progress: ProgressHook = no_progress, *, workers: int = 1) -> list[Path]:
    """One XPT v5 file per dataset, in the eCTD folder of its standard; the files are written by up
    to ``workers`` forked processes, largest dataset first (each file is the same bytes wherever
    it is written)."""
    return list(write_datasets_digested(datasets, spec, root, progress, workers=workers))


def write_datasets_digested(datasets: Mapping[str, pd.DataFrame], spec: Spec, root: Path,
                            progress: ProgressHook = no_progress, *,
                            workers: int = 1) -> dict[Path, WrittenDigests]:
    """:func:`write_datasets`, with the SHA-256 and MD5 of each file taken as it was written (by
    the worker that wrote it): the manifest lists the XPT files, most of a package's bytes,
    without reading them back."""
    header = xpt_header(spec)
    names = sorted(datasets)
    records = record_counts(datasets)

    def write(name: str) -> tuple[Path, tuple[str, str]]:
        dataset = spec.dataset(name)
        folder = standard_dir(root, spec.study.studyid, dataset.standard)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / xpt_name(name)
        # each variable's length from its distinct values (a compacted column's categories), then
        # a chunk of records at a time: a compacted store rebuilds only what is read (aclf_cdisc.compact)
        meta = xpt_meta_from_columns(dataset, partial(held_column, datasets, name), header)
        taken: list[DigestingWriter] = []

        def digesting(handle: BinaryIO) -> DigestingWriter:
            taken.append(DigestingWriter(handle))
            return taken[-1]

        write_xpt_rows(partial(held_rows, datasets, name), records[name], dataset_columns(datasets, name), meta, path,
                       sink=digesting)
        return path, taken[-1].hexdigests()

    written = {}
    for name, (path, (sha256, md5)) in zip(names, forked_map(write, names, workers=workers,
                                                             cost=lambda n: float(dataset_cells(datasets, n))),
                                           strict=True):
        written[path] = WrittenDigests(sha256, md5, file_stamp(path))
        progress("xpt", name, records[name])
    return written


def define_map(datasets: Mapping[str, pd.DataFrame], workers: int) -> MapEach:
    """How the two defines (SDTM, ADaM) are made: side by side on the workers, except for a study
    held compacted (built in blocks: a large one), whose defines are made one after the other:
    side by side they saved 0.6 s at 20,000 subjects but were the build's peak of memory (0.5 GB
    more than one after the other), each worker holding its own statistics of every column."""
    return serial_map if isinstance(datasets, CompactDatasets) else partial(forked_map, workers=workers)


def build_info(spec: Spec) -> dict[str, str]:
    """What the report states about the build: no paths or clock, so reports are reproducible."""
    from aclf_cdisc import __version__

    info = {"study": spec.study.studyid, "registry id": spec.study.registry_id,
            "MedDRA": spec.study.meddra_version, "aclf-cdisc": __version__}
    info.update({f"CT {standard}": version for standard, version in sorted(spec.study.ct_versions.items())})
    return info


def write_report(issues: list[Issue], folder: Path, *, title: str, spec: Spec,
                 datasets: Mapping[str, pd.DataFrame] | None = None) -> list[Path]:
    """validation.csv/json/html, and validation.xlsx given the datasets (see aclf_cdisc.checks.report)."""
    from aclf_cdisc.checks.report import write_reports
    from aclf_cdisc.checks.run import report_content

    extra = report_content(datasets, spec) if datasets is not None else {}
    return list(write_reports(issues, folder, title=title, build_info=build_info(spec), **extra).values())


def fail_with_report(issues: list[Issue], summary: str, spec: Spec, out_dir: Path) -> None:
    """Raise with every error; the full report goes to a temporary folder, never to ``out_dir``."""
    folder = Path(tempfile.mkdtemp(prefix="aclf-cdisc-failed-build-"))
    write_report(issues, folder, title=summary, spec=spec)
    errors = [i for i in issues if i.severity == "error"]
    raise ValidationError(errors, f"{summary}: {len(errors)} error(s); {out_dir} left as it was; "
                                  f"full report in {folder}")


def analysis_files(datasets: Mapping[str, pd.DataFrame], spec: Spec,
                   dummy_label: str | None = None) -> dict[str, bytes]:
    """The analysis page and its tables and figures by path under reports/ (aclf_cdisc.analysis);
    none without ADaM."""
    from aclf_cdisc.analysis import build_analysis

    if "ADTTE" not in datasets:
        return {}
    return build_analysis(datasets, spec, dummy_label=dummy_label)


EARLY_PAGE_BYTES = 64 * 1024 * 1024  # an export of more bytes than this is not given an early page worker


def export_bytes(folder: Path) -> int:
    """The bytes of the files in the export's folder (0 where it cannot be read: the reader says why)."""
    try:
        return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    except OSError:
        return 0


def early_page_workers(options: BuildOptions, schedule: Schedule) -> int:
    """The workers :func:`build_package` gives :func:`aclf_cdisc.package.background.started_early`
    for the analysis page: none (1) for a blinded build, which has no page, or for an export of
    more than :data:`EARLY_PAGE_BYTES` (about 6,000 subjects of this study: built in blocks, its
    page rides the checks' workers, and the worker would only sit beside the reading of the
    export, the first peak of a large build's memory)."""
    if options.blinded or export_bytes(options.raw_dir or edc_dir()) > EARLY_PAGE_BYTES:
        return 1
    return schedule.workers


def prepare_analysis() -> None:
    """What the analysis page's worker does while it waits for the datasets: the page's imports."""
    from aclf_cdisc.analysis import import_heavy

    import_heavy()


@contextmanager
def analysis_beside_checks(datasets: Mapping[str, pd.DataFrame], spec: Spec, dummy: str | None, *,
                           workers: int, worker: WorkerPool | None = None) -> Iterator[tuple[Rider | None,
                                                                               Callable[[], dict[str, bytes]]]]:
    """Where the analysis page (:func:`analysis_files`) is made while the checks run: yields the
    rider to give the checks (or None) and the function that returns the page's files.

    It needs only the datasets, so it runs beside the checks and writers on a worker of its own,
    and is dropped if the checks fail: ``worker`` when one was started early for it
    (:func:`aclf_cdisc.package.background.started_early`, given the datasets it reads), else one
    forked here. A study held compacted (built in blocks: a large one) gives it to the checks'
    workers instead, as their first task: on a third process it was the build's peak of memory,
    starting with the two workers checking LB and ADLB (1.73 GB at 20,000 subjects).
    """
    from aclf_cdisc.analysis import READ_DATASETS

    if isinstance(datasets, CompactDatasets):
        rider = Rider(partial(analysis_files, datasets, spec, dummy))
        yield rider, rider.result
        return
    read = {name: datasets[name] for name in READ_DATASETS if name in datasets} if worker is not None else datasets
    with in_background(analysis_files, read, spec, dummy, workers=workers, worker=worker) as result:
        yield None, result


def write_files(files: Mapping[str, bytes], folder: Path) -> list[Path]:
    """Each ``files`` entry written under ``folder`` (its path relative to it), in the given order."""
    written = []
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def write_analysis_files(datasets: Mapping[str, pd.DataFrame], spec: Spec, folder: Path,
                         dummy_label: str | None = None) -> list[Path]:
    """reports/analysis.html and reports/analysis/* (:func:`analysis_files`) written under ``folder``."""
    return write_files(analysis_files(datasets, spec, dummy_label), folder)


def build_package(options: BuildOptions) -> BuildResult:
    """Run the whole pipeline; raise AclfError (nothing published, no folder made) on any error."""
    with parents_made_for(options.out_dir):
        return _build_package(options)


def _build_package(options: BuildOptions) -> BuildResult:
    check_output_target(options.out_dir)  # fail before the long build, not after it
    # the raw export (with the IRT randomization, which unblinds) never ends up inside the package
    check_not_holding(options.out_dir, options.raw_dir or edc_dir(), rule="build.out-holds-raw",
                      what="the raw export")
    progress = options.progress
    spec = load_spec(options.spec_root)
    progress("specs", None, len(spec.datasets))
    schedule = resolve_schedule(options.block_subjects, options.workers)
    # the analysis page's worker starts with the build, so that its imports (about a second) are
    # done while the export is read and the datasets are built (analysis_beside_checks)
    with (objects_kept_out_of_collections(),
          started_early(prepare_analysis, workers=early_page_workers(options, schedule)) as page_worker):
        return _build_started(options, spec, schedule, page_worker)


def _build_started(options: BuildOptions, spec: Spec, schedule: Schedule,
                   page_worker: WorkerPool | None) -> BuildResult:
    """The build once its spec is loaded and the analysis page's worker started (if any)."""
    progress = options.progress
    # held compactly (the blocks rebuild their rows as read), and handed over to the datasets'
    # build, which lets it go as soon as it has been read
    raw = Handover(read_raw(options, spec, held=True))
    # the file parser's text and the forms' object columns are freed, but the heap keeps their
    # pages (most of the memory of reading a large export): given back before the block workers
    # are forked, which would share them
    give_back_freed_memory()
    progress("raw", None, sum(len(f) for f in raw.peek().forms.values()))
    issues: list[Issue] = list(raw.peek().issues)
    dummy = dummy_label(spec) if options.dummy_randomization is not None else None
    if dummy:
        issues.append(Issue(rule="build.dummy-randomization", severity="note",
                            message=f"{dummy}: the IRT files were not read; treatment comes from a generated "
                                    f"dummy randomization (seed {options.dummy_randomization})"))
    blocks = plan_blocks(raw.peek(), spec, schedule.block_subjects, schedule.workers)  # empty: one block, built whole
    if blocks and page_worker is not None:
        page_worker.stop()  # a study built in blocks (a large one): its page rides the checks' workers
        page_worker = None
    # the build's working files (finished blocks, then the large joined datasets) beside --out, on
    # the user's disk, until the package is published or the build stops
    with spill_folder(options.out_dir) as work:
        datasets = build_datasets(raw, spec, blinded=options.blinded, issues=issues, schedule=schedule,
                                  progress=progress, work=work, blocks=blocks)
        # what building the datasets freed (the raw forms, not read again: the manifest hashes the
        # files; the blocks joined) goes back to the operating system before the checks' workers are forked
        give_back_freed_memory()
        progress("datasets", None, sum(record_counts(datasets).values()))
        with analysis_beside_checks(datasets, spec, dummy, workers=schedule.workers,
                                    worker=page_worker) as (rider, analysis_result):
            issues.extend(check_datasets(datasets, spec, blinded=options.blinded, workers=schedule.workers,
                                         rider=rider))
            if options.blinded:
                issues = collapse_masked(issues)
            progress("checks", None, len(issues))
            if any(i.severity == "error" for i in issues):
                fail_with_report(issues, "datasets broke their specs or conformance rules", spec, options.out_dir)
            return _write_package(options, spec, datasets, issues, dummy, analysis_result,
                                  workers=schedule.workers)


def _write_package(options: BuildOptions, spec: Spec, datasets: Mapping[str, pd.DataFrame], issues: list[Issue],
                   dummy: str | None, analysis_result: Callable[[], dict[str, bytes]], *,
                   workers: int) -> BuildResult:
    """The checked datasets written as a package (XPT, defines, documents, reports, the analysis
    page when ``analysis_result`` gives it), staged and published atomically; the XPT files by up
    to ``workers`` processes."""
    progress = options.progress
    with staged_output(options.out_dir) as staging:
        xpt_digests = write_datasets_digested(datasets, spec, staging, progress, workers=workers)
        files = list(xpt_digests)
        define_issues = build_for_outputs(staging, spec, schema_dir=options.schema_dir,
                                          creation_datetime=xpt_header(spec).created.isoformat(),
                                          frames=datasets,  # the rows just written: not read back
                                          map_each=define_map(datasets, workers))
        give_back_freed_memory()
        issues.extend(define_issues)
        progress("define", None, None)
        if options.blinded:
            issues = collapse_masked(issues)
        if any(i.severity == "error" for i in define_issues):
            fail_with_report(issues, "define.xml failed its checks", spec, options.out_dir)
        files += write_documents(staging, spec, datasets, issues, dummy,  # aCRF, reviewer's guides, programs
                                 map_each=partial(forked_map, workers=workers))
        progress("documents", None, None)
        title = f"{dummy + ': ' if dummy else ''}{spec.study.studyid} build report"
        write_report(issues, reports_dir(staging), title=title, spec=spec, datasets=datasets)
        analysis = write_files(analysis_result(), reports_dir(staging))
        files += analysis
        if options.dataset_json:
            files.extend(write_dataset_json_copies(datasets, spec, staging, xpt_header(spec)))
        if dummy:
            (staging / "DUMMY-RANDOMIZATION.txt").write_text(
                f"{dummy}\nThe treatment assignments in this folder come from a generated dummy randomization "
                f"(seed {options.dummy_randomization}), not from the IRT export.\n", encoding="utf-8")
            stamp_outputs(staging, dummy, skip=frozenset(analysis))
        # the XPT files' digests as written; a dummy-randomization build has stamped its files since
        write_build_manifest(staging, spec, raw_dir=options.raw_dir or edc_dir(), blinded=options.blinded,
                             dataset_json=options.dataset_json, dummy=dummy,
                             raw_exclude=blinded_forms(spec) if dummy else (),
                             written=None if dummy else {path.relative_to(staging): digests
                                                         for path, digests in xpt_digests.items()})
        progress("report", None, len(issues))
    return BuildResult(out_dir=options.out_dir, spec_root=Path(spec.root) if spec.root else None,
                       datasets=datasets, issues=issues, files=files)


def summarise(result: BuildResult) -> str:
    """A short terminal summary: datasets and record counts, issue counts by severity."""
    lines = [f"specs: {result.spec_root}", f"built {len(result.datasets)} datasets into {result.out_dir}:"]
    records = record_counts(result.datasets)
    for name in sorted(result.datasets):
        lines.append(f"  {name:<8} {records[name]:>7} records")
    frame = issues_frame(result.issues)
    counts = frame["severity"].value_counts().to_dict() if len(frame) else {}
    lines.append("issues: " + ", ".join(f"{counts.get(s, 0)} {s}(s)" for s in ("error", "warning", "note")))
    return "\n".join(lines)

