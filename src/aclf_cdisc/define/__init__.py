"""Define-XML 2.1: build from spec + data, check integrity and agreement with the data, render.

Public API::

    build_define(spec, "SDTM" | "ADaM", {name: (frame, xpt_meta)}, creation_datetime=...,
                 analysis_results=AnalysisResults(displays, where_clauses) | None) -> tree
    define_bytes(tree) -> bytes
    validate_define_schema(path_or_tree, schema_dir=None) -> list[Issue]   (None: the shipped XSDs)
    check_define(tree) -> list[Issue]
    check_define_against_data(tree, {name: (frame, xpt_meta)}, spec=None) -> list[Issue]
    render_html(define_path, xsl_path) -> bytes
    write_define(tree, folder) -> paths of define.xml, define2-1.xsl, define.html
"""

from aclf_cdisc.define.arm import AnalysisResults
from aclf_cdisc.define.build import build_define, define_bytes
from aclf_cdisc.define.checks import check_define, check_define_against_data
from aclf_cdisc.define.common import (
    DEFINE_NAME,
    HTML_NAME,
    STYLESHEET_NAME,
    DatasetMeta,
    VariableMeta,
    metadata_from_frame,
)
from aclf_cdisc.define.render import render_html, stylesheet_path, write_define
from aclf_cdisc.define.schema import validate_define_schema

__all__ = [
    "DEFINE_NAME",
    "HTML_NAME",
    "STYLESHEET_NAME",
    "AnalysisResults",
    "DatasetMeta",
    "VariableMeta",
    "build_define",
    "check_define",
    "check_define_against_data",
    "define_bytes",
    "metadata_from_frame",
    "render_html",
    "stylesheet_path",
    "validate_define_schema",
    "write_define",
]
