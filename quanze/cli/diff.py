"""``quanze diff``: what changed between two versions of one list, or in a county between two dates."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import diff_text
from quanze.graph.list_kinds import KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="清单版本之间或两个日期之间的变化 / what changed between list versions or dates",
                       description="比较同一清单的两个版本（两个清单编号；或清单名称加 --from 版本 --to 版本），或一个县（乡镇）"
                                   "在两个日期之间的全部变化（--in 地区 --from 日期 --to 日期）：新增和删除的事项、牵头改变、"
                                   "配合单位改变、类型或依据改变、下放新增、收回、失效，每项附两边的来源行。Compare two "
                                   "versions of one list (two list ids; or a list's name with --from VERSION --to VERSION), "
                                   "or a county (or township) between two dates (--in REGION --from DATE --to DATE): matters "
                                   "added and removed, lead changed, cooperating bodies changed, category or legal basis "
                                   "changed, delegations added, recalled and lapsed, each with the rows on both sides.",
                       epilog=options.EPILOG)
    p.add_argument("lists", nargs="*", metavar="LIST",
                   help="两个清单版本编号，或一个清单名称（标题或其一部分）/ two list version ids, or one list's name "
                        "(its title or part of it)")
    p.add_argument("--from", dest="start", metavar="VERSION|DATE", help="旧版本或起始日期 / the older version, or the "
                                                                        "first date")
    p.add_argument("--to", dest="end", metavar="VERSION|DATE", help="新版本或结束日期（日期默认今天）/ the newer "
                                                                    "version, or the second date (default today)")
    options.within(p, "清单或比较的地区（县或乡镇）", "the list's region, or the region compared", dest="region")
    p.add_argument("--kind", choices=list(KINDS), help="清单类型 / the list kind")
    options.json_or_xlsx(p)
    options.store(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.diff import diff_county, diff_list_versions, diff_lists, write_xlsx
    from quanze.errors import BadValue

    with options.reading(args) as store:
        if len(args.lists) == 2:
            data = diff_lists(store, args.lists[0], args.lists[1])
        elif len(args.lists) == 1 or (args.kind and args.region):
            data = diff_list_versions(store, args.lists[0] if args.lists else None, args.start, args.end,
                                      region=args.region, kind=args.kind)
        elif not args.lists and args.region:
            data = diff_county(store, args.region, args.start, args.end)
        else:
            raise BadValue("请给出两个清单编号，或一个清单名称加 --from/--to 版本，或 --in 地区加 --from/--to 日期",
                           "give two list ids, or a list's name with --from/--to versions, or --in a region with "
                           "--from/--to dates", field="lists")
    options.emit_or_export(args, data, diff_text, write_xlsx)
    return 0
