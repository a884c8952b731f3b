"""Backups and restores of a whole store (``quanze backup``, ``quanze restore``): the graph, the list history, and the
application's own state files beside it.

A backup is always an embedded store file (SQLite), whatever it was taken from:

- from the embedded store, SQLite's online backup API copies the last committed state page by page while readers —
  and a load holding the write lock — go on (WAL mode: the copy reads a snapshot, it never waits for the writer);
- from Neo4j, every node and relation is read through the Store interface into a new embedded store; the data version
  is read before and after, and the copy is taken again when a load committed in between (at most ``ATTEMPTS`` times),
  so the file holds one committed state. For a byte-exact copy of the server's database use ``neo4j-admin database
  dump`` with the server stopped (docs/neo4j.md).

A restore writes a backup file's graph into a store: into an embedded store by the online backup API in the other
direction (the whole file replaced in one step), into Neo4j by ``copy_store`` (one transaction) after emptying it.

State files: the web application keeps accounts, confirmed tickets and its write log in a SQLite file of its own
beside the store (``quanze.db`` → ``quanze.state.db``) or where ``QUANZE_STATE`` says once that setting exists;
``state_files`` finds it (and any file given with ``--also``),
and each is copied with the same online API beside the backup (``backup.db`` → ``backup.state.db``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable

from quanze.errors import BadValue
from quanze.graph.copy import copy_store
from quanze.graph.migrations import SCHEMA_VERSION
from quanze.graph.store import Store, is_neo4j

ATTEMPTS = 3
STATE_SUFFIX = ".state.db"


def state_files(store_url: str, also: Iterable[str | Path] = ()) -> list[Path]:
    """The application state files to back up with a store: ``<store>.state.db`` beside an embedded store when it
    exists, and every file given in ``also``."""
    from quanze.graph.sqlite_store import sqlite_path

    found: list[Path] = []
    if not is_neo4j(store_url):
        path = Path(sqlite_path(store_url))
        beside = path.with_name(path.stem + STATE_SUFFIX)
        if beside.exists():
            found.append(beside)
    configured = _configured_state()
    if configured is not None and configured.is_file():
        found.append(configured)
    for f in also:
        p = Path(f)
        if not p.is_file():
            raise BadValue(f"要一并备份的文件 {p} 不存在", f"the file {p} to back up as well does not exist",
                           field="also", value=str(p))
        found.append(p)
    return list(dict.fromkeys(found))


def _configured_state() -> Path | None:
    """``QUANZE_STATE`` when the web application declares it (``quanze/settings.py``); None before it does."""
    from quanze import settings

    try:
        value = settings.value("QUANZE_STATE")
    except KeyError:
        return None
    return Path(value) if value else None


def copy_sqlite_file(source: Path, target: Path) -> None:
    """Copy one SQLite file (any, not only a store) with the online backup API."""
    src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(store: Store, target: str | Path, also: Iterable[str | Path] = ()) -> dict[str, Any]:
    """Back ``store`` up into the new file ``target`` (it must not exist); returns what was written."""
    from quanze.graph.sqlite_store import SqliteStore

    target = Path(target)
    if target.exists():
        raise BadValue(f"备份文件 {target} 已存在：请换一个文件名，备份不会覆盖已有文件",
                       f"the backup file {target} exists: choose another name; a backup never overwrites a file",
                       field="file", value=str(target))
    extras = state_files(store.url, also)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        store.backup(partial, ATTEMPTS)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    copies = []
    for f in extras:
        copy = target.with_name(target.stem + (STATE_SUFFIX if f.name.endswith(STATE_SUFFIX) else "." + f.name))
        copy_sqlite_file(f, copy) if _is_sqlite(f) else copy.write_bytes(f.read_bytes())
        copies.append({"from": str(f), "to": str(copy)})
    with SqliteStore(f"sqlite:///{target}", write=False) as copy:
        counts = copy.counts()
        version = copy.data_version()
    return {"file": str(target), "schema_version": SCHEMA_VERSION, "data_version": version, "counts": counts,
            "state_files": copies}


def restore(backup_file: str | Path, store_url: str) -> dict[str, Any]:
    """Replace what the store at ``store_url`` holds by the backup's graph; returns what the store holds after."""
    from quanze.graph.sqlite_store import SqliteStore, sqlite_path
    from quanze.graph.store import open_store

    source_path = Path(backup_file)
    if not source_path.is_file():
        raise BadValue(f"备份文件 {source_path} 不存在", f"the backup file {source_path} does not exist",
                       field="file", value=str(source_path))
    with SqliteStore(f"sqlite:///{source_path}", write=False) as source:  # a backup of today's layout, readable
        if is_neo4j(store_url):
            with open_store(store_url) as target:
                target.run("MATCH (n) DETACH DELETE n", write=True)  # type: ignore[attr-defined]
                copy_store(source, target)
                return {"store": store_url, "counts": target.counts()}
        path = Path(sqlite_path(store_url))
        path.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(str(path), timeout=30)
        try:
            source._db.backup(dst)  # the whole file, in one step, under the target's write lock
        finally:
            dst.close()
    with SqliteStore(store_url) as target:
        return {"store": store_url, "counts": target.counts()}


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"
