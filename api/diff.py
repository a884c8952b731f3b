"""``quanze diff``: what changed between two versions of one list, or in a whole county between two dates.

Both compare assertions (``ingest/changes.py``) per (matter, region) and sort the differences into what a reader asks
about: matters added and removed, the lead changed, the cooperating bodies changed, the category, legal basis or
duty changed, delegations added, recalled (a recalled date reached, or a recall list took the matter back) and lapsed
(no longer in force otherwise); each with the source rows on both sides. A county-level row that changes alike in
many townships is one entry listing them.

- ``diff_lists(store, a, b)``: two list versions by id (current, replaced or kept as history: a replaced version's
  assertions are the ones it kept, ``SourceList.assertions``);
- ``diff_list_versions(store, name, from_version, to_version, region=, kind=)``: a list named by its title (or part
  of it), region and kind, and two of its versions by what they are called (``2024``, ``2025年版``);
- ``diff_county(store, county, from_date, to_date)``: the graph of one date against another's (``api/versions.py``).

``write_xlsx`` exports any of them (every cell through ``safe_cell``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from quanze.api import inputs, versions
from quanze.api.audit.export import safe_cell
from quanze.api.resolve import delegation_state
from quanze.errors import Ambiguous, BadValue, NotFound
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel, Store
from quanze.graph.text import normalise_key
from quanze.ingest.changes import agency_of, matter_of, region_of, row_of
from quanze.ingest.list_meta import compare_versions

# the kinds of change, in the order a report lists them: (key, 中文, English)
CHANGES = (
    ("matters_added", "新增事项", "matters added"),
    ("matters_removed", "删除事项", "matters removed"),
    ("lead_changed", "牵头改变", "lead changed"),
    ("cooperation_changed", "配合单位改变", "cooperating bodies changed"),
    ("category_changed", "事项类型改变", "category changed"),
    ("legal_basis_changed", "依据改变", "legal basis changed"),
    ("duty_changed", "职责改变", "duty changed"),
    ("delegations_added", "新增下放", "delegations added"),
    ("delegations_recalled", "下放已收回", "delegations recalled"),
    ("delegations_lapsed", "下放已失效", "delegations lapsed"),
)
COMPARED = tuple(t for t in SCHEMA.duty_types if t != "UNDERTAKES")  # who is given what (activity aside)


def _plain(rel: Rel, category: str | None) -> dict[str, Any]:
    out = {"type": rel.type, "source": rel.source, "target": rel.target, **rel.props}
    if category:
        out["category"] = category
    return out


class _Names:
    """Names of matters, agencies and regions, read once."""

    def __init__(self, store: Store):
        self.store = store
        self._cache: dict[tuple[str, str], str] = {}
        self._categories: dict[str, str | None] = {}

    def __call__(self, label: str, key: str | None) -> str:
        if key is None:
            return ""
        if (label, key) not in self._cache:
            node = self.store.node(label, key) or {}
            self._cache[(label, key)] = str(node.get("name") or key)
        return self._cache[(label, key)]

    def category(self, matter: str) -> str | None:
        return self._categories[matter] if matter in self._categories else self.categories([matter])[matter]

    def categories(self, matters: Iterable[str]) -> dict[str, str | None]:
        """The categories of many matters, read in one store call."""
        wanted = sorted(set(matters) - set(self._categories))
        if wanted:
            found = {m["id"]: m for m in self.store.nodes_any("Matter", keys=wanted)}
            self._categories.update({k: (found.get(k) or {}).get("category") for k in wanted})
            self._cache.update({("Matter", k): str(m.get("name") or k) for k, m in found.items()})
        return self._categories


# --- what a list version says ------------------------------------------------------------------------------------------

def list_assertions(store: Store, list_id: str) -> list[dict[str, Any]]:
    """What one list version asserts: a current one's relations (with its matters' categories), or what a replaced
    version, or one kept as history, kept."""
    node = store.node("SourceList", list_id)
    if node is None:
        raise NotFound(f"没有编号为「{list_id}」的清单版本", f"no list version {list_id!r}")
    if node.get("status") != "current":
        return [a for a in node.get("assertions") or [] if a.get("type") in COMPARED]
    names = _Names(store)
    rels = [r for t in COMPARED for r in store.rels(t, list_id=list_id)]
    names.categories(r.source if r.type == "RECALLED_TO" else r.target for r in rels)
    return [_plain(r, names.category(r.source if r.type == "RECALLED_TO" else r.target)) for r in rels]


def _version_info(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": node["id"], "title": node.get("title"), "version": node.get("version"), "kind": node.get("kind"),
            "region": node.get("region"), "status": node.get("status"), "file": node.get("file"),
            "effective": node.get("effective"), "rows": node.get("rows")}


def diff_lists(store: Store, a: str, b: str) -> dict[str, Any]:
    """Two list versions by id: what the second changes against the first."""
    first, second = store.node("SourceList", a), store.node("SourceList", b)
    for text, node in ((a, first), (b, second)):
        if node is None:
            known = [s["id"] for s in store.nodes("SourceList") if s.get("kind") != "structure"]
            raise NotFound(f"没有编号为「{text}」的清单版本", f"no list version {text!r}",
                           [k for k in known if normalise_key(text) in normalise_key(k)][:8])
    today = dt.date.today()
    out = _classify(store, list_assertions(store, a), list_assertions(store, b), today, today)
    return {"what": "lists", "from": _version_info(first), "to": _version_info(second), **out}


def diff_list_versions(store: Store, name: str | None, from_version: str, to_version: str, *,
                       region: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """A list named by (part of) its title, its region and kind, and two of its versions by what they are called."""
    if not from_version or not to_version:
        raise BadValue("请用 --from 和 --to 给出两个版本", "give the two versions with --from and --to",
                       field="versions")
    held = inputs.held_region(store, region) if region else None
    lists = [s for s in store.nodes("SourceList") if s.get("kind") != "structure"
             and (kind is None or s.get("kind") == kind) and (held is None or s.get("region") == held["code"])
             and (not name or normalise_key(name) in normalise_key(str(s.get("title") or "")) or name == s["id"])]
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in lists:
        series[versions.series_of(s["id"]).split("+supplement")[0]].append(s)
    if not series:
        raise NotFound(f"找不到清单「{name or ''}」", f"no list {name!r} found",
                       sorted({str(s.get("title")) for s in store.nodes("SourceList") if s.get("kind") != "structure"
                               and (not name or any(ch in str(s.get("title")) for ch in name))})[:8])
    if len(series) > 1:
        raise Ambiguous(f"「{name or ''}」可指 {len(series)} 份清单，请写得更具体，或用 --in、--kind 限定",
                        f"{name!r} could be {len(series)} lists: be more specific, or narrow with --in, --kind",
                        sorted({str(v[0].get("title")) for v in series.values()})[:8])
    (found,) = series.values()

    def pick(text: str) -> dict[str, Any]:
        hits = [s for s in found if text in (s.get("version"), s["id"]) or compare_versions(text, s.get("version")) == 0]
        hits = [s for s in hits if not s.get("supplements")] or hits
        if len(hits) == 1:
            return hits[0]
        candidates = [f"{s.get('version')}（{s['id']}）" for s in found]
        if not hits:
            raise NotFound(f"此清单没有版本「{text}」", f"the list has no version {text!r}", candidates)
        raise Ambiguous(f"此清单有 {len(hits)} 个版本都叫「{text}」，请用清单编号", f"{len(hits)} versions of the list "
                        f"are called {text!r}: give list ids", candidates)

    return diff_lists(store, pick(str(from_version))["id"], pick(str(to_version))["id"])


def diff_county(store: Store, county: str, from_date: Any, to_date: Any) -> dict[str, Any]:
    """A county (or one township) between two dates: the graph of the list versions in force on each."""
    held = inputs.held_region(store, county)
    start, end = inputs.date(from_date, "from"), inputs.date(to_date, "to")
    sides = []
    names = _Names(store)
    for date in (start, end):
        graph, _ = versions.as_of(store, date)
        categories = getattr(graph, "categories", {})
        rels = [r for t in COMPARED for r in graph.rels_any(t, region_prefix=held["code"])]
        names.categories(r.source if r.type == "RECALLED_TO" else r.target for r in rels)
        said = [_plain(r, categories[r.id] if r.id in categories else
                       names.category(r.source if r.type == "RECALLED_TO" else r.target)) for r in rels]
        sides.append((said, versions.region_versions(graph, held["code"][:6])))
    out = _classify(store, sides[0][0], sides[1][0], start, end, names)
    region = {"code": held["code"], "name": held["name"]}
    return {"what": "region", "region": region, "from": {"date": start.isoformat(), "versions": sides[0][1]},
            "to": {"date": end.isoformat(), "versions": sides[1][1]}, **out}


# --- sorting the differences ---------------------------------------------------------------------------------------------

def _classify(store: Store, before: list[dict[str, Any]], after: list[dict[str, Any]], start: dt.date,
              end: dt.date, names: _Names | None = None) -> dict[str, Any]:
    names = names or _Names(store)
    old: dict[tuple[str, str], list[dict]] = defaultdict(list)
    new: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for said, into in ((before, old), (after, new)):
        for a in said:
            if a.get("type") in COMPARED:
                into[(matter_of(a), region_of(a))].append(a)
    found: dict[str, list[tuple]] = defaultdict(list)  # change → (matter, region, before sig, after sig, rows…)

    def add(change: str, key: tuple[str, str], was: list[dict], now: list[dict], was_shown: Any, now_shown: Any):
        found[change].append((key, was, now, was_shown, now_shown))

    for key in sorted(set(old) | set(new)):
        was, now = old.get(key, []), new.get(key, [])
        if not was:
            add("matters_added", key, [], now, None, _roles(now, names))
            continue
        if not now:
            add("matters_removed", key, was, [], _roles(was, names), None)
            continue
        for change, types in (("lead_changed", ("LEADS", "RECALLED_TO")), ("cooperation_changed", ("COOPERATES_ON",))):
            w, n = _agencies(was, types), _agencies(now, types)
            if w != n:
                add(change, key, _of(was, types), _of(now, types), _named(w, names), _named(n, names))
        for change, field in (("category_changed", "category"), ("legal_basis_changed", "legal_basis"),
                              ("duty_changed", "duty")):
            w, n = _values(was, field), _values(now, field)
            if w != n:
                add(change, key, was, now, list(w) or None, list(n) or None)
        dels_was = {agency_of(a): a for a in was if a["type"] == "DELEGATES" and delegation_state(_rel(a), start)
                    == "in_force"}
        dels_now = {agency_of(a): a for a in now if a["type"] == "DELEGATES" and delegation_state(_rel(a), end)
                    == "in_force"}
        recalled = any(a["type"] == "RECALLED_TO" for a in now) and not any(a["type"] == "RECALLED_TO" for a in was)
        for dept in sorted(set(dels_now) - set(dels_was), key=str):
            add("delegations_added", key, [], [dels_now[dept]], None, _named({dept}, names))
        for dept in sorted(set(dels_was) - set(dels_now), key=str):
            later = [a for a in now if a["type"] == "DELEGATES" and agency_of(a) == dept]
            by_date = any(delegation_state(_rel(a), end) == "lapsed" and a.get("recalled") for a in later)
            change = "delegations_recalled" if by_date or recalled else "delegations_lapsed"
            add(change, key, [dels_was[dept]], later + [a for a in now if a["type"] == "RECALLED_TO"],
                _named({dept}, names), _roles(later, names) or None)
    return _report(found, names)


def _rel(a: dict[str, Any]) -> Rel:
    props = dict(a)
    for k in ("effective", "recalled"):
        if isinstance(props.get(k), str):
            props[k] = dt.date.fromisoformat(props[k])
    return Rel(a["type"], str(a.get("id")), a["source"], a["target"], props)


def _of(said: list[dict], types: tuple[str, ...]) -> list[dict]:
    return [a for a in said if a["type"] in types]


def _agencies(said: list[dict], types: tuple[str, ...]) -> frozenset[str]:
    return frozenset(str(agency_of(a)) for a in said if a["type"] in types)


def _values(said: list[dict], field: str) -> tuple:
    return tuple(sorted({str(a[field]) for a in said if a.get(field)}))


def _named(ids: Iterable[str | None], names: _Names) -> list[str]:
    return sorted(names("Agency", i) for i in ids if i)


def _roles(said: list[dict], names: _Names) -> list[str]:
    """Who does what on a matter, in words: 县住建局 牵头."""
    return sorted({f"{names('Agency', agency_of(a))} {SCHEMA.relation(a['type']).label_zh}" for a in said
                   if agency_of(a)})


def _rows(said: list[dict]) -> list[dict[str, Any]]:
    seen = {}
    for a in said:
        r = row_of(a)
        seen.setdefault((r["list"], r["file"], r["sheet"], r["row"]), r)
    return sorted(seen.values(), key=lambda r: (str(r["file"]), str(r["sheet"]), r["row"] or 0))


def _report(found: dict[str, list[tuple]], names: _Names) -> dict[str, Any]:
    """Entries of one kind of change that are alike in several regions (a county row) become one, listing them."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for change, _zh, _en in CHANGES:
        merged: dict[tuple, dict[str, Any]] = {}
        for (matter, region), was, now, was_shown, now_shown in found.get(change, []):
            sig = (matter, repr(was_shown), repr(now_shown), tuple(sorted((r["file"] or "", r["row"] or 0)
                                                                            for r in _rows(was) + _rows(now))))
            entry = merged.setdefault(sig, {
                "matter": {"id": matter, "name": names("Matter", matter)}, "regions": [],
                "before": {"shown": was_shown, "rows": _rows(was)}, "after": {"shown": now_shown, "rows": _rows(now)}})
            entry["regions"].append({"code": region, "name": names("Region", region)})
        changes[change] = sorted(merged.values(), key=lambda e: (e["matter"]["name"], e["regions"][0]["code"]))
    return {"summary": {c: len(v) for c, v in changes.items()}, "changes": changes,
            "kinds": [{"key": k, "zh": zh, "en": en} for k, zh, en in CHANGES]}


