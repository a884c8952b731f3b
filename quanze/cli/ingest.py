"""``quanze ingest``: load structure and list files; a file with any error loads nothing."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import ingest_text
from quanze.graph.list_kinds import KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="导入机构编制和清单文件 / load structure and list files",
                       description="导入文件或文件夹（YAML、XLSX、CSV）。有错误的文件整份不导入，存储保持原样。格式见 "
                                   "docs/formats.md。Load files or folders (YAML, XLSX, CSV). A file with any error loads "
                                   "nothing; the store stays as it was. Formats: docs/formats.md.",
                       epilog=options.EPILOG)
    p.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹 / files or folders")
    options.store(p)
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入 / validate only, write nothing")
    p.add_argument("--region", metavar="REGION",
                   help="文件所属的县或乡镇（名称或区划代码），优先于文件本身 / the county or township the files are for "
                        "(overrides what the files say)")
    p.add_argument("--kind", choices=list(KINDS), help="清单类型，优先于文件本身 / the list kind (overrides what the "
                                                      "files say)")
    p.add_argument("--owner", metavar="AGENCY", help="清单所属机构（部门权责清单）/ the body whose list it is")
    p.add_argument("--version", dest="list_version", metavar="VERSION", help="清单版本或年度 / the list's version or "
                                                                             "year")
    p.add_argument("--strict", action="store_true",
                   help="无法解析的机构或乡镇名称视为错误 / names that do not resolve are errors, not warnings")
    p.add_argument("--partial", action="store_true",
                   help="导入清单中可用的行，记录被拒绝的行及其内容和原因 / load a list's good rows and record the rejected "
                        "ones with their content and reason")
    p.add_argument("--replace", action="store_true",
                   help="允许新版本删除当前版本中的事项（不加此项时，会删除事项的导入被拒绝并列出变化）/ let a new version "
                        "remove what the current version asserts (without it such a load is refused, with what it would "
                        "change)")
    p.add_argument("--supplement", action="store_true",
                   help="补充清单：把各行加到该清单的当前版本中，而不是替换它（标题含“补充/增补”时自动识别）/ a "
                        "supplement: add the rows to the current version of the list instead of replacing it (a title "
                        "saying 补充/增补 is recognised)")
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import ingest_paths, terminal_progress

    with open_store(args.store) as store:
        report = ingest_paths(args.paths, store, dry_run=args.dry_run, region=args.region, kind=args.kind,
                              owner=args.owner, version=args.list_version, strict=args.strict, partial=args.partial,
                              replace=args.replace, supplement=args.supplement,
                              progress=None if args.json else terminal_progress())
    options.emit(args, report.to_dict(), lambda _d: ingest_text(report))
    return 0 if report.ok else 1
