"""Gap audits (空白、悬空): matters nobody handles, duties without power, powers without people, delegations that
never act, understaffing, empty plaques, names that point nowhere, and territorial work piled on townships.

Like the overlap checks, each takes ``Facts``, its thresholds and the run's scope, and returns findings with their
evidence rows and its denominator. Nothing is written to the store.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import Any

from quanze.api.audit.facts import Facts, median
from quanze.api.audit.rules import Checked, Finding, Issues, Render, Scope, rule, sources
from quanze.api.resolve import Resolver, township_scope
from quanze.graph.matters import ENFORCEMENT_CATEGORIES, POWER_CATEGORIES
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel

# a legal basis that itself names township level: 乡、镇人民政府, 乡（镇）人民政府, 乡级人民政府, 街道办事处
_TOWNSHIP_GRANT = re.compile(r"乡[、（(]?镇[）)]?人民政府|乡镇人民政府|乡级人民政府|街道办事处|乡镇权限")


def _finding(facts: Facts, rule_id: str, region: str, matter: str | None, agencies: list[str | None], zh: str,
             en: str, evidence: list[dict[str, Any]], **details: Any) -> Finding:
    decl = rule(rule_id)
    return Finding(rule_id, decl.severity, facts.region(region), facts.matter(matter) if matter else None,
                   [facts.agency(a) for a in dict.fromkeys(a for a in agencies if a)], zh, en, evidence, [], details)


def _q(facts: Facts, matter_id: str) -> str:
    return f"「{facts.matter(matter_id)['name']}」"


# --- orphan-matter ------------------------------------------------------------------------------------------------

def audit_orphan_matter(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Every (matter, township) a township list names. Pairs with a known lead in memory are settled; the rest are
    asked of the resolver, whose answer decides (a basic row naming an unknown office still means the township)."""
    issues = Issues(facts, "orphan-matter")
    resolver = Resolver(facts.store)
    county_leads = {c: _county_leads(facts, c) for c in facts.counties()}
    examined = 0
    for t in facts.townships():
        if not scope.covers(t):
            continue
        listed: dict[str, list[Rel]] = defaultdict(list)
        for type_ in SCHEMA.types("assignment", "recall") + ("DELEGATES",):
            for r in facts.at(type_, t):
                if type_ != "DELEGATES" or facts.in_force(r):
                    listed[facts.key(r.source if type_ == "RECALLED_TO" else r.target)].append(r)
        examined += len(listed)
        for key, rels in listed.items():
            if _has_lead(facts, rels) or key in county_leads.get(facts.county_of(t), set()):
                continue
            township = {**facts.regions[t], "level": "township"}
            res = resolver.resolve(facts.ids(key), township, facts.as_of)
            leads = [h for h in res.handlers if h.role == "lead"]
            if leads and any(facts.resolved(h.agency["id"]) for h in leads):
                continue
            named = [h.agency["id"] for h in leads]
            issues.add((key,), t, rels, named, rels[0].source if rels[0].type == "RECALLED_TO" else rels[0].target,
                       _render_orphan(facts, rels, named))
    return Checked(issues.findings(), examined)


def _county_leads(facts: Facts, county: str) -> set[str]:
    return {facts.key(r.target) for r in facts.at("LEADS", county)
            if r.props.get("list_kind") == "power" and facts.resolved(r.source)}


def _has_lead(facts: Facts, rels: list[Rel]) -> bool:
    """A lead the graph knows: the quick answer that spares most pairs a trip to the resolver."""
    for r in rels:
        if r.type == "RECALLED_TO" and facts.resolved(r.target):
            return True
        if r.type == "DELEGATES" and facts.resolved(r.props.get("undertaker")):
            return True
        if r.type == "LEADS" and facts.resolved(r.source):
            return True
    return False


def _render_orphan(facts: Facts, rels: list[Rel], named: list[str]) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        mid = rels[0].source if rels[0].type == "RECALLED_TO" else rels[0].target
        wz = "、".join(dict.fromkeys(facts.where_zh(r) for r in rels[:3]))
        we = "; ".join(dict.fromkeys(facts.where_en(r) for r in rels[:3]))
        if named:
            who = "、".join(facts.label(a) for a in named)
            return (f"{zh}{_q(facts, mid)}的牵头单位{who}并不存在（{wz}），也没有其他单位牵头",
                    (f"In {en}, the lead named for {_q(facts, mid)}, {who}, does not exist ({we}) and nobody else "
                    f"leads it"))
        return (f"{zh}{_q(facts, mid)}列在{wz}，但没有任何清单指定牵头单位：无人负责",
                f"In {en}, {_q(facts, mid)} is listed ({we}) but no list names a lead: nobody handles it")
    return render


