"""The view of one matter: who handles it in each township, so the pattern of delegation across townships shows.

Each township with a list row on the matter is a node joined to the matter by what its lists say there: 承接 (the
matter is delegated to it; the tooltip names the undertaking unit, the document and the dates; dashed when not in
force on the date asked: 承接·未生效 before it takes effect, 承接·已失效 once recalled), 收回 (taken back from it), 牵头 or 配合 (one of its own bodies leads or
cooperates), 办件 N (cases handled). County departments are joined to the matter once per role (``下放 ×20``), their
tooltips listing the townships. A township's tooltip also says who handles the matter there today, by docs/domain.md's
rules (``api.resolve``), and the notes name the townships no list mentions.

The matter is found by id, code or exact name, else by search (the best hit, the runners-up named in the notes); the
same item under several ids (same normalised name) is drawn as one.
"""

from __future__ import annotations

import datetime as dt

from quanze.api.inputs import held_region, question
from quanze.api.resolve import Resolver, delegation_state, role_label, rule_label
from quanze.api.who import matter_index
from quanze.errors import NotFound
from quanze.graph.matters import norm_matter_name
from quanze.graph.schema import ASSIGNMENT_TYPES
from quanze.graph.store import Store
from quanze.viz.view import GraphView

RUNNERS_UP = 4
# a township's delegation of the matter on the date asked: its role in the pattern notes, and its edge's label
DELEGATION_ROLE = {"in_force": "UNDERTAKES", "pending": "PENDING", "lapsed": "LAPSED"}
DELEGATION_LABEL = {"pending": "承接·未生效", "lapsed": "承接·已失效"}


def find_matter(store: Store, text: str) -> tuple[list[str], list[str]]:
    """The matter's ids (the first is the one found, then any other id of the same item) and, when it was found by
    search, the names of the next best matches."""
    query = question(text)
    runners_up: list[str] = []
    found = [m["id"] for key in (query, f"code:{query}") if (m := store.node("Matter", key))]
    found = found or [m["id"] for m in store.nodes("Matter", code=query) + store.nodes(
        "Matter", norm_name=norm_matter_name(query))]
    if not found:
        hits = matter_index(store).search(query, limit=RUNNERS_UP + 1)
        if not hits:
            raise NotFound(f"图谱中没有与「{text}」相符的事项", f"no matter in the graph matches {text!r}")
        found = [hits[0].matter_id]
        runners_up = [(store.node("Matter", h.matter_id) or {}).get("name") or h.matter_id for h in hits[1:]]
    first = store.node("Matter", found[0]) or {}
    same = [m["id"] for m in store.nodes("Matter", norm_name=first["norm_name"])] if first.get("norm_name") else []
    return list(dict.fromkeys([found[0], *same])), runners_up


def _townships(store: Store, within: str | None) -> list[dict]:
    if not within:
        return store.nodes("Region", level="township")
    region = held_region(store, within)
    if region.get("level") == "township":
        return [region]
    return store.nodes("Region", county_code=region["code"])


def matter_view(store: Store, text: str, *, within: str | None = None, as_of: dt.date | None = None) -> GraphView:
    ids, runners_up = find_matter(store, text)
    date = as_of or dt.date.today()
    townships = {t["code"]: t for t in _townships(store, within)}
    counties = {t.get("county_code") for t in townships.values()}
    first = store.node("Matter", ids[0]) or {"id": ids[0], "name": ids[0]}
    view = GraphView(store, "matter", first["name"])
    m = view.matter(first, focus=True)
    resolver = Resolver(store)
    pattern: dict[str, set[str]] = {}

    def township(code: str, role: str) -> str:
        if code not in pattern:
            res = resolver.resolve(ids, townships[code], date)
            lines = [f"谁负责 who handles（{date.isoformat()}，{rule_label(res.rule)}）:"]
            lines += [f"  {role_label(h.role)}: {h.agency['name']}" for h in res.handlers] or ["  —"]
            view.region(code, extra=lines)
        pattern.setdefault(code, set()).add(role)
        return f"Region:{code}"

    def here(region: str | None) -> bool:
        return region in townships or (region in counties and len(region or "") == 6)

    for mid in ids:
        for t in ASSIGNMENT_TYPES:
            for r in store.rels(t, target=mid):
                if not here(r.props.get("region")):
                    continue
                body = store.node("Agency", r.source) or {}
                if r.props["region"] in townships and body.get("region") == r.props["region"]:
                    view.link(township(r.props["region"], t), m, t, r, lines=[f"机构 body: {body['name']}"])
                else:
                    view.relation(r, "Agency", "Matter")
        for r in store.rels("DELEGATES", target=mid):
            if r.props.get("region") not in townships:
                continue
            state = delegation_state(r, date)
            lapsed = state != "in_force"
            view.relation(r, "Agency", "Matter", lapsed=lapsed)
            unit = (store.node("Agency", r.props.get("undertaker") or "") or {}).get("name")
            view.link(township(r.props["region"], DELEGATION_ROLE[state]), m, "UNDERTAKES", r,
                      lapsed=lapsed, label=DELEGATION_LABEL.get(state),
                      lines=[f"承接单位 undertaker: {unit}"] if unit else [])
        for r in store.rels("RECALLED_TO", source=mid):
            if r.props.get("region") not in townships:
                continue
            view.relation(r, "Matter", "Agency")
            view.link(township(r.props["region"], "RECALLED_TO"), m, "RECALLED_TO", r)
        handled = [r for r in store.rels("HANDLED", target=mid) if r.source in townships]
        for r in handled:
            total = sum(h.props.get("count") or 0 for h in handled if h.source == r.source)
            view.link(township(r.source, "HANDLED"), m, "HANDLED", r, label=f"办件 {total}")
    _pattern_notes(view, pattern, townships, runners_up, len(ids))
    return view


def _pattern_notes(view: GraphView, pattern: dict[str, set[str]], townships: dict[str, dict],
                   runners_up: list[str], ids: int) -> None:
    if runners_up:
        view.note("按搜索找到的最接近事项；其他可能：" + "；".join(runners_up),
                  "the closest match found by search; others: " + "; ".join(runners_up))
    if ids > 1:
        view.note(f"同一事项有 {ids} 个编号，合并显示", f"the same item under {ids} ids, drawn as one")
    roles = {"UNDERTAKES": ("承接下放", "undertake it, delegated"),
             "PENDING": ("的下放尚未生效", "hold a delegation not yet in force"),
             "LAPSED": ("的下放已失效", "hold a lapsed delegation"),
             "RECALLED_TO": ("已收回", "had it recalled"), "LEADS": ("自己牵头", "lead it themselves"),
             "COOPERATES_ON": ("配合", "cooperate on it"), "HANDLED": ("有办件", "report cases")}
    counts = {role: sum(role in r for r in pattern.values()) for role in roles}
    view.note("，".join(f"{n} 个乡镇{roles[k][0]}" for k, n in counts.items() if n) or "没有乡镇的清单涉及此事项",
              ", ".join(f"{n} township(s) {roles[k][1]}" for k, n in counts.items() if n)
              or "no township's list names this matter")
    silent = [t["name"] for code, t in sorted(townships.items()) if code not in pattern]
    if silent and pattern:
        view.note(f"清单未涉及此事项的乡镇（{len(silent)}）：" + "、".join(silent),
                  f"townships whose lists do not name it ({len(silent)}): " + ", ".join(silent))
