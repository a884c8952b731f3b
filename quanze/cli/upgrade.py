"""``quanze upgrade``: bring a store made by an earlier release to today's schema version, in one transaction
(``graph/migrations.py``)."""

from __future__ import annotations

import argparse

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("upgrade", help="把旧版本建立的存储升级到当前模式 / upgrade a store made by an earlier release",
                       description="读取存储记录的模式版本，把较早版本建立的存储在一个事务中迁移到当前版本（失败则保持原状）。"
                                   "建议先 quanze backup。Migrate a store made by an earlier release to today's schema "
                                   "version in one transaction (a failure leaves it as it was). Back it up first.",
                       epilog=options.EPILOG)
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.errors import NoStore
    from quanze.graph.migrations import SCHEMA_VERSION
    from quanze.graph.sqlite_store import sqlite_path
    from quanze.graph.store import is_neo4j, open_store, store_url

    url = store_url(args.store)
    if not is_neo4j(url) and not Path(sqlite_path(url)).exists():
        raise NoStore(f"存储 {url} 不存在，无需升级", f"the store {url} does not exist: nothing to upgrade")
    with open_store(url) as store:  # opened to write: an older store is migrated in one transaction
        version = store.schema_version()  # type: ignore[attr-defined]
    options.emit(args, {"store": url, "schema_version": version, "current": version == SCHEMA_VERSION},
                 lambda d: f"存储 store {d['store']}: 模式版本 schema version {d['schema_version']}"
                           + ("（当前版本 up to date）" if d["current"] else ""))
    return 0
