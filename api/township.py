"""One township as its page in the web application shows it (``/township/{code}``): its units with their plaques
and staffing, the units stationed there, quota against actual staff and certified enforcers, its lists with their
versions, the powers delegated to it by state on a date, the matters recalled from it, and the audit's findings
there. Everything is read from the store the way the rest of the query layer reads it (``describe_region``,
``delegation_state``, ``township_capacity``, ``run_audit``), so the page and the command line never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quanze.api import inputs, versions
from quanze.api.describe import describe_region
from quanze.api.resolve import Resolver, delegation_state
from quanze.errors import BadValue
from quanze.graph.cache import by_version
from quanze.graph.list_kinds import SOURCE_KINDS
from quanze.graph.regions import Region
from quanze.graph.schema import STAFFING_KEYS
from quanze.graph.store import Store

# the states of a delegation on a date (api.resolve.delegation_state), in the order the page shows them
DELEGATION_STATES = {"in_force": ("有效", "in force"), "pending": ("尚未生效", "not yet in force"),
                     "lapsed": ("已收回", "recalled")}
LIST_STATUS = {"current": ("现行", "current"), "replaced": ("已被替换", "replaced")}


def township_report(store: Store, text: str, as_of: str | dt.date | None = None) -> dict[str, Any]:
    """Everything the township page shows, for a township by name or code (as ``api.inputs`` reads it) on a date
    (default today); read once per data version and date (the audit and the capacity figures read the whole county).
    A county is a bad value here: its townships are the candidates."""
    held = inputs.held_region(store, text)
    date = inputs.date(as_of)
    if held.get("level") != "township":
        towns = sorted(t["name"] for t in store.nodes("Region", county_code=held["code"]))
        raise BadValue(f"「{held['name']}」是县，这里看的是乡镇：请选一个乡镇", f"{held['name']} is a county; this page "
                       "is about a township: choose one", towns, field="code", value=held["code"])
    return by_version(store, "township_report", (held["code"], date), lambda: _report(store, held, date))


def _report(store: Store, held: dict[str, Any], date: dt.date) -> dict[str, Any]:
    from quanze.api.audit import run_audit
    from quanze.api.audit.capacity import staffing_by_kind, township_capacity
    from quanze.api.audit.facts import Facts

    code = held["code"]
    region = describe_region(store, Region.from_props(held))
    county = held.get("county_code") or code[:6]
    # the county read once per data version and date: every township page of the county, and its audit, use it
    facts = by_version(store, "township_facts", (county, date),
                       lambda: Facts(versions.as_of(store, date)[0], date, county=county))  # the lists of that date
    capacity = next((t for t in township_capacity(facts, county) if t["code"] == code), None)
    staffing = next((s for s in staffing_by_kind(facts, county) if s["code"] == code), None)
    resolver = Resolver(store)
    units = sorted(region["agencies"], key=lambda a: (_KIND_ORDER.get(a["kind"], 9), a["name"]))
    stationed = []
    for unit in region["stationed_units"]:
        props = store.node("Agency", unit["id"]) or {}
        parents = [resolver.agency(r.target) for r in store.rels("UNIT_OF", source=unit["id"])]
        stationed.append({**unit, "label": resolver.agency(unit["id"])["label"], "plaques": props.get("plaques", []),
                          "management": props.get("management"), "parents": parents,
                          **{k: props[k] for k in STAFFING_KEYS if props.get(k) is not None}})
    audit = run_audit(store, region=code, as_of=date, facts=facts)
    return {
        "code": code, "name": held["name"], "county": region["county"], "as_of": date.isoformat(),
        "full_name": region.get("full_name"), "tags": region.get("tags", []),
        "units": units, "stationed_units": stationed,
        "staffing": {"by_unit": [_staffing_row(u) for u in units], "by_kind": staffing,
                     "certified_enforcers": sum(int(u.get("certified_enforcers") or 0) for u in units)},
        "capacity": capacity,
        "lists": _lists(store, code),
        "delegations": _delegations(store, resolver, code, date),
        "recalled": _recalled(store, resolver, code),
        "findings": [f.to_dict() for f in audit.findings],
        "audit_rules": [r for r in audit.rules if r["found"]],
    }


_KIND_ORDER = {"township_government": 0, "township_office": 1, "enforcement_team": 2, "township_institution": 3}


def _staffing_row(unit: dict[str, Any]) -> dict[str, Any]:
    return {"id": unit["id"], "name": unit["name"], "kind": unit["kind"],
            **{k: unit.get(k) for k in STAFFING_KEYS}}


def _lists(store: Store, code: str) -> list[dict[str, Any]]:
    """The township's own lists (every version, current and replaced), and the county's lists that assert
    something here (delegation batches, the structure), with what replaced what."""
    ids: dict[str, dict[str, Any]] = {s["id"]: s for s in store.nodes("SourceList", region=code)}
    used = {r.props.get("list_id") for t in ("DELEGATES", "UNDERTAKES") for r in store.rels(t, region=code)}
    used |= {a.get("list_id") for a in store.nodes("Agency", region=code)}
    for list_id in sorted(i for i in used if i and i not in ids):
        found = store.node("SourceList", list_id)
        if found:
            ids[list_id] = found
    for older in store.nodes("SourceList", status="replaced"):  # earlier versions of the county's lists shown here
        if older.get("replaced_by") in ids and older["id"] not in ids:
            ids[older["id"]] = older
    out = []
    for s in ids.values():
        kind_zh, kind_en = SOURCE_KINDS.get(s.get("kind", ""), (s.get("kind"), s.get("kind")))
        status_zh, status_en = LIST_STATUS.get(s.get("status", ""), (s.get("status"), s.get("status")))
        out.append({"id": s["id"], "kind": s.get("kind"), "kind_zh": kind_zh, "kind_en": kind_en,
                    "title": s.get("title"), "version": s.get("version"), "series": s.get("series"),
                    "document": s.get("document"), "effective": _iso(s.get("effective")), "file": s.get("file"),
                    "rows": s.get("rows"), "loaded_at": s.get("loaded_at"), "status": s.get("status"),
                    "status_zh": status_zh, "status_en": status_en, "replaced_at": s.get("replaced_at"),
                    "replaced_by": s.get("replaced_by"), "own": s.get("region") == code})
    return sorted(out, key=lambda s: (not s["own"], s["kind"] or "", s["status"] != "current", s["title"] or "",
                                      s["loaded_at"] or ""))


def _delegations(store: Store, resolver: Resolver, code: str, date: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The powers delegated to the township, by their state on ``date``: in force, not yet in force, recalled."""
    out: dict[str, list[dict[str, Any]]] = {state: [] for state in DELEGATION_STATES}
    for r in store.rels("DELEGATES", region=code):
        matter = store.node("Matter", r.target) or {"id": r.target, "name": r.target}
        out[delegation_state(r, date)].append({
            "matter": {"id": matter["id"], "name": matter["name"], "category": matter.get("category")},
            "department": resolver.agency(r.source), "undertaker": resolver.agency(r.props.get("undertaker")),
            "mode": r.props.get("mode") or "下放", "document": r.props.get("document"), "batch": r.props.get("batch"),
            "effective": _iso(r.props.get("effective")), "recalled": _iso(r.props.get("recalled")),
            "legal_basis": r.props.get("legal_basis"), "source": resolver.source(r)})
    for rows in out.values():
        rows.sort(key=lambda d: (d["department"]["name"] or "", d["matter"]["name"]))
    return out


def _recalled(store: Store, resolver: Resolver, code: str) -> list[dict[str, Any]]:
    """The matters the township's recall list gives back to a county department (上级部门收回事项)."""
    out = []
    for r in store.rels("RECALLED_TO", region=code):
        matter = store.node("Matter", r.source) or {"id": r.source, "name": r.source}
        out.append({"matter": {"id": matter["id"], "name": matter["name"], "category": matter.get("category")},
                    "agency": resolver.agency(r.target), "way": r.props.get("way"), "source": resolver.source(r)})
    return sorted(out, key=lambda d: (d["agency"]["name"] or "", d["matter"]["name"]))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


__all__ = ["DELEGATION_STATES", "township_report"]
