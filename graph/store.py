"""The store interface: what every backend (embedded SQLite, Neo4j) offers, and the Batch a load writes.

A load never writes piecemeal: ingest turns files into one ``Batch`` (nodes, relations, the lists it replaces), and
``Store.apply`` writes it all-or-nothing. Readers see the state before or after, never half of it.

Values are plain: str, int, bool, ``datetime.date`` (kept as ISO text), list of str, or JSON-able dicts for ``json``
properties. ``None`` means "not given": it never erases a value another list already gave.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from quanze import settings
from quanze.errors import NoStore, StoreError
from quanze.graph.schema import SCHEMA

if TYPE_CHECKING:
    import networkx as nx

NEO4J_SCHEMES = ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc")  # +s, +ssc: TLS


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


@dataclass
class Neighbourhood:
    """What the rules of responsibility read about some matters in one township and its county, read at once
    (``Store.neighbourhood``): each matter's same-item ids, the matters, the assertions naming them there, the bodies
    those name (and their regions), the lists they cite, the township's government and the units stationed in it."""

    same: dict[str, tuple[str, ...]]  # each matter asked → the ids of the same item (same normalised name), sorted
    matters: dict[str, dict[str, Any]]  # every one of those matters
    rels: dict[str, list[Rel]]  # relation type → relations naming those matters in the township or the county
    agencies: dict[str, dict[str, Any]]  # bodies at the relations' ends, undertakers, the government, stationed units
    regions: dict[str, dict[str, Any]]  # the regions of those bodies
    lists: dict[str, dict[str, Any]]  # the source lists the relations cite: id and title
    government: str | None  # the township's government body
    stationed: dict[str, list[str]]  # a body → its units stationed in the township, sorted
    township: str = ""
    county: str = ""

    def covers(self, matter_ids: Sequence[str], township: str) -> bool:
        return township == self.township and all(i in self.matters or i in self.same for i in matter_ids)

    def merge(self, other: "Neighbourhood") -> "Neighbourhood":
        """Both reads of one township as one (a second question about more matters)."""
        rels = {t: list({r.id: r for r in self.rels.get(t, []) + other.rels.get(t, [])}.values())
                for t in set(self.rels) | set(other.rels)}
        return Neighbourhood({**self.same, **other.same}, {**self.matters, **other.matters}, rels,
                             {**self.agencies, **other.agencies}, {**self.regions, **other.regions},
                             {**self.lists, **other.lists}, other.government, other.stationed, other.township,
                             other.county)


@dataclass(frozen=True)
class Route:
    """One shortest route: nodes as ``"Label:key"``, and per step the relation linking ``nodes[i]`` and
    ``nodes[i + 1]``, in whichever direction it points."""

    nodes: tuple[str, ...]
    steps: tuple[Rel, ...]


