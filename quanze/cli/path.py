"""``quanze path``: the shortest responsibility paths between two things in the graph."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import paths_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("path", help="两个机构、地区或事项之间的责任路径 / responsibility paths between two things",
                       description="查找两个节点（机构、乡镇、事项、部门）之间的最短责任路径。乡镇的单位可写作“漆园乡综合"
                                   "行政执法大队”。Shortest responsibility paths between two nodes (agency, township, "
                                   "matter, department); a township's unit may be written with the township's name in "
                                   "front.", epilog=options.EPILOG)
    p.add_argument("source", metavar="FROM", help="起点：名称、简称、区划代码或事项名称 / start: a name, code or matter")
    p.add_argument("target", metavar="TO", help="终点 / end")
    options.paths(p)
    p.add_argument("--all", action="store_true", help="列出所有最短路径 / list every shortest path")
    options.within(p, "在此县或乡镇内解析名称", "resolve names within this region")
    options.as_of(p, "按此日期有效的清单版本查找（默认今天）", "the date whose list versions are searched (default today)")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.paths import find_paths

    with options.reading(args) as store:
        data = find_paths(store, args.source, args.target, via=args.via, max_hops=args.max_hops,
                          all_shortest=args.all, within=args.within, as_of=args.as_of)
    options.emit(args, data, paths_text)
    return 0
