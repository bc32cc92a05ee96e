"""One channel for problems: every finding is an :class:`Issue`; fatal ones travel in an :class:`AclfError`.

An Issue names where the problem is (file, dataset, row, column, value) and which rule it broke,
so a data programmer can go straight to the cell. Tests compare Issue fields, never prose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]
SHOWN_CHARACTERS = 200  # how much of a value a message repeats; the rest is counted, not shown


def cap(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``text``, or its first ``limit`` characters and how long it was.

    >>> cap("x" * 5, 3)
    'xxx... (5 characters)'
    >>> cap("short")
    'short'
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def printable(text: str) -> str:
    """``text`` with each byte a file name held that was not UTF-8 (Python keeps it as a lone
    surrogate) shown as ``\\xNN``, so it can be printed or written to a UTF-8 file.

    >>> printable("/tmp/x\\udcff")
    '/tmp/x\\\\xff'
    """
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file name gives: shown as \uDNNN
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def undecodable_at(exc: UnicodeDecodeError) -> tuple[int, str]:
    """Where bytes that are not UTF-8 stand in the file they were read from: the 1-based line, and
    the first such byte with its offset, for a message.

    >>> undecodable_at(UnicodeDecodeError("utf-8", b"a\\nb\\xff", 3, 4, "invalid start byte"))
    (2, 'byte 0xff at offset 3')
    """
    return exc.object[:exc.start].count(b"\n") + 1, f"byte {exc.object[exc.start]:#04x} at offset {exc.start}"


SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")


@dataclass(frozen=True)
class Issue:
    """A single finding.

    rule: a stable code such as ``xpt.name-invalid`` or ``sdtm.ct-unmapped``.
    row: a 1-based row number in the named file/dataset, or a record key such as ``USUBJID=...``.
    """

    rule: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    dataset: str | None = None
    row: int | str | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None

    def render(self) -> str:
        where = [
            f"{label}={val}"
            for label, val in (
                ("file", self.file),
                ("dataset", self.dataset),
                ("row", self.row),
                ("column", self.column),
            )
            if val is not None
        ]
        # every part is capped: a message embeds values too, and a cell can hold 100 MB
        text = f"[{self.severity}] {self.rule}: {cap(self.message, 5 * SHOWN_CHARACTERS)}"
        if where:
            text += f" ({cap(', '.join(where), 2 * SHOWN_CHARACTERS)})"
        if self.value is not None:
            text += f"; value={cap(repr(self.value))}"
        if self.expected is not None:
            text += f"; expected {cap(self.expected)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AclfError(Exception):
    """A failure that stops the current step. Carries the issues that caused it."""

    def __init__(self, issues: Issue | Sequence[Issue], summary: str | None = None) -> None:
        self.issues: tuple[Issue, ...] = (issues,) if isinstance(issues, Issue) else tuple(issues)
        self.summary = summary or (self.issues[0].message if len(self.issues) == 1 else
                                   f"{len(self.issues)} problems")
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its issues and summary, so an error crosses from a worker process intact."""
        return (type(self), (self.issues, self.summary))

    def __str__(self) -> str:
        shown = self.issues[:50]
        lines = [self.summary] if len(self.issues) > 1 else []
        lines += [issue.render() for issue in shown]
        if len(self.issues) > len(shown):
            lines.append(f"... and {len(self.issues) - len(shown)} more")
        return "\n".join(lines)


class SpecError(AclfError):
    """A spec file is malformed or inconsistent; raised before any data is touched."""


class InputError(AclfError):
    """A raw input file breaks its declared layout."""


class DerivationError(AclfError):
    """A derivation met data it cannot handle without guessing."""


class ValidationError(AclfError):
    """A dataset breaks its spec-generated schema or a conformance rule."""


class OutputError(AclfError):
    """The output folder cannot receive the package (a file, read-only, full disk)."""


class ResourceError(AclfError):
    """The machine could not give the build what it needed: a worker process was killed (most often
    by the kernel's out-of-memory killer). Nothing was published."""


class Interrupted(BaseException):
    """SIGTERM (or another terminating signal) asked the command to stop; like KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class TransportError(AclfError):
    """A dataset cannot be written to (or read from) a transport file faithfully."""


def raise_if_errors(issues: Iterable[Issue], error_type: type[AclfError] = AclfError,
                    summary: str | None = None) -> list[Issue]:
    """Raise ``error_type`` when any issue has severity ``error``; return the non-fatal ones."""
    issues = list(issues)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise error_type(errors, summary)
    return issues
