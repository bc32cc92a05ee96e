"""Optional Dataset-JSON v1.1 copies of every dataset, beside its XPT file (``build --dataset-json``).

Each ``<dataset>.json`` holds the same variables, metadata and values as ``<dataset>.xpt`` (the
same XPT metadata drives both writers), with the define's OIDs (``IG.<DATASET>``,
``IT.<DATASET>.<VARIABLE>``, ``MDV.<STUDYID>.<standard>``) so a reader can join it to define.xml,
and the build's fixed creation stamp rather than the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from aclf_cdisc.package.layout import standard_dir
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.transport import XptHeader
from aclf_cdisc.transport.datasetjson import JsonFileInfo, write_dataset_json
from aclf_cdisc.transport.from_spec import xpt_meta_from_spec

# Define-XML numeric DataTypes -> Dataset-JSON dataType (dates with SAS formats are detected by the writer)
JSON_NUMERIC_TYPES = {"integer": "integer", "float": "double"}


def json_name(dataset: str) -> str:
    """The Dataset-JSON file of a dataset, beside its XPT file.

    >>> json_name("ADSL")
    'adsl.json'
    """
    return f"{dataset.lower()}.json"


def write_dataset_json_copies(datasets: Mapping[str, pd.DataFrame], spec: Spec, root: Path,
                              header: XptHeader) -> list[Path]:
    """Write ``<dataset>.json`` beside each ``<dataset>.xpt`` under ``root``; return the paths."""
    from aclf_cdisc import __version__

    study = spec.study
    written = []
    for name in sorted(datasets):
        dataset = spec.dataset(name)
        frame = datasets[name]
        meta = xpt_meta_from_spec(dataset, frame, header)
        info = JsonFileInfo(
            creation_datetime=header.created.replace(microsecond=0).isoformat(),
            study_oid=f"STDY.{study.studyid}",
            metadata_version_oid=f"MDV.{study.studyid}.{dataset.standard}",
            metadata_ref="define.xml",
            originator=study.sponsor,
            file_oid=f"{study.studyid}.{dataset.name}",
            source_system=("aclf-cdisc", __version__),
        )
        data_types = {v.name: JSON_NUMERIC_TYPES[v.data_type] for v in dataset.variables
                      if v.data_type in JSON_NUMERIC_TYPES}
        path = standard_dir(root, study.studyid, dataset.standard) / json_name(name)
        write_dataset_json(frame, meta, path, info=info, data_types=data_types, keys=dataset.keys)
        written.append(path)
    return written
