"""The Neo4j store: the same answers as the embedded store, kept in a Neo4j 5 database over Bolt.

The graph reads as the schema says: labels ``Region``, ``Agency``, ``Matter``, ``SourceList`` keyed by their schema key
(unique constraints), relation types ``LEADS``, ``DELEGATES``, … with their ``id`` (unique per type). All Cypher is
generated in ``graph/cypher.py``; values are always parameters.

Writes: each ``apply`` is ONE explicit transaction — delete what the replaced lists asserted, upsert nodes, upsert
relations, in ``UNWIND`` chunks of ``batch_size`` rows — committed at the end or not at all. Relations are upserted by
id: those found (an index seek each) are updated, the others created (a ``MERGE`` of a relation checks every relation
between its two nodes; a matter of the shared catalogue has one per township listing it); a relation another load
created meanwhile starts the apply again, which then updates it. A transient error (the
server says "retry"), or a connection that fails before the first statement answered (a pooled connection to a
restarted server), retries the whole apply a few times with backoff. A connection lost later fails the apply with a
``StoreError``: the server rolls back what it had not committed, and the next call reconnects.

Where the two stores differ (Neo4j keeps no relation without both of its nodes):
- a relation whose source or target node does not exist fails the load (the embedded store accepts it, dangling);
- replacing a list deletes its nodes with their relations, also those other lists asserted (the embedded store keeps
  those, dangling). A node the replacing load asserts again keeps its relations, as in the embedded store.

The data version (``data_version()``: what the networkx view and the search caches are keyed on) is a counter on
one ``(:QuanzeMeta {key: 'data'})`` node, incremented inside every ``apply`` transaction and after every
``run(..., write=True)``, so other clients' loads change it too. A write made around the store (Browser,
cypher-shell) does not: open the store again, or load anything, after one.

The constructor takes its settings as arguments (user and password — no auth without a user —, database, rows per
statement, recall limit); ``open_store`` fills them from ``QUANZE_NEO4J_*`` (``quanze/settings.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, GraphDatabase, Session
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    ConfigurationError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.time import Date

from quanze.errors import StoreError
from quanze.graph import cypher
from quanze.graph.migrations import SCHEMA_VERSION, check_readable, check_writable, steps_from
from quanze.graph.schema import SCHEMA, NodeKind, Prop, RelKind
from quanze.graph.store import (NEO4J_SCHEMES, Batch, Neighbourhood, Rel, Route, Store, first_routes, link_order,
                                route_query)
from quanze.graph.values import to_plain
from quanze.graph.values import json_default

DEFAULT_BATCH = 2000
ATTEMPTS = 4  # tries of one apply or read before giving up
BACKOFF = 0.25  # seconds before the second try, doubled for each further one
CONNECTION_TIMEOUT = 10.0  # seconds to open a TCP connection: an unreachable host fails in this time
INDEX_WAIT = 300  # seconds to wait for new indexes to come online at open
ROUTE_CAP = 1000  # shortest paths enumerated in one query; with more, routes are walked in order instead
RECALL_LIMIT = 10000  # matters one full-text recall returns at most, by default; beyond, search may differ
RECALL_CLAUSES = 400  # terms in one Lucene query (Lucene refuses more than 1024 clauses)

T = TypeVar("T")

# The driver logs a broken connection before raising it. The user gets that error as a StoreError; without a handler
# of ours, logging's last-resort handler would also print the driver's raw record to stderr. Handlers an application
# configures still receive the driver's records.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class _MissingEndpoints(Exception):
    """Relations of a load name a node that does not exist; the apply fails and nothing is written."""


class _ConnectionLost(Exception):
    """The connection broke after a statement of the transaction had run; wraps the driver's error."""

    def __init__(self, cause: Exception, committing: bool):
        super().__init__(str(cause))
        self.cause, self.committing = cause, committing


# --- values ----------------------------------------------------------------------------------------------------

