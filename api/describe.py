"""What the graph knows about one agency or one region, with the sources behind it (for ``quanze show`` and the API)."""

from __future__ import annotations

from typing import Any

from quanze.graph.agency_index import AgencyRef
from quanze.graph.regions import Region
from quanze.graph.schema import AGENCY_KINDS, SCHEMA, STAFFING_KEYS
from quanze.graph.store import Store


def _source(p: dict[str, Any]) -> dict[str, Any] | None:
    if not p.get("file"):
        return None
    return {"list": p.get("list_id"), "file": p.get("file"), "sheet": p.get("sheet"), "row": p.get("row")}


def _agency_brief(store: Store, agency_id: str) -> dict[str, Any]:
    p = store.node("Agency", agency_id) or {"id": agency_id, "name": agency_id, "kind": "unresolved"}
    return {"id": p["id"], "name": p["name"], "kind": p.get("kind")}


def _region_brief(store: Store, code: str) -> dict[str, Any]:
    p = store.node("Region", code) or {"code": code, "name": code}
    return {"code": p["code"], "name": p["name"]}


def _count_kinds(agencies: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in agencies:
        out[a["kind"]] = out.get(a["kind"], 0) + 1
    return dict(sorted(out.items()))


def describe_agency(store: Store, ref: AgencyRef) -> dict[str, Any]:
    p = store.node("Agency", ref.id) or {}
    staffing = {k: p[k] for k in STAFFING_KEYS if p.get(k) is not None}
    matters = {t: len(store.rels(t, source=ref.id)) for t in SCHEMA.types("assignment", "delegation")}
    matters["RECALLED_TO"] = len(store.rels("RECALLED_TO", target=ref.id))
    return {
        "id": ref.id, "name": p.get("name"), "kind": p.get("kind"), "kind_zh": p.get("kind_zh"),
        "kind_text": AGENCY_KINDS.get(p.get("kind", ""), ""),
        "region": _region_brief(store, p["region"]),
        "short_names": p.get("short_names", []), "plaques": p.get("plaques", []),
        "management": p.get("management"), "staffing": staffing,
        "parents": [_agency_brief(store, r.target) for r in store.rels("UNIT_OF", source=ref.id)],
        "units": [_agency_brief(store, r.source) for r in store.rels("UNIT_OF", target=ref.id)],
        "stationed_in": [_region_brief(store, r.target) for r in store.rels("STATIONED_IN", source=ref.id)],
        "co_located_with": [_agency_brief(store, r.target if r.source == ref.id else r.source)
                            for r in store.rels("CO_LOCATED_WITH", source=ref.id)
                            + store.rels("CO_LOCATED_WITH", target=ref.id)],
        "matters": matters,
        "source": _source(p),
    }


def describe_region(store: Store, region: Region) -> dict[str, Any]:
    held = store.node("Region", region.code)
    out: dict[str, Any] = {
        "code": region.code, "name": region.name, "level": region.level, "kind": region.kind,
        "full_name": region.full_name, "tags": list(region.tags), "origin": region.origin,
        "in_store": held is not None, "source": _source(held or {}),
    }
    if region.level == "county":
        townships = store.nodes("Region", county_code=region.code)
        out["townships"] = [{"code": t["code"], "name": t["name"], "kind": t.get("kind"), "tags": t.get("tags", [])}
                            for t in townships]
        out["agencies_by_kind"] = _count_kinds(store.nodes("Agency", region=region.code))
        out["dispatched_units"] = len(store.nodes("Agency", region=region.code, kind="dispatched_unit"))
    else:
        out["county"] = _region_brief(store, str(region.county_code))
        agencies = store.nodes("Agency", region=region.code)
        out["agencies"] = [{"id": a["id"], "name": a["name"], "kind": a["kind"], "plaques": a.get("plaques", []),
                            **{k: a[k] for k in STAFFING_KEYS if a.get(k) is not None}} for a in agencies]
        out["stationed_units"] = [_agency_brief(store, r.source) for r in store.rels("STATIONED_IN", target=region.code)]
    return out


# bodies whose staff the county does not staff: a higher level sets their quota (垂直管理机构)
OUTSIDE_QUOTA = ("vertical_body",)


def staffing_totals(agencies: list[dict[str, Any]]) -> dict[str, int | None]:
    """Each staffing figure summed over the agencies that gave it; None (unknown, never 0) when none gave it."""
    out: dict[str, int | None] = {}
    for k in STAFFING_KEYS:
        given = [a[k] for a in agencies if a.get(k) is not None]
        out[k] = sum(given) if given else None
    return out


def store_summary(store: Store) -> dict[str, Any]:
    """What the store holds: counts of nodes and relations by kind, and per county its townships, agencies by kind
    and staffing totals (`quanze summary`, HTTP `/summary`)."""
    counties = store.nodes("Region", level="county")
    out = {"store": store.url, "counts": store.counts(), "counties": []}
    agencies = store.nodes("Agency")
    for c in counties:
        in_county = [a for a in agencies if a["region"][:6] == c["code"]]
        kinds: dict[str, int] = {}
        for a in in_county:
            kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
        own = [a for a in in_county if a["kind"] not in OUTSIDE_QUOTA]
        outside = [a for a in in_county if a["kind"] in OUTSIDE_QUOTA]
        out["counties"].append({"code": c["code"], "name": c["name"],
                                "townships": len(store.nodes("Region", county_code=c["code"])),
                                "agencies_by_kind": dict(sorted(kinds.items())), "staffing": staffing_totals(own),
                                "staffing_outside_quota": staffing_totals(outside)})
    return out


def describe(store: Store, name: str, kind: str = "auto", within: str | None = None) -> dict[str, Any]:
    """``quanze show`` and HTTP ``/show``: an agency (``kind="agency"``), a region (``"region"``), or — ``"auto"`` —
    the region of that name if there is one, else the agency. ``within`` narrows a name to a county or township."""
    from quanze.api import inputs
    from quanze.errors import BadValue, NotFound

    if kind not in ("auto", "agency", "region"):
        raise BadValue(f"未知的类别「{kind}」，可选：auto、agency、region", f"unknown kind {kind!r}; valid: auto, "
                       "agency, region", ("auto", "agency", "region"))
    missed: NotFound | None = None
    if kind != "agency":
        try:
            return describe_region(store, inputs.region(store, name, within))
        except NotFound as e:
            if kind == "region":
                raise
            missed = e
    try:
        return describe_agency(store, inputs.agency(store, name, within))
    except NotFound as e:
        if kind == "agency" or missed is None:
            raise
        near = tuple(dict.fromkeys(e.candidates + missed.candidates))
        raise NotFound(f"找不到地区或机构「{name}」", f"no region or agency named {name!r}", near) from e