# --- duty-without-power -------------------------------------------------------------------------------------------

def audit_duty_without_power(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """事在乡镇、权在县里: the township's own list makes it lead a power nobody granted it."""
    issues = Issues(facts, "duty-without-power")
    examined = 0
    for county in facts.counties():
        granted_county = {facts.key(r.target) for r in facts.at("LEADS", county)
                          if r.props.get("list_kind") == "power" and township_scope(r)}
        for t in facts.townships(county):
            if not scope.covers(t):
                continue
            leads: dict[str, list[Rel]] = defaultdict(list)
            for r in facts.at("LEADS", t):
                if r.props.get("list_kind") in ("basic", "power") and facts.category(r.target) in POWER_CATEGORIES:
                    leads[facts.key(r.target)].append(r)
            examined += len(leads)
            delegated, recalled = facts.delegated(t), facts.recalled(t)
            for key, rels in leads.items():
                if key in delegated or key in recalled or key in granted_county or any(
                        _grants_township(facts, r) for r in rels):
                    continue
                issues.add((key,), t, rels, [facts.township_lead(r, t) for r in rels], rels[0].target,
                           _render_no_power(facts, rels))
    return Checked(issues.findings(), examined)


def _grants_township(facts: Facts, rel: Rel) -> bool:
    basis = " ".join(str(x) for x in (rel.props.get("legal_basis"), rel.props.get("scope"),
                                      (facts.matters.get(rel.target) or {}).get("legal_basis")) if x)
    return township_scope(rel) or bool(_TOWNSHIP_GRANT.search(basis))


def _render_no_power(facts: Facts, rels: list[Rel]) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        r = rels[0]
        cat = facts.category(r.target)
        basis = r.props.get("legal_basis") or (facts.matters.get(r.target) or {}).get("legal_basis") or "未写依据"
        return ((f"{zh}牵头{cat}事项{_q(facts, r.target)}（{facts.where_zh(r)}），但没有有效的下放，也没有把该权力赋予乡镇"
                f"的依据或清单行（依据：{basis}）：事在乡镇、权在县里"),
                (f"{en} leads the {cat} item {_q(facts, r.target)} ({facts.where_en(r)}) with neither a delegation in "
                f"force nor a legal basis or list row granting it at township level (basis: {basis})"))
    return render


# --- cannot-undertake ---------------------------------------------------------------------------------------------

def audit_cannot_undertake(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Per township and undertaking unit: no staff at all, or too few certified enforcers for 处罚/检查/强制 items."""
    findings: list[Finding] = []
    examined = 0
    need = int(th["min_certified_enforcers"])
    for t in facts.townships():
        if not scope.covers(t):
            continue
        delegated = facts.delegated(t)
        examined += len(delegated)
        by_unit: dict[str | None, list[Rel]] = defaultdict(list)
        for rels in delegated.values():
            by_unit[rels[0].props.get("undertaker")].append(rels[0])
        for unit, rels in sorted(by_unit.items(), key=lambda kv: str(kv[0])):
            a = facts.agencies.get(unit or "")
            if unit and (a is None or a.get("kind") == "unresolved"):
                continue  # a name that does not resolve: dangling-reference says so
            head = facts.headcount(unit) if unit else None
            if unit is None or (head is not None and head[1] == 0):
                findings.append(_cannot(facts, t, unit, rels, "staff", head, None))
                continue
            enforce = [r for r in rels if facts.category(r.target) in ENFORCEMENT_CATEGORIES]
            certified = (a or {}).get("certified_enforcers")
            if enforce and certified is not None and int(certified) < need:
                findings.append(_cannot(facts, t, unit, enforce, "certified", head, int(certified)))
    return Checked(findings, examined)


def _cannot(facts: Facts, township: str, unit: str | None, rels: list[Rel], why: str, head: tuple[int, int] | None,
            certified: int | None) -> Finding:
    n = len(rels)
    who = facts.label(unit) if unit else facts.name(township)
    evidence = sources(facts, rels) + ([facts.node_source(facts.agencies[unit])] if unit else [])
    actual = f"（实有{head[1]}人）" if head else ""
    if why == "certified":
        zh = (f"{who}承接下放的处罚、检查、强制类事项{n}项，但持证执法人员只有{certified}人{actual}，无法依法行使"
              f"（行政处罚法第二十四条：只能下放给能够有效承接的乡镇）")
        en = (f"{who} undertakes {n} delegated penalty/inspection/enforcement item(s) but has {certified} certified "
              f"enforcer(s){f' ({head[1]} staff)' if head else ''}: it cannot lawfully exercise them (行政处罚法 Art. 24)")
    elif unit is None:
        zh, en = (f"{who}承接下放事项{n}项，但没有承接单位", f"{who} receives {n} delegated item(s) but no unit undertakes them")
    else:
        zh = f"{who}承接下放事项{n}项，但实有人员为0（编制{head[0] if head else 0}人）"
        en = f"{who} undertakes {n} delegated item(s) but has no staff (quota {head[0] if head else 0})"
    return _finding(facts, "cannot-undertake", township, rels[0].target if n == 1 else None,
                    [unit] + [r.source for r in rels], zh, en, evidence, items=n, certified_enforcers=certified,
                    matters=[facts.matter(r.target)["name"] for r in rels])


# --- dormant-delegation -------------------------------------------------------------------------------------------

def audit_dormant_delegation(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """空转: delegated N, used k, per township, in the activity period — only where activity data exists."""
    findings: list[Finding] = []
    notes: list[dict[str, str]] = []
    examined = 0
    period = th.get("period")
    span = f"{period}年" if period else "统计期内"
    for county in facts.counties():
        towns = [t for t in facts.townships(county) if scope.covers(t) and facts.delegated(t)]
        examined += len(towns)
        if towns and not facts.has_activity(county, period):
            notes.append({"zh": f"{facts.name(county)}没有{'该期间的' if period else ''}办件或案件数据，无法判断下放事项"
                                f"是否空转（{len(towns)}个乡镇有有效的下放）",
                          "en": f"{facts.name(county)} has no activity data{' for ' + period if period else ''}: "
                                f"cannot tell whether delegations are used ({len(towns)} townships have "
                                f"delegations in force)"})
            continue
        for t in towns:
            delegated = facts.delegated(t)
            cases = facts.activity(t, period)
            used = [k for k in delegated if cases.get(k, 0) > 0]
            n, k = len(delegated), len(used)
            if k / n >= float(th["min_used_ratio"]):
                continue
            total = sum(cases.get(key, 0) for key in delegated)
            rels = [rs[0] for rs in delegated.values()]
            handled = [r for r in facts.at("HANDLED", t) if facts.key(r.target) in delegated]
            findings.append(_finding(
                facts, "dormant-delegation", t, None, [],
                f"{facts.name(t)}有效的下放事项{n}项，{span}有案件的只有{k}项（{k / n:.0%}），合计{total}件：下放事项空转",
                f"{facts.name(t)}: {n} delegated items in force, {k} used ({k / n:.0%}) with {total} case(s) in "
                f"{period or 'the activity data'}: the delegation lies idle",
                sources(facts, rels) + sources(facts, handled), delegated=n, used=k, cases=total))
    return Checked(findings, examined, notes)


# --- understaffed -------------------------------------------------------------------------------------------------

def audit_understaffed(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    findings: list[Finding] = []
    examined = 0
    limit = float(th["vacancy_ratio"])
    outside = []
    for aid, a in sorted(facts.agencies.items()):
        head = facts.headcount(aid)
        where = facts.township_of(aid) or a["region"]
        if not head or head[0] <= 0 or not scope.covers(where):
            continue
        if a.get("kind") in OUTSIDE_KINDS:  # its quota is its higher level's: not judged against the county's
            outside.append(aid)
            continue
        examined += 1
        quota, actual = head
        if (quota - actual) / quota > limit:
            findings.append(_finding(
                facts, "understaffed", where, None, [aid],
                f"{facts.label(aid)}编制{quota}人，实有{actual}人，空编{(quota - actual) / quota:.0%}（超过{limit:.0%}）",
                f"{facts.label(aid)}: quota {quota}, actual {actual}, {(quota - actual) / quota:.0%} vacant (above "
                f"{limit:.0%})", [facts.node_source(a)], quota=quota, actual=actual))
    for county in facts.counties():
        towns = [t for t in facts.townships(county) if scope.covers(t)]
        examined += len(towns)
        load = {}
        for t in facts.townships(county):
            heads = [h for h in (facts.headcount(u) for u in facts.own_units(t)) if h]
            quota, actual = sum(h[0] for h in heads), sum(h[1] for h in heads)
            load[t] = (len(facts.items(t)), actual)
            if t in towns and quota and (quota - actual) / quota > limit:
                findings.append(_finding(
                    facts, "understaffed", t, None, [facts.government(t)],
                    f"{facts.name(t)}乡镇机构合计编制{quota}人，实有{actual}人，空编{(quota - actual) / quota:.0%}"
                    f"（超过{limit:.0%}）",
                    f"{facts.name(t)}'s own bodies: quota {quota}, actual {actual}, {(quota - actual) / quota:.0%} "
                    f"vacant (above {limit:.0%})",
                    [facts.node_source(facts.agencies[u]) for u in facts.own_units(t)], quota=quota, actual=actual))
        findings += _items_per_staff(facts, towns, load, float(th["items_per_staff_multiple"]))
    notes = [{"zh": f"垂直管理机构{len(outside)}个（{'、'.join(facts.label(a) for a in outside[:SHOWN])}）的编制由上级核定，"
                    "不按本县的编制判断缺编",
              "en": f"{len(outside)} vertical management bodies have their quota set by the higher level and are not "
                    "judged against the county's"}] if outside else []
    return Checked(findings, examined, notes)


def _items_per_staff(facts: Facts, towns: list[str], load: dict[str, tuple[int, int]],
                     multiple: float) -> list[Finding]:
    """编随事走: items per actual staff against the county median (townships with items and staff only)."""
    ratios = {t: items / staff for t, (items, staff) in load.items() if items and staff}
    mid = median(list(ratios.values()))
    out = []
    for t in towns:
        if mid and t in ratios and ratios[t] > multiple * mid:
            items, staff = load[t]
            out.append(_finding(
                facts, "understaffed", t, None, [facts.government(t)],
                f"{facts.name(t)}承担事项{items}项，实有{staff}人，人均{ratios[t]:.1f}项，是全县中位数（{mid:.1f}）的"
                f"{ratios[t] / mid:.1f}倍：编随事走，人手跟不上",
                f"{facts.name(t)} does {items} items with {staff} staff, {ratios[t]:.1f} per head, "
                f"{ratios[t] / mid:.1f}× the county median ({mid:.1f}): staffing has not followed the duties",
                [facts.node_source(facts.agencies[u]) for u in facts.own_units(t)],
                items=items, actual=staff, per_staff=round(ratios[t], 2), county_median=round(mid, 2)))
    return out


# --- idle-agency --------------------------------------------------------------------------------------------------

_COUNTY_KINDS = ("county_department", "county_unit", "coordination_body", "mass_organisation")
# bodies in the county that are not its own: a higher level sets their quota and publishes their lists
OUTSIDE_KINDS = ("vertical_body",)
SHOWN = 12  # bodies named in a note; the rest are counted


def audit_idle_agency(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Empty plaques: coordination bodies and bodies without staffing figures with no matter, themselves or through
    their units. Township offices and staffed departments are not examined (see the rule's explanation); a staffed
    county body that no loaded list mentions is said in a note, with whether its own list is missing or assigns
    nothing."""
    active = {aid for rel, aid, _ in facts.agency_references()}
    active |= {str(r.props["undertaker"]) for r in facts.rels["DELEGATES"] if r.props.get("undertaker")}
    findings: list[Finding] = []
    examined = 0
    unlisted: dict[str, list[str]] = {"missing": [], "empty": [], "outside": []}
    for aid, a in sorted(facts.agencies.items()):
        kind = a.get("kind")
        if kind not in _COUNTY_KINDS + OUTSIDE_KINDS or not scope.covers(a["region"]):
            continue
        family = _with_units(facts, aid)
        if kind in OUTSIDE_KINDS or (kind != "coordination_body" and facts.staffing(aid) is not None):
            if not family & active and facts.staffing(aid) is not None:
                unlisted[_why_unlisted(facts, aid, kind)].append(aid)
            continue
        examined += 1
        if family & active:
            continue
        findings.append(_finding(
            facts, "idle-agency", a["region"], None, [aid],
            f"{a['name']}（{a.get('kind_zh') or a.get('kind')}）没有任何事项：没有清单让它或其下属单位牵头、配合、承接或"
            f"收回任何事项，也没有核定编制，是只挂牌子的机构" + (f"（{a['remarks']}）" if a.get("remarks") else ""),
            f"{a['name']} ({a.get('kind')}) has no matter at all — no list makes it or its units lead, cooperate on, "
            f"undertake or take back anything — and no staffing: an empty plaque", [facts.node_source(a)]))
    return Checked(findings, examined, _unlisted_notes(facts, unlisted))


def _why_unlisted(facts: Facts, aid: str, kind: str | None) -> str:
    """``outside`` (a vertical body: its list is its higher level's), ``empty`` (its own list is loaded and assigns it
    nothing), ``missing`` (no list of its own is loaded)."""
    if kind in OUTSIDE_KINDS:
        return "outside"
    owned = [lst for lst in facts.lists.values() if lst.get("owner") == aid and lst.get("status", "current") == "current"]
    return "empty" if owned else "missing"


def _unlisted_notes(facts: Facts, unlisted: dict[str, list[str]]) -> list[dict[str, Any]]:
    """有编制、却没有任何已导入清单提到的县级机构, by why: a note each, naming the first ``SHOWN``."""
    says = {
        "missing": ("有编制的县级机构中，{n}个没有出现在任何已导入的清单中，且没有导入它自己的权责清单（缺清单）：{names}",
                    "{n} staffed county bodies appear in no loaded list and have no power list of their own loaded "
                    "(the list is missing): {names}"),
        "empty": ("有编制的县级机构中，{n}个已导入自己的权责清单，但清单没有给它指定任何事项（清单为空或都指向别的机构）：{names}",
                  "{n} staffed county bodies have their own power list loaded, yet it assigns them nothing: {names}"),
        "outside": ("垂直管理机构{n}个没有出现在已导入的清单中：它们的权责清单由上级部门发布，编制也不属本县，不按本县的清单和"
                    "编制判断：{names}",
                    "{n} vertical management bodies appear in no loaded list: their lists are published by the higher "
                    "level and their staff are not on the county's quota, so they are not judged by the county's: "
                    "{names}"),
    }
    notes: list[dict[str, Any]] = []
    for why, ids in unlisted.items():
        if not ids:
            continue
        names = [facts.label(a) for a in ids]
        shown_zh = "、".join(names[:SHOWN]) + (f"等{len(names)}个" if len(names) > SHOWN else "")
        shown_en = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        zh, en = says[why]
        notes.append({"zh": zh.format(n=len(ids), names=shown_zh), "en": en.format(n=len(ids), names=shown_en),
                      "why": why, "agencies": [facts.agency(a) for a in ids]})
    return notes


def _with_units(facts: Facts, aid: str) -> set[str]:
    out, todo = {aid}, [aid]
    while todo:
        for u in facts.units.get(todo.pop(), []):
            if u not in out:
                out.add(u)
                todo.append(u)
    return out


# --- dangling-reference -------------------------------------------------------------------------------------------

def audit_dangling_reference(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Agencies and townships a list row names that resolve to nothing (names matching several agencies are
    ambiguous-name's), one finding per list and name, with every row that wrote it and the nearest names."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    seen: set[tuple] = set()
    for rel, aid, township in facts.agency_references():
        region = str(rel.props.get("region") or "")
        if not scope.covers(region):
            continue
        seen.add((rel.props.get("list_id"), rel.props.get("sheet"), rel.props.get("row"), aid))
        a = facts.agencies.get(aid) or {"name": aid, "kind": "unresolved", "region": region[:6]}
        if a.get("kind") != "unresolved":
            continue
        county = facts.county_of(a["region"])
        if len(facts.index(county).find(a["name"], township)) > 1:
            continue
        g = groups.setdefault(("agency", rel.props.get("list_id") or "", a["name"]), {
            "rels": [], "aid": aid, "near": facts.index(county).nearest(a["name"], township)})
        g["rels"].append(rel)
    for rel in facts.rels["DELEGATES"]:
        region = str(rel.props.get("region") or "")
        if not scope.covers(region.split("?")[0]):  # an unknown township dangles at county level
            continue
        seen.add((rel.props.get("list_id"), rel.props.get("sheet"), rel.props.get("row"), region))
        if "?" in region:
            county, name = region.split("?", 1)
            near = difflib.get_close_matches(name, [facts.name(t) for t in facts.townships(county)], n=3, cutoff=0.3)
            groups.setdefault(("region", rel.props.get("list_id") or "", name), {"rels": [], "aid": None,
                                                                                  "near": near})["rels"].append(rel)
    findings = [_dangling(facts, what, lid, name, g) for (what, lid, name), g in sorted(groups.items())]
    return Checked(findings, len(seen))


def _dangling(facts: Facts, what: str, list_id: str, name: str, g: dict[str, Any]) -> Finding:
    lst = facts.lists.get(list_id) or {}
    region = str(lst.get("region") or g["rels"][0].props.get("region") or "")[:9]
    if "?" in region or region not in facts.regions:
        region = region[:6]
    ev = sources(facts, g["rels"])
    rows = "、".join(str(s["row"]) for s in ev[:5]) + ("等" if len(ev) > 5 else "")
    near_zh = f"；最接近的：{'、'.join(g['near'])}" if g["near"] else ""
    near_en = f"; nearest: {', '.join(g['near'])}" if g["near"] else ""
    noun_zh, noun_en = ("乡镇", "township") if what == "region" else ("机构", "agency")
    sheets = {s.get("sheet") for s in ev}
    sheet = next(iter(sheets)) if len(sheets) == 1 else None
    return _finding(
        facts, "dangling-reference", region, None, [g["aid"]],
        f"{facts.list_title(list_id, sheet)}第{rows}行写的{noun_zh}「{name}」无法解析，这些行没有落到任何{noun_zh}{near_zh}",
        f"{facts.list_title_en(list_id, sheet)}, row(s) {rows}: the {noun_en} {name!r} does not resolve{near_en}", ev,
        nearest=g["near"])


# --- territorial-overload -----------------------------------------------------------------------------------------

def audit_territorial_overload(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    findings: list[Finding] = []
    notes: list[dict[str, str]] = []
    examined = 0
    multiple = float(th["multiple"])
    for county in facts.counties():
        counts = {t: facts.cooperation_items(t) for t in facts.townships(county)}
        towns = [t for t in counts if scope.covers(t)]
        examined += len(towns)
        mid = median([len(v) for v in counts.values()])
        if not mid:
            if any(counts.values()):
                notes.append({"zh": f"{facts.name(county)}多数乡镇没有配合事项，中位数为0，无法比较",
                              "en": f"most townships of {facts.name(county)} have no cooperation items; the median "
                                    f"is 0 and nothing can be compared"})
            continue
        for t in towns:
            n = len(counts[t])
            if n > multiple * mid:
                rels = [r for r in facts.at("COOPERATES_ON", t) if r.source == facts.government(t)]
                findings.append(_finding(
                    facts, "territorial-overload", t, None, [facts.government(t)],
                    f"{facts.name(t)}的配合履职（属地管理）事项有{n}项，是全县中位数（{mid:g}项）的{n / mid:.1f}倍：属地管理泛化",
                    f"{facts.name(t)} has {n} cooperation (territorial) items, {n / mid:.1f}× the county median "
                    f"({mid:g})", sources(facts, rels), items=n, county_median=mid))
    return Checked(findings, examined, notes)


CHECKS = {
    "orphan-matter": audit_orphan_matter,
    "duty-without-power": audit_duty_without_power,
    "cannot-undertake": audit_cannot_undertake,
    "dormant-delegation": audit_dormant_delegation,
    "understaffed": audit_understaffed,
    "idle-agency": audit_idle_agency,
    "dangling-reference": audit_dangling_reference,
    "territorial-overload": audit_territorial_overload,
}
