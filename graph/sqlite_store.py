"""The embedded store: SQLite for durable, transactional storage; networkx for traversals.

Tables are derived from the schema: one table per node label (``node_agency``: the key is the primary key) and one per
relation type (``rel_leads``: id, source, target, then the properties). WAL mode lets readers query while a load
runs; each ``apply`` is one ``BEGIN IMMEDIATE … COMMIT``, so a failed or killed load leaves the previous state.

One store serves many threads (the HTTP API answers requests in parallel): each thread gets a connection of its own,
opened on its first use and closed with the store, so readers run side by side (WAL) and a writer's transaction is
never interleaved with another thread's statements. ``:memory:`` is one shared in-memory database for all of them.

The networkx view (a MultiDiGraph whose nodes are ``"Label:key"``, ``Store.networkx``) is rebuilt only when the data
version (a counter in the ``meta`` table, incremented by every ``apply``) changed; shortest routes walk that view.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path
from typing import Any, Sequence

from quanze.errors import StoreError
from quanze.graph.schema import SCHEMA, NodeKind, Prop, RelKind
from quanze.graph.store import Batch, Rel, Store
from quanze.graph.values import from_plain, to_plain

_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "bool": "INTEGER", "date": "TEXT", "list": "TEXT", "json": "TEXT"}


def node_table(kind: NodeKind) -> str:
    return "node_" + kind.label.lower()


def rel_table(kind: RelKind) -> str:
    return "rel_" + kind.type.lower()


def sqlite_path(url: str) -> str:
    """``sqlite:///rel/path.db`` → ``rel/path.db``; ``sqlite:////abs.db`` → ``/abs.db``; a bare path stays."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        return path[1:] if path.startswith("/") else path
    if url.startswith("sqlite:"):
        return url[len("sqlite:"):]
    return url


_MEMORY = itertools.count()  # names of shared in-memory databases, one per ``:memory:`` store


