"""The view of a township (or a county): its bodies, the units stationed in it, and the matters its lists assign.

A township: the township, its county, its government and every office, institution and team (each hanging from its
parent body when it has one, else from the township), the dispatched units stationed in it with their departments,
and the matters its lists put there — recalled (收回), delegated to it (下放, with the unit that undertakes it), led by
one of its own bodies (牵头), or cooperated on (配合) — with every relation of those matters in the township.

A county: the county, its townships, its departments and their units (dispatched units with the townships they are
stationed in), and the matters its departments' lists hold at county level.

Matters are capped (``limit``): taken in turn from each group (recalled, delegated, led, cooperated) so that every
group stays visible, and the page says how many of each were left out.
"""

from __future__ import annotations

from quanze.api.inputs import held_region
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel, Store
from quanze.viz.view import DEFAULT_LIMIT, GraphView, check_limit, take_round_robin

ROLE_GROUPS = {"recalled": ("收回", "recalled"), "delegated": ("下放", "delegated"), "leads": ("牵头", "led"),
               "cooperates": ("配合", "cooperated on")}
STRUCTURE = ("UNIT_OF", "STATIONED_IN", "CO_LOCATED_WITH")


def region_matters(store: Store, code: str) -> tuple[dict[str, list[str]], list[Rel]]:
    """The matters the lists assign in a region, grouped by what the region does with them (a matter in its first
    group only), and the relations doing so."""
    rels: list[Rel] = []
    for t in SCHEMA.duty_types:
        rels += store.rels(t, region=code)
    own = {a["id"] for a in store.nodes("Agency", region=code)}
    pairs = []
    for r in rels:
        if r.type == "RECALLED_TO":
            pairs.append((r.source, "recalled"))
        elif r.type in ("DELEGATES", "UNDERTAKES"):
            pairs.append((r.target, "delegated"))
        else:
            pairs.append((r.target, "leads" if r.type == "LEADS" and r.source in own else "cooperates"))
    groups = grouped(store, pairs, list(ROLE_GROUPS))
    return groups, rels


def grouped(store: Store, pairs: list[tuple[str, str]], order: list[str]) -> dict[str, list[str]]:
    """(matter, group) pairs as groups in ``order``, each matter in its first group only, sorted by name."""
    group: dict[str, str] = {}
    for matter, g in pairs:
        if matter not in group or order.index(g) < order.index(group[matter]):
            group[matter] = g
    names = {m: (store.node("Matter", m) or {}).get("name") or m for m in group}
    out: dict[str, list[str]] = {g: [] for g in order}
    for m in sorted(group, key=lambda m: (names[m], m)):
        out[group[m]].append(m)
    return out


def add_structure(view: GraphView, agencies: list[dict], region_node: str) -> None:
    """Bodies of a region: each hangs from its parent in the region when it has one, else from the region."""
    ids = {a["id"] for a in agencies}
    for a in agencies:
        view.agency(a["id"])
    for a in agencies:
        parents = [r for r in view.store.rels("UNIT_OF", source=a["id"]) if r.target in ids]
        for r in parents:
            view.relation(r, "Agency", "Agency")
        if not parents:
            for r in view.store.rels("BELONGS_TO", source=a["id"]):
                view.link(view.agency(a["id"]), region_node, "BELONGS_TO", r)
        for r in view.store.rels("CO_LOCATED_WITH", source=a["id"]):
            view.relation(r, "Agency", "Agency")


def region_view(store: Store, name: str, *, within: str | None = None, limit: int = DEFAULT_LIMIT) -> GraphView:
    held = held_region(store, name, within)
    code = held["code"]
    township = held.get("level") == "township"
    view = GraphView(store, "township" if township else "county", held["name"], home=code if township else None)
    here = view.region(code, focus=True)
    if township:
        for r in store.rels("PART_OF", source=code):
            view.relation(r, "Region", "Region")
    else:
        for r in store.rels("PART_OF", target=code):
            view.relation(r, "Region", "Region")
    add_structure(view, store.nodes("Agency", region=code), here)
    stationed = store.rels("STATIONED_IN", target=code) if township else \
        [r for a in store.nodes("Agency", region=code, kind="dispatched_unit")
         for r in store.rels("STATIONED_IN", source=a["id"])]
    for r in stationed:
        view.relation(r, "Agency", "Region")
        for parent in store.rels("UNIT_OF", source=r.source):
            view.relation(parent, "Agency", "Agency")
    add_matters(view, *region_matters(store, code), limit=limit, where=held["name"])
    return view


def add_matters(view: GraphView, groups: dict[str, list[str]], rels: list[Rel], *, limit: int, where: str,
                labels: dict[str, tuple[str, str]] = ROLE_GROUPS) -> None:
    """The capped matters and their relations, with a note of what each group (named by ``labels``) holds and what
    was left out."""
    chosen = set(take_round_robin(groups, check_limit(limit)))
    for m in sorted(chosen):
        view.matter(m)
    for r in rels:
        if r.type == "RECALLED_TO":
            if r.source in chosen:
                view.relation(r, "Matter", "Agency")
                if view.home:  # a township view: the matter was the township's until taken back
                    view.link(f"Region:{view.home}", f"Matter:{r.source}", "RECALLED_TO", r)
        elif r.target in chosen:
            view.relation(r, "Agency", "Matter")
    total = sum(len(g) for g in groups.values())
    view.omitted = total - len(chosen)
    part_zh = "，".join(f"{labels[g][0]} {len(ids)}" for g, ids in groups.items() if ids)
    part_en = ", ".join(f"{labels[g][1]} {len(ids)}" for g, ids in groups.items() if ids)
    zh = f"{where}的清单涉及 {total} 项事项（{part_zh or '无'}），显示 {len(chosen)} 项"
    en = f"the lists of {where} name {total} matters ({part_en or 'none'}); {len(chosen)} shown"
    if view.omitted:
        left = {g: len([m for m in ids if m not in chosen]) for g, ids in groups.items()}
        zh += f"，另有 {view.omitted} 项未显示（" + "，".join(f"{labels[g][0]} {n}" for g, n in left.items() if n) \
            + f"；用 --limit（HTTP：limit）调整，当前 {limit}）"
        en += f"; {view.omitted} more not shown (" + ", ".join(f"{labels[g][1]} {n}" for g, n in left.items()
                                                               if n) + f"; raise --limit, now {limit})"
    view.note(zh, en)
