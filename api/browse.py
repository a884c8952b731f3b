"""One agency, one matter, one list, as the web application's browse pages show them (``/agency/{id}``,
``/matter/{id}``, ``/list/{id}``), with the rows behind every statement. Every value typed is read by
``api.inputs``; the rules of who handles what are ``api.resolve``'s, so a page and an answer never disagree.

- ``agency_report``: the agency with its label, kind, plaques, short names, parent and units, the units stationed
  elsewhere and where, staffing (quota against actual, certified enforcers), and its matters by role — leads,
  cooperates, delegates, undertakes, recalled to — each matter once per role with the regions and source rows;
- ``matter_report``: who handles the matter in each township of a county on a date (rule, lead by label, the other
  handlers, the delegation's state, source rows), and the other counties that have it;
- ``list_report``: a list's record (kind, region, owner, title, version, document, effective, file, loaded), the
  assertions it made (current) or kept (replaced, history) with file/sheet/row, its rejected rows, and the other
  versions of the same list.

Long tables are cut at ``limit`` rows (``more`` says how many there are): a county department delegates hundreds of
matters to each of its townships.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quanze.api import inputs
from quanze.api.resolve import Resolver, delegation_state, role_label, rule_label
from quanze.errors import NotFound
from quanze.graph.cache import by_version
from quanze.graph.list_kinds import SOURCE_KINDS
from quanze.graph.schema import AGENCY_KINDS, SCHEMA, STAFFING_KEYS
from quanze.graph.store import Store

DEFAULT_ROWS = 200  # rows a table shows before its "more" link
MAX_ROWS = 100_000
# the roles an agency plays for matters, in the order its page lists them: (relation type, zh, en)
AGENCY_ROLES = (("LEADS", "牵头", "leads"), ("COOPERATES_ON", "配合", "cooperates"), ("ASSISTS", "协助", "assists"),
                ("GUIDES", "指导", "guides"), ("DELEGATES", "下放", "delegates"), ("UNDERTAKES", "承接", "undertakes"),
                ("RECALLED_TO", "收回给本机构", "recalled to it"))
LIST_STATUS = {"current": ("现行", "current"), "replaced": ("已被替换", "replaced"),
               "history": ("历史版本", "history (older, loaded later)")}
DELEGATION_STATE_LABEL = {"in_force": ("有效", "in force"), "pending": ("尚未生效", "not yet in force"),
                          "lapsed": ("已收回", "recalled")}


def rows_limit(value: Any) -> int:
    """How many rows a table shows: ``api.inputs.count`` between 1 and ``MAX_ROWS`` (default ``DEFAULT_ROWS``)."""
    if value in (None, ""):
        return DEFAULT_ROWS
    return inputs.count(value, "limit", 1, MAX_ROWS)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _region(resolver: Resolver, code: str | None) -> dict[str, Any]:
    """A region as pages name it: code and name (never a bare code)."""
    if not code:
        return {"code": None, "name": None}
    return {"code": code, "name": resolver.region_name(code), "township": len(code) == 9}


def _matter(store: Store, matter_id: str) -> dict[str, Any]:
    m = store.node("Matter", matter_id) or {"id": matter_id, "name": matter_id}
    return {"id": m["id"], "name": m["name"], "category": m.get("category"), "code": m.get("code")}


# --- 机构 an agency ---------------------------------------------------------------------------------------------

def agency_report(store: Store, text: str, limit: Any = None) -> dict[str, Any]:
    """Everything the agency page shows, for an agency by id, name, short name, plaque or label (``api.inputs``)."""
    ref = inputs.agency(store, text)
    rows = rows_limit(limit)
    return by_version(store, "agency_report", (ref.id, rows), lambda: _agency(store, ref.id, rows))


def _agency(store: Store, agency_id: str, limit: int) -> dict[str, Any]:
    resolver = Resolver(store)
    p = store.node("Agency", agency_id) or {}
    me = resolver.agency(agency_id)
    units = [resolver.agency(r.source) for r in store.rels("UNIT_OF", target=agency_id)]
    stationed = []
    for unit in [agency_id] + [u["id"] for u in units]:
        for r in store.rels("STATIONED_IN", source=unit):
            stationed.append({"unit": resolver.agency(unit), "region": _region(resolver, r.target),
                              "management": r.props.get("management"), "source": resolver.source(r)})
    for unit in units:
        unit.update({k: v for k, v in (store.node("Agency", unit["id"]) or {}).items() if k in STAFFING_KEYS})
    staffing = {k: p.get(k) for k in STAFFING_KEYS}
    roles = []
    for type_, zh, en in AGENCY_ROLES:
        found = store.rels(type_, target=agency_id) if type_ == "RECALLED_TO" else store.rels(type_, source=agency_id)
        matters: dict[str, dict[str, Any]] = {}
        for r in found:
            mid = r.source if type_ == "RECALLED_TO" else r.target
            row = matters.setdefault(mid, {"matter": None, "regions": {}, "sources": [], "duty": None,
                                           "undertakers": {}, "modes": set()})
            row["regions"][r.props.get("region")] = True
            row["sources"].append(resolver.source(r))
            row["duty"] = row["duty"] or r.props.get("duty") or r.props.get("way")
            if type_ == "DELEGATES" and r.props.get("undertaker"):
                row["undertakers"][r.props["undertaker"]] = True
            if r.props.get("mode"):
                row["modes"].add(r.props["mode"])
        listed = []
        for mid, row in matters.items():
            listed.append({"matter": _matter(store, mid),
                           "regions": [_region(resolver, c) for c in sorted(c for c in row["regions"] if c)],
                           "sources": sorted(row["sources"], key=_source_order), "duty": row["duty"],
                           "modes": sorted(row["modes"]),
                           "undertakers": [resolver.agency(u) for u in list(row["undertakers"])[:3]]})
        listed.sort(key=lambda m: m["matter"]["name"])
        roles.append({"type": type_, "zh": zh, "en": en, "count": len(listed), "relations": len(found),
                      "matters": listed[:limit], "more": max(0, len(listed) - limit)})
    return {
        "id": agency_id, "name": p.get("name"), "label": me["label"], "kind": p.get("kind"),
        "kind_zh": p.get("kind_zh"), "kind_text": AGENCY_KINDS.get(p.get("kind", ""), ""),
        "region": _region(resolver, p.get("region")), "plaques": p.get("plaques") or [],
        "short_names": p.get("short_names") or [], "management": p.get("management"),
        "parents": [resolver.agency(r.target) for r in store.rels("UNIT_OF", source=agency_id)],
        "units": units, "stationed": stationed,
        "co_located_with": [resolver.agency(r.target if r.source == agency_id else r.source)
                            for r in store.rels("CO_LOCATED_WITH", source=agency_id)
                            + store.rels("CO_LOCATED_WITH", target=agency_id)],
        "staffing": staffing, "has_staffing": any(v is not None for v in staffing.values()),
        "roles": roles, "limit": limit,
        "source": ({"list": p.get("list_id"), "file": p.get("file"), "sheet": p.get("sheet"), "row": p.get("row")}
                   if p.get("file") else None),
    }


def _source_order(s: dict[str, Any]) -> tuple:
    return (str(s.get("file") or ""), str(s.get("sheet") or ""), s.get("row") or 0)


# --- 事项 a matter --------------------------------------------------------------------------------------------------

def matter_report(store: Store, text: str, county: str | None = None, as_of: str | dt.date | None = None,
                  limit: Any = None) -> dict[str, Any]:
    """Who handles the matter (by id, code or whole name, ``api.inputs.matter``) in each township of ``county`` (a
    county or one of its townships, by name or code; default the first county with an assertion about it) on
    ``as_of`` (default today)."""
    found = inputs.matter(store, text)
    date = inputs.date(as_of)
    rows = rows_limit(limit)
    wanted = inputs.county_of(store, county) if county else None
    return by_version(store, "matter_report", (found["id"], wanted, date, rows),
                      lambda: _matter_report(store, found, wanted, date, rows))


def _matter_report(store: Store, found: dict[str, Any], wanted: str | None, date: dt.date,
                   limit: int) -> dict[str, Any]:
    resolver = Resolver(store)
    same = store.nodes("Matter", norm_name=found["norm_name"]) if found.get("norm_name") else []
    ids = list(dict.fromkeys([found["id"], *sorted(m["id"] for m in same)]))
    regions: dict[str, int] = {}
    for type_ in SCHEMA.duty_types:
        ends = {"sources": ids} if SCHEMA.matter_end(type_) == "source" else {"targets": ids}
        for r in store.rels_any(type_, **ends):
            code = str(r.props.get("region") or "")
            if code:
                regions[code[:6]] = regions.get(code[:6], 0) + 1
    counties = [{"code": c, "name": resolver.region_name(c), "assertions": n} for c, n in sorted(regions.items())]
    county = wanted or (counties[0]["code"] if counties else None)
    townships = sorted(store.nodes("Region", county_code=county), key=lambda t: t["code"]) if county else []
    table = []
    for t in townships[:limit]:
        res = resolver.resolve(ids, t, date)
        handlers = [h.to_dict() for h in res.handlers]
        delegations = [r for r in store.rels_any("DELEGATES", targets=ids, regions=[t["code"]])]
        table.append({
            "township": {"code": t["code"], "name": t["name"]}, "rule": res.rule, "rule_label": rule_label(res.rule),
            "leads": [h["agency"] for h in handlers if h["role"] == "lead"],
            "others": [{"agency": h["agency"], "role": h["role"], "role_label": role_label(h["role"])}
                       for h in handlers if h["role"] != "lead"],
            "delegations": [{"state": delegation_state(r, date), "department": resolver.agency(r.source),
                             "effective": _iso(r.props.get("effective")), "recalled": _iso(r.props.get("recalled")),
                             "document": r.props.get("document"), "mode": r.props.get("mode") or "下放"}
                            for r in delegations],
            "sources": sorted({_key(s): s for h in handlers for s in h["sources"]}.values(), key=_source_order),
            "conflict": bool(res.conflicts), "overridden": len(res.overridden)})
    return {"matter": {**_matter(store, found["id"]), "legal_basis": found.get("legal_basis")},
            "same_ids": ids[1:], "as_of": date.isoformat(),
            "county": {"code": county, "name": resolver.region_name(county)} if county else None,
            "counties": counties, "townships": table, "more": max(0, len(townships) - limit), "limit": limit,
            "handled": sum(1 for row in table if row["rule"]), "states": DELEGATION_STATE_LABEL}


def _key(s: dict[str, Any]) -> tuple:
    return (s.get("list"), s.get("file"), s.get("sheet"), s.get("row"))


# --- 清单 a list ------------------------------------------------------------------------------------------------

def list_report(store: Store, list_id: str, limit: Any = None, offset: Any = None) -> dict[str, Any]:
    """A list by its id: its record, its rows (``limit`` from ``offset``), its rejected rows and its versions."""
    wanted = inputs.name(list_id, "清单编号", "list id")
    record = store.node("SourceList", wanted)
    if record is None:
        raise NotFound(f"库中没有清单「{wanted}」", f"no list {wanted!r} in the store")
    rows = rows_limit(limit)
    start = 0 if offset in (None, "") else inputs.count(offset, "offset", 0)
    return by_version(store, "list_report", (wanted, rows, start), lambda: _list(store, record, rows, start))


def list_kind_label(kind: str | None) -> tuple[str, str]:
    return SOURCE_KINDS.get(kind or "", (kind or "—", kind or "—"))


def _list(store: Store, record: dict[str, Any], limit: int, start: int) -> dict[str, Any]:
    resolver = Resolver(store)
    status = record.get("status") or "current"
    if status == "current":
        said: list[dict[str, Any]] = []
        for type_ in SCHEMA.relation_types:
            said += [{"type": r.type, "source": r.source, "target": r.target, **r.props}
                     for r in store.rels(type_, list_id=record["id"])]
        for a in store.nodes("Agency", list_id=record["id"]):  # a structure table's rows are its bodies
            said.append({"type": "Agency", "source": a["id"], "target": None, **a})
    else:
        said = list(record.get("assertions") or [])
    said.sort(key=lambda a: (str(a.get("sheet") or ""), a.get("row") or 0, a.get("type"), str(a.get("target"))))
    shown = [_assertion(store, resolver, a) for a in said[start:start + limit]]
    kind_zh, kind_en = list_kind_label(record.get("kind"))
    status_zh, status_en = LIST_STATUS.get(status, (status, status))
    return {
        "id": record["id"], "kind": record.get("kind"), "kind_zh": kind_zh, "kind_en": kind_en,
        "region": _region(resolver, record.get("region")),
        "owner": resolver.agency(record["owner"]) if record.get("owner") else None,
        "title": record.get("title"), "version": record.get("version"), "series": record.get("series"),
        "document": record.get("document"), "effective": _iso(record.get("effective")), "file": record.get("file"),
        "file_hash": record.get("file_hash"), "rows_read": record.get("rows"), "loaded_at": record.get("loaded_at"),
        "status": status, "status_zh": status_zh, "status_en": status_en,
        "replaced_at": record.get("replaced_at"), "replaced_by": record.get("replaced_by"),
        "assertions": shown, "total": len(said), "offset": start, "limit": limit,
        "more": max(0, len(said) - start - limit),
        "rejected": list(record.get("rejected") or []),
        "versions": list_versions(store, record),
    }


def _assertion(store: Store, resolver: Resolver, a: dict[str, Any]) -> dict[str, Any]:
    """One row a list asserted: the relation in words, both ends named, its region by name, where it was read."""
    type_ = a.get("type")
    if type_ == "Agency":
        body = resolver.agency(a["source"])
        return {"type": type_, "zh": "机构", "en": "body", "source": {**body, "end": "agency"}, "target": None,
                "region": _region(resolver, a.get("region")), "detail": a.get("kind_zh") or a.get("kind"),
                "file": a.get("file"), "sheet": a.get("sheet"), "row": a.get("row")}
    kind = SCHEMA.relation(type_)
    ends = []
    for label, key in ((kind.source, a.get("source")), (kind.target, a.get("target"))):
        if label == "Agency":
            ends.append({**resolver.agency(key), "end": "agency"})
        elif label == "Matter":
            ends.append({**_matter(store, key), "end": "matter"})
        else:
            ends.append({**_region(resolver, key), "end": "region"})
    detail = a.get("duty") or a.get("way") or a.get("management") or ""
    if type_ == "DELEGATES":
        detail = "，".join(str(x) for x in (a.get("mode") or "下放", a.get("document"), _iso(a.get("effective")))
                          if x)
    if type_ == "HANDLED":
        detail = f"{a.get('count')} 件 cases" + (f"（{a.get('period')}）" if a.get("period") else "")
    return {"type": type_, "zh": kind.label_zh or type_, "en": kind.label_en or type_.lower(),
            "source": ends[0], "target": ends[1], "region": _region(resolver, a.get("region")),
            "detail": detail, "file": a.get("file"), "sheet": a.get("sheet"), "row": a.get("row")}


def list_versions(store: Store, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every version of the same list (same kind, region, owner and series), newest loaded first, with what
    replaced what."""
    same = [s for s in store.nodes("SourceList", kind=record.get("kind"), region=record.get("region"))
            if s.get("owner") == record.get("owner") and s.get("series") == record.get("series")]
    out = []
    for s in sorted(same, key=lambda s: (s.get("loaded_at") or "", s["id"]), reverse=True):
        status = s.get("status") or "current"
        zh, en = LIST_STATUS.get(status, (status, status))
        out.append({"id": s["id"], "title": s.get("title"), "version": s.get("version"), "file": s.get("file"),
                    "document": s.get("document"), "effective": _iso(s.get("effective")),
                    "loaded_at": s.get("loaded_at"), "status": status, "status_zh": zh, "status_en": en,
                    "replaced_by": s.get("replaced_by"), "replaced_at": s.get("replaced_at"),
                    "this": s["id"] == record["id"]})
    return out


