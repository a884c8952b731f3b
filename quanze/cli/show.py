"""``quanze show``: what the graph knows about an agency or a region, with its sources."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import agency_text, region_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="查看图谱中某个机构或地区 / show what the graph knows about an agency or region",
                       description="查看机构或地区的信息及其来源。Show an agency or a region, with sources.",
                       epilog=options.EPILOG)
    p.add_argument("what", choices=["agency", "region"], help="agency 机构 | region 地区")
    p.add_argument("name", metavar="NAME", help="名称、简称、挂牌或代码 / name, short name, plaque or code")
    options.within(p, "在此县或乡镇内查找", "look within this county or township")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.describe import describe

    with options.reading(args) as store:
        data = describe(store, args.name, args.what, args.within)
    options.emit(args, data, agency_text if args.what == "agency" else region_text)
    return 0