# --- export --------------------------------------------------------------------------------------------------------------

HEADERS = ("变化 change", "事项 matter", "地区 regions", "之前 before", "之后 after", "之前来源 rows before",
           "之后来源 rows after")


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return "、".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def rows_text(rows: list[dict[str, Any]], limit: int = 20) -> str:
    return "；".join(f"{r.get('file')}" + (f"[{r['sheet']}]" if r.get("sheet") else "") + f" 第{r.get('row')}行"
                    for r in rows[:limit]) + (f" 等{len(rows)}处" if len(rows) > limit else "")


def write_xlsx(data: dict[str, Any], path: str | Path) -> Path:
    """汇总 (the counts and what was compared) and one sheet of every kind of change, each cell neutralised."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([safe_cell(v) for v in ("从 from", _side(data["from"]))])
    ws.append([safe_cell(v) for v in ("到 to", _side(data["to"]))])
    for k in data["kinds"]:
        ws.append([safe_cell(v) for v in (f"{k['zh']} {k['en']}", data["summary"][k["key"]])])
    for k in data["kinds"]:
        entries = data["changes"][k["key"]]
        if not entries:
            continue
        sheet = wb.create_sheet(k["zh"][:31])
        sheet.append(list(HEADERS))
        for e in entries:
            sheet.append([safe_cell(v) for v in (
                k["zh"], e["matter"]["name"], "、".join(r["name"] for r in e["regions"]), _shown(e["before"]["shown"]),
                _shown(e["after"]["shown"]), rows_text(e["before"]["rows"], 200), rows_text(e["after"]["rows"], 200))])
    path = Path(path)
    wb.save(path)
    return path


def _side(side: dict[str, Any]) -> str:
    if "date" in side:
        return side["date"]
    return f"{side.get('title') or side['id']}（{side.get('version') or '—'}，{side['id']}）"


__all__ = ["diff_lists", "diff_list_versions", "diff_county", "write_xlsx", "CHANGES"]
