"""Transport formats every dataset passes through: SAS XPORT v5 and CDISC Dataset-JSON v1.1.

Written here, vectorised with numpy; pyreadstat is used only as an independent reader in tests.
Public entry points:

* :func:`write_xpt` / :func:`read_xpt` / :func:`read_xpt_header` (:mod:`.xpt`), described by :class:`XptDataset` /
  :class:`XptVariable`; SAS special missings are :class:`SpecialMissing` markers.
* :func:`write_dataset_json` / :func:`read_dataset_json` (:mod:`.datasetjson`).
* :func:`xpt_meta_from_spec` / :func:`select_spec_columns` (:mod:`.from_spec`).
"""

from aclf_cdisc.transport.datasetjson import JsonFileInfo, read_dataset_json, write_dataset_json
from aclf_cdisc.transport.from_spec import select_spec_columns, xpt_meta_from_spec
from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptHeader, XptVariable
from aclf_cdisc.transport.xpt import read_xpt, read_xpt_header, write_xpt

__all__ = [
    "JsonFileInfo", "SpecialMissing", "XptDataset", "XptHeader", "XptVariable", "read_dataset_json",
    "read_xpt", "read_xpt_header", "select_spec_columns", "write_dataset_json", "write_xpt", "xpt_meta_from_spec",
]
