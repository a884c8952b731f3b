"""``quanze backup FILE``: a consistent copy of the store (and the application's state files beside it), taken while
readers and loads go on (``graph/backup.py``)."""

from __future__ import annotations

import argparse

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="备份存储（可在查询和导入进行时） / back the store up (while it is in use)",
                       description="把存储的最后一次提交的状态复制到一个新文件 FILE（嵌入式存储用 SQLite 在线备份，不打断查询和"
                                   "导入；Neo4j 逐项读出写成嵌入式存储文件），存储旁的应用状态文件（quanze.state.db）一并复制。"
                                   "用 quanze restore 恢复。Copy the store's last committed state into the new file "
                                   "FILE (SQLite's online backup for the embedded store, taken while queries and "
                                   "loads go on; Neo4j read out into an embedded store file); the application's "
                                   "state file beside the store (quanze.state.db) is copied too. quanze restore "
                                   "puts it back.", epilog=options.EPILOG)
    p.add_argument("file", metavar="FILE", help="备份文件（不能已存在）/ the backup file (must not exist)")
    p.add_argument("--also", action="append", default=[], metavar="PATH",
                   help="一并备份的其他文件 / another file to back up with it")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.graph.backup import backup

    with options.reading(args) as store:
        done = backup(store, args.file, args.also)
    options.emit(args, done, lambda d: f"已备份 backed up → {d['file']}（数据版本 data version {d['data_version']}；"
                 + ", ".join(f"{k} {v}" for k, v in d["counts"].items() if v) + "）"
                 + "".join(f"\n  另存 also {c['from']} → {c['to']}" for c in d["state_files"]))
    return 0
