"""Responsibility paths between any two things in the graph: an agency, a township, a matter, a department.

Relations are followed in either direction (``县住建局 -DELEGATES-> 事项 <-UNDERTAKES- 综合行政执法大队 -BELONGS_TO->
城关镇``) and every step reports the relation's real direction, so the path reads as sentences. The store finds the
routes (``Store.shortest_routes``: the embedded store in its networkx view, Neo4j in Cypher), both choosing alike among
equally short routes, so every store gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quanze.errors import Ambiguous, LookupFailed, NotFound, QuanzeError
from quanze.graph.lookup import find_agency, find_region
from quanze.graph.matters import norm_matter_name
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Route, Store


class NoPath(QuanzeError):
    """The two nodes are not connected within the hop limit (with the relation kinds allowed)."""


@dataclass(frozen=True)
class NodeRef:
    key: str  # "Label:key" as in the networkx view
    label: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.key.split(":", 1)[1], "label": self.label, "name": self.name}


def _display(store: Store, label: str, key: str) -> str:
    kind = SCHEMA.node(label)
    props = store.node(label, key) or {}
    return str(props.get("name") or props.get("title") or props.get(kind.key) or key)


def find_node(store: Store, text: str, within: str | None = None) -> NodeRef:
    """A node by ``Label:key``, an agency id or name, a region code or name, or a matter id or exact name."""
    text = text.strip()
    if ":" in text and text.split(":", 1)[0] in {n.label for n in SCHEMA.nodes}:
        label, key = text.split(":", 1)
        if store.node(label, key):
            return NodeRef(text, label, _display(store, label, key))
    for label in ("Agency", "Matter", "Region"):
        if store.node(label, text):
            return NodeRef(f"{label}:{text}", label, _display(store, label, text))
    norm = norm_matter_name(text)
    matters = [m for m in store.nodes("Matter", norm_name=norm)]
    if len(matters) == 1:
        return NodeRef(f"Matter:{matters[0]['id']}", "Matter", matters[0]["name"])
    errors: list[LookupFailed] = []
    county = None
    if within:
        region = find_region(store, within)
        county = region.code if region.level == "county" else region.county_code
    for finder, label, scope in ((find_agency, "Agency", within), (find_region, "Region", county)):
        try:
            found = finder(store, text, scope)
        except Ambiguous:
            raise
        except LookupFailed as e:
            errors.append(e)
            continue
        key = found.id if label == "Agency" else found.code
        if store.node(label, key):
            return NodeRef(f"{label}:{key}", label, found.name)
    near = [c for e in errors for c in e.candidates][:5]
    raise NotFound(f"图谱中找不到「{text}」（机构、地区或事项）" + (f"；最接近的：{'、'.join(near)}" if near else ""),
                   f"nothing in the graph is called {text!r} (agency, region or matter)"
                   + (f"; nearest: {', '.join(near)}" if near else ""), near)


def check_kinds(via: list[str] | None) -> list[str] | None:
    if not via:
        return None
    known = SCHEMA.relation_types
    wanted = [v.strip().upper() for part in via for v in part.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise NotFound(f"未知的关系类型：{'、'.join(unknown)}；可用的有：{'、'.join(known)}",
                       f"unknown relation kinds: {', '.join(unknown)}; valid ones: {', '.join(known)}", list(known))
    return wanted


def find_paths(store: Store, source: str, target: str, *, via: list[str] | None = None, max_hops: int = 6,
               all_shortest: bool = False, limit: int = 20, within: str | None = None) -> dict[str, Any]:
    """The shortest path (or all shortest paths) between two nodes, up to ``max_hops`` relations."""
    kinds = check_kinds(via)
    if max_hops < 1:
        raise NotFound("跳数上限至少为1", "the hop limit must be at least 1")
    a, b = find_node(store, source, within), find_node(store, target, within)
    routes = store.shortest_routes(a.key, b.key, kinds, max_hops=max_hops, all_shortest=all_shortest, limit=limit)
    if not routes:
        via_zh = f"（只经过 {'、'.join(kinds)}）" if kinds else ""
        via_en = f" (through {', '.join(kinds)} only)" if kinds else ""
        raise NoPath(f"「{a.name}」与「{b.name}」之间在 {max_hops} 跳内没有责任路径{via_zh}",
                     f"no responsibility path between {a.name!r} and {b.name!r} within {max_hops} hops{via_en}")
    names: dict[str, str] = {}  # routes share nodes: each name is read once
    return {"from": a.to_dict(), "to": b.to_dict(), "via": kinds, "max_hops": max_hops,
            "paths": [_describe(store, route, names) for route in routes]}


def _describe(store: Store, route: Route, names: dict[str, str]) -> dict[str, Any]:
    nodes = []
    for key in route.nodes:
        label, k = key.split(":", 1)
        if key not in names:
            names[key] = _display(store, label, k)
        nodes.append(NodeRef(key, label, names[key]).to_dict())
    steps = []
    for u, rel in zip(route.nodes, route.steps):
        forward = u == f"{SCHEMA.relation(rel.type).source}:{rel.source}"
        steps.append({"type": rel.type, "from": rel.source, "to": rel.target, "forward": forward, "relation": rel.id,
                      "region": rel.props.get("region"), "file": rel.props.get("file"), "row": rel.props.get("row")})
    return {"hops": len(steps), "nodes": nodes, "steps": steps}
