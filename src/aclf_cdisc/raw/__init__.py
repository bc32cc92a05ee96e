"""Reading the raw EDC export: layouts from specs/raw, readers, layout checks, value parsers.

    from aclf_cdisc.raw import read_export
    export = read_export(Path("edc"), spec)   # RawExport: forms, files, blinded, issues
"""

from aclf_cdisc.raw.layout import load_raw_forms
from aclf_cdisc.raw.parse import Result, parse_raw_date, parse_raw_time, parse_result
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL, RawExport, check_form, read_export

__all__ = ["FILE_COL", "ROW_COL", "RawExport", "Result", "check_form", "load_raw_forms", "parse_raw_date",
           "parse_raw_time", "parse_result", "read_export"]
