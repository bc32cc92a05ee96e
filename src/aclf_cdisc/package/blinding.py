"""What a blinded or dummy-randomization build says about itself.

* Blinded builds mask treatment as ``BLINDED`` (aclf_cdisc.sdtm.irt): that value is expected, so
  the per-record codelist findings it causes (schema, CT2002, define CT checks) are replaced by
  one note per dataset and variable saying how many records carry the masked value.
* Dummy-randomization builds stamp ``DUMMY RANDOMIZATION`` on the first line (or page) of every
  output: a comment line in CSV, an XML comment after the declaration, an HTML comment and
  a banner in HTML, a ``notice`` member first in JSON objects, a first line in text files; in
  XPT files the dataset label (member header, record 7: ``DUMMY RANDOMIZATION: <label>`` cut to
  the format's 40 bytes); in workbooks cell A1 of the first sheet, the page header of every
  sheet and the document title. PDF documents and PNG figures draw it themselves; the manifest
  and checksum file carry it on their first line (aclf_cdisc.package.manifest).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.irt import BLINDED
from aclf_cdisc.transport.xpt_format import relabel_dataset

#: Findings a masked treatment value causes by design (the value is not a codelist term).
MASKED_RULES = frozenset({"schema.isin", "CT2001", "CT2002", "define.data-ct-value"})


def collapse_masked(issues: list[Issue]) -> list[Issue]:
    """``issues`` with the masked-value findings replaced by one note per dataset and column."""
    masked = [i for i in issues if i.rule in MASKED_RULES and i.value == BLINDED]
    if not masked:
        return issues
    noted = {(i.dataset, i.column) for i in issues if i.rule == "build.treatment-masked"}
    counts = Counter((i.dataset, i.column) for i in masked if i.rule == "schema.isin")
    for i in masked:  # a column only a define or CT rule reported still gets its note
        counts.setdefault((i.dataset, i.column), 0)
    for key in noted:  # collapsed before (checks run in stages): keep the first note
        counts.pop(key, None)
    notes = [Issue(rule="build.treatment-masked", severity="note", dataset=dataset, column=column, value=BLINDED,
                   message=f"blinded build: {column} is masked as {BLINDED} in {n} record(s), as expected; "
                           "its codelist findings are not listed", expected="the real value after unblinding")
             for (dataset, column), n in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))]
    return [i for i in issues if not (i.rule in MASKED_RULES and i.value == BLINDED)] + notes


def stamp_text(data: bytes, suffix: str, label: str) -> bytes:
    """``data`` of a text output with ``label`` on its first line (see the module docstring)."""
    text = data.decode("utf-8")
    if suffix == ".csv":
        return f"# {label}\n{text}".encode()
    if suffix == ".txt":
        return f"{label}\n{text}".encode()
    if suffix == ".json":
        obj = json.loads(text)
        if isinstance(obj, dict):
            return (json.dumps({"notice": label, **obj}, indent=2, ensure_ascii=False) + "\n").encode()
        return (json.dumps({"notice": label, "content": obj}, indent=2, ensure_ascii=False) + "\n").encode()
    if suffix in (".xml", ".xsl"):
        if text.startswith("<?xml"):
            end = text.index("?>") + 2
            return f"{text[:end]}\n<!-- {label} -->{text[end:]}".encode()
        return f"<!-- {label} -->\n{text}".encode()
    if suffix in (".html", ".htm"):
        if f"<!-- {label} -->" in text[:500]:
            return data  # the analysis page stamps itself
        banner = (f'<div style="background:#b00;color:#fff;font:bold 16px sans-serif;padding:8px 12px">'
                  f"{label}</div>")
        lower = text.lower()
        at = lower.find("<body")
        if at >= 0:
            close = text.index(">", at) + 1
            text = text[:close] + banner + text[close:]
        else:
            text = banner + text
        if text.lower().startswith("<!doctype"):
            end = text.index(">") + 1
            return f"{text[:end]}\n<!-- {label} -->{text[end:]}".encode()
        return f"<!-- {label} -->\n{text}".encode()
    return data


def stamp_xlsx(data: bytes, label: str) -> bytes:
    """A workbook with ``label`` in A1 of its first sheet (a row inserted above when A1 does not
    start with it), in the printed page header of every sheet and as the document title."""
    from openpyxl import load_workbook

    from aclf_cdisc.checks.workbook import workbook_bytes

    wb = load_workbook(io.BytesIO(data))
    wb.properties.title = label
    for ws in wb.worksheets:
        for header in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
            header.center.text = label
    first = wb.worksheets[0]
    if not str(first["A1"].value or "").startswith(label):
        first.insert_rows(1)
        first["A1"] = label
    return workbook_bytes(wb)


def stamp_binary(data: bytes, suffix: str, label: str) -> bytes | None:
    """``data`` of an XPT or XLSX output carrying ``label`` (see the module docstring); None for a
    format that draws it itself (PDF, PNG) or cannot carry it."""
    if suffix == ".xpt":
        return relabel_dataset(data, label)
    if suffix == ".xlsx":
        return stamp_xlsx(data, label)
    return None


STAMPED_SUFFIXES = (".csv", ".txt", ".json", ".xml", ".xsl", ".html", ".htm")


def stamp_outputs(root: Path, label: str, skip: frozenset[Path] = frozenset()) -> list[Path]:
    """Stamp every output under ``root``; the files left as they are (PDF and PNG, which draw the
    label themselves) are returned."""
    unstamped = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path in skip:
            continue
        suffix = path.suffix.lower()
        if suffix in STAMPED_SUFFIXES:
            path.write_bytes(stamp_text(path.read_bytes(), suffix, label))
        elif (stamped := stamp_binary(path.read_bytes(), suffix, label)) is not None:
            path.write_bytes(stamped)
        else:
            unstamped.append(path)
    return unstamped