__all__ = ["AGENCY_ROLES", "DEFAULT_ROWS", "agency_report", "path_report", "list_report", "list_versions", "matter_report",
           "rows_limit"]


def path_report(store: Store, source: str, target: str, within: str | None = None) -> dict[str, Any]:
    """``api.paths.find_paths`` as the path page lists it: every node named as answers name it (an agency by its
    label, a region by its name), every step with its relation in both languages, its direction, its region by name
    and the row it comes from. The values typed are read by ``find_paths`` (``api.inputs``)."""
    from quanze.api.paths import find_paths

    found = find_paths(store, source, target, within=within, all_shortest=True)
    resolver = Resolver(store)
    titles: dict[str, str | None] = {}

    def named(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("label") == "Agency":
            return {**node, "kind": "agency", "agency": resolver.agency(node["id"])}
        if node.get("label") == "Region":
            return {**node, "kind": "region", "region": _region(resolver, node["id"])}
        return {**node, "kind": str(node.get("label") or "").lower()}

    paths = []
    for p in found["paths"]:
        nodes = {n["id"]: named(n) for n in p["nodes"]}
        steps = []
        for s in p["steps"]:
            kind = SCHEMA.relation(s["type"])
            if s.get("list") and s["list"] not in titles:
                titles[s["list"]] = (store.node("SourceList", s["list"]) or {}).get("title")
            steps.append({**s, "zh": kind.label_zh, "en": kind.label_en, "source": nodes.get(s["from"]),
                          "target": nodes.get(s["to"]), "where": _region(resolver, s.get("region")),
                          "list_title": titles.get(s.get("list"))})
        paths.append({"hops": p["hops"], "nodes": [nodes[n["id"]] for n in p["nodes"]], "steps": steps})
    return {**found, "from": named(found["from"]), "to": named(found["to"]), "paths": paths}
