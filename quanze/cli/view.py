"""``quanze view``: an interactive graph view written as one HTML file that works offline."""

from __future__ import annotations

import argparse

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("view", help="交互式图谱视图（离线 HTML）/ an interactive graph view (offline HTML)",
                       description="把乡镇、机构、事项、两者之间的责任路径或审计发现画成可在浏览器中探索的交互式图谱（悬停看"
                                   "详情和来源行，点击突出相邻节点），写成一个无需联网的 HTML 文件，并打印文件路径。"
                                   "Draw a township, an agency, a matter, the responsibility paths between two things "
                                   "or audit findings as an interactive graph to explore in a browser (hover for "
                                   "details and source rows, click to highlight neighbours), written as one HTML file "
                                   "that needs no network; prints the file's path.", epilog=options.EPILOG)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--region", metavar="NAME", help="乡镇（或县）：机构、派驻机构、事项 / a township (or county): its "
                                                       "bodies, stationed units and matters")
    what.add_argument("--agency", metavar="NAME", help="机构：上级、下属、派驻、按角色的事项 / an agency: parent, units, "
                                                       "where they are stationed, its matters by role")
    what.add_argument("--matter", metavar="TEXT", help="事项（名称、编码或描述）：各乡镇由谁负责 / a matter (name, code or "
                                                       "words): who handles it in each township")
    what.add_argument("--path", nargs=2, metavar=("FROM", "TO"), help="两者之间的最短责任路径 / the shortest "
                                                                      "responsibility paths between two things")
    what.add_argument("--audit", metavar="REGION", help="此县或乡镇的审计发现 / the audit findings of this county or "
                                                        "township")
    options.within(p, "在此县或乡镇内解析名称；与 --matter 同用时只看其乡镇", "resolve names within this region; with "
                   "--matter, only its townships")
    options.paths(p)
    options.as_of(p, "按此日期有效的清单版本绘制，事项视图也按此日期判断谁负责（默认今天）", "the date whose list versions "
                  "are drawn, on which the matter view also judges who handles it (default today)")
    p.add_argument("--limit", default=60, metavar="N", help="最多显示的事项或发现数（默认60），页面注明未显示的数量 / at "
                                                            "most N matters or findings (default 60); the page says how "
                                                            "many more there are")
    p.add_argument("--out", metavar="FILE.html", help="输出文件（默认当前目录下的 quanze-view-….html）/ the file to "
                                                      "write (default quanze-view-….html here)")
    options.store(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.viz import build_view, file_name, write_html

    with options.reading(args) as store:
        view = build_view(store, region=args.region, agency=args.agency, matter=args.matter,
                          path=tuple(args.path) if args.path else None, audit=args.audit, within=args.within,
                          limit=args.limit, as_of=args.as_of, via=args.via, max_hops=args.max_hops)
    print(write_html(view, args.out or file_name(view)))
    return 0
