"""The store interface: what every backend (embedded SQLite, Neo4j) offers, and the Batch a load writes.

A load never writes piecemeal: ingest turns files into one ``Batch`` (nodes, relations, the lists it replaces), and
``Store.apply`` writes it all-or-nothing. Readers see the state before or after, never half of it.

Values are plain: str, int, bool, ``datetime.date`` (kept as ISO text), list of str, or JSON-able dicts for ``json``
properties. ``None`` means "not given": it never erases a value another list already gave.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from quanze.errors import StoreError
from quanze.graph.schema import SCHEMA

if TYPE_CHECKING:
    import networkx as nx

DEFAULT_STORE = "sqlite:///quanze.db"


@dataclass(frozen=True)
class Rel:
    """One relation: ``source -[type]-> target`` with its properties (``id`` included)."""

    type: str
    id: str
    source: str
    target: str
    props: dict[str, Any]


@dataclass
class Batch:
    """Everything one load writes. Keys of ``nodes`` are labels, of ``rels`` relation types."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    rels: dict[str, dict[str, Rel]] = field(default_factory=dict)
    # list ids whose assertions (nodes and relations carrying that list_id) are removed before this batch is written
    replaces: list[str] = field(default_factory=list)

    def add_node(self, label: str, props: dict[str, Any]) -> None:
        kind = SCHEMA.node(label)
        key = props.get(kind.key)
        if not key:
            raise ValueError(f"{label} without {kind.key}: {props}")
        unknown = set(props) - set(kind.names)
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        merged = self.nodes.setdefault(label, {}).setdefault(key, {})
        merged.update({k: v for k, v in props.items() if v is not None})

    def add_rel(self, type_: str, source: str, target: str, props: dict[str, Any]) -> Rel:
        kind = SCHEMA.relation(type_)
        unknown = set(props) - set(kind.names)
        if unknown:
            raise ValueError(f"{type_} has no properties {sorted(unknown)}")
        rel = Rel(type_, props["id"], source, target, {k: v for k, v in props.items() if v is not None})
        self.rels.setdefault(type_, {})[rel.id] = rel
        return rel

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        return self.nodes.get(label, {}).get(key)

    def count(self) -> dict[str, int]:
        out = {label: len(v) for label, v in self.nodes.items()}
        out.update({t: len(v) for t, v in self.rels.items()})
        return out

    def is_empty(self) -> bool:
        return not any(self.nodes.values()) and not any(self.rels.values()) and not self.replaces


class Store(ABC):
    """A graph store. Implementations: ``SqliteStore`` (embedded, default) and the Neo4j store."""

    url: str

    @abstractmethod
    def apply(self, batch: Batch) -> None:
        """Write a batch all-or-nothing: remove what the replaced lists asserted, then upsert nodes and relations."""

    @abstractmethod
    def node(self, label: str, key: str) -> dict[str, Any] | None:
        """One node's properties by its key, or None."""

    @abstractmethod
    def nodes(self, label: str, **equals: Any) -> list[dict[str, Any]]:
        """Nodes of a label whose properties equal the given values, ordered by key."""

    @abstractmethod
    def rels(self, type_: str, source: str | None = None, target: str | None = None, **equals: Any) -> list[Rel]:
        """Relations of a type, optionally from a source key, to a target key, with property values; ordered by id."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many nodes of each label and relations of each type."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def all_rels(self, types: Iterable[str] | None = None) -> Iterator[Rel]:
        for t in types or SCHEMA.relation_types:
            yield from self.rels(t)

    def build_networkx(self) -> "nx.MultiDiGraph":
        """The whole graph for traversals: nodes ``"Label:key"`` with their properties, edges keyed by relation id."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for kind in SCHEMA.nodes:
            for props in self.nodes(kind.label):
                g.add_node(f"{kind.label}:{props[kind.key]}", label=kind.label, **props)
        for rel_kind in SCHEMA.relations:
            for rel in self.rels(rel_kind.type):
                g.add_edge(f"{rel_kind.source}:{rel.source}", f"{rel_kind.target}:{rel.target}", key=rel.id,
                           type=rel_kind.type, **rel.props)
        return g


def store_url(url: str | None = None) -> str:
    """The store URL: the one given, else $QUANZE_STORE, else ./quanze.db."""
    return url or os.environ.get("QUANZE_STORE") or DEFAULT_STORE


def open_store(url: str | None = None) -> Store:
    """Open the store a URL names: ``sqlite:///path.db`` (or a plain path ending .db), ``bolt://``/``neo4j://``."""
    url = store_url(url)
    if url.startswith("sqlite:") or url.endswith(".db") or url == ":memory:":
        from quanze.graph.sqlite_store import SqliteStore

        return SqliteStore(url)
    if url.split("://", 1)[0] in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        from quanze.graph.neo4j_store import Neo4jStore

        return Neo4jStore(url)
    raise StoreError(
        f"无法识别的存储地址「{url}」：应为 sqlite:///路径.db 或 bolt://主机:端口",
        f"unrecognised store URL {url!r}: expected sqlite:///path.db or bolt://host:port",
    )
