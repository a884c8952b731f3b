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
import uuid
from pathlib import Path
from typing import Any, Sequence

from quanze.errors import NoStore, StoreError
from quanze.graph.migrations import SCHEMA_VERSION, check_readable, check_writable, steps_from
from quanze.graph.schema import SCHEMA, NodeKind, Prop, RelKind
from quanze.graph.store import Batch, Rel, Route, Store, bfs_routes, link_order, route_query
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
    """``write=False``: the store is opened for reading only — opening it writes nothing, so a reader never waits for a
    load holding the write lock; a store that does not have today's schema version is refused, naming ``quanze
    upgrade`` (``graph/migrations.py``). ``write=True`` (the default): a new store is created, an older one migrated,
    each in one transaction."""

    def __init__(self, url: str, *, write: bool = True):
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
            if self.path != ":memory:" and write:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if self.path != ":memory:" and not write:
                # a reader opens the file as it is (mode=rw: never a new empty file in its place)
                self._target = Path(self.path).absolute().as_uri() + "?mode=rw"
            db = self._db  # this thread's connection: the first one
            if write and db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once, when the store is made
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
            self.close()
            raise StoreError(f"无法打开存储 {url}：{e}", f"cannot open store {url}: {e}") from e
        except BaseException:
            self.close()
            raise

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
                db.execute("PRAGMA busy_timeout=30000")
                db.execute("PRAGMA synchronous=FULL")  # WAL is the file's own, set when the store is made
            except sqlite3.Error:
                db.close()
                raise
            self._open.append(db)
            return db

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
        # drawn once for the file: a store made again at the same path starts its versions again at 0
        db.execute("INSERT OR IGNORE INTO meta VALUES ('store_id', ?)", (uuid.uuid4().hex,))

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
        by_region = False
        for column, wanted in any_of:
            if wanted is not None:
                wanted = list(dict.fromkeys(wanted))
                if not wanted:
                    return []
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values += wanted
                by_region = by_region or column == "region"
        if region_prefix is not None:
            # a range, not substr(): the region index finds it (a county's rows among the country's)
            where.append("region >= ? AND region < ?")
            values += [region_prefix, _after_prefix(region_prefix)]
            by_region = True
        # a region (a township, a county) is what narrows a read down in a large store: one matter of the shared
        # catalogue is named in every township of the country, a township holds a few hundred rows
        hint = f" INDEXED BY ix_{table}_region" if by_region and table in self._region_indexed else ""
        sql = f"SELECT {', '.join(names)} FROM {table}{hint} WHERE {' AND '.join(where) or '1'} ORDER BY {order}"
        by_name = {p.name: p for p in props}
        return [{n: from_plain(by_name[n], v) for n, v in zip(names, row) if v is not None}
                for row in self._db.execute(sql, values)]

    @property
    def _region_indexed(self) -> frozenset[str]:
        """The tables with an index on ``region``."""
        return frozenset(rel_table(k) for k in SCHEMA.relations for p in k.properties if p.name == "region" and
                         p.indexed) | frozenset(node_table(k) for k in SCHEMA.nodes for p in k.properties
                                                if p.name == "region" and p.indexed)

    def same_items(self, matter_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        wanted = list(dict.fromkeys(matter_ids))
        out: dict[str, list[str]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT m.id, s.id FROM node_matter m LEFT JOIN node_matter s ON s.norm_name = m.norm_name "
                f"WHERE m.id IN ({marks})", chunk)
            for mid, same in rows:
                out.setdefault(mid, []).append(same if same is not None else mid)
        return {k: tuple(sorted(set(v))) for k, v in out.items()}

    def matters_named_in(self, county: str) -> list[str]:
        found: set[str] = set()
        upper = _after_prefix(county)
        for type_ in SCHEMA.matter_types:
            kind = SCHEMA.relation(type_)
            column = SCHEMA.matter_end(type_)
            where = "region >= ? AND region < ?" if "region" in kind.names else "source >= ? AND source < ?"
            index = "region" if "region" in kind.names else "source"
            found.update(row[0] for row in self._db.execute(
                f"SELECT DISTINCT {column} FROM {rel_table(kind)} INDEXED BY ix_{rel_table(kind)}_{index} "
                f"WHERE {where}", (county, upper)))
        return sorted(found)

    def unattached_matters(self) -> list[str]:
        named = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {rel_table(SCHEMA.relation(t))} r WHERE "
                             f"r.{SCHEMA.matter_end(t)} = m.id)" for t in SCHEMA.matter_types)
        return [row[0] for row in self._db.execute(f"SELECT m.id FROM node_matter m WHERE {named} ORDER BY m.id")]

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

    def shortest_routes(self, source: str, target: str, kinds: Sequence[str] | None = None, *, max_hops: int = 6,
                        all_shortest: bool = False, limit: int = 20) -> list[Route]:
        """``Store.shortest_routes`` by indexed reads, a layer of the search at a time (``bfs_routes``): never the
        whole graph in memory (a national store's networkx view would not fit), the same routes as the view gives."""
        types, hops = route_query(kinds, max_hops)
        near = _Adjacency(self, types)
        if not (near.exists(source) and near.exists(target)):
            return []
        if source == target:
            return [Route((source,), ())]
        return bfs_routes(near.neighbours, near.link, source, target, hops, limit if all_shortest else 1,
                          expand=near.read)

    def counts(self) -> dict[str, int]:
        out = {}
        for kind in SCHEMA.nodes:
            out[kind.label] = self._db.execute(f"SELECT COUNT(*) FROM {node_table(kind)}").fetchone()[0]
        for kind in SCHEMA.relations:
            out[kind.type] = self._db.execute(f"SELECT COUNT(*) FROM {rel_table(kind)}").fetchone()[0]
        return out

    def data_version(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])

    def identity(self) -> str | None:
        if self.path == ":memory:":
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        if not row:
            return None
        # the file's place too: a copy (a test's fixture, a backup restored elsewhere) keeps the id and may then
        # load other data at the same version numbers
        try:
            place = Path(self.path).resolve()
            return f"sqlite:{row[0]}|{place}|{place.stat().st_ino}"
        except OSError:
            return None

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


