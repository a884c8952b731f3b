"""The view of the responsibility paths between two things: every shortest path ``api.paths.find_paths`` finds (up
to ``PATHS``), drawn together, each relation in its real direction with its details and source row."""

from __future__ import annotations

from quanze.api.paths import find_paths
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel, Store
from quanze.viz.view import GraphView

PATHS = 10


def path_view(store: Store, source: str, target: str, *, within: str | None = None, via: list[str] | None = None,
              max_hops: int = 6) -> GraphView:
    data = find_paths(store, source, target, via=via, max_hops=max_hops, all_shortest=True, limit=PATHS,
                      within=within)
    view = GraphView(store, "path", f"{data['from']['name']} → {data['to']['name']}")
    for end in (data["from"], data["to"]):
        view.node(end["label"], end["id"], focus=True)
    for path in data["paths"]:
        for step in path["steps"]:
            kind = SCHEMA.relation(step["type"])
            rel = next((r for r in store.rels(step["type"], source=step["from"], target=step["to"])
                        if r.id == step["relation"]), None)
            view.relation(rel or Rel(step["type"], step["relation"], step["from"], step["to"], step), kind.source,
                          kind.target)
    paths, hops = len(data["paths"]), data["paths"][0]["hops"]
    more_zh = f"（最多显示 {PATHS} 条）" if paths >= PATHS else ""
    more_en = f" (at most {PATHS} shown)" if paths >= PATHS else ""
    view.note(f"{paths} 条最短路径，每条 {hops} 跳{more_zh}；箭头为关系的真实方向",
              f"{paths} shortest path(s) of {hops} hop(s){more_en}; arrows show each relation's real direction")
    return view
