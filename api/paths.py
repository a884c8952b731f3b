"""Responsibility paths between any two things in the graph: an agency, a township, a matter, a department.

Relations are followed in either direction (``县住建局 -DELEGATES-> 事项 <-UNDERTAKES- 综合行政执法大队 -BELONGS_TO->
城关镇``) and every step reports the relation's real direction, so the path reads as sentences. The store finds the
routes (``Store.shortest_routes``: the embedded store in its networkx view, Neo4j in Cypher), both choosing alike among
equally short routes, so every store gives the same answer.
"""

from __future__ import annotations

from typing import Any

from quanze.api import inputs, versions
from quanze.api.inputs import NodeRef, node_name
from quanze.errors import NoPath
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Route, Store


def find_paths(store: Store, source: str, target: str, *, via: list[str] | None = None, max_hops: int = 6,
               all_shortest: bool = False, limit: int = 20, within: str | None = None,
               as_of: Any = None) -> dict[str, Any]:
    """The shortest path (or all shortest paths) between two nodes, up to ``max_hops`` relations, in the graph of
    the list versions in force on ``as_of`` (default today; docs/domain.md §4.10)."""
    kinds = inputs.relation_kinds(via)
    max_hops = inputs.count(max_hops, "max_hops", 1, 20)
    date = inputs.date(as_of)
    a, b = inputs.node(store, source, within), inputs.node(store, target, within)
    graph, _ = versions.as_of(store, date)
    routes = graph.shortest_routes(a.key, b.key, kinds, max_hops=max_hops, all_shortest=all_shortest, limit=limit)
    if not routes:
        via_zh = f"（只经过 {'、'.join(kinds)}）" if kinds else ""
        via_en = f" (through {', '.join(kinds)} only)" if kinds else ""
        raise NoPath(f"「{a.name}」与「{b.name}」之间在 {max_hops} 跳内没有责任路径{via_zh}",
                     f"no responsibility path between {a.name!r} and {b.name!r} within {max_hops} hops{via_en}")
    names: dict[str, str] = {}  # routes share nodes: each name is read once
    paths = [_describe(store, route, names) for route in routes]
    return {"from": a.to_dict(), "to": b.to_dict(), "via": kinds, "max_hops": max_hops, "as_of": date.isoformat(),
            "paths": paths,
            "versions": versions.versions_used(store, [s["list"] for p in paths for s in p["steps"]])}


def _describe(store: Store, route: Route, names: dict[str, str]) -> dict[str, Any]:
    nodes = []
    for key in route.nodes:
        label, k = key.split(":", 1)
        if key not in names:
            names[key] = node_name(store, label, k)
        nodes.append(NodeRef(key, label, names[key]).to_dict())
    steps = []
    for u, rel in zip(route.nodes, route.steps):
        forward = u == f"{SCHEMA.relation(rel.type).source}:{rel.source}"
        steps.append({"type": rel.type, "from": rel.source, "to": rel.target, "forward": forward, "relation": rel.id,
                      "region": rel.props.get("region"), "list": rel.props.get("list_id"), "file": rel.props.get("file"),
                      "row": rel.props.get("row")})
    return {"hops": len(steps), "nodes": nodes, "steps": steps}
