"""The embedded store: SQLite for durable, transactional storage; networkx for traversals.

Tables are derived from the schema: one table per node label (``node_agency``: the key is the primary key) and one per
relation type (``rel_leads``: id, source, target, then the properties). WAL mode lets readers query while a load
runs; each ``apply`` is one ``BEGIN IMMEDIATE … COMMIT``, so a failed or killed load leaves the previous state.

The networkx view (a MultiDiGraph whose nodes are ``"Label:key"``, ``Store.networkx``) is rebuilt only when the data
version (a counter in the ``meta`` table, incremented by every ``apply``) changed; shortest routes walk that view.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Sequence

from quanze.errors import NoStore, StoreError
from quanze.graph.migrations import SCHEMA_VERSION, check_readable, check_writable, steps_from
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


class SqliteStore(Store):
    """``write=False``: the store is opened for reading only — opening it writes nothing, so a reader never waits for a
    load holding the write lock; a store that does not have today's schema version is refused, naming ``quanze
    upgrade`` (``graph/migrations.py``). ``write=True`` (the default): a new store is created, an older one migrated,
    each in one transaction."""

    def __init__(self, url: str, *, write: bool = True):
        self.url = url
        self.path = sqlite_path(url)
        try:
            if self.path != ":memory:" and write:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # a reader opens the file as it is (mode=rw: never a new empty file in its place)
            where = self.path if write or self.path == ":memory:" else Path(self.path).absolute().as_uri() + "?mode=rw"
            self._db = sqlite3.connect(where, isolation_level=None, timeout=30, check_same_thread=False,
                                       uri=not write and self.path != ":memory:")
            self._db.execute("PRAGMA busy_timeout=30000")
            if write and self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._db.execute("PRAGMA journal_mode=WAL")  # persistent: set once, when the store is made
            self._db.execute("PRAGMA synchronous=FULL")
            version = self.schema_version()
            if version != SCHEMA_VERSION:
                if not write:
                    if version == 0:
                        raise NoStore(f"{url} 不是 quanze 的存储（没有任何表）：先用 quanze demo 或 quanze ingest 导入数据",
                                      f"{url} is not a quanze store (it has no tables): load data with quanze demo or "
                                      "quanze ingest first")
                    check_readable(url, version)
                check_writable(url, version)
                self._upgrade(version)
        except sqlite3.Error as e:
            self._db_close()
            raise StoreError(f"无法打开存储 {url}：{e}", f"cannot open store {url}: {e}") from e
        except BaseException:
            self._db_close()
            raise

    def _db_close(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    # -- schema ------------------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The layout version the store records: 0 for an empty file, 1 for a store made before versions were
        recorded (it has a meta table but no version), else the version recorded."""
        have = self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not have:
            return 0
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 1

    def _upgrade(self, version: int) -> None:
        """Create (version 0) or migrate the store in one transaction: tables, columns and indexes as the schema
        declares them, the data steps of every version in between, the version recorded."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version()  # again, under the lock: another process may have done it meanwhile
            if version != SCHEMA_VERSION:
                self._ensure_schema()
                if version:
                    for step in steps_from(version):
                        self._change(step.changes(lambda label: self.nodes(label)))
                    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
                db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = "
                           "excluded.value", (str(SCHEMA_VERSION),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _change(self, changes: dict[str, dict[str, dict[str, Any]]]) -> None:
        for label, by_key in changes.items():
            kind = SCHEMA.node(label)
            for key, props in by_key.items():
                self._upsert(node_table(kind), kind.properties, kind.key, {kind.key: key, **props})

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
        self._db.close()

    def backup(self, target: str | Path, attempts: int = 3) -> Path:
        """Copy the store into the file ``target`` with SQLite's online backup: a consistent copy of the last committed
        state, taken while readers (and a load) go on. The copy is a store of its own (``sqlite:///target``)."""
        path = Path(target)
        out = sqlite3.connect(str(path))
        try:
            self._db.backup(out)
        finally:
            out.close()
        return path


_ENDPOINTS = (Prop("source", "str", "key of the source node"), Prop("target", "str", "key of the target node"))