class _Adjacency:
    """The neighbours of nodes (``"Label:key"``) over relations of some types, read from the tables a layer at a time
    and kept for one search."""

    def __init__(self, store: SqliteStore, types: Sequence[str]):
        self.store = store
        self.kinds = [SCHEMA.relation(t) for t in types]
        self.known: dict[str, list[str]] = {}

    def exists(self, node: str) -> bool:
        """A node of the graph: stored, or named by a relation (as the networkx view has it)."""
        label, _, key = node.partition(":")
        if label not in {k.label for k in SCHEMA.nodes}:
            return False
        if self.store.node(label, key) is not None:
            return True
        for kind in SCHEMA.relations:
            for end, name in (("source", kind.source), ("target", kind.target)):
                if name == label and self.store._db.execute(
                        f"SELECT 1 FROM {rel_table(kind)} WHERE {end} = ? LIMIT 1", (key,)).fetchone():
                    return True
        return False

    def read(self, nodes: Sequence[str]) -> None:
        """Read the neighbours of every node of a layer not read yet, in a few queries."""
        todo: dict[str, list[str]] = {}
        for node in nodes:
            if node not in self.known:
                label, _, key = node.partition(":")
                todo.setdefault(label, []).append(key)
                self.known[node] = []
        for label, keys in todo.items():
            for kind in self.kinds:
                for end, other, other_label in (("source", "target", kind.target), ("target", "source", kind.source)):
                    if (kind.source if end == "source" else kind.target) != label:
                        continue
                    for start in range(0, len(keys), 500):
                        chunk = keys[start:start + 500]
                        for here, there in self.store._db.execute(
                                f"SELECT {end}, {other} FROM {rel_table(kind)} WHERE {end} IN "
                                f"({', '.join('?' * len(chunk))})", chunk):
                            self.known[f"{label}:{here}"].append(f"{other_label}:{there}")

    def neighbours(self, node: str) -> list[str]:
        if node not in self.known:
            self.read([node])
        return self.known[node]

    def link(self, u: str, v: str) -> Rel:
        """Of the relations linking two nodes (either way), the one a route's step takes (``link_order``)."""
        (lu, _, ku), (lv, _, kv) = u.partition(":"), v.partition(":")
        links = [r for kind in self.kinds for (a, ka, b, kb) in ((lu, ku, lv, kv), (lv, kv, lu, ku))
                 if kind.source == a and kind.target == b for r in self.store.rels(kind.type, source=ka, target=kb)]
        return min(links, key=link_order)


def _after_prefix(prefix: str) -> str:
    """The least string after every string that starts with ``prefix`` (``330727`` → ``330728``)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
