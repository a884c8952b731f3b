"""``quanze restore FILE``: put a backup (``quanze backup``) back into a store, replacing what it holds."""

from __future__ import annotations

import argparse

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="从备份恢复存储 / restore a store from a backup",
                       description="用 quanze backup 写出的备份文件替换存储中的全部内容（嵌入式存储整体替换；Neo4j 先清空再在"
                                   "一个事务中写入）。应用状态文件的备份（*.state.db）请在停止服务后拷回原处。Replace what "
                                   "the store holds by a backup quanze backup wrote (the embedded store replaced as a "
                                   "whole; Neo4j emptied, then written in one transaction). Copy a state file's "
                                   "backup (*.state.db) back by hand with the server stopped.",
                       epilog=options.EPILOG)
    p.add_argument("file", metavar="FILE", help="备份文件 / the backup file")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.graph.backup import restore
    from quanze.graph.store import store_url

    done = restore(args.file, store_url(args.store))
    options.emit(args, done, lambda d: f"已恢复 restored {d['store']}: "
                 + ", ".join(f"{k} {v}" for k, v in d["counts"].items() if v))
    return 0
