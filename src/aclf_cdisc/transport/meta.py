"""Metadata of one SAS XPORT v5 member: what the NAMESTR records and header records hold.

:class:`XptVariable` keeps formats as the SAS strings programmers write (``DATE9.``,
``$CHAR20.``, ``8.2``, ``3.``); the NAMESTR fields (format name, width, decimals) are derived
from that string, which is an exact, invertible encoding of them, so a file read and written back
keeps its bytes. Only the justification flag, which a string cannot carry, is a separate field.

:class:`XptDataset` holds the member and library header fields. Defaults are fixed constants,
never the clock: the same frame and metadata always give the same bytes.

:class:`SpecialMissing` is how SAS special missing values (``.A``-``.Z``, ``._``) live in a
pandas frame: a ``float`` NaN subclass carrying its code. Every numeric routine sees NaN (so
``pd.isna`` is True and sums skip it), while the writer and reader keep the code. A numeric
column holding any of them has ``object`` dtype; columns without them stay ``float64``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aclf_cdisc.transport.ibm import SPECIAL_CODES

XptType = Literal["char", "num"]

#: Fixed header defaults (never the clock). Callers pass the study build's own values.
DEFAULT_TIMESTAMP = datetime(2000, 1, 1, 0, 0, 0)
DEFAULT_SAS_VERSION = "9.4"
DEFAULT_OS_NAME = "X64_7PRO"

_FORMAT_PATTERN = re.compile(r"^(\$?(?:[A-Za-z_][A-Za-z0-9_]*?)?)(\d*)\.(\d*)$")


class SpecialMissing(float):
    """A SAS special missing value (``.A``-``.Z`` or ``._``): NaN to arithmetic, with a ``code``.

    Instances are interned, so ``SpecialMissing("A") is SpecialMissing("A")``: compare markers with
    ``is`` or by ``code``. Equality stays float equality (NaN != NaN) on purpose, because pandas
    decides missingness with ``x != x``; overriding it would make ``pd.isna`` say False.
    """

    __slots__ = ("code",)
    code: str
    _cache: dict[str, SpecialMissing] = {}  # noqa: RUF012 - class-level intern table

    def __new__(cls, code: str) -> SpecialMissing:
        code = code.upper().lstrip(".")
        if len(code) != 1 or code not in SPECIAL_CODES:
            raise ValueError(f"a SAS special missing code is one of A-Z or _, not {code!r}")
        cached = cls._cache.get(code)
        if cached is None:
            cached = super().__new__(cls, math.nan)
            cached.code = code
            cls._cache[code] = cached
        return cached

    def __reduce__(self) -> tuple[type[SpecialMissing], tuple[str]]:
        return (SpecialMissing, (self.code,))

    def __repr__(self) -> str:
        return f"SpecialMissing({self.code!r})"

    def __str__(self) -> str:
        return f".{self.code}"


def parse_format(text: str | None) -> tuple[str, int, int]:
    """Split a SAS format string into NAMESTR (name, width, decimals): ``"DATE9."`` -> DATE, 9, 0.

    ``None`` or ``""`` means no format: ("", 0, 0). Raises ValueError for text that is not a format.
    """
    if not text:
        return "", 0, 0
    match = _FORMAT_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"not a SAS format: {text!r} (expected e.g. DATE9., $CHAR20., 8.2)")
    name, width, decimals = match.groups()
    return name.upper(), int(width or 0), int(decimals or 0)


def format_string(name: str, width: int, decimals: int) -> str | None:
    """Inverse of :func:`parse_format`: NAMESTR fields to ``"DATE9."``; all-empty gives None."""
    if not name and not width and not decimals:
        return None
    return f"{name}{width or ''}.{decimals or ''}"


@dataclass(frozen=True)
class XptVariable:
    """One variable (NAMESTR record): name, label, type, length in bytes, format, informat."""

    name: str
    label: str = ""
    type: XptType = "num"
    length: int = 8
    format: str | None = None  # SAS display format, e.g. "DATE9.", "$CHAR20.", "8.2"
    informat: str | None = None
    format_justification: int = 0  # NAMESTR nfj: 0 left, 1 right

    @property
    def format_name(self) -> str:
        return parse_format(self.format)[0]

    @property
    def format_length(self) -> int:
        return parse_format(self.format)[1]

    @property
    def format_decimals(self) -> int:
        return parse_format(self.format)[2]

    @property
    def informat_name(self) -> str:
        return parse_format(self.informat)[0]

    @property
    def informat_length(self) -> int:
        return parse_format(self.informat)[1]

    @property
    def informat_decimals(self) -> int:
        return parse_format(self.informat)[2]

    @property
    def is_char(self) -> bool:
        return self.type == "char"


@dataclass(frozen=True)
class XptDataset:
    """One XPORT member plus the library header it travels in.

    ``type`` is the 8-byte dataset type of the member header; SAS leaves it blank for ordinary
    data sets (as in every CDISC pilot file), so the default is "". ``library_*`` fields default
    to the member's own values when None.
    """

    name: str
    label: str = ""
    variables: tuple[XptVariable, ...] = ()
    type: str = ""
    created: datetime = DEFAULT_TIMESTAMP
    modified: datetime = DEFAULT_TIMESTAMP
    sas_version: str = DEFAULT_SAS_VERSION
    os_name: str = DEFAULT_OS_NAME
    library_created: datetime | None = None
    library_modified: datetime | None = None
    library_sas_version: str | None = None
    library_os_name: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    @property
    def row_length(self) -> int:
        return sum(v.length for v in self.variables)

    def variable(self, name: str) -> XptVariable:
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(f"{self.name} has no variable {name}")

    @property
    def lib_created(self) -> datetime:
        return self.library_created or self.created

    @property
    def lib_modified(self) -> datetime:
        return self.library_modified or self.modified

    @property
    def lib_sas_version(self) -> str:
        return self.sas_version if self.library_sas_version is None else self.library_sas_version

    @property
    def lib_os_name(self) -> str:
        return self.os_name if self.library_os_name is None else self.library_os_name


@dataclass(frozen=True)
class XptHeader:
    """Header fields a build configuration supplies (never the clock)."""

    created: datetime = DEFAULT_TIMESTAMP
    modified: datetime = DEFAULT_TIMESTAMP
    sas_version: str = DEFAULT_SAS_VERSION
    os_name: str = DEFAULT_OS_NAME