def encode(prop: Prop, value: Any) -> Any:
    """A Python value as Neo4j keeps it: dates as dates, lists as string lists, json as a JSON string."""
    if value is None:
        return None
    if prop.type == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if prop.type == "list":
        return [str(v) for v in value]
    if prop.type == "json":  # dates inside (a replaced or history list's assertions) as ISO text, as the embedded store
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=json_default)
    if prop.type == "bool":
        return bool(value)
    if prop.type == "int":
        return int(value)
    return str(value)


def decode(prop: Prop, value: Any) -> Any:
    if value is None:
        return None
    if prop.type == "date" and isinstance(value, Date):
        return value.to_native()
    if prop.type == "json" and isinstance(value, str):
        return json.loads(value)
    if prop.type == "list":
        return list(value)
    return value


def _encode_props(props: tuple[Prop, ...], values: dict[str, Any]) -> dict[str, Any]:
    by_name = {p.name: p for p in props}
    return {n: encode(by_name[n], v) for n, v in values.items() if v is not None and n in by_name}


def _decode_props(props: tuple[Prop, ...], stored: dict[str, Any]) -> dict[str, Any]:
    """Schema properties only, in schema order, without the ones not given (as the embedded store returns them)."""
    return {p.name: decode(p, stored[p.name]) for p in props if stored.get(p.name) is not None}


def lucene_escape(text: str) -> str:
    """Plain words as a Lucene query: operators and brackets typed by a user are searched for, not obeyed."""
    return re.sub(r'([+\-&|!(){}\[\]^"~*?:\\/])', r"\\\1", text)


# --- the store -------------------------------------------------------------------------------------------------

