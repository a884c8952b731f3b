"""Turning structure declarations into graph nodes and relations, resolving every name on the way.

A county's structure may be split over several files that arrive in any order (the county and its townships in YAML,
the departments and township units in 机构编制表), so every file of one ingest is resolved together, against each
other and against what the store already holds. A file with any error loads nothing; files that depended on a
rejected file are then checked again without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from quanze.errors import LookupFailed, NotFound, Problem
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.agency_names import outside_kind, split_plaques
from quanze.graph.regions import Region, RegionDirectory, declared_region
from quanze.graph.store import Batch, Store
from quanze.graph.text import normalise_key
from quanze.ingest.cells import parse_count
from quanze.ingest.structure_read import AgencyDecl, StructureFile, Where, problem

KIND_WORDS = ("党政机构", "内设机构", "事业单位", "派驻机构", "议事协调机构", "垂直管理机构", "垂直管理", "群团组织", "群团机关",
              "人民团体")
_GOV_SUFFIXES = ("人民政府", "政府", "党委", "党委政府", "办事处")


def rel_id(type_: str, *parts: str | None) -> str:
    digest = hashlib.sha1("\x1f".join(p or "" for p in (type_,) + parts).encode("utf-8")).hexdigest()[:20]
    return f"{type_.lower()}:{digest}"


def structure_list_id(county_code: str, file_name: str) -> str:
    return f"structure:{county_code}:{file_name}"


@dataclass
class _Agency:
    """An agency being built: its node properties and the declaration behind it (None when created implicitly)."""

    props: dict[str, Any]
    decl: AgencyDecl | None
    file: StructureFile | None

    @property
    def id(self) -> str:
        return self.props["id"]

    def ref(self) -> AgencyRef:
        return AgencyRef.from_props(self.props)


@dataclass
class BuildResult:
    batch: Batch = field(default_factory=Batch)
    problems: dict[int, list[Problem]] = field(default_factory=dict)  # id(StructureFile) → problems
    list_ids: dict[int, str] = field(default_factory=dict)
    counties: dict[int, str] = field(default_factory=dict)

    def add(self, f: StructureFile, p: Problem) -> None:
        self.problems.setdefault(id(f), []).append(p)

    def errors(self, f: StructureFile) -> list[Problem]:
        return [p for p in self.problems.get(id(f), []) if p.is_error]


def build_structures(files: list[StructureFile], store: Store, *, region_hint: str | None = None,
                     now: str | None = None) -> tuple[BuildResult, list[StructureFile]]:
    """Resolve and build every file; returns the result for the accepted files and the list of rejected ones
    (their problems are in ``problems`` of the returned result under their own ids)."""
    rejected: list[StructureFile] = []
    kept_problems: dict[int, list[Problem]] = {}
    accepted = [f for f in files if not any(p.is_error for p in f.problems)]
    rejected += [f for f in files if f not in accepted]
    while True:
        result = _Builder(accepted, store, region_hint, now).build()
        bad = [f for f in accepted if result.errors(f)]
        if not bad:
            break
        for f in bad:
            kept_problems[id(f)] = result.problems[id(f)]
        rejected += bad
        accepted = [f for f in accepted if f not in bad]
    result.problems.update(kept_problems)
    return result, rejected


class _Builder:
    def __init__(self, files: list[StructureFile], store: Store, region_hint: str | None, now: str | None):
        self.files = files
        self.store = store
        self.hint = region_hint
        self.now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        self.result = BuildResult()
        self.batch = self.result.batch
        self.dirs = RegionDirectory(Region.from_props(p) for p in store.nodes("Region", origin="declared"))
        self.agencies: dict[str, _Agency] = {}

    # -- regions -----------------------------------------------------------------------------------------------

    def build(self) -> BuildResult:
        for f in self.files:
            if f.county_code or f.county_name:
                self._declare_county(f)
        for f in self.files:
            if id(f) not in self.result.counties:
                self._infer_county(f)
        for f in self.files:
            county = self.result.counties.get(id(f))
            if county:
                self.result.list_ids[id(f)] = structure_list_id(county, f.path.name)
        replaced = set(self.result.list_ids.values())
        counties = set(self.result.counties.values())
        # the county's own agencies only (a region code starts with its county's): not the whole store per county
        existing = [p for c in counties for p in self.store.nodes_any("Agency", region_prefix=c)
                    if self._county_of_code(p["region"]) == c and p.get("list_id") not in replaced]
        for p in existing:
            self.agencies[p["id"]] = _Agency(p, None, None)
        self._township_governments()
        for f in self.files:
            if id(f) in self.result.counties:
                for decl in f.agencies:
                    self._agency(f, decl)
        self._check_names()
        indexes = {c: AgencyIndex(c, self.dirs.get(c).name if self.dirs.get(c) else "",
                                  [a.ref() for a in self.agencies.values()]) for c in counties}
        for f in self.files:
            if id(f) in self.result.counties:
                self._relations(f, indexes[self.result.counties[id(f)]])
                self._source_list(f)
        for a in self.agencies.values():
            if a.file is not None or a.props.get("list_id") in replaced:
                self.batch.add_node("Agency", a.props)
                self.batch.add_rel("BELONGS_TO", a.id, a.props["region"],
                                   {"id": rel_id("BELONGS_TO", a.id, a.props["region"]),
                                    **_prov(a.props)})
        self.batch.replaces = sorted(replaced)
        return self.result

    def _county_of_code(self, code: str) -> str:
        return code[:6]

    def _declare_county(self, f: StructureFile) -> None:
        where = f.county_where or Where(f.path.name)
        county: Region | None = None
        try:
            if f.county_code:
                ref = self.dirs.get(f.county_code)
                if ref and ref.level == "county" and (not f.county_name or ref.name == f.county_name):
                    county = ref
                elif len(f.county_code) == 6 and f.county_code.isdigit() and f.county_name:
                    county = declared_region(f.county_code, f.county_name, "county")
                else:
                    raise NotFound(f"区划代码「{f.county_code}」不是已知的县，且未给出县名（或代码不是6位数字）",
                                   f"code {f.county_code!r} is not a known county and no valid name was given")
            else:
                found = self.dirs.resolve(f.county_name or "")
                if found.level != "county":
                    raise NotFound(f"「{f.county_name}」是乡镇，不是县", f"{f.county_name!r} is a township, not a county")
                county = found
        except LookupFailed as e:
            self.result.add(f, problem("error", "unknown-region", e.message_zh, e.message_en, where, "county",
                                       f.county_code or f.county_name, "县级区划代码（6位）或县名 / a county code or name",
                                       e.candidates))
            return
        list_id = structure_list_id(county.code, f.path.name)
        if county.origin == "declared":
            self.dirs.declare([county])
        self.result.counties[id(f)] = county.code
        self._region_node(county, list_id if county.origin == "declared" else None, where)
        townships: list[Region] = []
        for t in f.townships:
            tw = Where(f.path.name, None, t.where.row)
            code = t.code
            if not code:
                try:
                    code = self.dirs.resolve(t.name, within=county.code).code
                except LookupFailed as e:
                    self.result.add(f, problem("error", "unknown-region", "乡镇未给出区划代码，且在全国区划表中找不到：" +
                                               e.message_zh, "township has no code and is not in the national table: " +
                                               e.message_en, tw, "code", t.name, "9位乡镇区划代码 / a 9-digit code"))
                    continue
            if not (len(code) == 9 and code.isdigit() and code.startswith(county.code)):
                self.result.add(f, problem("error", "bad-code", "乡镇区划代码应为9位数字，且以县代码开头",
                                           "a township code is 9 digits starting with its county's code", tw, "code",
                                           code, f"{county.code}xxx"))
                continue
            townships.append(declared_region(code, t.name, "township", kind=t.kind or "", county_code=county.code,
                                             full_name=(county.full_name + county.name), tags=t.tags))
        if townships:
            self.dirs.declare(townships)
        for t in townships or self.dirs.townships(county.code):
            self._region_node(t, list_id if t.origin == "declared" else None, where)
            self.batch.add_rel("PART_OF", t.code, county.code, {
                "id": rel_id("PART_OF", t.code, county.code), "list_id": list_id if t.origin == "declared" else None,
                "file": f.path.name if t.origin == "declared" else None})

    def _region_node(self, r: Region, list_id: str | None, where: Where) -> None:
        props = r.to_props()
        if list_id:
            props.update(list_id=list_id, file=where.file)
        self.batch.add_node("Region", props)

    def _infer_county(self, f: StructureFile) -> None:
        where = Where(f.path.name)
        candidates: list[str] = []
        if self.hint:
            try:
                r = self.dirs.resolve(self.hint)
                self.result.counties[id(f)] = r.code if r.level == "county" else str(r.county_code)
                return
            except LookupFailed as e:
                self.result.add(f, problem("error", "unknown-region", e.message_zh, e.message_en, where, "--region",
                                           self.hint, suggestions=e.candidates))
                return
        in_run = sorted(set(self.result.counties.values()))
        in_store = sorted(p["code"] for p in self.store.nodes("Region", level="county"))
        for pool in (in_run, in_store):
            named = [c for c in pool if self.dirs.get(c) and any(self.dirs.get(c).name in line
                                                                  for line in f.title_lines)]
            if len(named) == 1:
                candidates = named
                break
            if len(pool) == 1:
                candidates = pool
                break
        if len(candidates) == 1:
            self.result.counties[id(f)] = candidates[0]
            return
        self.result.add(f, problem("error", "unknown-county", "无法确定本文件属于哪个县：请用 --region 指定县名或代码，"
                                   "或在同一次导入中提供声明县的 YAML 文件",
                                   "cannot tell which county this file belongs to: give --region (county name or "
                                   "code), or ingest the YAML file that declares the county together with it", where))

    # -- agencies ----------------------------------------------------------------------------------------------

    def _township_governments(self) -> None:
        """Every township of a county declared in this run gets its government as an agency (乡镇党委政府)."""
        for f in self.files:
            if not (f.county_code or f.county_name) or id(f) not in self.result.counties:
                continue
            county = self.result.counties[id(f)]
            list_id = self.result.list_ids[id(f)]
            for t in self.dirs.townships(county):
                gid = f"{t.code}/{t.name}人民政府"
                if gid in self.agencies and self.agencies[gid].props.get("list_id") != list_id:
                    continue
                self.agencies[gid] = _Agency({
                    "id": gid, "name": f"{t.name}人民政府", "kind": "township_government", "kind_zh": "党政机构",
                    "region": t.code, "short_names": [t.name], "plaques": [f"中共{t.name}委员会", f"{t.name}党委"],
                    "list_id": list_id, "file": f.path.name}, None, f)

    def _agency(self, f: StructureFile, decl: AgencyDecl) -> None:
        county = self.result.counties[id(f)]
        canonical, inline = split_plaques(decl.name)
        plaques = list(dict.fromkeys(inline + [p for p in decl.plaques if p != canonical]))
        township: Region | None = None
        if decl.township:
            try:
                township = self.dirs.resolve(decl.township, within=county)
                if township.level != "township" or township.county_code != county:
                    raise NotFound(f"「{decl.township}」不是本县的乡镇", f"{decl.township!r} is not a township of "
                                   f"this county")
            except LookupFailed as e:
                self.result.add(f, problem("error", "unknown-township", e.message_zh, e.message_en, decl.where,
                                           "所在乡镇", decl.township, "本县乡镇名称或代码 / a township of the county",
                                           e.candidates or tuple(self.dirs.nearest(decl.township, county))))
                return
        kind = agency_kind(decl, canonical, township is not None)
        if decl.kind_zh and not any(w in str(decl.kind_zh) for w in KIND_WORDS):
            self.result.add(f, problem("warning", "unknown-kind", "未知的机构类别，按其他列推断", "unknown agency "
                                       "category, inferred from other columns", decl.where, "机构类别", decl.kind_zh,
                                       "、".join(KIND_WORDS)))
        region = township.code if township and kind != "dispatched_unit" else county
        if kind == "dispatched_unit" and township is None:
            self.result.add(f, problem("error", "missing-value", "派驻机构必须写明所在乡镇", "a dispatched unit needs "
                                       "the township it is stationed in", decl.where, "所在乡镇",
                                       expected="本县乡镇名称 / a township of the county"))
            return
        props: dict[str, Any] = {
            "id": f"{region}/{canonical}", "name": canonical, "kind": kind, "kind_zh": decl.kind_zh,
            "region": region, "short_names": decl.short, "plaques": plaques, "management": decl.management,
            "remarks": decl.remarks, "list_id": self.result.list_ids[id(f)], "file": decl.where.file,
            "sheet": decl.where.sheet, "row": decl.where.row,
        }
        for key, (value, column) in decl.staffing.items():
            number = parse_count(value)
            if number is None:
                self.result.add(f, problem("error", "bad-number", "编制/人数应为非负整数", "staffing figures must be "
                                           "non-negative whole numbers", decl.where, column, value,
                                           "非负整数 / a non-negative whole number"))
            else:
                props[key] = number
        previous = self.agencies.get(props["id"])
        if previous is not None and previous.decl is not None:
            first = previous.decl.where
            self.result.add(f, problem(
                "error", "duplicate-agency", f"机构名称重复：「{canonical}」已在 {first.file} 第{first.row}行声明",
                f"duplicate agency name {canonical!r}: already declared in {first.file} row {first.row}",
                decl.where, "单位名称", decl.name, "每个机构只声明一次 / each agency declared once"))
            return
        if previous is not None and previous.file is None and previous.props.get("list_id"):
            self.result.add(f, problem(
                "error", "duplicate-agency", f"机构「{canonical}」已由另一份清单声明（{previous.props.get('file')}）",
                f"agency {canonical!r} is already declared by another file ({previous.props.get('file')})",
                decl.where, "单位名称", decl.name, "每个机构只声明一次 / each agency declared once"))
            return
        if previous is not None:  # an implicit township government: the declaration adds to it
            props["short_names"] = list(dict.fromkeys(previous.props.get("short_names", []) + decl.short))
            props["plaques"] = list(dict.fromkeys(previous.props.get("plaques", []) + plaques))
        self.agencies[props["id"]] = _Agency(props, decl, f)

    def _check_names(self) -> None:
        """Plaques that collide with another agency's name are errors; shared short names are warnings."""
        by_region: dict[str, list[_Agency]] = {}
        for a in self.agencies.values():
            by_region.setdefault(a.props["region"], []).append(a)
        for agencies in by_region.values():
            names = {normalise_key(a.props["name"]): a for a in agencies}
            aliases: dict[str, list[_Agency]] = {}
            for a in agencies:
                for plaque in a.props.get("plaques") or []:
                    other = names.get(normalise_key(plaque))
                    if other is not None and other is not a and a.decl is not None and a.file is not None:
                        self.result.add(a.file, problem(
                            "error", "plaque-collision", f"挂牌名称「{plaque}」与另一机构的名称相同（{other.id}）",
                            f"plaque {plaque!r} is the name of another agency ({other.id})", a.decl.where, "挂牌名称",
                            plaque, "挂牌是同一机构的别名，不能是另一机构 / a plaque names the same body"))
                for alias in (a.props.get("plaques") or []) + (a.props.get("short_names") or []):
                    aliases.setdefault(normalise_key(alias), []).append(a)
            for alias, owners in aliases.items():
                owners = list({o.id: o for o in owners}.values())
                declared = [o for o in owners if o.decl is not None and o.file is not None]
                if len(owners) > 1 and declared:
                    o = declared[-1]
                    assert o.decl is not None and o.file is not None
                    self.result.add(o.file, problem(
                        "warning", "shared-alias", f"简称或挂牌「{alias}」被 {len(owners)} 个机构共用，清单中使用时会有歧义",
                        f"short name or plaque {alias!r} is shared by {len(owners)} agencies and is ambiguous in lists",
                        o.decl.where, "简称", alias, suggestions=tuple(x.props["name"] for x in owners)))

    def _relations(self, f: StructureFile, index: AgencyIndex) -> None:
        list_id = self.result.list_ids[id(f)]
        for decl in f.agencies:
            canonical, _ = split_plaques(decl.name)
            agency = next((a for a in self.agencies.values() if a.decl is decl), None)
            if agency is None:
                continue
            township = agency.props["region"] if agency.props["kind"] != "dispatched_unit" else None
            prov = _prov(agency.props)
            parent_id = None
            if decl.parent:
                try:
                    parent = index.resolve(decl.parent, township)
                    if parent.id == agency.id:
                        raise NotFound("上级单位不能是自身", "an agency cannot be its own parent")
                    parent_id = parent.id
                except LookupFailed as e:
                    self.result.add(f, problem(
                        "error", "unknown-parent", "上级单位无法解析：" + e.message_zh,
                        "parent department does not resolve: " + e.message_en, decl.where, "上级单位", decl.parent,
                        "本县已声明的机构名称或简称 / a declared agency of the county", e.candidates))
            elif agency.props["kind"] in ("township_office", "township_institution", "enforcement_team"):
                parent_id = next((a.id for a in self.agencies.values() if a.props["region"] == township
                                  and a.props["kind"] == "township_government"), None)
            elif agency.props["kind"] == "dispatched_unit":
                self.result.add(f, problem("error", "missing-value", "派驻机构必须写明主管部门",
                                           "a dispatched unit needs its parent department", decl.where, "主管部门",
                                           expected="县直部门名称或简称 / a county department"))
            if parent_id:
                self.batch.add_rel("UNIT_OF", agency.id, parent_id, {
                    "id": rel_id("UNIT_OF", agency.id, parent_id), "parent_text": decl.parent, **prov})
            if agency.props["kind"] == "dispatched_unit":
                stationed = self.dirs.resolve(str(decl.township), within=self.result.counties[id(f)]).code
                self.batch.add_rel("STATIONED_IN", agency.id, stationed, {
                    "id": rel_id("STATIONED_IN", agency.id, stationed), "management": decl.management, **prov})
            for other in decl.co_located:
                try:
                    target = index.resolve(other, township)
                except LookupFailed as e:
                    self.result.add(f, problem("error", "unknown-agency", "合署办公的机构无法解析：" + e.message_zh,
                                               "co-located agency does not resolve: " + e.message_en, decl.where,
                                               "co_located", other, suggestions=e.candidates))
                    continue
                pair = sorted([agency.id, target.id])
                self.batch.add_rel("CO_LOCATED_WITH", pair[0], pair[1], {
                    "id": rel_id("CO_LOCATED_WITH", *pair), **prov})
        _ = list_id

    def _source_list(self, f: StructureFile) -> None:
        county = self.result.counties[id(f)]
        self.batch.add_node("SourceList", {
            "id": self.result.list_ids[id(f)], "kind": "structure", "region": county,
            "title": f.title_lines[0] if f.title_lines else f.path.name, "file": f.path.name,
            "file_hash": f.file_hash, "rows": f.rows, "loaded_at": self.now, "status": "current"})


def agency_kind(decl: AgencyDecl, canonical: str, in_township: bool) -> str:
    """The agency's kind from the section it was declared in, its 机构类别 and its name."""
    k = str(decl.kind_zh or "")
    if decl.section == "dispatched" or "派驻" in k:
        return "dispatched_unit"
    if decl.section == "coordination_bodies" or "议事协调" in k:
        return "coordination_body"
    if in_township:
        if canonical.endswith(_GOV_SUFFIXES) and ("党政" in k or not k):
            return "township_government"
        if "综合行政执法" in canonical or canonical.endswith("执法队"):
            return "enforcement_team"
        return "township_institution" if "事业" in k else "township_office"
    if decl.section in ("vertical_bodies", "mass_organisations"):
        return "vertical_body" if decl.section == "vertical_bodies" else "mass_organisation"
    outside = outside_kind(canonical, k)
    if outside and not decl.parent:
        return outside  # 垂直管理机构 or 群团组织: in the county, not one of its departments
    if decl.section == "units" or "事业" in k or "内设" in k or decl.parent:
        return "county_unit"
    return "county_department"




def _prov(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props.get(k) for k in ("list_id", "file", "sheet", "row")}

