"""Render define.xml to HTML with the shipped stylesheet, and write the define files atomically."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from aclf_cdisc.define.build import define_bytes
from aclf_cdisc.define.common import DEFINE_NAME, HTML_NAME, STYLESHEET_NAME
from aclf_cdisc.files import replace_atomically


def stylesheet_path() -> Path:
    """The XSLT 1.0 stylesheet shipped as package data (``define2-1.xsl``)."""
    return Path(__file__).with_name(STYLESHEET_NAME)


def render_html(define_path: Path | str, xsl_path: Path | str | None = None) -> bytes:
    """Transform ``define_path`` with the stylesheet (ours by default) and return HTML bytes."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    xslt = etree.XSLT(etree.parse(str(xsl_path or stylesheet_path()), parser))
    result = xslt(etree.parse(str(define_path), parser))
    return bytes(result)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, lambda handle: handle.write(data), suffix=".tmp", sync=True)


def write_define(tree: etree._ElementTree, folder: Path | str, *, html: bool = True) -> list[Path]:
    """Write define.xml, the stylesheet beside it and (``html``) define.html into ``folder``."""
    folder = Path(folder)
    define = folder / DEFINE_NAME
    xsl = folder / STYLESHEET_NAME
    atomic_write(define, define_bytes(tree))
    atomic_write(xsl, stylesheet_path().read_bytes())
    written = [define, xsl]
    if html:
        out = folder / HTML_NAME
        atomic_write(out, render_html(define, xsl))
        written.append(out)
    return written