class Neo4jStore(Store):
    """A store in Neo4j at ``url`` (``bolt://host:7687``, ``neo4j://…``, ``+s``/``+ssc`` for TLS). Opening checks the
    connection and creates the constraints and indexes. ``user`` and ``password`` log in (no authentication without
    a user), ``database`` picks one (default: the server's default), ``batch_size`` is the rows per write statement,
    ``recall_limit`` the most matters one full-text recall returns."""

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 database: str | None = None, batch_size: int | None = None, recall_limit: int | None = None,
                 write: bool = True):
        self.url = url
        self.database = database or None
        self.batch_size = batch_size or DEFAULT_BATCH
        self.recall_limit = recall_limit or RECALL_LIMIT
        self.recall_truncated = False  # the last matter recall reached recall_limit (see matter_recall)
        if url.split("://", 1)[0] not in NEO4J_SCHEMES:
            raise StoreError(f"不是 Neo4j 地址：{url}", f"not a Neo4j URL: {url} (expected bolt:// or neo4j://)")
        auth = (user, password or "") if user else None
        try:
            # Notifications (deprecations, performance hints) are for people writing queries in Browser; the
            # generated statements are tested, and a warning here would turn into an error under `-W error`.
            self._driver: Driver = GraphDatabase.driver(
                url, auth=auth, notifications_min_severity="OFF", connection_timeout=CONNECTION_TIMEOUT)
        except (ConfigurationError, ValueError) as e:
            raise StoreError(f"Neo4j 地址 {url} 无效：{e}", f"invalid Neo4j URL {url}: {e}") from e
        try:
            self._ensure_schema(write)
        except ValueError as e:  # the driver resolves the address only now: bolt://host:notaport
            self._driver.close()
            raise StoreError(f"Neo4j 地址 {url} 无效：{e}", f"invalid Neo4j URL {url}: {e}") from e
        except BaseException:
            self._driver.close()
            raise

    # -- errors and retries ------------------------------------------------------------------------------------

    def _error(self, e: BaseException, doing_zh: str, doing_en: str) -> StoreError:
        where = f"Neo4j {self.url}" + (f" (database {self.database})" if self.database else "")
        if isinstance(e, AuthError):
            return StoreError(f"{where} 拒绝了登录（QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD）：{e.message}",
                              f"{where} refused the login (QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD): {e.message}")
        if isinstance(e, (ServiceUnavailable, SessionExpired, _ConnectionLost)):
            return StoreError(f"无法连接 {where}，{doing_zh}失败：{e}",
                              f"cannot reach {where}; {doing_en} failed: {e}")
        message = e.message if isinstance(e, Neo4jError) and e.message else str(e)
        return StoreError(f"{where} {doing_zh}失败：{message}", f"{where}: {doing_en} failed: {message}")

    def _retrying(self, work: Callable[[], T], *, reconnect: bool = True) -> T:
        """Run ``work`` again after a transient error or, with ``reconnect``, a connection that broke before it wrote
        anything (``work`` re-raises the driver's error only then). A pooled connection to a server that restarted
        fails once; the driver then drops the pool and the next try connects afresh."""
        for attempt in range(ATTEMPTS):
            try:
                return work()
            except (TransientError, ServiceUnavailable, SessionExpired) as e:
                retry = e.is_retryable() if isinstance(e, TransientError) else reconnect
                if isinstance(e, IncompleteCommit) or not retry or attempt == ATTEMPTS - 1:
                    raise
                time.sleep(BACKOFF * 2 ** attempt)
        raise AssertionError("unreachable")

    def _session(self, mode: str):
        return self._driver.session(database=self.database, default_access_mode=mode)

    def _read(self, statement: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._reading(lambda session: [r.data() for r in session.run(statement, params or {})])

    def _reading(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` with a read session, retried like every read; errors as ``StoreError``."""
        def attempt() -> T:
            with self._session(READ_ACCESS) as session:
                return work(session)

        try:
            return self._retrying(attempt)
        except (Neo4jError, DriverError) as e:
            raise self._error(e, "查询", "a query") from e

    def run(self, query: str, params: dict[str, Any] | None = None, *, write: bool = False) -> list[dict[str, Any]]:
        """Run Cypher as given (values as ``$parameters``) in one auto-commit transaction: the examples in
        docs/neo4j.md, ad-hoc questions, test set-up. Reads are retried like every read; a write is not, once sent.
        A write moves the data version, as a load does."""
        if not write:
            return self._read(query, params)
        try:
            with self._session(WRITE_ACCESS) as session:
                rows = [r.data() for r in session.run(query, params or {})]
                # after the statement, in a transaction of its own: the statement may need one of its own (schema
                # commands, CALL … IN TRANSACTIONS). Whoever read in between keyed it on the old version.
                session.run(cypher.touch_data_version(increment=True)).consume()
                return rows
        except (Neo4jError, DriverError) as e:
            raise self._error(e, "执行", "a statement") from e

    # -- schema ------------------------------------------------------------------------------------------------

    def _ensure_schema(self, write: bool = True) -> None:
        """Constraints, indexes and the schema version (``graph/migrations.py``). Opening a store of today's version
        writes nothing; opened for reading (``write=False``), an older store is refused naming ``quanze upgrade``;
        opened for writing, it is migrated (the data steps in one transaction)."""
        try:
            # A fresh driver has no stale connections: a refused connection means the server is not there.
            have = {r["name"] for r in self._retrying(lambda: self._show("SHOW CONSTRAINTS YIELD name"),
                                                      reconnect=False)}
            version = self.schema_version()
            if version != SCHEMA_VERSION:
                if not write:
                    if version:  # an empty database (version 0) is read as empty
                        check_readable(self.url, version)
                    return
                check_writable(self.url, version)
            indexes = self._retrying(lambda: self._show("SHOW INDEXES YIELD name, properties"))
            have |= {r["name"] for r in indexes}
            covers = {r["name"]: tuple(r["properties"] or ()) for r in indexes}
            ddl = cypher.schema_ddl()
            stale = [d for d in ddl if d.properties and d.name in covers and covers[d.name] != d.properties]
            missing = [d for d in ddl if d.name not in have or d in stale]
            if missing and not write:
                return  # a reader leaves the indexes to the next writer
            for d in stale:
                # a full-text index an older version made over other fields: remake it over today's
                self._retrying(lambda name=d.name: self._show(cypher.drop_index(name), WRITE_ACCESS))
            for ddl in missing:
                self._retrying(lambda statement=ddl.cypher: self._show(statement, WRITE_ACCESS))
            if missing:
                self._show(f"CALL db.awaitIndexes({INDEX_WAIT})", WRITE_ACCESS)
            if version != SCHEMA_VERSION:
                self._retrying(lambda: self._migrate(version))
            # a new store, or one loaded before there were versions
            if self._retrying(lambda: self._show(cypher.data_version()))[0]["version"] is None:
                self._retrying(lambda: self._show(cypher.touch_data_version(increment=False), WRITE_ACCESS))
        except (Neo4jError, DriverError) as e:
            raise self._error(e, "打开存储", "opening the store") from e

    def schema_version(self) -> int:
        """The layout version the store records: 0 for an empty database, 1 for one loaded before versions were
        recorded, else the version recorded."""
        rows = self._retrying(lambda: self._show(cypher.schema_version()))
        if rows and rows[0]["version"] is not None:
            return int(rows[0]["version"])
        return 1 if self._retrying(lambda: self._show(cypher.any_node()))[0]["found"] else 0

    def _migrate(self, version: int) -> None:
        """The data steps from ``version`` to today's and the version recorded, in one transaction."""
        changes = [step.changes(lambda label: self.nodes(label)) for step in steps_from(version)] if version else []
        with self._session(WRITE_ACCESS) as session:
            tx = session.begin_transaction()
            try:
                for change in changes:
                    for label, by_key in change.items():
                        kind = SCHEMA.node(label)
                        rows = [{"key": key, "props": _encode_props(kind.properties, {kind.key: key, **props})}
                                for key, props in by_key.items()]
                        for chunk in _chunks(rows, self.batch_size):
                            tx.run(cypher.merge_nodes(kind), {"rows": chunk}).consume()
                tx.run(cypher.set_schema_version(), {"version": SCHEMA_VERSION}).consume()
                if version:
                    tx.run(cypher.touch_data_version(increment=True)).consume()
                tx.commit()
            finally:
                if not tx.closed():
                    tx.close()

    def _show(self, query: str, mode: str = READ_ACCESS) -> list[dict[str, Any]]:
        with self._session(mode) as session:
            return [r.data() for r in session.run(query)]

    # -- writing -----------------------------------------------------------------------------------------------

    def apply(self, batch: Batch, *, batch_size: int | None = None) -> None:
        """Write a batch all-or-nothing in one transaction (``batch_size`` rows per statement, default the store's)."""
        size = batch_size or self.batch_size
        try:
            self._retrying(lambda: self._apply_once_more(batch, size))
        except _MissingEndpoints as e:
            raise StoreError(f"写入 Neo4j {self.url} 失败，已回滚：{e}",
                             f"writing to Neo4j {self.url} failed and was rolled back: {e}") from None
        except _ConnectionLost as e:
            if e.committing:
                raise StoreError(
                    f"提交时与 Neo4j {self.url} 的连接中断，无法确认是否已写入；导入可以重复执行，请再导入一次：{e}",
                    f"the connection to Neo4j {self.url} broke while committing; whether the load was written is "
                    f"unknown. Loading is idempotent: load again. ({e})") from e.cause
            raise StoreError(f"与 Neo4j {self.url} 的连接在写入中途中断，本次写入未提交（已回滚）：{e}",
                             f"the connection to Neo4j {self.url} broke during the write; nothing of it was "
                             f"committed (rolled back): {e}") from e.cause
        except (Neo4jError, DriverError) as e:
            raise StoreError(f"写入 Neo4j {self.url} 失败，已回滚：{e}",
                             f"writing to Neo4j {self.url} failed and was rolled back: {e}") from e

    def _apply_once_more(self, batch: Batch, size: int) -> None:
        """One try of a load; a relation another load created meanwhile (its id is unique) makes this one start
        again, and then find it and update it, as a MERGE would."""
        for attempt in range(ATTEMPTS):
            try:
                return self._apply_once(batch, size)
            except ConstraintError:
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(BACKOFF * 2 ** attempt)

    def _apply_once(self, batch: Batch, size: int) -> None:
        state = {"started": False, "committing": False}
        try:
            with self._session(WRITE_ACCESS) as session:
                tx = session.begin_transaction()
                try:
                    self._write(tx, batch, size, state)
                    state["committing"] = True
                    tx.commit()
                finally:
                    if not tx.closed():
                        try:
                            tx.close()  # rolls back; the server also does when the connection is gone
                        except (Neo4jError, DriverError):
                            pass
        except (ServiceUnavailable, SessionExpired) as e:
            if state["started"] or isinstance(e, IncompleteCommit):
                raise _ConnectionLost(e, state["committing"] or isinstance(e, IncompleteCommit)) from e
            raise  # nothing was sent yet that could have been written: the retry loop may try again

    def _write(self, tx: Any, batch: Batch, size: int, state: dict[str, bool]) -> None:
        def run(query: str, **params: Any) -> dict[str, Any]:
            record = tx.run(query, params).single(strict=True).data()
            state["started"] = True
            return record

        replaced = list(dict.fromkeys(batch.replaces))
        if replaced:
            for kind in SCHEMA.relations:
                if "list_id" in kind.names:
                    while run(cypher.delete_list_rels(kind), list_ids=replaced, chunk=size)["deleted"] == size:
                        pass
            for kind in SCHEMA.nodes:
                if "list_id" in kind.names:
                    rows = [{"key": key} for key in batch.nodes.get(kind.label, {})]
                    for chunk in _chunks(rows, size):
                        run(cypher.reset_list_nodes(kind), rows=chunk, list_ids=replaced)
                    while run(cypher.delete_list_nodes(kind), list_ids=replaced, chunk=size)["deleted"] == size:
                        pass
        for label, nodes in batch.nodes.items():
            kind = SCHEMA.node(label)
            rows = [{"key": key, "props": _encode_props(kind.properties, props)} for key, props in nodes.items()]
            for chunk in _chunks(rows, size):
                run(cypher.merge_nodes(kind), rows=chunk)
        for type_, rels in batch.rels.items():
            kind = SCHEMA.relation(type_)
            rows = [{"id": r.id, "source": r.source, "target": r.target,
                     "props": _encode_props(kind.properties, dict(r.props, id=r.id))} for r in rels.values()]
            for chunk in _chunks(rows, size):
                # relations that exist already (by id: an index seek each) are updated, or moved first when they
                # join other nodes now; the others are created — a MERGE would check every relation between the
                # two nodes, and a matter of the shared catalogue is related to every township that lists it
                found = {r["id"]: r["same"] for r in tx.run(cypher.existing_rels(kind),
                                                              {"rows": [{k: row[k] for k in ("id", "source", "target")}
                                                                        for row in chunk]})}
                state["started"] = True
                if not all(found.values()):
                    run(cypher.move_rels(kind), rows=[row for row in chunk if found.get(row["id"]) is False])
                old = [row for row in chunk if row["id"] in found]
                new = [row for row in chunk if row["id"] not in found]
                written = run(cypher.update_rels(kind), rows=old)["written"] if old else 0
                written += run(cypher.create_rels(kind), rows=new)["written"] if new else 0
                if written != len(chunk):
                    raise _MissingEndpoints(self._describe_missing(tx, kind, chunk, written))
        run(cypher.record_schema_version(), version=SCHEMA_VERSION)  # a database emptied by hand and loaded again
        run(cypher.touch_data_version(increment=True))  # last: the version node is locked only until the commit

    def _describe_missing(self, tx: Any, kind: RelKind, chunk: list[dict], written: int) -> str:
        examples = [r.data() for r in tx.run(cypher.missing_endpoints(kind), {"rows": chunk})]
        src, dst = kind.source, kind.target
        shown = "; ".join(
            f"{e['id']}: {src} {e['source']!r}{'' if e['source_exists'] else ' (missing)'} -> "
            f"{dst} {e['target']!r}{'' if e['target_exists'] else ' (missing)'}" for e in examples)
        return (f"{len(chunk) - written} of {len(chunk)} {kind.type} relations name a node that does not exist "
                f"(Neo4j keeps no relation without both of its nodes): {shown}")

    # -- reading -----------------------------------------------------------------------------------------------

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        kind = SCHEMA.node(label)
        rows = self.nodes(label, **{kind.key: key})
        return rows[0] if rows else None

    def nodes(self, label: str, **equals: Any) -> list[dict[str, Any]]:
        kind = SCHEMA.node(label)
        params = self._filter(kind.properties, equals, label)
        rows = self._read(cypher.match_nodes(kind, list(params)), params)
        out = [_decode_props(kind.properties, r["props"]) for r in rows]
        # sorted here, by code point as the embedded store (SQLite's binary collation of UTF-8) sorts
        return sorted(out, key=lambda p: p[kind.key])

    def rels(self, type_: str, source: str | None = None, target: str | None = None, **equals: Any) -> list[Rel]:
        kind = SCHEMA.relation(type_)
        params = self._filter(kind.properties, equals, type_)
        query = cypher.match_rels(kind, list(params), source is not None, target is not None)
        if source is not None:
            params["source"] = source
        if target is not None:
            params["target"] = target
        return _rels_from(type_, kind, self._read(query, params))

    def rels_any(self, type_: str, *, sources: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                 regions: Sequence[str] | None = None, region_prefix: str | None = None) -> list[Rel]:
        kind = SCHEMA.relation(type_)
        if (regions is not None or region_prefix is not None) and "region" not in {p.name for p in kind.properties}:
            raise KeyError(f"{type_} has no property region")
        params: dict[str, Any] = {name: list(dict.fromkeys(v)) for name, v in
                                  (("sources", sources), ("targets", targets), ("regions", regions)) if v is not None}
        if any(not v for v in params.values()):
            return []
        if region_prefix is not None:
            params["region_prefix"] = region_prefix
        query = cypher.match_rels_any(kind, "sources" in params, "targets" in params, "regions" in params,
                                      "region_prefix" in params)
        return _rels_from(type_, kind, self._read(query, params))

    def nodes_any(self, label: str, *, keys: Sequence[str] | None = None,
                  region_prefix: str | None = None) -> list[dict[str, Any]]:
        kind = SCHEMA.node(label)
        if region_prefix is not None and "region" not in kind.names:
            raise KeyError(f"{label} has no property region")
        params: dict[str, Any] = {}
        if keys is not None:
            params["keys"] = list(dict.fromkeys(keys))
            if not params["keys"]:
                return []
        if region_prefix is not None:
            params["region_prefix"] = region_prefix
        rows = self._read(cypher.match_nodes_any(kind, "keys" in params, "region_prefix" in params), params)
        return sorted((_decode_props(kind.properties, r["props"]) for r in rows), key=lambda n: n[kind.key])

    @staticmethod
    def _filter(props: tuple[Prop, ...], equals: dict[str, Any], what: str) -> dict[str, Any]:
        by_name = {p.name: p for p in props}
        unknown = set(equals) - set(by_name)
        if unknown:
            raise KeyError(f"{what} has no properties {sorted(unknown)}")
        return {n: encode(by_name[n], v) for n, v in equals.items()}

    def same_items(self, matter_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        rows = self._read(cypher.same_items(), {"ids": list(dict.fromkeys(matter_ids))})
        return {r["id"]: tuple(sorted(set(r["same"]) or {r["id"]})) for r in rows}

    def matters_named_in(self, county: str) -> list[str]:
        return sorted({r["id"] for r in self._read(cypher.matters_named_in(), {"prefix": county})})

    def unattached_matters(self) -> list[str]:
        return [r["id"] for r in self._read(cypher.unattached_matters())]

    def neighbourhood(self, matter_ids: Sequence[str], township: str, county: str,
                      types: Sequence[str]) -> Neighbourhood:
        """``Store.neighbourhood`` in one statement, one round trip (``cypher.neighbourhood``)."""
        places = list(dict.fromkeys([township, county]))
        row = self._read(cypher.neighbourhood(types), {"ids": list(dict.fromkeys(matter_ids)), "regions": places,
                                                       "township": township})[0]
        matter_kind, agency_kind, region_kind = (SCHEMA.node(k) for k in ("Matter", "Agency", "Region"))
        rels: dict[str, list[Rel]] = {t: [] for t in types}
        for r in row["rels"]:
            kind = SCHEMA.relation(r["type"])
            props = _decode_props(kind.properties, r["props"])
            rels[kind.type].append(Rel(kind.type, props["id"], r["source"], r["target"], props))
        stationed: dict[str, list[str]] = {}
        for x in row["stationed"]:
            if x.get("unit") and x.get("parent"):
                stationed.setdefault(x["parent"], []).append(x["unit"])
        return Neighbourhood(
            {g["id"]: tuple(sorted(set(g["same"]) or {g["id"]})) for g in row["groups"]},
            {m["id"]: m for m in (_decode_props(matter_kind.properties, p) for p in row["matters"])},
            {t: sorted(found, key=lambda rel: rel.id) for t, found in rels.items()},
            {a["id"]: a for a in (_decode_props(agency_kind.properties, p) for p in row["agencies"])},
            {g["code"]: g for g in (_decode_props(region_kind.properties, p) for p in row["regions"])},
            {lst["id"]: lst for lst in row["lists"]},
            row["governments"][0] if row["governments"] else None,
            {k: sorted(v) for k, v in stationed.items()}, township, county)

    def counts(self) -> dict[str, int]:
        found = {r["kind"]: r["n"] for r in self._read(cypher.count_all())}
        return {k: found.get(k, 0) for k in [n.label for n in SCHEMA.nodes] + list(SCHEMA.relation_types)}

    def matter_recall(self) -> Callable[[list[str]], list[str]]:
        """Matter search's recall through the ``cjk`` full-text index: the ids of the matters holding any of the
        terms (character pairs, Latin words). The index covers every field search ranks on, and the cjk analyzer
        cuts Chinese into the same pairs, so it finds what the in-process index would, up to
        ``recall_limit`` matters per query; ``recall_truncated`` says when a query reached that limit."""
        kind = SCHEMA.node("Matter")
        limit = self.recall_limit

        def recall(terms: list[str]) -> list[str]:
            found: dict[str, None] = {}
            self.recall_truncated = False
            quoted = [f'"{lucene_escape(t)}"' for t in dict.fromkeys(terms) if t.strip()]
            for i in range(0, len(quoted), RECALL_CLAUSES):
                rows = self._read(cypher.fulltext_keys(kind),
                                  {"query": " OR ".join(quoted[i:i + RECALL_CLAUSES]), "limit": limit})
                self.recall_truncated |= len(rows) >= limit
                found.update(dict.fromkeys(r["key"] for r in rows))
            return list(found)

        return recall

    def content(self) -> list[tuple]:
        """Every node and relation as the embedded store's ``content()`` gives it (same columns, same plain values),
        sorted: what 'the store is unchanged' compares, and comparable across the two stores."""
        out: list[tuple] = []
        for kind in SCHEMA.nodes:
            for props in self.nodes(kind.label):
                out.append((kind.label, props[kind.key]) + _plain(kind, props, skip=(kind.key,)))
        for rel_kind in SCHEMA.relations:
            for rel in self.rels(rel_kind.type):
                out.append((rel_kind.type, rel.id, rel.source, rel.target) + _plain(rel_kind, rel.props, skip=("id",)))
        return sorted(out, key=repr)

    def identity(self) -> str | None:
        """The server and database (their version counter starts at the clock when the database is made, so a
        database made again does not repeat a version)."""
        return f"neo4j:{self.url}|{self.database or ''}"

    def data_version(self) -> int:
        """The version node's counter (one cheap read); -1 when the node is missing (nothing is cached then)."""
        version = self._read(cypher.data_version())[0]["version"]
        return -1 if version is None else int(version)

    def shortest_routes(self, source: str, target: str, kinds: Sequence[str] | None = None, *, max_hops: int = 6,
                        all_shortest: bool = False, limit: int = 20) -> list[Route]:
        """The routes ``Store.shortest_routes`` promises, found by the server in one read transaction:
        ``allShortestPaths`` enumerates up to ``ROUTE_CAP`` paths, sorted here. When there are that many, the routes
        are walked in order instead (``first_routes``), one ``shortestPath`` query per node on the way, so the answer
        is still the embedded store's. A last query fetches the relations of each step, to pick one per step."""
        types, hops = route_query(kinds, max_hops)
        ends = [_split_node_id(source), _split_node_id(target)]
        if ends[0] is None or ends[1] is None:
            return []
        if source == target:  # shortestPath refuses a path from a node to itself
            return [Route((source,), ())] if self.node(ends[0][0].label, ends[0][1]) else []
        (a, a_key), (b, b_key) = ends
        want = limit if all_shortest else 1

        def work(session: Session) -> list[Route]:
            with session.begin_transaction() as tx:
                rows = [r.data() for r in tx.run(cypher.all_shortest_routes(a, b, types, hops),
                                                  {"source": a_key, "target": b_key, "cap": ROUTE_CAP})]
                if not rows:
                    return []
                element = {n: e for r in rows for n, e in zip(r["route"], r["element_ids"])}
                if len(rows) < ROUTE_CAP:
                    routes = [list(r) for r in sorted({tuple(r["route"]) for r in rows})[:want]]
                else:
                    routes = self._walk_routes(tx, types, element, source, target, len(rows[0]["route"]) - 1, want)
                links = self._route_links(tx, types, element, routes)
                return [Route(tuple(r), tuple(min(links[u, v], key=link_order) for u, v in zip(r, r[1:])))
                        for r in routes]

        return self._reading(work)

    @staticmethod
    def _walk_routes(tx: Any, types: Sequence[str], element: dict[str, str], source: str, target: str, length: int,
                     limit: int) -> list[list[str]]:
        """The first ``limit`` routes in order, one query per node on the way: its neighbours one step closer to the
        target. ``element`` (node id → element id) learns the nodes met."""
        def closer(node: str, remaining: int) -> list[str]:
            if remaining == 0:
                return [target]
            found = [r.data() for r in tx.run(cypher.closer_neighbours(types, remaining),
                                               {"node": element[node], "target": element[target]})]
            element.update((f["node"], f["element_id"]) for f in found)
            return sorted({f["node"] for f in found})

        return first_routes(source, target, length, closer, limit)

    @staticmethod
    def _route_links(tx: Any, types: Sequence[str], element: dict[str, str],
                     routes: list[list[str]]) -> dict[tuple[str, str], list[Rel]]:
        """Every relation of ``types`` linking two nodes that follow each other on one of the routes."""
        pairs = list(dict.fromkeys((u, v) for r in routes for u, v in zip(r, r[1:])))
        node_of = {e: n for n, e in element.items()}
        links: dict[tuple[str, str], list[Rel]] = defaultdict(list)
        for row in tx.run(cypher.route_links(types), {"pairs": [[element[u], element[v]] for u, v in pairs]}):
            u, v = node_of[row["u"]], node_of[row["v"]]
            kind = SCHEMA.relation(row["type"])
            props = _decode_props(kind.properties, row["props"])
            s, t = (u, v) if row["forward"] else (v, u)
            links[u, v].append(Rel(kind.type, props["id"], s.split(":", 1)[1], t.split(":", 1)[1], props))
        return links

    def close(self) -> None:
        self._driver.close()


def _plain(kind: NodeKind | RelKind, props: dict[str, Any], skip: tuple[str, ...]) -> tuple:
    return tuple(to_plain(p, props.get(p.name)) for p in kind.properties if p.name not in skip)


def _split_node_id(node: str) -> tuple[NodeKind, str] | None:
    """``"Agency:990701/住建局"`` → (the Agency kind, its key); None for a label the schema does not have."""
    label, _, key = node.partition(":")
    if label not in {k.label for k in SCHEMA.nodes}:
        return None
    return SCHEMA.node(label), key


def _rels_from(type_: str, kind: RelKind, rows: list[dict[str, Any]]) -> list[Rel]:
    """Relations from rows of ``source, target, props`` (as ``match_rels`` returns them), ordered by id."""
    out = []
    for r in rows:
        props = _decode_props(kind.properties, r["props"])
        out.append(Rel(type_, props["id"], r["source"], r["target"], props))
    return sorted(out, key=lambda rel: rel.id)


def _chunks(rows: list[dict], size: int) -> list[list[dict]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]
