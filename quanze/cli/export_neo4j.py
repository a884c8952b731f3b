"""``quanze export-neo4j``: copy a store into Neo4j in one transaction."""

from __future__ import annotations

import argparse

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-neo4j", help="把嵌入式存储复制到 Neo4j / copy the embedded store into Neo4j",
                       description="把一个存储（默认 ./quanze.db）的全部节点和关系一次性写入 Neo4j（一个事务，失败则不留"
                                   "任何部分）。用户名密码取自 QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD。Copy every node and "
                                   "relation of a store into Neo4j in one transaction; credentials from "
                                   "QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD.", epilog=options.EPILOG)
    p.add_argument("--to", required=True, metavar="URL", help="Neo4j 地址 / the Neo4j URL, e.g. bolt://127.0.0.1:7687")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.errors import StoreError
    from quanze.graph.copy import copy_store
    from quanze.graph.store import is_neo4j, open_store

    if not is_neo4j(args.to):
        raise StoreError(f"--to 应为 Neo4j 地址（bolt:// 或 neo4j://），而不是「{args.to}」",
                         f"--to must be a Neo4j URL (bolt:// or neo4j://), not {args.to!r}")
    with options.reading(args) as source, open_store(args.to) as target:
        counts = copy_store(source, target)
    options.emit(args, {"from": source.url, "to": target.url, "copied": counts},
                 lambda d: f"已复制 copied {d['from']} → {d['to']}: " + ", ".join(
                     f"{k} {v}" for k, v in d["copied"].items() if v))
    return 0
