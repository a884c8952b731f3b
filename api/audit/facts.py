"""The graph as the audits and the capacity views need it, read once (``Facts``): regions, agencies with staffing,
matters, lists and every assignment, so that they answer from memory instead of thousands of store queries. Nothing
here writes to the store.

The township-level readings of the rules (which body a township row means, a power exercised at township level,
a delegation in force) are the resolver's own declarations (``api/resolve.py``), applied to what was read here.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from typing import Any

from quanze.api.resolve import RULES, delegation_in_force, overrides, township_lead, township_scope
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.list_kinds import SOURCE_KINDS
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel, Store

# what the audits read: every relation with a matter at one end, and the two structure relations they follow
RELATIONS = SCHEMA.matter_types + ("UNIT_OF", "STATIONED_IN")
STAFF_KINDS = {"admin": ("行政编制", "administrative"), "inst": ("事业编制", "institutional"),
               "law": ("政法专项编制", "police/justice")}
_YEAR = re.compile(r"(?:19|20)\d{2}")


class Facts:
    """The graph as the audits need it, read once. Nothing here writes to the store."""

    def __init__(self, store: Store, as_of: dt.date | None = None, county: str | None = None):
        """``county``: read only that county — its regions, agencies, lists and assertions, and the matters they
        name — which is all any rule looks at for a finding in it; None: the whole store."""
        self.store = store
        self.as_of = as_of or dt.date.today()
        self.county = county
        if county is None:
            self.regions = {p["code"]: p for p in store.nodes("Region")}
            self.agencies = {p["id"]: p for p in store.nodes("Agency")}
            self.matters = {p["id"]: p for p in store.nodes("Matter")}
            self.lists = {p["id"]: p for p in store.nodes("SourceList")}
            self.rels: dict[str, list[Rel]] = {t: store.rels(t) for t in RELATIONS}
        else:
            self._read_county(store, county)
        self.parent = {r.source: r.target for r in self.rels["UNIT_OF"]}
        self.units: dict[str, list[str]] = defaultdict(list)
        for r in self.rels["UNIT_OF"]:
            self.units[r.target].append(r.source)
        self.stationed = {r.source: r.target for r in self.rels["STATIONED_IN"]}
        self._by_region: dict[tuple[str, str], list[Rel]] = defaultdict(list)
        for type_, rels in self.rels.items():
            for r in rels:
                where = r.source if type_ == "HANDLED" else r.props.get("region")
                if where:
                    self._by_region[(type_, where)].append(r)
        self._indexes: dict[str, AgencyIndex] = {}
        self._governments = {p["region"]: a for a, p in self.agencies.items() if p.get("kind") == "township_government"}
        self._ids: dict[str, list[str]] = defaultdict(list)
        self._delegated: dict[str, dict[str, list[Rel]]] = {}
        self._recalled: dict[str, set[str]] = {}

    def _read_county(self, store: Store, county: str) -> None:
        own = store.node("Region", county)
        self.regions = {p["code"]: p for p in ([own] if own else []) + store.nodes("Region", county_code=county)}
        self.agencies = {p["id"]: p for p in store.nodes_any("Agency", region_prefix=county)}
        places = sorted(self.regions)
        self.rels = {}
        for t in RELATIONS:
            if "region" in SCHEMA.relation(t).names:
                self.rels[t] = store.rels_any(t, region_prefix=county)
            elif t == "HANDLED":
                self.rels[t] = store.rels_any(t, sources=places)
            else:  # UNIT_OF, STATIONED_IN: from the county's agencies
                self.rels[t] = store.rels_any(t, sources=sorted(self.agencies))
        named = {r.source if r.type == "RECALLED_TO" else r.target for t in RELATIONS
                 if SCHEMA.relation(t).target == "Matter" or t == "RECALLED_TO" for r in self.rels[t]}
        self.matters = {p["id"]: p for p in store.nodes_any("Matter", keys=sorted(named))}
        cited = {str(r.props["list_id"]) for rels in self.rels.values() for r in rels if r.props.get("list_id")}
        cited |= {str(a["list_id"]) for a in self.agencies.values() if a.get("list_id")}
        lists = store.nodes_any("SourceList", region_prefix=county) + store.nodes_any("SourceList", keys=sorted(cited))
        self.lists = {p["id"]: p for p in lists}

    def at(self, type_: str, region: str) -> list[Rel]:
        """Relations of a type asserted for one region (HANDLED: by the township that handled the cases)."""
        return self._by_region.get((type_, region), [])

    # -- names -----------------------------------------------------------------------------------------------------

    def key(self, matter_id: str) -> str:
        """Matters are compared by normalised name: a coded and a name-only matter of one name are one item."""
        m = self.matters.get(matter_id)
        return (m.get("norm_name") if m else None) or matter_id

    def matter(self, matter_id: str) -> dict[str, Any]:
        m = self.matters.get(matter_id) or {"name": matter_id}
        return {"id": matter_id, "name": m["name"]}

    def category(self, matter_id: str) -> str | None:
        return (self.matters.get(matter_id) or {}).get("category")

    def agency(self, agency_id: str | None) -> dict[str, Any]:
        a = self.agencies.get(agency_id or "")
        return {"id": agency_id, "name": a["name"] if a else agency_id}

    def region(self, code: str) -> dict[str, Any]:
        r = self.regions.get(code)
        if r is None and "?" in code:  # a township the delegation list named but the county does not have
            return {"code": code, "name": code.split("?", 1)[1]}
        return {"code": code, "name": r["name"] if r else code}

    def name(self, code: str) -> str:
        return str(self.region(code)["name"])

    def label(self, agency_id: str | None) -> str:
        """How an official would name the agency in a sentence: 县住建局, 漆园乡综合行政执法大队, 「县城乡规划局」."""
        a = self.agencies.get(agency_id or "")
        if a is None:
            return f"「{agency_id}」" if agency_id else "（无）"
        if a.get("kind") == "unresolved":
            return f"「{a['name']}」"
        if len(a["region"]) > 6 and a.get("kind") != "township_government":
            return self.name(a["region"]) + a["name"]
        shorts = a.get("short_names") or []
        return shorts[0] if shorts and len(a["region"]) == 6 else a["name"]

    def bare(self, agency_id: str | None, merged: bool = False) -> str:
        """The agency's name inside a sentence that already names the township: 村镇规划建设办公室, 县住建局; a township
        government across several townships (one county list) is just 乡镇人民政府."""
        a = self.agencies.get(agency_id or "")
        if a is None or len(a["region"]) == 6 or a.get("kind") == "unresolved":
            return self.label(agency_id)
        if a.get("kind") == "township_government":
            return "乡镇人民政府" if merged else a["name"]
        return a["name"]

    def place(self, codes: Any) -> tuple[dict[str, Any], list[str], str, str]:
        """Where a finding is: one township, or — when one county list row holds for several — the county, with the
        townships listed. Returns (region, townships, 地点, place)."""
        codes = sorted(set(codes))
        if len(codes) == 1:
            name = self.name(codes[0])
            return self.region(codes[0]), [], name, name
        county = self.county_of(codes[0])
        every = set(codes) >= set(self.townships(county))
        names = "、".join(self.name(c) for c in codes[:3])
        if every:
            zh, en = f"全县{len(codes)}个乡镇", f"all {len(codes)} townships"
        elif len(codes) > 3:
            zh, en = f"{names}等{len(codes)}个乡镇", f"{len(codes)} townships ({names} …)"
        else:
            zh, en = names, names
        return self.region(county), codes, zh, en

    def index(self, county: str) -> AgencyIndex:
        """Name resolution over the county's known agencies (never the unresolved names lists wrote)."""
        if county not in self._indexes:
            region = self.regions.get(county) or {}
            self._indexes[county] = AgencyIndex(county, region.get("name", ""), [
                AgencyRef.from_props(p) for p in self.agencies.values()
                if p["region"][:6] == county and p.get("kind") != "unresolved"])
        return self._indexes[county]

    def ids(self, key: str) -> list[str]:
        """Every matter id of one item (same normalised name): what the resolver is asked about."""
        if not self._ids:
            for mid in self.matters:
                self._ids[self.key(mid)].append(mid)
        return self._ids.get(key) or [key]

    def agency_references(self) -> list[tuple[Rel, str, str | None]]:
        """(relation, agency id, township the name was looked up in) for every agency a list row named, looked up the
        way the ingest looked it up: a township's own list rows and undertakers within the township first."""
        out: list[tuple[Rel, str, str | None]] = []
        for type_ in ("LEADS", "COOPERATES_ON", "ASSISTS", "GUIDES", "DELEGATES", "UNDERTAKES"):
            for r in self.rels[type_]:
                region = r.props.get("region") or ""
                local = type_ == "UNDERTAKES" or (type_ == "LEADS" and r.props.get("list_kind") in ("basic", "power"))
                out.append((r, r.source, region if local and self.is_township(region) else None))
        out += [(r, r.target, None) for r in self.rels["RECALLED_TO"]]
        return [o for o in out if o[0].props.get("list_id")]

    def resolved(self, agency_id: str | None) -> bool:
        a = self.agencies.get(agency_id or "")
        return a is not None and a.get("kind") != "unresolved"

    # -- places ----------------------------------------------------------------------------------------------------

    def counties(self) -> list[str]:
        return sorted(c for c, r in self.regions.items() if r.get("level") == "county")

    def townships(self, county: str | None = None) -> list[str]:
        return sorted(c for c, r in self.regions.items() if r.get("level") == "township"
                      and (county is None or r.get("county_code") == county))

    def is_township(self, code: str) -> bool:
        return (self.regions.get(code) or {}).get("level") == "township"

    def county_of(self, code: str) -> str:
        r = self.regions.get(code) or {}
        return str(r.get("county_code") or code[:6])

    def township_of(self, agency_id: str) -> str | None:
        """The township an agency works in: its own region, or where a dispatched unit is stationed."""
        a = self.agencies.get(agency_id) or {}
        if len(a.get("region", "")) > 6:
            return a["region"]
        return self.stationed.get(agency_id)

    def department_of(self, agency_id: str) -> str:
        """The county department an agency belongs to (itself for a department): two rows of one department's
        list naming it and its brigade are one department, not two leads."""
        seen = {agency_id}
        while agency_id in self.parent and len((self.agencies.get(self.parent[agency_id]) or {}).get("region", "")) == 6:
            agency_id = self.parent[agency_id]
            if agency_id in seen:
                break
            seen.add(agency_id)
        return agency_id

    # -- provenance ------------------------------------------------------------------------------------------------

    def source(self, rel: Rel) -> dict[str, Any]:
        return {"list": rel.props.get("list_id"), "file": rel.props.get("file"), "sheet": rel.props.get("sheet"),
                "row": rel.props.get("row")}

    def node_source(self, props: dict[str, Any]) -> dict[str, Any]:
        return {"list": props.get("list_id"), "file": props.get("file"), "sheet": props.get("sheet"),
                "row": props.get("row")}

    def list_kind(self, rel: Rel) -> str:
        lst = self.lists.get(rel.props.get("list_id") or "") or {}
        return str(lst.get("kind") or rel.props.get("list_kind") or "")

    def list_title(self, list_id: str | None, sheet: str | None = None) -> str:
        """The list a row came from, as its owner titled it (else its file), with the sheet when the file has several
        lists: 《青岚县属地管理事项清单（2024年版）》「属地管理事项」 — never the kind's generic name, which two lists of one
        kind (a township's cooperation list and the county's territorial list) share."""
        lst = self.lists.get(list_id or "") or {}
        title = str(lst.get("title") or lst.get("file") or SOURCE_KINDS.get(str(lst.get("kind") or ""), ("清单",))[0])
        return f"《{title}》" + (f"「{sheet}」" if sheet and self._shared_file(lst) else "")

    def _shared_file(self, lst: dict[str, Any]) -> bool:
        """Does the list's file hold other lists too (one workbook, a sheet per list)? Then the sheet tells them
        apart; a workbook of one list is named without its sheet (Sheet1)."""
        def key(x: dict[str, Any]) -> tuple[str, str, str]:  # one file of one county (counties reuse file names)
            return str(x.get("file") or ""), str(x.get("file_hash") or ""), str(x.get("region") or "")[:6]

        if not hasattr(self, "_files"):
            counts: dict[tuple[str, str, str], int] = defaultdict(int)
            for other in self.lists.values():
                if other.get("file"):
                    counts[key(other)] += 1
            self._files = counts
        return self._files.get(key(lst), 0) > 1

    def list_title_en(self, list_id: str | None, sheet: str | None = None) -> str:
        lst = self.lists.get(list_id or "") or {}
        title = str(lst.get("title") or lst.get("file") or SOURCE_KINDS.get(str(lst.get("kind") or ""),
                                                                            ("", "list"))[1])
        return title + (f" (sheet {sheet})" if sheet and self._shared_file(lst) else "")

    def where_zh(self, rel: Rel) -> str:
        """``《title》「sheet」第N行``: the list and the row the assertion was read from."""
        return f"{self.list_title(rel.props.get('list_id'), rel.props.get('sheet'))}第{rel.props.get('row')}行"

    def where_en(self, rel: Rel) -> str:
        return f"{self.list_title_en(rel.props.get('list_id'), rel.props.get('sheet'))}, row {rel.props.get('row')}"

    def in_force(self, rel: Rel) -> bool:
        return delegation_in_force(rel, self.as_of)

    # -- staffing --------------------------------------------------------------------------------------------------

    def staffing(self, agency_id: str) -> dict[str, dict[str, int]] | None:
        """Quota and actual by kind, or None when the structure gives no figure at all."""
        a = self.agencies.get(agency_id) or {}
        out = {k: {"quota": a.get(f"{k}_quota"), "actual": a.get(f"{k}_actual")} for k in STAFF_KINDS}
        if all(v is None for kind in out.values() for v in kind.values()):
            return None
        return {k: {"quota": v["quota"] or 0, "actual": v["actual"] or 0} for k, v in out.items()}

    def headcount(self, agency_id: str) -> tuple[int, int] | None:
        s = self.staffing(agency_id)
        if s is None:
            return None
        return sum(v["quota"] for v in s.values()), sum(v["actual"] for v in s.values())

    def government(self, township: str) -> str | None:
        return self._governments.get(township)

    def overridden(self, township: str, key: str, rule_id: str) -> bool:
        """Is what rule ``rule_id`` asserts for the matter ``key`` in the township overridden there by a higher rule
        that applies to it (a recall; a delegation in force), as ``api.resolve.RULES`` declares?"""
        applies = {"recalled": key in self.recalled(township), "delegated": key in self.delegated(township)}
        return any(applies.get(r.id) and overrides(r.id, rule_id) for r in RULES)

    def township_lead(self, rel: Rel, township: str) -> str:
        """The body a township's list row means, as the resolver reads it (``api.resolve.township_lead``)."""
        a = self.agencies.get(rel.source) or {}
        return township_lead(rel.source, a.get("region"), township, self.government(township))

    def own_units(self, township: str) -> list[str]:
        """The township's own bodies (government, offices, institutions, team): dispatched units are the county's."""
        return sorted(a for a, p in self.agencies.items() if p.get("region") == township and p.get("kind") != "unresolved")

    # -- what a township does --------------------------------------------------------------------------------------

    def delegated(self, township: str) -> dict[str, list[Rel]]:
        """Delegations in force to the township, by matter key (computed once per township)."""
        if township not in self._delegated:
            out: dict[str, list[Rel]] = defaultdict(list)
            for r in self.at("DELEGATES", township):
                if self.in_force(r):
                    out[self.key(r.target)].append(r)
            self._delegated[township] = dict(out)
        return self._delegated[township]

    def cooperation_items(self, township: str) -> set[str]:
        """Matters the township cooperates on (配合履职 / 属地管理), by key."""
        return {self.key(r.target) for r in self.at("COOPERATES_ON", township)
                if (self.agencies.get(r.source) or {}).get("region") == township}

    def recalled(self, township: str) -> set[str]:
        if township not in self._recalled:
            self._recalled[township] = {self.key(r.source) for r in self.at("RECALLED_TO", township)}
        return self._recalled[township]

    def items(self, township: str) -> set[str]:
        """Everything the township does itself: basic duties, its own power list, county powers exercised at township
        level, delegations in force and cooperation items; recalled matters are the department's work now."""
        county = self.county_of(township)
        own = {self.key(r.target) for r in self.at("LEADS", township) if r.props.get("list_kind") in ("basic", "power")}
        own |= {self.key(r.target) for r in self.at("LEADS", county)
                if r.props.get("list_kind") == "power" and township_scope(r)}
        return (own | set(self.delegated(township)) | self.cooperation_items(township)) - self.recalled(township)

    def activity(self, township: str, period: str | None) -> dict[str, int]:
        """Cases per matter key in the period (every period when none is given)."""
        out: dict[str, int] = defaultdict(int)
        for r in self.at("HANDLED", township):
            if period_matches(str(r.props.get("period") or ""), period):
                out[self.key(r.target)] += int(r.props.get("count") or 0)
        return out

    def has_activity(self, county: str, period: str | None) -> bool:
        return any(r.source.startswith(county) and period_matches(str(r.props.get("period") or ""), period)
                   for r in self.rels["HANDLED"])


def period_years(text: str) -> tuple[int, int] | None:
    """2023 → (2023, 2023); 2021-2023 or 2021—2023年 → (2021, 2023); no year → None."""
    years = [int(y) for y in _YEAR.findall(text or "")]
    return (min(years), max(years)) if years else None


def period_matches(period: str, wanted: str | None) -> bool:
    """A record's period overlaps the wanted one (``2023`` or ``2021-2023``); no wanted period takes every record.
    A record for 2021-2023 counts whole for 2023: the data rarely splits it, and "some cases" is what matters."""
    if not wanted:
        return True
    have, want = period_years(period), period_years(wanted)
    if have is None or want is None:
        return period.strip() == wanted.strip()
    return have[0] <= want[1] and want[0] <= have[1]


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


# --- the views ----------------------------------------------------------------------------------------------------