class Store(ABC):
    """A graph store. Implementations: ``SqliteStore`` (embedded, default) and the Neo4j store."""

    url: str
    _view: "tuple[int, nx.MultiDiGraph] | None" = None

    @abstractmethod
    def apply(self, batch: Batch, *, batch_size: int | None = None) -> None:
        """Write a batch all-or-nothing: remove what the replaced lists asserted, then upsert nodes and relations.
        ``batch_size``: rows per write statement, for a store that writes in statements (Neo4j); others ignore it."""

    @abstractmethod
    def node(self, label: str, key: str) -> dict[str, Any] | None:
        """One node's properties by its key, or None."""

    @abstractmethod
    def nodes(self, label: str, **equals: Any) -> list[dict[str, Any]]:
        """Nodes of a label whose properties equal the given values, ordered by key."""

    @abstractmethod
    def rels(self, type_: str, source: str | None = None, target: str | None = None, **equals: Any) -> list[Rel]:
        """Relations of a type, optionally from a source key, to a target key, with property values; ordered by id."""

    def rels_any(self, type_: str, *, sources: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                 regions: Sequence[str] | None = None, region_prefix: str | None = None) -> list[Rel]:
        """Relations of a type from any of ``sources``, to any of ``targets``, in any of ``regions``, with a region
        code starting with ``region_prefix`` (a county: the county, its townships and the townships lists named that
        it does not have) — None: no condition — in one store call where the store can; ordered by id. What the
        resolver asks for one question and a county's audit for one county."""
        out: dict[str, Rel] = {}
        for source in sources if sources is not None else (None,):
            for target in targets if targets is not None else (None,):
                for region in regions if regions is not None else (None,):
                    eq = {"region": region} if region is not None else {}
                    out.update((r.id, r) for r in self.rels(type_, source=source, target=target, **eq)
                               if region_prefix is None or str(r.props.get("region", "")).startswith(region_prefix))
        return sorted(out.values(), key=lambda r: r.id)

    def nodes_any(self, label: str, *, keys: Sequence[str] | None = None,
                  region_prefix: str | None = None) -> list[dict[str, Any]]:
        """Nodes of a label whose key is any of ``keys`` and whose ``region`` starts with ``region_prefix`` (None: no
        condition), ordered by key."""
        kind = SCHEMA.node(label)
        found = [n for k in dict.fromkeys(keys) for n in [self.node(label, k)] if n] if keys is not None \
            else self.nodes(label)
        if region_prefix is not None:
            found = [n for n in found if str(n.get("region", "")).startswith(region_prefix)]
        return sorted(found, key=lambda n: n[kind.key])

    def same_items(self, matter_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Each of the matters (that exists) → the ids of every matter that is the same item (the same normalised
        name), itself included, sorted; a matter without a normalised name is an item of its own."""
        out: dict[str, tuple[str, ...]] = {}
        by_name: dict[str, tuple[str, ...]] = {}
        for m in self.nodes_any("Matter", keys=list(matter_ids)):
            name = m.get("norm_name")
            if not name:
                out[m["id"]] = (m["id"],)
                continue
            if name not in by_name:
                by_name[name] = tuple(sorted(n["id"] for n in self.nodes("Matter", norm_name=name)))
            out[m["id"]] = by_name[name]
        return out

    def matters_named_in(self, county: str) -> list[str]:
        """The ids of the matters that the county's relations name — the duties of it and its townships, and the
        activity its townships handled — sorted: the matters a search in that county looks among."""
        found: set[str] = set()
        for type_ in SCHEMA.matter_types:
            end = SCHEMA.matter_end(type_)
            if "region" in SCHEMA.relation(type_).names:
                rels = self.rels_any(type_, region_prefix=county)
            else:  # activity: by the townships that handled it
                rels = [r for r in self.rels(type_) if str(r.source).startswith(county)]
            found |= {r.target if end == "target" else r.source for r in rels}
        return sorted(found)

    def unattached_matters(self) -> list[str]:
        """The ids of the matters no relation names (a catalogue entry no list assigns), sorted: every county's
        search finds them."""
        named: set[str] = set()
        for type_ in SCHEMA.matter_types:
            end = SCHEMA.matter_end(type_)
            named |= {r.target if end == "target" else r.source for r in self.rels(type_)}
        return sorted(m["id"] for m in self.nodes("Matter") if m["id"] not in named)

    def neighbourhood(self, matter_ids: Sequence[str], township: str, county: str,
                      types: Sequence[str]) -> Neighbourhood:
        """Everything the rules of responsibility read about these matters (and their same-item siblings) in the
        township and its county, for relations of ``types``: one read, so that a store with a round trip per call
        (Neo4j) answers a question in one. This one reads through the other methods; a store may do it at once."""
        same = self.same_items(matter_ids)
        every = sorted({i for ids in same.values() for i in ids} | set(matter_ids))
        matters = {m["id"]: m for m in self.nodes_any("Matter", keys=every)}
        places = list(dict.fromkeys([township, county]))
        rels: dict[str, list[Rel]] = {}
        for type_ in types:
            ends = {"sources": every} if SCHEMA.matter_end(type_) == "source" else {"targets": every}
            rels[type_] = self.rels_any(type_, regions=places, **ends)
        governments = self.nodes("Agency", region=township, kind="township_government")
        units = [r.source for r in self.rels("STATIONED_IN", target=township)]
        parents = self.rels_any("UNIT_OF", sources=units) if units else []
        stationed: dict[str, list[str]] = {}
        for r in parents:
            stationed.setdefault(r.target, []).append(r.source)
        named = {(r.source if SCHEMA.relation(t).source == "Agency" else r.target) for t, found in rels.items()
                 for r in found} | {str(r.props["undertaker"]) for found in rels.values() for r in found
                                    if r.props.get("undertaker")}
        named |= {g["id"] for g in governments} | set(units)
        agencies = {a["id"]: a for a in self.nodes_any("Agency", keys=sorted(named))}
        regions = {r["code"]: r for r in self.nodes_any("Region", keys=sorted({str(a["region"]) for a in
                                                                               agencies.values() if a.get("region")}))}
        cited = sorted({str(r.props["list_id"]) for found in rels.values() for r in found if r.props.get("list_id")})
        lists = {lst["id"]: {"id": lst["id"], "title": lst.get("title")} for lst in self.nodes_any("SourceList", keys=cited)}
        return Neighbourhood(same, matters, rels, agencies, regions, lists,
                             governments[0]["id"] if governments else None,
                             {k: sorted(v) for k, v in stationed.items()}, township, county)

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many nodes of each label and relations of each type."""

    @abstractmethod
    def data_version(self) -> int:
        """A number that changes with every committed ``apply``, whoever wrote: what caches of derived data (the
        networkx view, search indexes) are keyed on. Negative when the store cannot tell (then nothing is cached)."""

    def identity(self) -> str | None:
        """What tells this store from any other for caches kept outside the process (``api/index_cache.py``), with
        ``data_version``; None when it cannot tell (then nothing is kept)."""
        return None

    @abstractmethod
    def content(self) -> list[tuple]:
        """Every node and relation as plain values (``graph/values.py``), sorted: what "the store is unchanged"
        compares, and the same on every store for the same data."""

    @abstractmethod
    def schema_version(self) -> int:
        """The layout version the store records (``graph/migrations.py``): 0 for an empty store, 1 for one made before
        versions were recorded."""

    def backup(self, target: str | Path, attempts: int = 3) -> Path:
        """Copy the last committed state into the new embedded store file ``target``: here, every node and relation
        read through this interface, taken again when a load committed meanwhile (the data version moved), at most
        ``attempts`` times. The embedded store overrides it with SQLite's online backup."""
        from quanze.graph.copy import copy_store
        from quanze.graph.sqlite_store import SqliteStore

        path = Path(target)
        for _ in range(attempts):
            before = self.data_version()
            path.unlink(missing_ok=True)
            with SqliteStore(f"sqlite:///{path}") as copy:
                copy_store(self, copy)
            if self.data_version() == before:
                return path
        raise StoreError(f"备份期间 {self.url} 一直在被写入（{attempts} 次），请在导入结束后再备份",
                         f"{self.url} kept changing while it was backed up ({attempts} tries); back up after the load")

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

    def matter_recall(self) -> Callable[[list[str]], list[str]] | None:
        """The store's own full-text index for matter search, as a function: terms (character pairs, Latin words) in,
        ids of the matters holding any of them out. None when the store has none: search then reads every matter
        in-process (the embedded store)."""
        return None

    def networkx(self) -> "nx.MultiDiGraph":
        """The whole graph for traversals (``build_networkx``), rebuilt only when the data version changed. The data
        version is read before the graph, so a write landing while the graph is read makes the next call rebuild."""
        version = self.data_version()
        if version >= 0 and self._view is not None and self._view[0] == version:
            return self._view[1]
        g = self.build_networkx()
        self._view = (version, g) if version >= 0 else None
        return g

    def shortest_routes(self, source: str, target: str, kinds: Sequence[str] | None = None, *, max_hops: int = 6,
                        all_shortest: bool = False, limit: int = 20) -> list[Route]:
        """The shortest routes between two nodes (``"Label:key"``), following relations of ``kinds`` (default: all)
        in either direction, at most ``max_hops`` steps; empty when there is none.

        Every store answers alike: among equally short routes, the first by their sequence of node ids (the first
        ``limit`` with ``all_shortest``); per step, of the relations linking the two nodes, the first by (id, type).
        This one walks the networkx view; the Neo4j store asks the server."""
        types, hops = route_query(kinds, max_hops)
        g = self.networkx()
        if source not in g or target not in g:
            return []
        if source == target:
            return [Route((source,), ())]
        return _networkx_routes(g, source, target, types, hops, limit if all_shortest else 1)


def _networkx_routes(g: "nx.MultiDiGraph", source: str, target: str, types: tuple[str, ...], hops: int,
                     limit: int) -> list[Route]:
    """``Store.shortest_routes`` in the networkx view (``bfs_routes`` over its adjacency)."""
    allowed = set(types)
    every_type = allowed >= set(SCHEMA.relation_types)

    def neighbours(node: str) -> Iterator[str]:
        for adjacent in (g.succ[node], g.pred[node]):
            if every_type:
                yield from adjacent
            else:
                yield from (n for n, edges in adjacent.items() if any(e["type"] in allowed for e in edges.values()))

    return bfs_routes(neighbours, lambda u, v: _networkx_link(g, u, v, allowed), source, target, hops, limit)


def bfs_routes(neighbours: Callable[[str], Iterable[str]], link: Callable[[str, str], Rel], source: str, target: str,
               hops: int, limit: int, expand: Callable[[list[str]], None] | None = None) -> list[Route]:
    """The shortest routes from ``source`` to ``target``: breadth first from both ends, a layer at a time from the
    smaller side, until the two meet (only the nodes near the two ends are visited, not the whole county); then the
    walk in order (``first_routes``) over the nodes that lie on a shortest route. ``neighbours(node)``: the nodes one
    relation away; ``link(u, v)``: the relation a step takes; ``expand(layer)``: told each layer before its
    neighbours are asked (a store reads a layer's neighbours at once)."""
    ahead, behind = {source: 0}, {target: 0}  # steps from the source, steps to the target
    layer, depth = {True: [source], False: [target]}, {True: 0, False: 0}  # True: the source's side
    met: list[str] = []
    while layer[True] and layer[False] and not met and depth[True] + depth[False] < hops:
        side = len(layer[True]) <= len(layer[False])
        seen, other = (ahead, behind) if side else (behind, ahead)
        depth[side] += 1
        if expand is not None:
            expand(layer[side])
        layer[side] = list(dict.fromkeys(n for node in layer[side] for n in neighbours(node) if n not in seen))
        seen.update(dict.fromkeys(layer[side], depth[side]))
        met = [n for n in layer[side] if n in other]
    if not met:
        return []
    length = min(ahead[n] + behind[n] for n in met)
    known = depth[False]  # every node this close to the target is in ``behind``
    memo: dict[tuple[str, int], bool] = {}

    def on_route(node: str, remaining: int) -> bool:
        """``node`` is ``remaining`` steps from the target (asked of nodes ``length - remaining`` from the source)."""
        if node in behind:
            return behind[node] == remaining
        if remaining <= known or ahead.get(node) != length - remaining:
            return False
        if (node, remaining) not in memo:
            memo[node, remaining] = any(on_route(n, remaining - 1) for n in neighbours(node))
        return memo[node, remaining]

    def closer(node: str, remaining: int) -> list[str]:
        return sorted({n for n in neighbours(node) if on_route(n, remaining)})

    routes = first_routes(source, target, length, closer, limit)
    return [Route(tuple(r), tuple(link(u, v) for u, v in zip(r, r[1:]))) for r in routes]


def route_query(kinds: Sequence[str] | None, max_hops: int) -> tuple[tuple[str, ...], int]:
    """The relation types (schema types only, checked) and the hop bound (an int, at least 1) of a route query."""
    types = tuple(dict.fromkeys(SCHEMA.relation(k).type for k in kinds)) if kinds else SCHEMA.relation_types
    hops = int(max_hops)
    if hops < 1:
        raise ValueError(f"max_hops must be at least 1, not {max_hops!r}")
    return types, hops


def first_routes(source: str, target: str, length: int, closer: Callable[[str, int], list[str]],
                 limit: int) -> list[list[str]]:
    """The first ``limit`` routes of ``length`` steps from ``source`` to ``target``, in order of their node sequences.
    ``closer(node, remaining)`` gives, sorted, the neighbours of ``node`` that are ``remaining`` steps from the
    target; a depth-first walk over them in that order meets the routes in order and never runs into a dead end."""
    routes: list[list[str]] = []
    route = [source]

    def walk() -> None:
        remaining = length - len(route)
        for node in closer(route[-1], remaining):
            route.append(node)
            if remaining == 0:
                routes.append(list(route))
            else:
                walk()
            route.pop()
            if len(routes) >= limit:
                return

    walk()
    return routes


def link_order(rel: Rel) -> tuple[str, str]:
    """Of several relations linking the same two nodes, a route's step takes the first in this order."""
    return rel.id, rel.type


def _networkx_link(g: "nx.MultiDiGraph", u: str, v: str, allowed: set[str]) -> Rel:
    links = [Rel(data["type"], rid, s.split(":", 1)[1], t.split(":", 1)[1],
                 {k: value for k, value in data.items() if k != "type"})
             for s, t in ((u, v), (v, u)) for rid, data in (g.get_edge_data(s, t) or {}).items()
             if data["type"] in allowed]
    return min(links, key=link_order)


def store_url(url: str | None = None) -> str:
    """The store URL: the one given, else $QUANZE_STORE, else ./quanze.db."""
    return url or settings.value("QUANZE_STORE")


def is_neo4j(url: str) -> bool:
    return url.split("://", 1)[0] in NEO4J_SCHEMES


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store a URL names: ``sqlite:///path.db`` (or a plain path ending .db), ``bolt://``/``neo4j://``.

    ``create=False`` is for commands that only read: an embedded store that does not exist is then a ``NoStore``
    error that says how to make one, instead of a new empty file. A Neo4j store gets its settings from
    ``QUANZE_NEO4J_*`` (``quanze/settings.py``)."""
    url = store_url(url)
    if url.startswith("sqlite:") or url.endswith(".db") or url == ":memory:":
        from quanze.graph.sqlite_store import SqliteStore, sqlite_path

        path = sqlite_path(url)
        if not create and path != ":memory:" and not Path(path).exists():
            raise NoStore(f"存储 {url} 不存在：先用 quanze demo（示例县）或 quanze ingest 导入数据，或用 --store 指定已有的存储",
                          f"the store {url} does not exist: load data with quanze demo (the demo county) or "
                          "quanze ingest first, or point --store at an existing store")
        return SqliteStore(url, write=create)
    if is_neo4j(url):
        from quanze.graph.neo4j_store import Neo4jStore

        return Neo4jStore(url, user=settings.value("QUANZE_NEO4J_USER") or None,
                          password=settings.value("QUANZE_NEO4J_PASSWORD"),
                          database=settings.value("QUANZE_NEO4J_DATABASE") or None,
                          batch_size=settings.value("QUANZE_NEO4J_BATCH"),
                          recall_limit=settings.value("QUANZE_RECALL_LIMIT"), write=create)
    raise StoreError(
        f"无法识别的存储地址「{url}」：应为 sqlite:///路径.db 或 bolt://主机:端口",
        f"unrecognised store URL {url!r}: expected sqlite:///path.db or bolt://host:port",
    )
