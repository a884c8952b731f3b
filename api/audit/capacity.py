"""Capacity: what each township was given against what it has to do it with (the 135-items-16-cases picture).

The views read the graph once (``Facts``, ``facts.py``) and return plain dicts and lists for the CLI and the API to
render:

- ``township_capacity``: per township, delegated items in force, certified enforcers, staff, cases in the period;
- ``staffing_by_kind``: quota and actual by kind (行政 / 事业 / 政法专项), per township and for the county;
- ``cooperation_load``: cooperation (属地管理) items per township against the county median;
- ``capacity_report``: all three with county totals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quanze.api import inputs, versions
from quanze.api.audit.facts import STAFF_KINDS, Facts, median
from quanze.graph.matters import ENFORCEMENT_CATEGORIES
from quanze.graph.store import Store


def _facts(source: Store | Facts, as_of: dt.date | None = None) -> Facts:
    return source if isinstance(source, Facts) else Facts(source, as_of)


def township_capacity(source: Store | Facts, county: str | None = None, period: str | None = None,
                      as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Per township: delegated items in force (and how many are 处罚/检查/强制), certified enforcers, quota and actual
    staff, items it does, items per actual staff, cases in the period on delegated items and how many items they
    touched."""
    facts = _facts(source, as_of)
    out = []
    for code in facts.townships(county):
        delegated = facts.delegated(code)
        cases = facts.activity(code, period)
        units = facts.own_units(code)
        heads = [h for h in (facts.headcount(u) for u in units) if h]
        # no unit gave a figure: unknown, never 0 staff
        quota, actual = (sum(h[0] for h in heads), sum(h[1] for h in heads)) if heads else (None, None)
        certified = [int(facts.agencies[u]["certified_enforcers"]) for u in units
                     if facts.agencies[u].get("certified_enforcers") is not None]
        items = len(facts.items(code))
        enforcement = {k for k, rels in delegated.items() if facts.category(rels[0].target) in ENFORCEMENT_CATEGORIES}
        out.append({
            "code": code, "name": facts.name(code),
            "delegated_items": len(delegated), "delegated_enforcement_items": len(enforcement),
            "certified_enforcers": sum(certified) if certified else None,
            "staff_quota": quota, "staff_actual": actual,
            "items": items, "items_per_staff": round(items / actual, 2) if actual else None,
            "cases_on_delegated": sum(cases.get(k, 0) for k in delegated),
            "delegated_items_used": sum(1 for k in delegated if cases.get(k, 0) > 0),
            "cases_all": sum(cases.values()),
        })
    return out


def staffing_by_kind(source: Store | Facts, county: str | None = None) -> list[dict[str, Any]]:
    """Quota and actual by kind (行政 / 事业 / 政法专项) for each township's own units and dispatched units stationed
    there, and one row for the county's own bodies (region = the county, dispatched units excluded)."""
    facts = _facts(source)
    rows = []
    for county_code in ([county] if county else facts.counties()):
        for code in facts.townships(county_code) + [county_code]:
            if len(code) > 6:
                members = facts.own_units(code) + sorted(u for u, t in facts.stationed.items() if t == code)
            else:
                # the county's own bodies: not dispatched units (counted where they work), not vertical management
                # bodies (a higher level staffs them: ``outside_quota`` below)
                members = [a for a, p in facts.agencies.items() if p.get("region") == code
                           and p.get("kind") not in ("unresolved", "dispatched_unit", "vertical_body")]
            totals = {k: {"quota": 0, "actual": 0} for k in STAFF_KINDS}
            for a in members:
                for kind, v in (facts.staffing(a) or {}).items():
                    totals[kind]["quota"] += v["quota"]
                    totals[kind]["actual"] += v["actual"]
            rows.append({"code": code, "name": facts.name(code), "level": "township" if len(code) > 6 else "county",
                         "by_kind": {k: {**v, "zh": STAFF_KINDS[k][0], "en": STAFF_KINDS[k][1]}
                                     for k, v in totals.items()},
                         "quota": sum(v["quota"] for v in totals.values()),
                         "actual": sum(v["actual"] for v in totals.values())})
    return rows


def cooperation_load(source: Store | Facts, county: str | None = None) -> list[dict[str, Any]]:
    """Per county: cooperation items per township, the county median, and each township's multiple of it."""
    facts = _facts(source)
    out = []
    for county_code in ([county] if county else facts.counties()):
        counts = {t: len(facts.cooperation_items(t)) for t in facts.townships(county_code)}
        mid = median(list(counts.values()))
        out.append({"county": facts.region(county_code), "median": mid,
                    "townships": [{"code": t, "name": facts.name(t), "items": n,
                                   "multiple": round(n / mid, 2) if mid else None} for t, n in counts.items()]})
    return out


def capacity_report(store: Store, region: str | None = None, as_of: dt.date | str | None = None,
                    period: str | None = None) -> dict[str, Any]:
    """Everything above for the county of ``region`` (a county or township, by name or code as ``api.inputs``
    reads them; None: every county), with totals: delegation rows and distinct items ever delegated, distinct items
    and item×township pairs in force, certified enforcers, cases on delegated items."""
    county = inputs.county_of(store, region)
    date = inputs.date(as_of)
    graph, _ = versions.as_of(store, date)  # the list versions in force on the date (docs/domain.md §4.10)
    facts = Facts(graph, date, county=county)
    towns = township_capacity(facts, county, period)
    ever = [r for r in facts.rels["DELEGATES"] if county is None or r.props["region"][:6] == county]
    distinct = {facts.key(r.target) for r in ever if facts.in_force(r) and facts.is_township(r.props["region"])}
    return {
        "as_of": facts.as_of.isoformat(), "period": period,
        "totals": {"delegation_rows": len({(r.props.get("list_id"), r.props.get("sheet"), r.props.get("row"))
                                           for r in ever}),
                   "delegated_items_ever": len({facts.key(r.target) for r in ever}),
                   "delegated_items": len(distinct), "delegations": sum(t["delegated_items"] for t in towns),
                   "certified_enforcers": sum(t["certified_enforcers"] or 0 for t in towns),
                   "cases_on_delegated": sum(t["cases_on_delegated"] for t in towns),
                   "activity_data": any(facts.has_activity(c, period) for c in ([county] if county else
                                                                                facts.counties()))},
        "townships": towns,
        "staffing": staffing_by_kind(facts, county),
        "cooperation": cooperation_load(facts, county),
        "median_items_per_staff": median([t["items_per_staff"] for t in towns if t["items_per_staff"]]),
        "outside_quota": [{"id": a, "name": p["name"], "kind": p["kind"],
                           "quota": (facts.headcount(a) or (None, None))[0],
                           "actual": (facts.headcount(a) or (None, None))[1]}
                          for a, p in sorted(facts.agencies.items()) if p.get("kind") == "vertical_body"
                          and (county is None or p["region"][:6] == county)],
        "versions": [v for v in versions.region_versions(graph, county) if not v["current"]],
    }
