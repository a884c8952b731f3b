"""Turning duty lists into matters and assignments, as the resolution rules of docs/domain.md §4 need them.

Per kind (docs/formats.md):
- power (权责清单): the owner LEADS each matter for its region, with 管理权限 kept as ``scope``;
- basic (基本履职事项): the township LEADS through the office named in the row;
- cooperation (配合履职/属地管理): the lead department LEADS with its duty, the township and other named departments
  COOPERATE_ON with theirs; a county-level list applies to every township;
- recall (收回事项): the matter is RECALLED_TO the taking department, with the township's way of helping;
- delegation (赋权/下放/委托): the department DELEGATES the matter to each township named, and the township's unit
  UNDERTAKES it;
- activity (办件量/案件数): the township HANDLED so many cases of the matter in a period.

A name that does not resolve keeps its row, pointing at an ``unresolved`` agency that carries the name as written; the
ingest warns with the nearest names (``--strict`` makes that an error).

Versions: a list replaces the current version of the same list (same kind, region, owner and series) — its assertions
are removed and kept on the old SourceList (status ``replaced``, ``assertions``) — unless its own version is older. The
versions are compared by the year or date they name (``2019``, ``2025年版``, ``2024年``, ``2023-12``; at the precision
both give, ``list_meta.compare_versions``): an older version is kept as history (SourceList status ``history``, with
``replaced_by`` the current one and its ``assertions``, the way a replaced version keeps them), never becomes current,
and the report says so (warning ``older-version``). When either version names no year (``第二版``, none at all), or
both name the same one, the list loaded last is the current one, as before versions were compared. Two lists of one
ingest replace each other only when one is a newer version of the other (in either order: the older is kept as
history); otherwise both stay current, as before.

Identity: an item code (事项编码) names one matter. A code that arrives under another name than the one the store or an
earlier row of this ingest gives it is an error at the row, naming both rows — or, under ``--partial``, a warning
with the row's matter keyed by its name instead (the two kept apart); never a silent rename. A new version of a list
may rename its own items (the old name is asserted by nothing but the version it replaces): a warning
``matter-renamed`` says so. An older version kept as history renames nothing, so only its own rows are checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from quanze.errors import Ambiguous, LookupFailed, Problem
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.matters import (ENFORCEMENT_CATEGORIES, canonical_category, category_from_name, matter_id,
                                  norm_matter_name)
from quanze.graph.regions import Region, RegionDirectory
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Store
from quanze.graph.text import normalise_key, split_names
from quanze.ingest.cells import parse_count, parse_date, strip_numbering
from quanze.ingest.changes import LEAD_TYPES, compare, grouped, row_of
from quanze.ingest.list_meta import compare_versions
from quanze.ingest.list_read import ParsedList
from quanze.ingest.structure_build import rel_id
from quanze.ingest.tabular import Row
from quanze.ingest.township_expr import expand_townships

KIND_ORDER = ("power", "delegation", "basic", "cooperation", "recall", "activity")
MODES = {"下放": "下放", "赋权": "下放", "委托": "委托", "授权": "授权", "委托执法": "委托"}


@dataclass
class ListOutcome:
    parsed: ParsedList
    list_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: bool = False
    unchanged: bool = False
    history: bool = False  # an older version than the current one: kept as history, not current
    change: dict[str, Any] | None = None  # what loading it changes (``_change``), for the report


@dataclass
class _Target:
    """Where a list applies: its county, its own region, and the townships its rows are about."""

    county: Region
    region: Region
    townships: list[Region]
    owner: AgencyRef | None


class ListBuilder:
    """Builds one batch for many lists against the store plus the structures loaded in the same ingest."""

    def __init__(self, store: Store, structures: Batch, *, strict: bool = False, partial: bool = False,
                 replace: bool = False, now: str | None = None):
        self.store = store
        self.strict = strict
        self.partial = partial
        self.replace = replace  # a load may remove assertions of a current version (docs/formats.md §6)
        self.now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        replaced = set(structures.replaces)
        declared = [Region.from_props(p) for p in store.nodes("Region", origin="declared")]
        declared += [Region.from_props(p) for p in structures.nodes.get("Region", {}).values()
                     if p.get("origin") == "declared"]
        self.regions = RegionDirectory(declared)
        self.held_regions = {p["code"]: Region.from_props(p) for p in store.nodes("Region")}
        self.held_regions.update({c: Region.from_props(p) for c, p in structures.nodes.get("Region", {}).items()})
        # counties whose structure this same ingest loads: a bare township name in a sidecar means theirs
        self.run_counties = {p["code"] for p in structures.nodes.get("Region", {}).values() if p["level"] == "county"}
        # agencies are read per county when a list of that county needs them (never the whole store): the store's,
        # less those of structures this ingest replaces, plus the ones this ingest loads
        self._replaced = replaced
        self._run_agencies = structures.nodes.get("Agency", {})
        self._by_county: dict[str, dict[str, dict]] = {}
        self._indexes: dict[str, AgencyIndex] = {}
        self._coded = {}  # norm_name → coded matter id, so a name-only row joins the coded matter of the same name
        self._stored_matters: dict[str, tuple[str, str]] = {}  # coded matter id → (norm_name, name) in the store
        self._categories: dict[str, str | None] = {}  # matter id → its category in the store
        for p in store.nodes("Matter"):
            self._stored_matters[p["id"]] = (p.get("norm_name") or norm_matter_name(p["name"]), p["name"])
            self._categories[p["id"]] = p.get("category")
            if p.get("code"):
                self._coded.setdefault(p["norm_name"], p["id"])
        # series key → the current version(s) of that list: the store's, or the one this ingest made current
        self._series: dict[str, list[dict[str, Any]]] = {}
        self._run_lists: dict[str, ListOutcome] = {}  # lists this ingest made current (assertions in the batch)
        # coded matter id → the first row of this ingest that named it: (norm_name, name, file, sheet, row)
        self._code_rows: dict[str, tuple[str, str, str, str | None, int]] = {}
        self._pending_codes: dict[str, tuple[str, str, str, str | None, int]] = {}  # the same, for the list being built
        self._built = Batch()  # what the lists built so far hold (``build``)

    # -- lookups -------------------------------------------------------------------------------------------------

    def county_agencies(self, county: str) -> dict[str, dict]:
        """The agencies of one county (region code starting with the county's), by id."""
        if county not in self._by_county:
            found = {p["id"]: p for p in self.store.nodes_any("Agency", region_prefix=county)
                     if p.get("list_id") not in self._replaced}
            found.update({k: p for k, p in self._run_agencies.items() if p["region"][:6] == county})
            self._by_county[county] = found
        return self._by_county[county]

    def index(self, county: str) -> AgencyIndex:
        if county not in self._indexes:
            region = self.held_regions.get(county)
            self._indexes[county] = AgencyIndex(county, region.name if region else "", [
                AgencyRef.from_props(p) for p in self.county_agencies(county).values()
                if p.get("kind") != "unresolved"])
        return self._indexes[county]

    def counties(self) -> list[Region]:
        return [r for r in self.held_regions.values() if r.level == "county"]

    def townships_of(self, county: str) -> list[Region]:
        return sorted((r for r in self.held_regions.values() if r.county_code == county), key=lambda r: r.code)

    def unit_of_kind(self, township: str, kind: str) -> str | None:
        return next((a["id"] for a in self.county_agencies(township[:6]).values()
                     if a["region"] == township and a["kind"] == kind), None)

    # -- where a list applies ----------------------------------------------------------------------------------

    def target(self, pl: ParsedList, out: ListOutcome) -> _Target | None:
        meta = pl.meta
        where = {"file": pl.path.name, "sheet": pl.sheet}
        region: Region | None = None
        owner: AgencyRef | None = None
        try:
            if meta.region:
                region = self._resolve_region(meta.region)
            elif pl.subject:
                region = self._region_in(pl.subject)
        except LookupFailed as e:
            out.problems.append(Problem("error", "unknown-region", e.message_zh, e.message_en, column="region",
                                        value=meta.region, suggestions=e.candidates, **where))
            return None
        owner_text = meta.owner or (pl.subject if meta.kind == "power" and pl.subject else None)
        if owner_text:
            counties = [region.code if region.level == "county" else str(region.county_code)] if region else \
                [c.code for c in self.counties()]
            found = [a for c in counties for a in self.index(c).find(owner_text, region.code if region else None)]
            if len(found) == 1:
                owner = found[0]
            elif meta.owner:
                near = [n for c in counties for n in self.index(c).nearest(owner_text)]
                out.problems.append(Problem("error", "unknown-owner", f"找不到清单所属机构「{owner_text}」",
                                            f"the list's owner {owner_text!r} does not resolve", column="owner",
                                            value=owner_text, suggestions=tuple(near[:5]), **where))
                return None
        if region is None and owner is not None:
            region = self.held_regions.get(owner.region[:6])
            if owner.kind == "township_government":
                region = self.held_regions.get(owner.region)
        if region is None:
            known = self.counties()
            if len(known) == 1 and meta.kind in ("delegation", "activity", "power", "cooperation"):
                region = known[0]
        if region is None:
            out.problems.append(Problem(
                "error", "unknown-region", "无法确定清单所属地区：请用 --region 指定，或在 NAME.meta.yaml 中写 region",
                "cannot tell which region the list is for: give --region, or write region in NAME.meta.yaml",
                column="region", expected="县或乡镇的名称或区划代码 / a county or township name or code", **where))
            return None
        county = region if region.level == "county" else self.held_regions.get(str(region.county_code))
        if county is None:
            out.problems.append(Problem("error", "unknown-region", "清单所属的县尚未导入机构设置，请先导入",
                                        "the list's county has no structure loaded yet; ingest it first",
                                        value=region.name, **where))
            return None
        if owner is None and region.level == "township" and meta.kind == "power":
            gov = self.unit_of_kind(region.code, "township_government")
            owner = AgencyRef.from_props(self.county_agencies(region.code[:6])[gov]) if gov else None
        townships = [region] if region.level == "township" else self.townships_of(county.code)
        return _Target(county, region, townships, owner)

    def _resolve_region(self, text: str) -> Region:
        """A region the store holds wins over its namesakes in the national table (临江镇 is in 11 counties)."""
        key = normalise_key(text)
        held = [r for r in self.held_regions.values() if normalise_key(r.name) == key]
        if len(held) > 1 and self.run_counties:  # several counties held: the one this ingest brings wins
            held = [r for r in held if (r.county_code or r.code) in self.run_counties] or held
        if len(held) == 1:
            return held[0]
        region = self.regions.resolve(text)
        return self.held_regions.get(region.code, region)

    def _region_in(self, text: str) -> Region | None:
        """A township or county of a held county named inside a title (``青岚县城关镇履行职责事项清单``)."""
        townships = [r for r in self.held_regions.values() if r.level == "township" and r.name in text]
        counties = [r for r in self.counties() if r.name in text]
        if counties:
            townships = [t for t in townships if t.county_code in {c.code for c in counties}] or townships
        if len(townships) == 1:
            return townships[0]
        if len(counties) == 1 and not townships:
            return counties[0]
        return None

    # -- building ----------------------------------------------------------------------------------------------

    def build(self, lists: list[ParsedList], batch: Batch) -> list[ListOutcome]:
        outcomes = []
        self._built = batch  # a delegation's row reads its matter's category there
        for pl in lists:  # a workbook's title row is often on its first sheet only: the others share it
            sibling = next((o for o in lists if o.path == pl.path and o.subject), None)
            if not pl.subject and sibling is not None:
                pl.subject = sibling.subject
                pl.meta.fill("title", {k: getattr(sibling.meta, k) for k in ("version", "document", "effective")
                                       if sibling.meta.origin.get(k) == "title"})
        for pl in sorted(lists, key=lambda p: KIND_ORDER.index(p.meta.kind or "activity")):
            out = ListOutcome(pl, problems=list(pl.problems))
            outcomes.append(out)
            target = self.target(pl, out)
            if target is None:
                out.rejected = True
                continue
            own = Batch()
            out.list_id = self._list_id(pl, target)
            newer = self._newer_version(pl, target, out)
            out.history = newer is not None
            self._pending_codes = {}
            self._rows(pl, target, own, out)
            if self.strict:
                out.problems = [Problem(**{**p.__dict__, "level": "error"}) if p.code in (
                    "unknown-agency", "unknown-township", "ambiguous-agency") else p for p in out.problems]
            row_errors = [p for p in out.problems if p.is_error and p.row is not None]
            file_errors = [p for p in out.problems if p.is_error and p.row is None]
            if file_errors or (row_errors and not self.partial):
                out.rejected = True
                continue
            if newer is not None:
                self._keep_as_history(pl, target, out, own, newer, batch)
                continue
            if not self._version(pl, target, out, own, batch):
                out.rejected = True
                continue
            _merge(batch, own)
            self._remember_codes(own)
            for mid, first in self._pending_codes.items():
                self._code_rows.setdefault(mid, first)
        return outcomes

    def _remember_codes(self, own: Batch) -> None:
        for p in own.nodes.get("Matter", {}).values():
            if p.get("code"):
                self._coded.setdefault(p["norm_name"], p["id"])

    def _list_id(self, pl: ParsedList, t: _Target) -> str:
        version = pl.meta.version or "-"
        return f"{self._series_key(pl, t)}@{version}#{pl.file_hash[:8]}"

    def _series_key(self, pl: ParsedList, t: _Target, *, base: bool = False) -> str:
        """What tells one list from another (its versions share it). A supplement's is its base list's plus its own
        title, so that a supplement reloaded after an edit replaces its own earlier version and nothing else."""
        series = pl.meta.batch if pl.meta.kind == "delegation" else pl.meta.period if pl.meta.kind == "activity" \
            else None
        key = ":".join([str(pl.meta.kind), t.region.code, t.owner.id if t.owner else "-"] + ([series] if series else []))
        if pl.meta.supplement and not base:
            title = normalise_key(pl.meta.title or pl.path.stem)
            key += "+supplement:" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
        return key

    def _currents(self, pl: ParsedList, t: _Target, *, base: bool = False) -> list[dict[str, Any]]:
        """The current version(s) of this list (``base``: of the list a supplement adds to): the store's, until a
        list of this ingest replaces them."""
        key = self._series_key(pl, t, base=base)
        if key not in self._series:
            self._series[key] = [old for old in self.store.nodes("SourceList", kind=pl.meta.kind,
                                                                 region=t.region.code, status="current")
                                 if old["id"].split("@")[0] == key]
        return self._series[key]

    def _newer_version(self, pl: ParsedList, t: _Target, out: ListOutcome) -> dict[str, Any] | None:
        """The current version of the same list when it is newer than this one (by the years or dates the versions
        name), else None."""
        return next((current for current in self._currents(pl, t) if current["id"] != out.list_id
                     and compare_versions(pl.meta.version, current.get("version")) == -1), None)

    def _version(self, pl: ParsedList, t: _Target, out: ListOutcome, own: Batch, batch: Batch) -> bool:
        """Replace what earlier versions of the same list asserted (and the supplements added to them); keep their
        record and what they said. A supplement replaces nothing but its own earlier version. What the load changes
        is put on ``out.change``; when it would remove assertions of a current version and ``replace`` was not
        given, nothing is done: a located problem says so and False is returned (the list is refused)."""
        assert out.list_id is not None
        currents = self._currents(pl, t)
        kept, to_history, replaced = [], [], []
        for old in currents:
            if old["id"] == out.list_id:
                continue
            if old["id"] in self._run_lists:  # made current by this same ingest: its assertions are in the batch
                if compare_versions(pl.meta.version, old.get("version")) != 1:
                    kept.append(old)  # not an older version of this one: both stay current, as before
                else:
                    to_history.append(old)
                continue
            replaced.append(old)
        if not pl.meta.supplement:  # a full version replaces its base's supplements with it
            replaced += [s for old in list(replaced) for s in self.store.nodes("SourceList", supplements=old["id"],
                                                                                status="current")]
        base = self._base(pl, t, out) if pl.meta.supplement else None
        said = {old["id"]: self._said(old["id"]) for old in replaced}
        out.change = self._change(pl, t, out, own, batch, replaced, base, [a for v in said.values() for a in v])
        if out.change["assertions"]["removed"] and not self.replace:
            out.problems.append(_would_remove(pl, out.change))
            return False
        for old in to_history:
            earlier = self._run_lists[old["id"]]
            earlier.history = True
            earlier.problems.append(_older_version(earlier.parsed, pl.meta.version, pl.path.name, out.list_id))
            own.add_node("SourceList", {"id": old["id"], "status": "history", "replaced_by": out.list_id,
                                        "assertions": _take_assertions(batch, old["id"]), "kind": old["kind"]})
        for old in replaced:
            own.replaces.append(old["id"])
            own.add_node("SourceList", {"id": old["id"], "status": "replaced", "replaced_at": self.now,
                                        "replaced_by": out.list_id, "assertions": said[old["id"]],
                                        "kind": old["kind"]})
        record = self._record(pl, t, out, "current")
        if base is not None:
            record["supplements"] = base["id"]
        own.add_node("SourceList", record)
        currents[:] = kept + [record]
        self._run_lists[record["id"]] = out
        return True

    def _base(self, pl: ParsedList, t: _Target, out: ListOutcome) -> dict[str, Any] | None:
        """The current version a supplement adds to (the last loaded when there are several); None, with a warning,
        when the list has no current version yet."""
        bases = self._currents(pl, t, base=True)
        if bases:
            return max(bases, key=lambda b: str(b.get("loaded_at") or ""))
        out.problems.append(Problem(
            "warning", "supplement-without-base", "这是一份补充清单，但该清单还没有导入过当前版本：按独立清单导入",
            "this is a supplement, but its list has no current version loaded yet: loaded as a list of its own",
            file=pl.path.name, sheet=pl.sheet, value=pl.meta.title))
        return None

    def _said(self, list_id: str) -> list[dict[str, Any]]:
        """What a current list of the store asserts, as a replaced version keeps it: each assertion with the
        category its matter has now (so that a later diff can tell a category that changed)."""
        said = []
        for rtype in SCHEMA.matter_types:
            for r in self.store.rels(rtype, list_id=list_id):
                a = {"type": r.type, "source": r.source, "target": r.target, **r.props}
                category = self._categories.get(r.source if rtype == "RECALLED_TO" else r.target)
                if category:
                    a["category"] = category
                said.append(a)
        return said

    def _change(self, pl: ParsedList, t: _Target, out: ListOutcome, own: Batch, batch: Batch,
                replaced: list[dict[str, Any]], base: dict[str, Any] | None,
                before: list[dict[str, Any]]) -> dict[str, Any]:
        """What loading this list changes (docs/formats.md §6; the shape is the ``IngestReport`` docstring's):
        the versions it replaces, the assertions added, removed and changed by matter and agency with the rows on
        both sides, and the duties left with nobody leading them."""
        matters = own.nodes.get("Matter", {})
        after = []
        for rels in own.rels.values():
            for r in rels.values():
                a = {"type": r.type, "source": r.source, "target": r.target, **r.props}
                category = (matters.get(r.source if r.type == "RECALLED_TO" else r.target) or {}).get("category")
                if category:
                    a["category"] = category
                after.append(a)
        diff = compare(before, after)
        agencies = {**self.county_agencies(t.county.code), **own.nodes.get("Agency", {})}

        def matter_name(mid: str) -> str:
            node = matters.get(mid) or batch.node("Matter", mid)
            return node["name"] if node else (self._stored_matters.get(mid) or (None, None))[1] or \
                (self.store.node("Matter", mid) or {}).get("name") or mid

        def agency_name(aid: str | None) -> str:
            return (agencies.get(aid) or {}).get("name") or str(aid)

        replaced_ids = {o["id"] for o in replaced}
        orphans = self._orphans(diff["removed"], replaced_ids, own, batch, t)
        region_names = {r.code: r.name for r in [t.county] + self.townships_of(t.county.code)}
        for o in orphans:
            o["matter"]["name"] = matter_name(o["matter"]["id"])
            o["regions"] = [{"code": c, "name": region_names.get(c, c)} for c in o["regions"]]
        items = {k: grouped(v, matter_name, agency_name) for k, v in diff.items()}
        return {
            "list": out.list_id, "title": pl.meta.title, "version": pl.meta.version, "kind": pl.meta.kind,
            "sheet": pl.sheet, "region": {"code": t.region.code, "name": t.region.name},
            "mode": "supplement" if pl.meta.supplement else "replace" if replaced else "first",
            "replaces": [_version_summary(o) for o in replaced],
            "supplements": _version_summary(base) if base else None,
            "assertions": {k: sum(len(old) or len(new) for _, old, new in v) for k, v in diff.items()},
            "counts": {**{k: len(v) for k, v in items.items()},
                       "orphans": sum(len(o["regions"]) for o in orphans)},
            **items, "orphans": orphans}

    def _orphans(self, removed: list[tuple], replaced: set[str], own: Batch, batch: Batch,
                 t: _Target) -> list[dict[str, Any]]:
        """The (matter, region) pairs whose every lead (牵头, 下放, 收回) is among what the load removes: duties
        that would be left with nobody leading them, grouped by matter, with the rows that led them before."""
        lost: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for (type_, _agency, matter, region, _period), old, _new in removed:
            if type_ in LEAD_TYPES:
                lost[(matter, region)] += old
        if not lost:
            return []
        matters = sorted({m for m, _ in lost})
        county = t.county.code
        still: set[tuple[str, str]] = set()
        for type_ in LEAD_TYPES:
            ends = {"sources": matters} if type_ == "RECALLED_TO" else {"targets": matters}
            for r in self.store.rels_any(type_, **ends):
                if r.props.get("list_id") not in replaced:
                    still.add((r.source if type_ == "RECALLED_TO" else r.target, str(r.props.get("region"))))
        for b in (own, batch):
            for type_ in LEAD_TYPES:
                for r in b.rels.get(type_, {}).values():
                    if r.props.get("list_id") not in replaced:
                        still.add((r.source if type_ == "RECALLED_TO" else r.target, str(r.props.get("region"))))
        by_matter: dict[str, dict[str, Any]] = {}
        for (matter, region), old in sorted(lost.items()):
            if (matter, region) in still or (region != county and (matter, county) in still):
                continue
            item = by_matter.setdefault(matter, {"matter": {"id": matter, "name": matter}, "regions": [],
                                                 "before": []})
            item["regions"].append(region)
            item["before"] += [row_of(a) for a in old if row_of(a) not in item["before"]]
        return list(by_matter.values())

    def _record(self, pl: ParsedList, t: _Target, out: ListOutcome, status: str) -> dict[str, Any]:
        series = pl.meta.batch if pl.meta.kind == "delegation" else pl.meta.period if pl.meta.kind == "activity" \
            else None
        return {
            "id": out.list_id, "kind": pl.meta.kind, "region": t.region.code, "owner": t.owner.id if t.owner else None,
            "title": pl.meta.title, "version": pl.meta.version, "document": pl.meta.document,
            "effective": parse_date(pl.meta.effective), "file": pl.path.name, "file_hash": pl.file_hash,
            "series": series, "rows": out.rows, "loaded_at": self.now, "status": status,
            "rejected": out.rejected_rows or None}

    def _keep_as_history(self, pl: ParsedList, t: _Target, out: ListOutcome, own: Batch, newer: dict[str, Any],
                         batch: Batch) -> None:
        """An older version than the current one: its record and what it says are kept (for as-of and diffs) as a
        replaced version keeps them; it asserts nothing, changes no node the store or this ingest already has, and
        the current list stays current."""
        assert out.list_id is not None
        out.history = True
        out.problems.append(_older_version(pl, newer.get("version"), newer.get("file"), newer["id"]))
        known = self.store.node("SourceList", out.list_id)
        if known is not None and known.get("status") != "current":
            return  # this very file is on record already
        said = [{"type": r.type, "source": r.source, "target": r.target, **r.props,
                 **_category(own, r)} for rels in own.rels.values() for r in rels.values()]
        fresh = {key: props for key, props in own.nodes.get("Matter", {}).items()
                 if key not in self._stored_matters and batch.node("Matter", key) is None}
        for props in fresh.values():  # matters only this version names: so that its assertions can be read
            batch.add_node("Matter", props)
        agencies = own.nodes.get("Agency", {})
        held = {a["id"] for a in self.store.nodes_any("Agency", keys=list(agencies))} if agencies else set()
        for key, props in agencies.items():  # unresolved names it used, likewise
            if key not in held and batch.node("Agency", key) is None:
                batch.add_node("Agency", props)
        batch.add_node("SourceList", {**self._record(pl, t, out, "history"), "replaced_by": newer["id"],
                                      "assertions": said})
        self._remember_codes(Batch(nodes={"Matter": fresh}))

    # -- rows --------------------------------------------------------------------------------------------------

    def _rows(self, pl: ParsedList, t: _Target, own: Batch, out: ListOutcome) -> None:
        handler = ROW_HANDLERS[pl.meta.kind]
        for row in pl.table.rows:
            name = strip_numbering(row.values.get("name") or "") if row.values.get("name") else ""
            if not name and not row.values.get("code"):
                if any(v for k, v in row.values.items() if k not in ("seq", "remarks")):
                    self._row_error(out, pl, row, "missing-value", "事项名称为空", "the matter name is empty",
                                    "name", "事项名称 / the matter's name")
                    out.rejected_rows.append(_rejected(row, out.problems[-1]))
                continue
            before = len([p for p in out.problems if p.is_error])
            rels = Batch()
            keyed = self._code_identity(pl, t, row, name, out)
            if keyed is not None:
                handler(self, pl, t, keyed, name, rels, out)
            if len([p for p in out.problems if p.is_error]) > before:
                out.rejected_rows.append(_rejected(row, [p for p in out.problems if p.is_error][-1]))
                continue
            out.rows += 1
            _merge(own, rels)

    def _row_error(self, out: ListOutcome, pl: ParsedList, row: Row, code: str, zh: str, en: str, key: str,
                   expected: str, value: Any = None) -> None:
        column = pl.table.column_map[key].header if key in pl.table.column_map else key
        out.problems.append(Problem("error", code, zh, en, file=pl.path.name, sheet=pl.sheet, row=row.number,
                                    column=column, value=value if value is not None else row.values.get(key),
                                    expected=expected))

    def _code_identity(self, pl: ParsedList, t: _Target, row: Row, name: str, out: ListOutcome) -> Row | None:
        """The row as it is to be read when its item code names the matter it names elsewhere (or nothing yet); when
        the code names another matter: None after an error naming both rows, or under ``--partial`` the row without
        its code (its matter keyed by its name) after a warning."""
        code = (row.values.get("code") or "").strip()
        if not code:
            return row
        sub = row.values.get("sub_item")
        mid, norm = matter_id(code, name, sub), norm_matter_name(name, sub)
        shown = name + (f"（{sub}）" if sub else "")
        first = self._pending_codes.get(mid) or (None if out.history else self._code_rows.get(mid))
        if first is None:
            stored = None if out.history else self._stored_matters.get(mid)
            if stored is None or stored[0] == norm:
                self._pending_codes[mid] = (norm, shown, pl.path.name, pl.sheet, row.number)
                return row
            where, renamed = self._where_named(mid, pl, t)
            if renamed:
                self._pending_codes[mid] = (norm, shown, pl.path.name, pl.sheet, row.number)
                out.problems.append(Problem(
                    "warning", "matter-renamed",
                    f"事项编码「{code}」原名「{stored[1]}」，本版清单改称「{shown}」：按新名称保存",
                    f"item code {code!r} was named {stored[1]!r}; this version of the list calls it {shown!r}: the new "
                    "name is kept", file=pl.path.name, sheet=pl.sheet, row=row.number, column=self._column(pl, "code"),
                    value=code))
                return row
            other_name, other_zh, other_en = stored[1], *where
        elif first[0] == norm:
            return row
        else:
            other_name = first[1]
            other_zh, other_en = _row_words(first[2], first[3], first[4])
        level = "warning" if self.partial else "error"
        kept_zh = "；本行按事项名称另立事项，编码未采用" if self.partial else "；请核对编码或名称"
        kept_en = "; this row's matter is kept apart, keyed by its name, without the code" if self.partial else \
            "; check the code or the name"
        out.problems.append(Problem(
            level, "code-name-clash",
            f"事项编码「{code}」在{other_zh}是「{other_name}」，本行却是「{shown}」：同一编码不能指两个事项{kept_zh}",
            f"item code {code!r} names {other_name!r} at {other_en}, but {shown!r} in this row: one code cannot name "
            f"two matters{kept_en}", file=pl.path.name, sheet=pl.sheet, row=row.number,
            column=self._column(pl, "code"), value=code,
            expected=f"「{other_name}」或另一个编码 / {other_name!r} or another code"))
        if not self.partial:
            return None
        return dataclasses.replace(row, values={**row.values, "code": None})

    def _column(self, pl: ParsedList, key: str) -> str:
        return pl.table.column_map[key].header if key in pl.table.column_map else key

    def _where_named(self, mid: str, pl: ParsedList, t: _Target) -> tuple[tuple[str, str], bool]:
        """Where the store's current lists name a matter (the first such row, in words), and whether only the
        versions this list replaces name it (then this list may rename it)."""
        found: list[Any] = []
        for rtype in SCHEMA.matter_types:  # a recalled matter is the source of its RECALLED_TO
            found += self.store.rels(rtype, **{"source" if rtype == "RECALLED_TO" else "target": mid})
        replaced = {c["id"] for c in self._currents(pl, t) if c["id"] not in self._run_lists}
        renamed = all(r.props.get("list_id") in replaced for r in found)
        first = min(found, key=lambda r: (str(r.props.get("file")), str(r.props.get("sheet")), r.props.get("row") or 0),
                    default=None)
        if first is None:
            return ("存储中", "the store"), renamed
        return _row_words(first.props.get("file"), first.props.get("sheet"), first.props.get("row")), renamed

    def _matter(self, pl: ParsedList, row: Row, name: str, b: Batch) -> str:
        v = row.values
        code = (v.get("code") or "").strip() or None
        sub = v.get("sub_item")
        norm = norm_matter_name(name, sub)
        mid = matter_id(code, name, sub)
        if not code and norm in self._coded:
            mid = self._coded[norm]
        category = canonical_category(v.get("category")) or _category_from_group(row.group)
        b.add_node("Matter", {"id": mid, "name": name + (f"（{sub}）" if sub else ""), "code": code,
                              "norm_name": norm, "sub_item": sub, "category": category,
                              "legal_basis": v.get("legal_basis"), "domain": None if category == row.group else
                              row.group})
        return mid

    def _agency(self, pl: ParsedList, row: Row, text: str | None, key: str, t: _Target, township: str | None,
                b: Batch, out: ListOutcome) -> str | None:
        """The id of the agency a cell names; an unresolved or ambiguous name keeps its row (dangling)."""
        if not text:
            return None
        index = self.index(t.county.code)
        column = pl.table.column_map[key].header if key in pl.table.column_map else key
        try:
            return index.resolve(text, township).id
        except LookupFailed as e:
            ambiguous = isinstance(e, Ambiguous)
            out.problems.append(Problem(
                "warning", "ambiguous-agency" if ambiguous else "unknown-agency",
                f"机构名称可指{len(e.candidates)}个机构，按未解析保留" if ambiguous else "机构名称无法解析，保留为悬空引用",
                f"the name could mean {len(e.candidates)} agencies; kept unresolved" if ambiguous else
                "the agency does not resolve; kept as a dangling reference", file=pl.path.name, sheet=pl.sheet,
                row=row.number, column=column, value=text, suggestions=e.candidates[:5]))
            pid = f"{t.county.code}/?{text}"
            b.add_node("Agency", {"id": pid, "name": text, "kind": "unresolved", "region": t.county.code,
                                  "list_id": None, "file": pl.path.name, "sheet": pl.sheet, "row": row.number})
            return pid

    def _assert(self, b: Batch, type_: str, source: str, target: str, region: str, pl: ParsedList, row: Row,
                out: ListOutcome, **props: Any) -> str:
        rid = rel_id(type_, source, target, region, out.list_id, pl.sheet, str(row.number))
        b.add_rel(type_, source, target, {"id": rid, "region": region, "list_id": out.list_id,
                                          "file": pl.path.name, "sheet": pl.sheet, "row": row.number, **props})
        return rid

    def _row_power(self, pl, t, row, name, b, out):
        mid = self._matter(pl, row, name, b)
        township = t.region.code if t.region.level == "township" else None
        lead = None
        if township and row.values.get("implementer"):
            lead = self._agency(pl, row, row.values["implementer"], "implementer", t, township, b, out)
        lead = lead or (t.owner.id if t.owner else None)
        if lead is None:
            self._row_error(out, pl, row, "unknown-owner", "权责清单没有所属机构，也没有实施主体",
                            "a power list needs an owner or an implementer", "implementer",
                            "--owner 或 实施主体 / --owner or an implementer column")
            return
        self._assert(b, "LEADS", lead, mid, t.region.code, pl, row, out, list_kind="power",
                     agency_text=row.values.get("implementer"), duty=row.values.get("duty"),
                     legal_basis=row.values.get("legal_basis"), scope=row.values.get("scope"))

    def _row_basic(self, pl, t, row, name, b, out):
        mid = self._matter(pl, row, name, b)
        for township in t.townships:
            office = self._agency(pl, row, row.values.get("implementer"), "implementer", t, township.code, b, out)
            lead = office or self.unit_of_kind(township.code, "township_government")
            if lead is None:
                self._row_error(out, pl, row, "unknown-agency", "乡镇政府未在机构设置中", "the township government is "
                                "not in the structure", "implementer", "先导入机构设置 / ingest the structure first")
                return
            self._assert(b, "LEADS", lead, mid, township.code, pl, row, out, list_kind="basic",
                         agency_text=row.values.get("implementer"), legal_basis=row.values.get("legal_basis"))

    def _row_cooperation(self, pl, t, row, name, b, out):
        mid = self._matter(pl, row, name, b)
        v = row.values
        lead_text = v.get("lead_department")
        if not lead_text:
            column = pl.table.column_map["lead_department"].header if "lead_department" in pl.table.column_map \
                else "lead_department"
            out.problems.append(Problem("warning", "missing-lead", "配合事项没有写主体责任部门，保留该行（将无人牵头）",
                                        "the cooperation row names no lead department; kept (nobody will lead it)",
                                        file=pl.path.name, sheet=pl.sheet, row=row.number, column=column,
                                        expected="县直部门名称或简称 / a county department"))
        for township in t.townships:
            lead = self._agency(pl, row, lead_text, "lead_department", t, None, b, out)
            if lead:
                self._assert(b, "LEADS", lead, mid, township.code, pl, row, out, list_kind="cooperation",
                             agency_text=lead_text, duty=v.get("lead_duty"), legal_basis=v.get("legal_basis"))
            gov = self.unit_of_kind(township.code, "township_government")
            if gov:
                self._assert(b, "COOPERATES_ON", gov, mid, township.code, pl, row, out, list_kind="cooperation",
                             duty=v.get("township_duty"), legal_basis=v.get("legal_basis"))
            for other in split_names(v.get("other_departments")):
                oid = self._agency(pl, row, other, "other_departments", t, None, b, out)
                if oid and oid != lead:
                    self._assert(b, "COOPERATES_ON", oid, mid, township.code, pl, row, out, list_kind="cooperation",
                                 agency_text=other)
            if len(t.townships) > 1:
                out.problems = _dedupe(out.problems)

    def _row_recall(self, pl, t, row, name, b, out):
        mid = self._matter(pl, row, name, b)
        text = row.values.get("taking_department")
        for township in t.townships:
            dept = self._agency(pl, row, text, "taking_department", t, None, b, out)
            if dept is None:
                self._row_error(out, pl, row, "missing-value", "收回事项未写承接部门", "a recalled matter needs the "
                                "department that takes it", "taking_department", "县直部门名称 / a county department")
                return
            rid = rel_id("RECALLED_TO", mid, dept, township.code, out.list_id, pl.sheet, str(row.number))
            b.add_rel("RECALLED_TO", mid, dept, {"id": rid, "region": township.code, "way": row.values.get("way"),
                                                 "agency_text": text, "list_id": out.list_id, "file": pl.path.name,
                                                 "sheet": pl.sheet, "row": row.number})
            if len(t.townships) > 1:
                out.problems = _dedupe(out.problems)

    def _row_delegation(self, pl, t, row, name, b, out):
        v = row.values
        mid = self._matter(pl, row, name, b)
        dept_text = v.get("department")
        dept = self._agency(pl, row, dept_text, "department", t, None, b, out)
        if dept is None:
            self._row_error(out, pl, row, "missing-value", "赋权事项未写下放部门", "a delegated matter needs its "
                            "delegating department", "department", "县直部门名称 / a county department")
            return
        mode_text = (v.get("mode") or "下放").strip()
        mode = MODES.get(mode_text)
        if mode is None:
            self._row_error(out, pl, row, "bad-mode", "下放方式应为 下放、委托、授权 或 赋权", "the mode must be 下放, "
                            "委托, 授权 or 赋权", "mode", "下放 | 委托 | 授权 | 赋权")
            return
        dates = {}
        for key in ("effective", "recalled"):
            if v.get(key):
                dates[key] = parse_date(v[key])
                if dates[key] is None:
                    self._row_error(out, pl, row, "bad-date", "不是可识别的日期", "not a date that can be read", key,
                                    "2021-05-01、2021年5月、2021.05 等 / a date such as 2021-05-01")
                    return
        county = t.county.code
        by_name = {r.name: r.code for r in self.townships_of(county)}

        def resolve(n: str) -> str | None:
            try:
                r = self.regions.resolve(n, within=county)
                return r.code if r.county_code == county else None
            except LookupFailed:
                return by_name.get(n)
        targets, unknown = expand_townships(v.get("townships") or "", [r.code for r in t.townships], resolve)
        column = pl.table.column_map["townships"].header if "townships" in pl.table.column_map else "townships"
        for n in unknown:
            near = self.regions.nearest(n, county)
            out.problems.append(Problem("warning", "unknown-township", f"承接乡镇「{n}」不是本县乡镇，保留为悬空引用",
                                        f"township {n!r} is not a township of the county; kept as a dangling reference",
                                        file=pl.path.name, sheet=pl.sheet, row=row.number, column=column, value=n,
                                        suggestions=tuple(near)))
        if not targets and not unknown:
            self._row_error(out, pl, row, "missing-value", "未写承接乡镇", "no township named", "townships",
                            "乡镇名称、全部乡镇 或 除…外的各乡镇 / township names, 全部乡镇, or 除…外的各乡镇")
            return
        category = canonical_category(v.get("category")) or _category_from_group(row.group) \
            or self._known_category(mid, name)
        common = {"mode": mode, "agency_text": dept_text, "batch": v.get("batch") or pl.meta.batch,
                  "document": v.get("document") or pl.meta.document,
                  "effective": dates.get("effective") or parse_date(pl.meta.effective),
                  "recalled": dates.get("recalled"), "legal_basis": v.get("legal_basis")}
        for code in targets:
            undertaker_text = v.get("undertaker")
            undertaker = self._agency(pl, row, undertaker_text, "undertaker", t, code, b, out) if undertaker_text \
                else None
            if undertaker is None:
                kind = "enforcement_team" if category in ENFORCEMENT_CATEGORIES else "township_government"
                undertaker = self.unit_of_kind(code, kind) or self.unit_of_kind(code, "township_government")
            did = self._assert(b, "DELEGATES", dept, mid, code, pl, row, out, undertaker=undertaker,
                               undertaker_text=undertaker_text, **common)
            if undertaker:
                self._assert(b, "UNDERTAKES", undertaker, mid, code, pl, row, out, delegation=did)
        for n in unknown:
            self._assert(b, "DELEGATES", dept, mid, f"{county}?{n}", pl, row, out, undertaker_text=n, **common)
        out.problems = _dedupe(out.problems)

    def _known_category(self, mid: str, name: str) -> str | None:
        """A delegated item's category when its row gives none (no 事项类型 column, or an empty cell): the matter's
        category in any list — of this ingest (power lists are built before delegations) or of the store — else
        the one its name states (对…的处罚, …的监督检查: ``category_from_name``). It decides the default undertaker."""
        known = (self._built.node("Matter", mid) or {}).get("category") \
            or (self.store.node("Matter", mid) or {}).get("category")
        return canonical_category(known) or category_from_name(name)

    def _row_activity(self, pl, t, row, name, b, out):
        v = row.values
        count = parse_count(v.get("count"))
        if count is None:
            self._row_error(out, pl, row, "bad-number", "件数应为非负整数", "the count must be a non-negative whole "
                            "number", "count", "非负整数 / a non-negative whole number")
            return
        period = v.get("period") or pl.meta.period
        if not period:
            self._row_error(out, pl, row, "missing-value", "未写统计期间", "no period given", "period",
                            "年度，如 2023 / a year such as 2023")
            return
        county = t.county.code
        try:
            township = self.regions.resolve(v.get("township") or "", within=county)
            if township.county_code != county:
                raise LookupFailed("不是本县乡镇", "not a township of the county")
        except LookupFailed as e:
            self._row_error(out, pl, row, "unknown-township", "乡镇无法解析：" + e.message_zh,
                            "township does not resolve: " + e.message_en, "township", "本县乡镇 / a township of the "
                            "county")
            return
        mid = self._matter(pl, row, name, b)
        rid = rel_id("HANDLED", township.code, mid, period, out.list_id, pl.sheet, str(row.number))
        b.add_rel("HANDLED", township.code, mid, {"id": rid, "period": str(period), "count": count,
                                                  "list_id": out.list_id, "file": pl.path.name, "sheet": pl.sheet,
                                                  "row": row.number})


# list kind (graph/list_kinds.py) → what one of its rows asserts; a kind without a handler here cannot be loaded
ROW_HANDLERS = {
    "power": ListBuilder._row_power,
    "basic": ListBuilder._row_basic,
    "cooperation": ListBuilder._row_cooperation,
    "recall": ListBuilder._row_recall,
    "delegation": ListBuilder._row_delegation,
    "activity": ListBuilder._row_activity,
}


def _category_from_group(group: str | None) -> str | None:
    category = canonical_category(group)
    return category if category in ("行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认",
                                    "行政奖励", "行政裁决", "其他行政权力", "公共服务") else None


def _rejected(row: Row, problem: Problem) -> dict[str, Any]:
    """A row rejected under --partial as its list keeps it: where, its cells as written, and why."""
    return {"row": row.number, "sheet": row.sheet, "cells": row.raw,
            "reason": {"code": problem.code, "zh": problem.message_zh, "en": problem.message_en,
                       "column": problem.column}}


def _category(own: Batch, r: Any) -> dict[str, str]:
    node = own.node("Matter", r.source if r.type == "RECALLED_TO" else r.target) or {}
    return {"category": node["category"]} if node.get("category") else {}


def _version_summary(v: dict[str, Any]) -> dict[str, Any]:
    return {"id": v["id"], "title": v.get("title"), "version": v.get("version"), "file": v.get("file"),
            "rows": v.get("rows"), "effective": v.get("effective"), "supplements": v.get("supplements")}


def _would_remove(pl: ParsedList, change: dict[str, Any]) -> Problem:
    """The refusal of a load that would remove what a current version asserts, without --replace."""
    n, items, orphans = change["assertions"]["removed"], change["counts"]["removed"], change["counts"]["orphans"]
    names = "、".join(f"「{v['title'] or v['id']}」" for v in change["replaces"])
    names_en = ", ".join(repr(v["title"] or v["id"]) for v in change["replaces"])
    return Problem(
        "error", "would-remove",
        f"此次导入将替换当前版本{names}，删除 {n} 条责任断言（{items} 项事项与机构），其中 {orphans} 项职责将无人牵头；"
        "未导入，存储不变。确需替换请加 --replace；如是补充清单，请在标题中写“补充/增补”、在元数据中写 supplement: true "
        "或加 --supplement",
        f"this load would replace the current version {names_en}, removing {n} assertions ({items} matter and agency "
        f"items) and leaving {orphans} duties with nobody leading them; not loaded, the store is unchanged. Add "
        "--replace to go ahead; for a supplement, say 补充/增补 in its title, supplement: true in its sidecar, or give "
        "--supplement", file=pl.path.name, sheet=pl.sheet, value=n,
        expected="--replace 或 --supplement / --replace or --supplement")


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.code, p.file, p.sheet, p.row, p.column, str(p.value))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _row_words(file: str | None, sheet: str | None, row: int | None) -> tuple[str, str]:
    """Where a row is, in words (Chinese, English), for a message naming another row than its own."""
    zh = "".join([f"文件「{file}」" if file else "", f"工作表「{sheet}」" if sheet else "",
                  f"第 {row} 行" if row is not None else ""]) or "存储中"
    en = ", ".join(part for part in [f"file {file}" if file else "", f"sheet {sheet}" if sheet else "",
                                     f"row {row}" if row is not None else ""] if part) or "the store"
    return zh, en


