"""A graph view being built: a pyvis ``Network`` filled from the store, with tooltips, merged edges, a legend and the
notes the page shows (what was left out, and why).

Node ids are the networkx view's ``Label:key`` (``Agency:990701/青岚县住房和城乡建设局``), the ids ``api.paths`` reports.
Several relations of one type between the same two nodes — a department delegating one matter to 20 townships —
become one edge labelled ``下放 ×20`` whose tooltip lists the townships, the details and the source rows.
Tooltips are plain text: the page shows them as text, never as HTML (``viz.page``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyvis.network import Network

from quanze.graph.list_kinds import SOURCE_KINDS
from quanze.api import inputs
from quanze.graph.schema import AGENCY_KINDS
from quanze.graph.store import Rel, Store
from quanze.viz.style import Look, category_color, category_label, node_look, rel_look

DEFAULT_LIMIT = 60  # matters (or findings) a view shows; the page says how many more there were
MAX_LIMIT = 10_000  # a county's every matter fits; more would be a page nobody can read
MATTER_LABEL_CHARS = 18
FIELD_CHARS = 300
SOURCES_SHOWN = 5
REGIONS_SHOWN = 12
DETAILS_SHOWN = 8

VIEW_KINDS = {
    "township": ("乡镇视图", "township view"), "county": ("县视图", "county view"),
    "agency": ("机构视图", "agency view"), "matter": ("事项视图", "matter view"),
    "path": ("责任路径", "responsibility path"), "audit": ("审计发现", "audit findings"),
}

# relation properties worth a line in a tooltip: (property, Chinese, English)
DETAILS = (
    ("agency_text", "清单写作", "as written"), ("duty", "职责", "duty"), ("legal_basis", "依据", "legal basis"),
    ("scope", "管理权限", "scope"), ("mode", "方式", "mode"), ("document", "文号", "document"),
    ("batch", "批次", "batch"), ("effective", "生效", "effective"), ("recalled", "收回日期", "recalled on"),
    ("undertaker_text", "承接单位", "undertaker"), ("way", "工作方式", "how the township helps"),
    ("management", "管理方式", "management"), ("parent_text", "上级写作", "parent as written"),
    ("period", "期间", "period"), ("count", "件数", "cases"),
)
STAFFING_ZH = {"admin": "行政", "inst": "事业", "law": "政法"}

OPTIONS: dict[str, Any] = {
    "nodes": {"font": {"size": 14}, "borderWidth": 1, "size": 14},
    "edges": {"font": {"size": 11, "align": "middle", "strokeWidth": 3, "strokeColor": "#ffffff"},
              "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
              "smooth": {"enabled": True, "type": "continuous"},
              "color": {"inherit": False}},
    "physics": {"solver": "barnesHut",
                "barnesHut": {"gravitationalConstant": -9000, "centralGravity": 0.4, "springLength": 180,
                              "springConstant": 0.04, "avoidOverlap": 0.2},
                "stabilization": {"enabled": True, "iterations": 1000, "fit": True}, "minVelocity": 0.75},
    "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True, "keyboard": {"enabled": True}},
}


def clip(value: Any, chars: int = FIELD_CHARS) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= chars else text[: chars - 1] + "…"


def source_text(props: dict[str, Any]) -> str | None:
    """``file[sheet] 第N行`` for anything carrying provenance, None without a file."""
    if not props.get("file"):
        return None
    sheet = f"[{props['sheet']}]" if props.get("sheet") else ""
    row = f" 第{props['row']}行" if props.get("row") is not None else ""
    return f"{props['file']}{sheet}{row}"


def _listed(label: str, items: list[str], shown: int, sep: str = "、") -> str:
    more = f"{sep}…（共 {len(items)} total）" if len(items) > shown else ""
    return f"{label}: {sep.join(items[:shown])}{more}"


def check_limit(limit: int) -> int:
    """How many matters or findings a view may show (``api.inputs.count``: at least 1, at most 1000)."""
    return inputs.count(limit, "limit", 1, MAX_LIMIT)


def take_round_robin(groups: dict[str, list[str]], limit: int) -> list[str]:
    """Up to ``limit`` ids taking one from each group in turn (groups in their order, ids in theirs), so a cap
    leaves every kind visible; an id in several groups is taken once."""
    chosen: dict[str, None] = {}
    queues = [list(ids) for ids in groups.values()]
    while len(chosen) < limit and any(queues):
        for queue in queues:
            while queue and queue[0] in chosen:
                queue.pop(0)
            if queue and len(chosen) < limit:
                chosen[queue.pop(0)] = None
    return list(chosen)


@dataclass
class _Edge:
    options: dict[str, Any]  # the pyvis edge, updated as relations join it
    look: Look
    label: str
    count: int = 0
    lapsed: int = 0
    regions: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rels: set[str] = field(default_factory=set)  # ids of the relations drawn, each counted once


class GraphView:
    """One view: ``net`` (a pyvis Network), the page's title in both languages, notes, and the legend entries of the
    kinds it shows. ``home`` is the township a township view is about: its agencies need no township prefix."""

    def __init__(self, store: Store, kind: str, subject: str, *, home: str | None = None):
        self.store, self.kind, self.home = store, kind, home
        self.notes: list[tuple[str, str]] = []
        self.omitted = 0  # matters or findings the limit left out
        self.focus: list[str] = []
        self.legend_nodes: dict[str, tuple[str, str, str, str]] = {}  # key → (zh, en, color, shape)
        self.legend_edges: dict[str, Look] = {}
        self.net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
        self.net.options = {k: dict(v) for k, v in OPTIONS.items()}
        self._edges: dict[tuple[str, str, str, str], _Edge] = {}
        self._names: dict[str, str] = {}
        self._region_names: dict[str, str] = {}
        self.retitle(subject)

    def retitle(self, subject: str) -> None:
        zh, en = VIEW_KINDS[self.kind]
        self.subject, self.title_zh, self.title_en = subject, f"{subject} · {zh}", f"{subject} — {en}"
        self.net.heading = f"{self.title_zh} / {self.title_en}"

    # --- nodes ---------------------------------------------------------------------------------------------------

    def has(self, node_id: str) -> bool:
        return node_id in self.net.node_map

    def node_ids(self, label: str | None = None) -> list[str]:
        return [n for n in self.net.node_ids if label is None or n.startswith(f"{label}:")]

    def note(self, zh: str, en: str) -> None:
        self.notes.append((zh, en))

    def add(self, node_id: str, name: str, legend: str, look: Look, lines: Iterable[str | None], *,
            label: str | None = None, focus: bool = False, **options: Any) -> str:
        """A node (once: a second call only adds the focus); ``lines`` make its tooltip, empty ones dropped."""
        if not self.has(node_id):
            self.legend_nodes.setdefault(legend, (look.zh, look.en, look.color, look.shape))
            if look.dashes:
                options.setdefault("shapeProperties", {"borderDashes": [5, 4]})
            self.net.add_node(node_id, label=label or name, shape=look.shape, color=look.color,
                              title="\n".join(line for line in lines if line), **options)
            self._names[node_id] = name
        if focus and node_id not in self.focus:
            self.focus.append(node_id)
            self.net.node_map[node_id].update(borderWidth=4, size=30, mass=3, font={"size": 20})
        return node_id

    def region_name(self, code: str | None) -> str:
        if not code:
            return ""
        if code not in self._region_names:
            p = self.store.node("Region", code)
            self._region_names[code] = p["name"] if p else code
        return self._region_names[code]

    def region(self, code: str, *, focus: bool = False, extra: Iterable[str] = ()) -> str:
        p = self.store.node("Region", code) or {"code": code, "name": code}
        level = p.get("level") or ("county" if len(code) == 6 else "township")
        look = node_look(level)
        lines = [p["name"], f"区划代码 code: {code}", f"类别 kind: {p.get('kind') or look.zh}（{look.en}）",
                 f"全称 full name: {p['full_name']}{p['name']}" if p.get("full_name") else None,
                 f"标签 tags: {'、'.join(p['tags'])}" if p.get("tags") else None, *extra, _source_line(p)]
        return self.add(f"Region:{code}", p["name"], level, look, lines, focus=focus)

    def agency(self, agency_id: str, *, focus: bool = False) -> str:
        p = self.store.node("Agency", agency_id) or {"id": agency_id, "name": agency_id, "kind": "unresolved",
                                                      "region": agency_id.split("/", 1)[0]}
        kind = p.get("kind") or "unresolved"
        region = str(p.get("region") or "")
        label = p["name"]
        if len(region) == 9 and region != self.home and not label.startswith(self.region_name(region)):
            label = f"{self.region_name(region)}·{label}"  # 漆园乡·综合行政执法大队: every township has one
        staffing = [f"{STAFFING_ZH[k]} {p.get(k + '_quota', '—')}/{p.get(k + '_actual', '—')}" for k in STAFFING_ZH
                    if p.get(k + "_quota") is not None or p.get(k + "_actual") is not None]
        lines = [p["name"], f"类别 kind: {AGENCY_KINDS.get(kind, kind)}",
                 f"所在地区 region: {self.region_name(region)}（{region}）" if region else None,
                 f"编号 id: {p['id']}",
                 f"挂牌 plaques: {'、'.join(p['plaques'])}" if p.get("plaques") else None,
                 f"简称 short names: {'、'.join(p['short_names'])}" if p.get("short_names") else None,
                 f"管理方式 management: {p['management']}" if p.get("management") else None,
                 f"编制/实有 quota/actual: {'，'.join(staffing)}" if staffing else None,
                 f"持证执法人员 certified enforcers: {p['certified_enforcers']}"
                 if p.get("certified_enforcers") is not None else None,
                 f"备注 remarks: {clip(p['remarks'])}" if p.get("remarks") else None, _source_line(p)]
        return self.add(f"Agency:{p['id']}", label, kind, node_look(kind), lines, label=label, focus=focus)

    def matter(self, matter: str | dict[str, Any], *, focus: bool = False) -> str:
        p = matter if isinstance(matter, dict) else (self.store.node("Matter", matter)
                                                      or {"id": matter, "name": matter})
        category = p.get("category")
        zh, en = category_label(category)
        look = Look(zh, en, category_color(category), "dot")
        lines = [p["name"], f"类型 category: {category or '非权力职责 non-power duty'}",
                 f"事项编码 code: {p['code']}" if p.get("code") else None,
                 f"子项 sub-item: {p['sub_item']}" if p.get("sub_item") else None,
                 f"领域 domain: {p['domain']}" if p.get("domain") else None,
                 f"依据 legal basis: {clip(p['legal_basis'])}" if p.get("legal_basis") else None,
                 f"编号 id: {p['id']}"]
        return self.add(f"Matter:{p['id']}", p["name"], f"matter:{category or ''}", look, lines,
                        label=clip(p["name"], MATTER_LABEL_CHARS), focus=focus)

    # --- edges ---------------------------------------------------------------------------------------------------

    def link(self, source: str, target: str, rel_type: str, rel: Rel | None = None, *, label: str | None = None,
             lines: Iterable[str] = (), lapsed: bool = False) -> None:
        """An edge ``source → target`` labelled with the relation's Chinese word (or ``label``); a relation joining
        an edge already there adds its region, details and source row to it and counts ``×N``. ``lapsed`` marks a
        relation no longer in force (a recalled delegation): an edge of lapsed relations only is dashed."""
        look = rel_look(rel_type)
        key = (source, target, rel_type, label or look.zh)
        edge = self._edges.get(key)
        if edge is None:
            self.legend_edges.setdefault(rel_type, look)
            self.net.add_edge(source, target, color=look.color, dashes=look.dashes)
            edge = self._edges[key] = _Edge(self.net.edges[-1], look, label or look.zh)
        if rel is not None:
            if rel.id in edge.rels:
                return
            edge.rels.add(rel.id)
        edge.count += 1
        edge.lapsed += bool(lapsed)
        props = rel.props if rel else {}
        region = self.region_name(props.get("region"))
        if region and region not in edge.regions:
            edge.regions.append(region)
        for line in [*_details(props), *lines]:
            if line not in edge.details:
                edge.details.append(line)
        src = source_text(props)
        if src and src not in edge.sources:
            edge.sources.append(src)
        self._draw(source, target, edge)

    def _draw(self, source: str, target: str, edge: _Edge) -> None:
        look = edge.look
        title = [f"{look.zh} {look.en}: {self._names[source]} → {self._names[target]}"]
        if edge.count > 1:
            title[0] += f"（{edge.count} 条 relations）"
        if edge.regions:
            title.append(_listed(f"地区 regions ({len(edge.regions)})", edge.regions, REGIONS_SHOWN))
        title += edge.details[:DETAILS_SHOWN] + (["…"] if len(edge.details) > DETAILS_SHOWN else [])
        if edge.sources:
            title.append(_listed(f"来源 sources ({len(edge.sources)})", edge.sources, SOURCES_SHOWN, "；"))
        edge.options.update(label=edge.label + (f" ×{edge.count}" if edge.count > 1 else ""), title="\n".join(title),
                            width=1 + min(edge.count, 16) ** 0.5,
                            dashes=look.dashes or edge.lapsed == edge.count)

    def relation(self, rel: Rel, source_label: str, target_label: str, **kw: Any) -> None:
        """A relation of the store as an edge in its own direction, adding both ends as nodes."""
        self.link(self.node(source_label, rel.source), self.node(target_label, rel.target), rel.type, rel, **kw)

    def node(self, label: str, key: str, *, focus: bool = False) -> str:
        """Any node by its label and key."""
        if label == "Region":
            return self.region(key, focus=focus)
        if label == "Agency":
            return self.agency(key, focus=focus)
        return self.matter(key, focus=focus)

    def counts(self) -> dict[str, int]:
        return {"nodes": len(self.net.nodes), "edges": len(self.net.edges)}


def _source_line(props: dict[str, Any]) -> str | None:
    src = source_text(props)
    return f"来源 source: {src}" if src else None


def _details(props: dict[str, Any]) -> list[str]:
    out = []
    if props.get("list_kind"):
        out.append(f"清单 list: {SOURCE_KINDS.get(props['list_kind'], (props['list_kind'],))[0]}")
    for key, zh, en in DETAILS:
        value = props.get(key)
        if value is not None and value != "":
            out.append(f"{zh} {en}: {clip(value.isoformat() if isinstance(value, dt.date) else value)}")
    return out