class SqliteStore(Store):
    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        self._local = threading.local()
        self._open: list[sqlite3.Connection] = []  # every thread's connection, closed by close()
        self._open_lock = threading.Lock()
        self._closed = False
        # ``:memory:`` is private to a connection: the threads share one named in-memory database instead, kept
        # alive by the first connection until the store closes
        self._target = f"file:quanze-memory-{next(_MEMORY)}?mode=memory&cache=shared" if self.path == ":memory:" \
            else self.path
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._ensure_schema()
        except sqlite3.Error as e:
            self.close()
            raise StoreError(f"无法打开存储 {url}：{e}", f"cannot open store {url}: {e}") from e

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        with self._open_lock:
            if self._closed:
                raise StoreError(f"存储 {self.url} 已关闭", f"the store {self.url} is closed")
            # check_same_thread=False only so that close() may close every thread's connection: each is used by
            # its own thread alone
            db = sqlite3.connect(self._target, isolation_level=None, timeout=30, check_same_thread=False,
                                 uri=self._target.startswith("file:"))
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA busy_timeout=30000")
            except sqlite3.Error:
                db.close()
                raise
            self._open.append(db)
            return db

    # -- schema ------------------------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        for kind in SCHEMA.nodes:
            self._ensure_table(node_table(kind), [(p.name, p) for p in kind.properties],
                               f"{kind.key} TEXT PRIMARY KEY")
            for p in kind.properties:
                if p.indexed or p.name == "list_id":
                    db.execute(f"CREATE INDEX IF NOT EXISTS ix_{node_table(kind)}_{p.name} "
                               f"ON {node_table(kind)}({p.name})")
        for kind in SCHEMA.relations:
            table = rel_table(kind)
            self._ensure_table(table, [(p.name, p) for p in kind.properties],
                               "id TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL")
            db.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_source ON {table}(source)")
            db.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_target ON {table}(target)")
            for p in kind.properties:
                if p.indexed or p.name == "list_id":
                    db.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{p.name} ON {table}({p.name})")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('data_version', '0')")

    def _ensure_table(self, table: str, props: list[tuple[str, Prop]], key_sql: str) -> None:
        # identifiers come from the schema declaration only, never from input
        key_cols = {part.split()[0] for part in key_sql.split(",")}
        cols = [f"{name} {_SQL_TYPES[p.type]}" for name, p in props if name not in key_cols]
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({key_sql}{''.join(', ' + c for c in cols)})")
        have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        for name, p in props:
            if name not in have:  # the schema grew: add the column, old rows read it as not given
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {_SQL_TYPES[p.type]}")

    # -- writing -----------------------------------------------------------------------------------------------

    def apply(self, batch: Batch, *, batch_size: int | None = None) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for list_id in batch.replaces:
                self._delete_list(list_id)
            for label, rows in batch.nodes.items():
                kind = SCHEMA.node(label)
                for props in rows.values():
                    self._upsert(node_table(kind), kind.properties, kind.key, props)
            for type_, rels in batch.rels.items():
                kind = SCHEMA.relation(type_)
                for rel in rels.values():
                    props = dict(rel.props, source=rel.source, target=rel.target)
                    self._upsert(rel_table(kind), kind.properties + _ENDPOINTS, "id", props)
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
            db.execute("COMMIT")
        except BaseException as e:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"写入存储 {self.url} 失败，已回滚：{e}",
                                 f"writing to store {self.url} failed and was rolled back: {e}") from e
            raise

    def _upsert(self, table: str, props: tuple[Prop, ...], key: str, values: dict[str, Any]) -> None:
        given = [p for p in props if values.get(p.name) is not None]
        names = [p.name for p in given]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != key) or f"{key} = excluded.{key}"
        sql = (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
               f"ON CONFLICT({key}) DO UPDATE SET {updates}")
        self._db.execute(sql, [to_plain(p, values[p.name]) for p in given])

    def _delete_list(self, list_id: str) -> None:
        for kind in SCHEMA.relations:
            self._db.execute(f"DELETE FROM {rel_table(kind)} WHERE list_id = ?", (list_id,))
        for kind in SCHEMA.nodes:
            if "list_id" in kind.names:
                self._db.execute(f"DELETE FROM {node_table(kind)} WHERE list_id = ?", (list_id,))

    # -- reading -----------------------------------------------------------------------------------------------

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        kind = SCHEMA.node(label)
        rows = self._select(node_table(kind), kind.properties, {kind.key: key}, kind.key)
        return rows[0] if rows else None

    def nodes(self, label: str, **equals: Any) -> list[dict[str, Any]]:
        kind = SCHEMA.node(label)
        return self._select(node_table(kind), kind.properties, equals, kind.key)

    def rels(self, type_: str, source: str | None = None, target: str | None = None, **equals: Any) -> list[Rel]:
        kind = SCHEMA.relation(type_)
        if source is not None:
            equals["source"] = source
        if target is not None:
            equals["target"] = target
        rows = self._select(rel_table(kind), kind.properties + _ENDPOINTS, equals, "id")
        return [Rel(type_, r["id"], r.pop("source"), r.pop("target"), r) for r in rows]

    def rels_any(self, type_: str, *, sources: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                 regions: Sequence[str] | None = None, region_prefix: str | None = None) -> list[Rel]:
        kind = SCHEMA.relation(type_)
        props = kind.properties + _ENDPOINTS
        found = self._select_any(rel_table(kind), props, "id", (("source", sources), ("target", targets),
                                                                ("region", regions)), region_prefix, type_)
        return [Rel(type_, r["id"], r.pop("source"), r.pop("target"), r) for r in found]

    def nodes_any(self, label: str, *, keys: Sequence[str] | None = None,
                  region_prefix: str | None = None) -> list[dict[str, Any]]:
        kind = SCHEMA.node(label)
        return self._select_any(node_table(kind), kind.properties, kind.key, ((kind.key, keys),), region_prefix,
                                label)

    def _select_any(self, table: str, props: tuple[Prop, ...], order: str,
                    any_of: tuple[tuple[str, Sequence[str] | None], ...], region_prefix: str | None,
                    what: str) -> list[dict]:
        """Rows whose columns hold any of the given values (``IN``) and whose region starts with the prefix."""
        names = [p.name for p in props]
        if ("region" not in names) and (region_prefix is not None or any(c == "region" and v is not None
                                                                          for c, v in any_of)):
            raise KeyError(f"{what} has no property region")
        where, values = [], []
        for column, wanted in any_of:
            if wanted is not None:
                wanted = list(dict.fromkeys(wanted))
                if not wanted:
                    return []
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values += wanted
        if region_prefix is not None:
            where.append("substr(region, 1, ?) = ?")
            values += [len(region_prefix), region_prefix]
        sql = f"SELECT {', '.join(names)} FROM {table} WHERE {' AND '.join(where) or '1'} ORDER BY {order}"
        by_name = {p.name: p for p in props}
        return [{n: from_plain(by_name[n], v) for n, v in zip(names, row) if v is not None}
                for row in self._db.execute(sql, values)]

    def _select(self, table: str, props: tuple[Prop, ...], equals: dict[str, Any], order: str) -> list[dict]:
        by_name = {p.name: p for p in props}
        unknown = set(equals) - set(by_name)
        if unknown:
            raise KeyError(f"{table} has no properties {sorted(unknown)}")
        where = " AND ".join(f"{n} = ?" for n in equals) or "1"
        sql = f"SELECT {', '.join(by_name)} FROM {table} WHERE {where} ORDER BY {order}"
        cur = self._db.execute(sql, [to_plain(by_name[n], v) for n, v in equals.items()])
        out = []
        for row in cur:
            out.append({n: from_plain(by_name[n], v) for n, v in zip(by_name, row) if v is not None})
        return out

    def counts(self) -> dict[str, int]:
        out = {}
        for kind in SCHEMA.nodes:
            out[kind.label] = self._db.execute(f"SELECT COUNT(*) FROM {node_table(kind)}").fetchone()[0]
        for kind in SCHEMA.relations:
            out[kind.type] = self._db.execute(f"SELECT COUNT(*) FROM {rel_table(kind)}").fetchone()[0]
        return out

    def data_version(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])

    def content(self) -> list[tuple]:
        out: list[tuple] = []
        for kind in SCHEMA.nodes:
            out += [(kind.label,) + tuple(r) for r in self._db.execute(f"SELECT * FROM {node_table(kind)}")]
        for kind in SCHEMA.relations:
            out += [(kind.type,) + tuple(r) for r in self._db.execute(f"SELECT * FROM {rel_table(kind)}")]
        return sorted(out, key=repr)

    def close(self) -> None:
        with self._open_lock:
            self._closed = True
            connections, self._open = self._open, []
        for db in connections:
            db.close()


_ENDPOINTS = (Prop("source", "str", "key of the source node"), Prop("target", "str", "key of the target node"))
