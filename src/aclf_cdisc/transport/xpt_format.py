"""SAS XPORT v5 record layout: the constants and header records shared by writer and reader.

File layout (all records 80 bytes; see SAS TS-140):

    LIBRARY header + 2 records (SAS version, OS, created, modified)
    MEMBER header, DSCRPTR header + 2 records (dataset name, version, OS, dates, label, type)
    NAMESTR header (variable count) + one 140-byte NAMESTR per variable, padded to 80 bytes
    OBS header, then the rows (each ``row_length`` bytes), padded to 80 bytes with spaces
"""

from __future__ import annotations

import struct
from datetime import datetime

from aclf_cdisc.transport.meta import XptDataset, XptVariable

RECORD = 80
NAMESTR_LENGTH = 140
MAX_VARIABLES = 9999  # the NAMESTR header holds the count in 4 digits
NUM_LENGTHS = range(2, 9)  # XPORT numerics: 2-8 bytes (truncated IBM doubles)

_PREFIX = b"HEADER RECORD*******"
_ZEROS = b"0" * 30 + b"  "
LIBRARY_HEADER = _PREFIX + b"LIBRARY HEADER RECORD!!!!!!!" + _ZEROS
MEMBER_HEADER = _PREFIX + b"MEMBER  HEADER RECORD!!!!!!!" + b"000000000000000001600000000140  "
DSCRPTR_HEADER = _PREFIX + b"DSCRPTR HEADER RECORD!!!!!!!" + _ZEROS
OBS_HEADER = _PREFIX + b"OBS     HEADER RECORD!!!!!!!" + _ZEROS
NAMESTR_PREFIX = _PREFIX + b"NAMESTR HEADER RECORD!!!!!!!"
NAMESTR_STRUCT = struct.Struct(">hhhh8s40s8shhh2s8shhi52s")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
EARLIEST_YEAR, LATEST_YEAR = 1960, 2059  # the two-digit header year maps 60-99 to 19xx, 00-59 to 20xx


# --------------------------------------------------------------------------------------------
# header encoding (pure functions)
# --------------------------------------------------------------------------------------------

def format_timestamp(stamp: datetime) -> bytes:
    """``04APR12:22:16:21``: the 16-byte header timestamp (locale independent, seconds kept)."""
    return (f"{stamp.day:02d}{_MONTHS[stamp.month - 1]}{stamp.year % 100:02d}:"
            f"{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}").encode("ascii")


def parse_timestamp(raw: bytes) -> datetime:
    """Inverse of :func:`format_timestamp`; two-digit years 60-99 are 19xx, 00-59 are 20xx."""
    text = raw.decode("ascii").strip()
    day, month, year = int(text[0:2]), _MONTHS.index(text[2:5].upper()) + 1, int(text[5:7])
    hour, minute, second = int(text[8:10]), int(text[11:13]), int(text[14:16])
    return datetime(year + (1900 if year >= 60 else 2000), month, day, hour, minute, second)


def _pad(text: str | bytes, width: int) -> bytes:
    raw = text.encode("ascii") if isinstance(text, str) else text
    return raw.ljust(width, b" ")


def library_records(meta: XptDataset) -> bytes:
    """The library header record and its two data records."""
    return (LIBRARY_HEADER
            + b"SAS     SAS     SASLIB  " + _pad(meta.lib_sas_version, 8) + _pad(meta.lib_os_name, 8)
            + b" " * 24 + format_timestamp(meta.lib_created)
            + format_timestamp(meta.lib_modified) + b" " * 64)


def member_records(meta: XptDataset) -> bytes:
    """MEMBER and DSCRPTR headers, the two member records and the NAMESTR header."""
    return (MEMBER_HEADER + DSCRPTR_HEADER
            + b"SAS     " + _pad(meta.name, 8) + b"SASDATA " + _pad(meta.sas_version, 8)
            + _pad(meta.os_name, 8) + b" " * 24 + format_timestamp(meta.created)
            + format_timestamp(meta.modified) + b" " * 16 + _pad(meta.label, 40) + _pad(meta.type, 8)
            + NAMESTR_PREFIX + f"000000{len(meta.variables):04d}".encode("ascii") + b"0" * 20 + b"  ")


def namestr(var: XptVariable, number: int, position: int) -> bytes:
    """The 140-byte NAMESTR record of one variable (1-based ``number``, byte ``position`` in a row)."""
    return NAMESTR_STRUCT.pack(
        2 if var.is_char else 1, 0, var.length, number, _pad(var.name, 8), _pad(var.label, 40),
        _pad(var.format_name, 8), var.format_length, var.format_decimals, var.format_justification,
        b"\0\0", _pad(var.informat_name, 8), var.informat_length, var.informat_decimals, position,
        b"\0" * 52)


def namestr_records(meta: XptDataset) -> bytes:
    """All NAMESTR records, padded with spaces to a whole number of 80-byte records."""
    blob = b"".join(namestr(v, i + 1, p) for i, (v, p) in enumerate(zip(meta.variables, positions(meta),
                                                                              strict=True)))
    return blob + b" " * (-len(blob) % RECORD)


def positions(meta: XptDataset) -> list[int]:
    """Byte offset of each variable within a row."""
    offsets, at = [], 0
    for var in meta.variables:
        offsets.append(at)
        at += var.length
    return offsets


def header_bytes(meta: XptDataset) -> bytes:
    """Everything before the first row."""
    return library_records(meta) + member_records(meta) + namestr_records(meta) + OBS_HEADER


def file_size(meta: XptDataset, rows: int) -> int:
    """Exact size in bytes of the file :func:`write_xpt` makes for ``rows`` rows."""
    data = rows * meta.row_length
    return len(header_bytes(meta)) + data + (-data % RECORD)


def is_ascii(encoding: str) -> bool:
    """True for the names Python gives plain ASCII."""
    return encoding.lower().replace("-", "").replace("_", "") in ("ascii", "usascii", "646")


#: Where the dataset label sits: bytes 32-71 of the second DSCRPTR data record (record 7 of a file).
DATASET_LABEL_AT = 6 * RECORD + 32


def relabel_dataset(data: bytes, prefix: str) -> bytes:
    """An XPT file (one dataset, as :func:`header_bytes` lays it out) with ``prefix`` in front of its
    dataset label, cut to the format's 40 bytes; every other byte is unchanged.

    >>> head = header_bytes(XptDataset(name="DM", label="Demographics"))
    >>> head = relabel_dataset(head, "DUMMY RANDOMIZATION")
    >>> head[DATASET_LABEL_AT:DATASET_LABEL_AT + 40]
    b'DUMMY RANDOMIZATION: Demographics       '
    """
    if data[:RECORD] != LIBRARY_HEADER or data[3 * RECORD:4 * RECORD] != MEMBER_HEADER:
        raise ValueError("not a SAS XPORT v5 file of the layout header_bytes writes")
    old = data[DATASET_LABEL_AT:DATASET_LABEL_AT + 40].decode("ascii").rstrip()
    new = (f"{prefix}: {old}" if old else prefix)[:40]
    return data[:DATASET_LABEL_AT] + _pad(new, 40) + data[DATASET_LABEL_AT + 40:]
