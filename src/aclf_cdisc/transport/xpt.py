"""SAS XPORT v5 (the FDA transport format): a strict, deterministic, vectorised writer and reader.

The format's records live in :mod:`.xpt_format`, the checks a dataset must pass in
:mod:`.xpt_checks`, the writer in :mod:`.xpt_writer` and the reader in :mod:`.xpt_reader`; this
module is the public face of all four.

Values: character cells are space padded (read back with trailing spaces removed, as SAS and
ReadStat do); numeric cells are IBM doubles; NaN/None/NaT is ``.``; a
:class:`~aclf_cdisc.transport.meta.SpecialMissing` marker is ``.A``-``.Z`` / ``._``. Numeric
variables whose format is a SAS date/datetime/time format accept datetime64, timedelta64 and
Python date/datetime/time values (see :mod:`aclf_cdisc.transport.temporal`).
"""

from aclf_cdisc.transport.xpt_checks import MAX_ISSUES_PER_CHECK, Findings, frame_issues, metadata_issues
from aclf_cdisc.transport.xpt_format import file_size, format_timestamp, header_bytes, parse_timestamp
from aclf_cdisc.transport.xpt_reader import read_xpt, read_xpt_header
from aclf_cdisc.transport.xpt_writer import RowReader, numeric_values, write_xpt, write_xpt_rows

__all__ = [
    "MAX_ISSUES_PER_CHECK", "Findings", "RowReader", "file_size", "format_timestamp", "frame_issues", "header_bytes",
    "metadata_issues", "numeric_values", "parse_timestamp", "read_xpt", "read_xpt_header", "write_xpt",
    "write_xpt_rows",
]
