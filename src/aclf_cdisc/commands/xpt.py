"""``aclf-cdisc xpt``: look inside XPT v5 files and convert them to and from Dataset-JSON v1.1.

    aclf-cdisc xpt info FILE              header fields and the variable table
    aclf-cdisc xpt dump FILE [--rows N]   the first N rows (default 20)
    aclf-cdisc xpt to-json FILE OUT       XPT -> Dataset-JSON v1.1
    aclf-cdisc xpt from-json FILE OUT     Dataset-JSON v1.1 -> XPT (strict: refuses what XPT cannot hold)
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aclf_cdisc.commands.arguments import row_count

if TYPE_CHECKING:  # imported by run(): the command line starts without pandas
    from aclf_cdisc.transport.meta import XptDataset


PRINTABLE_ASCII = bytes(range(0x20, 0x7F))  # the bytes of XPT's names, formats and padding


def xpt_encoding(name: str) -> str:
    """A text encoding that can carry an XPT file's text (argparse type: anything else is a usage
    error, exit 2): a Python codec that reads and writes printable ASCII as itself, as XPT's names,
    formats and blank padding are ASCII whatever the labels and values are in.

    >>> xpt_encoding("windows-1252")
    'windows-1252'
    >>> xpt_encoding("utf-16")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 'utf-16' is not an encoding XPT text can be in ...
    """
    try:
        compatible = (PRINTABLE_ASCII.decode(name) == PRINTABLE_ASCII.decode("ascii")
                      and PRINTABLE_ASCII.decode("ascii").encode(name) == PRINTABLE_ASCII)
    except (LookupError, UnicodeError):  # no such codec, a bytes-to-bytes one, or one that refuses ASCII
        compatible = False
    if not compatible:
        raise argparse.ArgumentTypeError(f"{name!r} is not an encoding XPT text can be in (an ASCII-compatible "
                                         "codec, e.g. ascii, utf-8, windows-1252, latin-1)")
    return name


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("xpt", help="inspect XPT v5 files; convert to/from Dataset-JSON v1.1",
                                   description=__doc__.splitlines()[0] if __doc__ else None)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    encoding_help = "character encoding of the file's text (default ascii; e.g. utf-8, windows-1252)"

    info = actions.add_parser("info", help="header fields and variable table")
    info.add_argument("file", type=Path)
    info.add_argument("--encoding", type=xpt_encoding, default="ascii", help=encoding_help)

    dump = actions.add_parser("dump", help="print the first rows")
    dump.add_argument("file", type=Path)
    dump.add_argument("--rows", type=row_count, default=20, metavar="N", help="rows to print, 0 or more (default 20)")
    dump.add_argument("--encoding", type=xpt_encoding, default="ascii", help=encoding_help)

    to_json = actions.add_parser("to-json", help="convert an XPT file to Dataset-JSON v1.1")
    to_json.add_argument("file", type=Path)
    to_json.add_argument("out", type=Path)
    to_json.add_argument("--encoding", type=xpt_encoding, default="ascii", help=encoding_help)
    to_json.add_argument("--created", default=None, metavar="ISO",
                         help="datasetJSONCreationDateTime (default: the XPT header's modified time)")
    to_json.add_argument("--special-missing-as-null", action="store_true",
                         help="write SAS special missings (.A-.Z, ._) as null instead of refusing")

    from_json = actions.add_parser("from-json", help="convert Dataset-JSON v1.1 to an XPT file")
    from_json.add_argument("file", type=Path)
    from_json.add_argument("out", type=Path)
    from_json.add_argument("--encoding", type=xpt_encoding, default="ascii", help=encoding_help)
    from_json.add_argument("--created", default=None, metavar="ISO",
                           help="XPT header created/modified time (default: fixed 2000-01-01T00:00:00)")
    parser.set_defaults(run=run, published="out")


def describe(meta: XptDataset, rows: int) -> str:
    """Header fields and one line per variable."""
    lines = [f"dataset   {meta.name}", f"label     {meta.label}", f"type      {meta.type}",
             f"rows      {rows}", f"variables {len(meta.variables)}", f"row bytes {meta.row_length}",
             f"created   {meta.created.isoformat()}", f"modified  {meta.modified.isoformat()}",
             f"SAS       {meta.sas_version} on {meta.os_name}", "",
             f"{'#':>3}  {'name':8}  {'type':4}  {'len':>3}  {'format':10}  {'informat':10}  label"]
    for number, var in enumerate(meta.variables, start=1):
        lines.append(f"{number:>3}  {var.name:8}  {var.type:4}  {var.length:>3}  {var.format or '':10}  "
                     f"{var.informat or '':10}  {var.label}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from aclf_cdisc.transport.datasetjson import JsonFileInfo, read_dataset_json, write_dataset_json
    from aclf_cdisc.transport.meta import XptDataset
    from aclf_cdisc.transport.xpt import read_xpt, write_xpt

    if args.action == "from-json":
        df, meta = read_dataset_json(args.file)
        if args.created:
            stamp = datetime.fromisoformat(args.created)
            meta = XptDataset(**{**meta.__dict__, "created": stamp, "modified": stamp})
        write_xpt(df, meta, args.out, encoding=args.encoding)
        print(f"wrote {args.out} ({len(df)} rows, {len(meta.variables)} variables)")
        return 0
    df, meta = read_xpt(args.file, encoding=args.encoding)
    if args.action == "info":
        print(describe(meta, len(df)))
    elif args.action == "dump":
        with pd.option_context("display.max_columns", None, "display.width", 200):
            print(df.head(args.rows).to_string())
    else:
        created = args.created or meta.modified.isoformat(timespec="seconds")
        write_dataset_json(df, meta, args.out, info=JsonFileInfo(creation_datetime=created),
                           special_missing_as_null=args.special_missing_as_null)
        print(f"wrote {args.out} ({len(df)} rows, {len(meta.variables)} variables)")
    return 0