def _older_version(pl: ParsedList, current: str | None, current_file: str | None, current_id: str) -> Problem:
    """The report's word that a list was kept as history, naming both versions."""
    in_zh = f"（{current_file}）" if current_file else ""
    in_en = f" ({current_file})" if current_file else ""
    return Problem(
        "warning", "older-version",
        f"此清单的版本「{pl.meta.version}」早于当前版本「{current}」{in_zh}：作为历史版本保存，不替换当前清单",
        f"this list's version {pl.meta.version!r} is older than the current version {current!r}{in_en}: kept as "
        "history; the current list stays", file=pl.path.name, sheet=pl.sheet, column="version",
        value=pl.meta.version, expected=f"比「{current}」新的版本才会成为当前清单 / only a version newer than "
                                        f"{current!r} becomes current ({current_id})")


def _take_assertions(batch: Batch, list_id: str) -> list[dict[str, Any]]:
    """Remove from the batch what a list asserted (a list this same ingest loaded and then replaced) and return it
    as a replaced version's assertions."""
    said = []
    for rels in batch.rels.values():
        for rid in [rid for rid, r in rels.items() if r.props.get("list_id") == list_id]:
            r = rels.pop(rid)
            said.append({"type": r.type, "source": r.source, "target": r.target, **r.props})
    return said


def _merge(into: Batch, other: Batch) -> None:
    for label, rows in other.nodes.items():
        for props in rows.values():
            into.add_node(label, props)
    for type_, rels in other.rels.items():
        into.rels.setdefault(type_, {}).update(rels)
    into.replaces += [r for r in other.replaces if r not in into.replaces]
