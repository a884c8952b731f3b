"""What a change of list versions changes: assertions compared before and after, by matter and agency, with the rows
on both sides. Pure functions over assertions as plain dicts (``{"type", "source", "target", **props}``, the form a
replaced version keeps in ``SourceList.assertions``); the ingest's change report (``list_build``) and ``quanze diff``
(``api/diff.py``) both read them.

An assertion is one relation a list row made: its identity here is (relation type, agency, matter, region — and the
period for activity), never its id (which names the list and row, so every new version has new ids). Two versions
that say the same thing of the same (type, agency, matter, region) are the same; when they say it with other values
(duty, legal basis, 管理权限, delegation mode, undertaker, dates, way, count…) it ``changed``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Callable, Iterable

from quanze.graph.schema import SCHEMA

# what the report compares: who is given a role on what (the undertaking of a delegation is the delegation's
# ``undertaker``, so UNDERTAKES is not compared apart)
COMPARED_TYPES = tuple(t for t in SCHEMA.matter_types if t != "UNDERTAKES")
# the values of an assertion whose change is a change (not where it was written, not how a name was spelled)
COMPARED_FIELDS = ("duty", "legal_basis", "scope", "list_kind", "mode", "undertaker", "batch", "document",
                   "effective", "recalled", "way", "count", "category")
LEAD_TYPES = ("LEADS", "DELEGATES", "RECALLED_TO")  # relations that give a matter someone who leads it


def matter_of(a: dict[str, Any]) -> str:
    return a["source"] if a["type"] == "RECALLED_TO" else a["target"]


def agency_of(a: dict[str, Any]) -> str | None:
    if a["type"] == "HANDLED":
        return None
    return a["target"] if a["type"] == "RECALLED_TO" else a["source"]


def region_of(a: dict[str, Any]) -> str:
    return str(a["source"] if a["type"] == "HANDLED" else a.get("region") or "")


def identity(a: dict[str, Any]) -> tuple[str, str | None, str, str, str]:
    """(type, agency, matter, region, period): what one assertion is about."""
    return a["type"], agency_of(a), matter_of(a), region_of(a), str(a.get("period") or "")


def _value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def values(a: dict[str, Any]) -> tuple:
    return tuple(_value(a.get(f)) for f in COMPARED_FIELDS)


def row_of(a: dict[str, Any]) -> dict[str, Any]:
    """Where an assertion was written."""
    return {"list": a.get("list_id"), "file": a.get("file"), "sheet": a.get("sheet"), "row": a.get("row")}


def _rows(said: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple, dict[str, Any]] = {}
    for a in said:
        r = row_of(a)
        seen.setdefault((r["list"], r["file"], r["sheet"], r["row"]), r)
    return sorted(seen.values(), key=lambda r: (str(r["file"]), str(r["sheet"]), r["row"] or 0))


def compare(before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]) -> dict[str, list[tuple]]:
    """The identities added, removed and changed between two sets of assertions (only ``COMPARED_TYPES``), each with
    the assertions on both sides: ``{"added": [(identity, [], [after…])], "removed": [...], "changed": [...]}``."""
    old: dict[tuple, list[dict]] = defaultdict(list)
    new: dict[tuple, list[dict]] = defaultdict(list)
    for a in before:
        if a["type"] in COMPARED_TYPES:
            old[identity(a)].append(a)
    for a in after:
        if a["type"] in COMPARED_TYPES:
            new[identity(a)].append(a)
    out: dict[str, list[tuple]] = {"added": [], "removed": [], "changed": []}
    for key in sorted(set(old) | set(new), key=repr):
        if key not in old:
            out["added"].append((key, [], new[key]))
        elif key not in new:
            out["removed"].append((key, old[key], []))
        elif {values(a) for a in old[key]} != {values(a) for a in new[key]}:
            out["changed"].append((key, old[key], new[key]))
    return out


def grouped(entries: list[tuple], matter_name: Callable[[str], str], agency_name: Callable[[str | None], str],
            limit: int | None = None) -> list[dict[str, Any]]:
    """Entries of ``compare`` gathered by (type, agency, matter): one item per role of an agency on a matter, with
    the regions it concerns (a county-wide list row concerns every township), the rows on both sides, and for a
    change the values that differ (``fields``: name → [before, after])."""
    items: dict[tuple, dict[str, Any]] = {}
    for (type_, agency, matter, region, period), old, new in entries:
        item = items.setdefault((type_, agency, matter, period), {
            "type": type_, "relation_zh": SCHEMA.relation(type_).label_zh,
            "matter": {"id": matter, "name": matter_name(matter)},
            "agency": {"id": agency, "name": agency_name(agency)} if agency else None,
            **({"period": period} if period else {}), "regions": [], "before": [], "after": [], "fields": {}})
        item["regions"].append(region)
        item["before"] += old
        item["after"] += new
        if old and new:
            for i, f in enumerate(COMPARED_FIELDS):
                was = {values(a)[i] for a in old}
                now = {values(a)[i] for a in new}
                if was != now:
                    item["fields"][f] = [_one(was), _one(now)]
    out = []
    for item in items.values():
        item["regions"] = sorted(set(item["regions"]))
        item["before"], item["after"] = _rows(item["before"]), _rows(item["after"])
        out.append(item)
    out.sort(key=lambda i: (i["matter"]["name"], i["type"], str(i["agency"] and i["agency"]["name"])))
    return out if limit is None else out[:limit]


def _one(values_: set) -> Any:
    """One value, or the sorted values when rows disagree among themselves."""
    vals = sorted(values_, key=lambda v: (v is None, str(v)))
    return vals[0] if len(vals) == 1 else vals
