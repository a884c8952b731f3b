"""Overlap audits (重叠、多头): several leads, lists that contradict each other, cooperation leads that do not hold the
power, duplicate and near-duplicate items, agency names that could mean two bodies.

Each check takes the graph as read once (``Facts``), its thresholds and the scope of the run, and returns findings with
the rows that prove them and how many cases it examined. One county-level list row applies to every township; a
problem it causes everywhere is reported once, for the county, with the townships listed.
"""

from __future__ import annotations

import difflib
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from typing import Any

from quanze import deadline
from quanze.api.audit.facts import Facts
from quanze.api.audit.rules import Checked, Finding, Issues, Render, Scope, rule, sources
from quanze.api.resolve import township_scope
from quanze.graph.list_kinds import SOURCE_KINDS
from quanze.graph.store import Rel
from quanze.graph.text import normalise_key


def _said(facts: Facts, rels: list[Rel], merged: bool, zh: bool = True) -> str:
    """县住建局（权责清单第12行）和县综合执法局（权责清单第8行）."""
    by_agency: dict[str, list[Rel]] = defaultdict(list)
    for r in rels:
        by_agency[r.source].append(r)
    parts = []
    for agency, rs in by_agency.items():
        where = "、".join(facts.where_zh(r) for r in rs[:3]) if zh else "; ".join(facts.where_en(r) for r in rs[:3])
        parts.append(f"{facts.bare(agency, merged)}（{where}）" if zh else f"{facts.bare(agency, merged)} ({where})")
    return "和".join(parts) if zh else " and ".join(parts)


def _count_zh(n: int) -> str:
    """两个, 三个 … as written Chinese says it; 11 and above in digits."""
    return "一两三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def _quote(facts: Facts, matter_id: str) -> str:
    return f"「{facts.matter(matter_id)['name']}」"


# --- multi-lead ---------------------------------------------------------------------------------------------------

def audit_multi_lead(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """docs/domain.md's four cases, with the resolver's override semantics (``api.resolve.RULES``, §4.7): a recall
    overrides everything below it for the township, a delegation in force overrides the delegating department's power
    there, nothing else overrides."""
    issues = Issues(facts, "multi-lead")
    examined = 0
    for county in facts.counties():
        power: dict[str, list[Rel]] = defaultdict(list)
        for r in facts.at("LEADS", county):
            if r.props.get("list_kind") == "power" and not township_scope(r) and facts.resolved(r.source):
                power[facts.key(r.target)].append(r)
        towns = facts.townships(county)
        if scope.covers(county) or any(scope.covers(t) for t in towns):  # a county list applies in each township
            examined += len(power)
            for key, rels in power.items():
                if len({facts.department_of(r.source) for r in rels}) > 1:
                    # where the matter is delegated or recalled, the departments' powers are overridden there
                    where = [t for t in towns if not facts.overridden(t, key, "department")]
                    for t in where or [county]:
                        issues.add(("power",), t, rels, [r.source for r in rels], rels[0].target,
                                   _render_two_power(facts, rels))
        for t in facts.townships(county):
            if scope.covers(t):
                examined += _township_leads(facts, t, power, issues)
    return Checked(issues.findings(), examined)


def _render_two_power(facts: Facts, rels: list[Rel]) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        m = _quote(facts, rels[0].target)
        return ((f"{zh}{m}同时列在{_count_zh(len(rels))}个部门的权责清单中：{_said(facts, rels, merged)}，没有下放或收回，"
                f"互不覆盖，多头管理"),
                (f"In {en}, {m} is in the power lists of several departments: {_said(facts, rels, merged, False)}; "
                f"not delegated or recalled, neither overrides the other"))
    return render


def _township_leads(facts: Facts, t: str, power: dict[str, list[Rel]], issues: Issues) -> int:
    basic: dict[str, list[Rel]] = defaultdict(list)
    coop: dict[str, list[Rel]] = defaultdict(list)
    for r in facts.at("LEADS", t):
        (coop if r.props.get("list_kind") == "cooperation" else basic)[facts.key(r.target)].append(r)
    delegated = facts.delegated(t)
    keys = set(basic) | set(coop) | set(delegated) | facts.recalled(t)
    for key in keys:
        if basic[key] and power.get(key) and not facts.overridden(t, key, "basic"):
            delegating = {facts.department_of(r.source) for r in delegated.get(key, [])}
            holders = [r for r in power[key] if facts.department_of(r.source) not in delegating]
            if holders:
                rels = basic[key] + holders
                issues.add(("basic-power",), t, rels, [facts.township_lead(r, t) for r in basic[key]] +
                           [r.source for r in holders], rels[0].target, _render_leads(
                               facts, rels, "乡镇基本履职事项与部门权责清单都列有此事项，其间没有有效的下放",
                               "the township's own list and a department's power list both hold it, with no "
                               "delegation in force between them"))
        leads = [r for r in coop[key] if facts.resolved(r.source)]
        if len({r.source for r in leads}) > 1 and not facts.overridden(t, key, "cooperation"):
            issues.add(("cooperation",), t, leads, [r.source for r in leads], leads[0].target, _render_leads(
                facts, leads, "配合履职事项写了不同的牵头部门", "cooperation rows name different leads"))
        from_depts = [r for r in delegated.get(key, []) if facts.resolved(r.source)]
        if len({facts.department_of(r.source) for r in from_depts}) > 1 and not facts.overridden(t, key, "delegated"):
            issues.add(("delegation",), t, from_depts, [r.source for r in from_depts], from_depts[0].target,
                       _render_leads(facts, from_depts, "两个部门都把此事项下放给了乡镇",
                                     "two departments delegate it to the township"))
    return len(keys)


def _render_leads(facts: Facts, rels: list[Rel], why_zh: str, why_en: str) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        m = _quote(facts, rels[0].target)
        n = len({r.source for r in rels})
        return (f"{zh}{m}有{_count_zh(n)}个牵头单位：{_said(facts, rels, merged)}，互不覆盖（{why_zh}）",
                (f"In {en}, {m} has {n} leads that do not override each other: {_said(facts, rels, merged, False)} "
                f"({why_en})"))
    return render


# --- conflicting-lists --------------------------------------------------------------------------------------------

def audit_conflicting_lists(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Recalled and kept: in the township's own list, or delegated by a row with no recalled date."""
    issues = Issues(facts, "conflicting-lists")
    examined = 0
    for t in facts.townships():
        if not scope.covers(t):
            continue
        recalls: dict[str, list[Rel]] = defaultdict(list)
        for r in facts.at("RECALLED_TO", t):
            recalls[facts.key(r.source)].append(r)
        examined += len(recalls)
        for key, rs in recalls.items():
            kept = [r for r in facts.at("LEADS", t) if r.props.get("list_kind") in ("basic", "power")
                    and facts.key(r.target) == key]
            given = [r for r in facts.at("DELEGATES", t) if not r.props.get("recalled") and facts.key(r.target) == key]
            for what, rels in (("kept", kept), ("delegated", given)):
                if rels:
                    issues.add((what, key), t, rs + rels, [r.target for r in rs] + [r.source for r in rels],
                               rs[0].source, _render_conflict(facts, rs, rels, what))
    return Checked(issues.findings(), examined)


def _render_conflict(facts: Facts, recalls: list[Rel], others: list[Rel], what: str) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        m = _quote(facts, recalls[0].source)
        taker = "、".join(dict.fromkeys(facts.label(r.target) for r in recalls))
        rz = "、".join(facts.where_zh(r) for r in recalls[:2])
        re_ = "; ".join(facts.where_en(r) for r in recalls[:2])
        oz = "、".join(facts.where_zh(r) for r in others[:3])
        oe = "; ".join(facts.where_en(r) for r in others[:3])
        if what == "kept":
            return (f"{zh}{m}已列入收回事项（{rz}，由{taker}承接），却仍在乡镇自己的清单中（{oz}）",
                    f"In {en}, {m} is recalled ({re_}, taken by {taker}) yet still in the township's own list ({oe})")
        docs = "、".join(dict.fromkeys(str(r.props.get("document") or "无文号") for r in others))
        return (f"{zh}{m}已列入收回事项（{rz}，由{taker}承接），赋权清单却仍把它下放给乡镇且未写收回日期（{oz}，{docs}）",
                (f"In {en}, {m} is recalled ({re_}, taken by {taker}) yet a delegation list still delegates it with "
                f"no recalled date ({oe}, {docs})"))
    return render


# --- cooperation-mismatch -----------------------------------------------------------------------------------------

def audit_cooperation_mismatch(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    issues = Issues(facts, "cooperation-mismatch")
    examined: set[tuple] = set()
    with_list = {facts.department_of(lst["owner"]) for lst in facts.lists.values()
                 if lst.get("kind") == "power" and lst.get("owner") and lst.get("status", "current") == "current"}
    for county in facts.counties():
        holders: dict[str, dict[str, list[Rel]]] = defaultdict(lambda: defaultdict(list))
        for r in facts.at("LEADS", county):
            if r.props.get("list_kind") == "power" and facts.resolved(r.source):
                holders[facts.key(r.target)][facts.department_of(r.source)].append(r)
        for t in facts.townships(county):
            if not scope.covers(t):
                continue
            for r in facts.at("LEADS", t):
                if r.props.get("list_kind") != "cooperation" or not facts.resolved(r.source):
                    continue
                dept = facts.department_of(r.source)
                if dept not in with_list:
                    continue
                examined.add((r.props.get("list_id"), r.props.get("sheet"), r.props.get("row"), r.source))
                held = holders.get(facts.key(r.target), {})
                others = [x for d, rs in held.items() if d != dept for x in rs]
                if dept not in held and others:
                    issues.add((facts.key(r.target), r.source), t, [r] + others,
                               [r.source] + [x.source for x in others], r.target,
                               _render_mismatch(facts, r, others))
    return Checked(issues.findings(), len(examined))


def _render_mismatch(facts: Facts, lead: Rel, others: list[Rel]) -> Render:
    def render(zh: str, en: str, merged: bool) -> tuple[str, str]:
        m, x = _quote(facts, lead.target), facts.label(lead.source)
        return ((f"{zh}的配合履职事项{m}写明由{x}牵头（{facts.where_zh(lead)}），但{x}的权责清单没有该事项，"
                f"而{_said(facts, others, merged)}有"),
                (f"In {en}, the cooperation item {m} names {x} as lead ({facts.where_en(lead)}), but {x}'s power list "
                f"lacks it while {_said(facts, others, merged, False)} holds it"))
    return render


# --- duplicate-item -----------------------------------------------------------------------------------------------

def _list_rels(facts: Facts) -> dict[str, list[tuple[Rel, str, str]]]:
    """Per list: (relation, matter id, slot) where slot is the region (and period) the row applies to."""
    out: dict[str, list[tuple[Rel, str, str]]] = defaultdict(list)
    for type_, rels in facts.rels.items():
        for r in rels:
            lid = r.props.get("list_id")
            if not lid or type_ in ("UNIT_OF", "STATIONED_IN"):
                continue
            if type_ == "HANDLED":
                out[lid].append((r, r.target, f"{r.source}@{r.props.get('period')}"))
            elif type_ == "RECALLED_TO":
                out[lid].append((r, r.source, str(r.props.get("region"))))
            else:
                out[lid].append((r, r.target, str(r.props.get("region"))))
    return out


def audit_duplicate_item(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    findings: list[Finding] = []
    examined = 0
    decl = rule("duplicate-item")
    for lid, entries in sorted(_list_rels(facts).items()):
        lst = facts.lists.get(lid) or {}
        by_key: dict[str, list[tuple[Rel, str, str]]] = defaultdict(list)
        for e in entries:
            by_key[facts.key(e[1])].append(e)
        for es in by_key.values():
            slots = {e[2].split("@")[0] for e in es}
            if not any(scope.covers(s) for s in slots | {str(lst.get("region") or "")}):
                continue
            examined += 1
            rows_by_slot: dict[str, set[tuple]] = defaultdict(set)
            for r, _, slot in es:
                rows_by_slot[slot].add((r.props.get("sheet") or "", r.props.get("row") or 0))
            dup_slots = [s for s, rows in rows_by_slot.items() if len(rows) > 1]
            if not dup_slots:
                continue
            rows = sorted({row for s in dup_slots for row in rows_by_slot[s]})
            rels = [r for r, _, slot in es if slot in dup_slots]
            findings.append(_duplicate(facts, decl.id, decl.severity, lst, rels, rows, dup_slots))
    return Checked(findings, examined)


def _duplicate(facts: Facts, rule_id: str, severity: str, lst: dict[str, Any], rels: list[Rel],
               rows: list[tuple], slots: list[str]) -> Finding:
    region = str(lst.get("region") or slots[0].split("@")[0])
    matter = rels[0].source if rels[0].type == "RECALLED_TO" else rels[0].target
    kind = lst.get("kind") or ""
    sheets = {r[0] for r in rows}
    title = facts.list_title(lst.get("id"), next(iter(sheets)) if len(sheets) == 1 else None)
    title_en = facts.list_title_en(lst.get("id"), next(iter(sheets)) if len(sheets) == 1 else None)
    row_text = "、".join(str(r[1]) for r in rows)
    townships = sorted({s.split("@")[0] for s in slots} - {region}) if len(region) == 6 else []
    m = _quote(facts, matter)
    return Finding(
        rule_id, severity, facts.region(region), facts.matter(matter),
        [facts.agency(a) for a in _named(rels, lst)],
        f"{m}在同一份{SOURCE_KINDS.get(kind, ('清单', ''))[0]}中出现{len(rows)}次：{title}第{row_text}行",
        f"{m} appears {len(rows)} times in one {SOURCE_KINDS.get(kind, ('', 'list'))[1]}: {title_en}, rows "
        f"{', '.join(str(r[1]) for r in rows)}",
        sources(facts, rels), townships if len(townships) > 1 else [])


def _named(rels: list[Rel], lst: dict[str, Any]) -> list[str]:
    """Who the duplicate rows are about: the list's owner, or the agencies the rows name as lead / taker / giver."""
    if lst.get("owner"):
        return [lst["owner"]]
    return list(dict.fromkeys(r.target if r.type == "RECALLED_TO" else r.source for r in rels
                              if r.type in ("LEADS", "RECALLED_TO", "DELEGATES")))


# --- near-duplicate -----------------------------------------------------------------------------------------------

def similar_pairs(names: dict[str, str], threshold: float, *, count: bool = False) -> Any:
    """Pairs of keys whose names have a difflib ratio ≥ threshold, without comparing all pairs (blocking).

    A prefix filter over characters, rarest first (as in all-pairs similarity joins): difflib's ratio is 2M/(n + m)
    with M matched characters, so two names of n and m characters with ratio ≥ t share at least ⌈t(n + m)/2⌉
    characters (counted with repeats: the k-th 行 of a name is a token of its own). Under one global order of the
    tokens, two such names must share a token among the first n − ⌈t(n + m)/2⌉ + 1 of each. Names are taken shortest
    first: a name is indexed under its first n − ⌈tn⌉ + 1 tokens (every later name is at least as long), and probes
    with its first n − ⌈t(n + n′)/2⌉ + 1, n′ = tn/(2 − t) being the shortest partner its ratio allows.
    Postings are kept in length order and too-short entries are skipped by bisection; candidates must share enough
    tokens before difflib runs. With ``count``: (pairs, how many pairs were compared).
    """
    tokens: dict[str, list[tuple[str, int]]] = {}
    for k, v in names.items():
        seen: Counter[str] = Counter()
        toks = []
        for ch in v:
            toks.append((ch, seen[ch]))
            seen[ch] += 1
        tokens[k] = toks
    freq = Counter(t for toks in tokens.values() for t in toks)
    for k in tokens:
        tokens[k].sort(key=lambda t: (freq[t], t))
    index: dict[tuple[str, int], tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    out = []
    compared = 0
    eps = 1e-9

    def need(n: float, m: float) -> int:
        return max(1, math.ceil(threshold * (n + m) / 2 - eps))

    for k in sorted(names, key=lambda k: (len(names[k]), k)):
        n = len(names[k])
        shortest = n * threshold / (2 - threshold) - eps  # a ratio exactly at the threshold counts
        candidates: set[str] = set()
        for t in tokens[k][:max(1, n - need(n, shortest) + 1)]:
            lengths, keys = index.get(t, ([], []))
            candidates.update(keys[bisect_left(lengths, shortest):])
        deadline.check()
        mine = Counter(names[k])
        for c in candidates:
            compared += 1
            m = len(names[c])
            if sum((mine & Counter(names[c])).values()) < need(n, m):
                continue
            sm = difflib.SequenceMatcher(None, names[c], names[k], autojunk=False)
            if sm.real_quick_ratio() >= threshold and sm.quick_ratio() >= threshold:
                ratio = sm.ratio()
                if ratio >= threshold:
                    out.append((c, k, round(ratio, 3)) if c < k else (k, c, round(ratio, 3)))
        for t in tokens[k][:max(1, n - need(n, n) + 1)]:
            lengths, keys = index[t]
            lengths.append(n)
            keys.append(k)
    return (sorted(out), compared) if count else sorted(out)


# 套语: the words lists wrap items in. Two items that share only these look alike (对…的行政处罚 × 300), and they hide
# real near-duplicates (对未经批准擅自占用城市道路的处罚 / 对擅自占用城市道路行为的行政处罚), so names are compared without them.
_CORE_HEAD = re.compile(r"^(?:对|配合做好|组织开展|做好|开展|组织|推进|加强|落实)")
_CORE_TAIL = re.compile(r"(?:行为)?(?:的)?(?:行政处罚|处罚|行政检查|监督检查|工作)$")
# 未经批准擅自… is 擅自…; 的 and 行为 inside a name change nothing
_CORE_NOISE = re.compile(r"未经(?:批准|许可|审批|同意)(?=擅自)|的|行为")
_DIGITS = re.compile(r"\d+")

# What makes two names two items even when they look alike (docs/near-duplicates.md has the real pairs behind each):
# a word in the part where they differ that names another action on the same parent item (新办/变更/注销/补领/延续,
# 恢复/暂停), another subject, sector or insurance the law keeps apart, an age or scope qualifier, or a negation.
CONTRAST = (
    # variants of one parent item and opposite actions
    "新办", "新设", "设立", "成立", "初始", "变更", "延续", "注销", "撤销", "补领", "补办", "补证", "补发", "换发", "换证",
    "遗失", "新增", "校验", "恢复", "暂停", "终止", "解除", "中止", "查询", "打印", "确认", "复核", "复评", "补评", "修复",
    "备案", "审核", "审批", "核准", "申报", "申领", "报告", "报验", "报送", "预约", "转让", "转移", "迁移", "合并", "分立",
    "年检", "年报", "费用", "补贴", "补助", "资格", "认证", "交存", "支取", "提取", "购买", "运输", "储存", "使用",
    # subjects, places and qualifiers
    "个人", "单位", "企业", "职工", "居民", "法人", "省内", "省际", "跨省", "跨区域", "异地", "境外", "外国", "港澳",
    "未满", "以上", "以下", "除外", "以外", "未", "非", "不", "无", "免",
    # sectors and insurances that the law sets apart
    "养老", "医疗", "工伤", "失业", "生育", "年金", "计划", "水利", "交通", "公路", "水运", "港口", "铁路", "民航", "农业",
    "林业", "渔业", "畜牧", "房屋", "市政", "电力", "通信", "旅客", "货物", "客运", "货运", "探矿", "采矿", "林地",
    "草原", "耕地", "燃气", "贴息", "学生", "儿童", "老年", "残疾",
)
_CONTRAST = re.compile("|".join(sorted(map(re.escape, CONTRAST), key=len, reverse=True)))
_PUNCT = re.compile(r"[()（）【】\[\]、，,；;：:·\-—/ 《》“”\"']")
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十百千甲乙丙丁]")


def matter_core(norm_name: str) -> str:
    """What a matter is about, boilerplate set aside: 对擅自占用城市道路行为的行政处罚 → 擅自占用城市道路."""
    base = norm_name.split("/")[0]
    core = _CORE_TAIL.sub("", _CORE_HEAD.sub("", base)) or base
    return _CORE_NOISE.sub("", core) or core


def skeleton(name: str) -> str:
    """The name with every run of digits one placeholder: 社区网格事项1 and 社区网格事项10 share it, and are never a pair
    (they differ only by their number)."""
    return _DIGITS.sub("#", name)


def _action(norm_name: str) -> str | None:
    """处罚 or 检查 when the name says which: a penalty and an inspection of the same thing are two items."""
    base = norm_name.split("/")[0]
    return "处罚" if base.endswith("处罚") else "检查" if base.endswith("检查") else None


def why_distinct(a: str, b: str, name_a: str = "", name_b: str = "") -> str | None:
    """Why two similar cores are two items, or None when nothing sets them apart. The parts where they differ are
    compared: a number there (社区网格事项1 / 社区网格事项10); words on both sides (a substitution: 探矿权/采矿权,
    新办/注销, 定级/认定); words added on one side that name another action, subject, sector or a negation
    (``CONTRAST``: 恢复/暂停, 未满十八岁, 养老保险); three or more characters added in front (a narrower subject:
    燃气设施建设工程…); or, in the names as written, a bracketed qualifier only one has that restricts its scope
    ((技术改造)) rather than saying who exercises it ((住建行使), (县级))."""
    only_a, only_b = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        left, right = _PUNCT.sub("", a[i1:i2]), _PUNCT.sub("", b[j1:j2])
        if _NUMERAL.search(left + right):
            return "number"
        only_a += [left] if left else []
        only_b += [right] if right else []
        added, text, at = (left, a, i1) if left else (right, b, j1)
        end = at + len(a[i1:i2] if left else b[j1:j2])
        if _CONTRAST.search(added) or _CONTRAST.search(_window(text, at, end)):
            return "contrast"
        if at == 0 and len(added) >= 3:
            return "narrower"
    if only_a and only_b:
        return "substitution"
    if _scope_qualifiers(name_a, name_b):
        return "scope"
    return None


_BRACKETED = re.compile(r"[（(]([^（）()]*)[)）]")
# qualifiers that say who or at which level an item is exercised, not what it covers
_WHO_QUALIFIER = re.compile(r"^(?:[省市县区乡镇]级|市级/县级|县级/市级|.{0,8}(?:行使|实施|权限|办理)|试行|即办件|承诺件|含.*)$")


def _scope_qualifiers(name_a: str, name_b: str) -> list[str]:
    """Bracketed qualifiers one name has and the other lacks, other than who or at which level exercises it."""
    qa, qb = set(_BRACKETED.findall(name_a)), set(_BRACKETED.findall(name_b))
    return [q for q in qa ^ qb if q.strip() and not _WHO_QUALIFIER.match(q.strip())]


def _window(text: str, i: int, j: int) -> str:
    """An added part with one character either side: an insertion that completes a word (暂 + 停) is seen whole."""
    return text[max(0, i - 1):j + 1]


def _different_on_purpose(facts: Facts, a: str, b: str, ida: str, idb: str) -> bool:
    """Different categories, a penalty against an inspection, two sub-items of one item, or names that differ where
    it matters (``why_distinct``)."""
    ca, cb = facts.category(ida), facts.category(idb)
    xa, xb = _action(a), _action(b)
    if (ca and cb and ca != cb) or (xa and xb and xa != xb) or ("/" in a + b and a.split("/")[0] == b.split("/")[0]):
        return True
    name_a, name_b = facts.matter(ida)["name"], facts.matter(idb)["name"]
    return why_distinct(matter_core(a), matter_core(b), name_a, name_b) is not None


PER_WORDING = 20  # names of one wording paired with each other at most (beyond, the same pairs again and again)


def audit_near_duplicate(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Pairs of matters whose names, boilerplate aside, are alike and differ in nothing that makes two items. Names
    are blocked (``similar_pairs``: only names sharing enough character pairs are compared) and numbered names
    collapse to one skeleton first, so a list of 200,000 items costs about what its distinct wordings cost. The
    denominator counts pairs, as the findings do: the pairs compared."""
    findings: list[Finding] = []
    examined = 0
    decl = rule("near-duplicate")
    for county in facts.counties():
        where = scope.code if scope.code and scope.code.startswith(county) else county
        if not scope.covers(where):
            continue
        rows = _matter_rows(facts, county, where)
        # names that differ only by a number share a skeleton (社区网格事项#) and are never a pair; skeletons are
        # compared by their cores, numbers and boilerplate aside: a 200,000-row list costs its distinct wordings
        by_skeleton: dict[str, list[str]] = defaultdict(list)
        for key in sorted(rows):
            by_skeleton[skeleton(key)].append(key)
        by_core: dict[str, list[str]] = defaultdict(list)
        for sk in sorted(by_skeleton):
            by_core[matter_core(sk.replace("#", ""))].append(sk)
        # one wording in several names (对…的处罚 / 对…行为的行政处罚): alike whole; then wordings alike
        same = [(by_skeleton[a][0], by_skeleton[b][0], 1.0) for sks in by_core.values()
                for i, a in enumerate(sks[:PER_WORDING]) for b in sks[i + 1:PER_WORDING]]
        pairs, compared = similar_pairs({c: c for c in by_core if c}, float(th["similarity"]), count=True)
        examined += compared + len(same)
        alike = [(by_skeleton[by_core[ca][0]][0], by_skeleton[by_core[cb][0]][0], r) for ca, cb, r in pairs]
        for a, b, ratio in same + alike:
            deadline.check()
            ida, idb = _mid(rows[a][0]), _mid(rows[b][0])
            if _different_on_purpose(facts, a, b, ida, idb):
                continue
            common = _places(facts, rows[a], county) & _places(facts, rows[b], county)
            region, townships, _, _ = facts.place(common or {county})
            ra, rb = _pick(facts, rows[a], common, county), _pick(facts, rows[b], common, county)
            shown = ra + rb
            findings.append(Finding(
                decl.id, decl.severity, region, facts.matter(ida),
                [facts.agency(x) for x in dict.fromkeys(r.target if r.type == "RECALLED_TO" else r.source
                                                         for r in shown if r.type != "HANDLED")],
                f"{_quote(facts, ida)}与{_quote(facts, idb)}除去套语后名称相似度{ratio:.0%}，可能是同一事项，请人工确认"
                f"（{facts.where_zh(ra[0])}；{facts.where_zh(rb[0])}）",
                f"{_quote(facts, ida)} and {_quote(facts, idb)} are {ratio:.0%} alike (boilerplate aside) and may be the "
                f"same item; please confirm ({facts.where_en(ra[0])}; {facts.where_en(rb[0])})",
                sources(facts, shown), townships,
                {"other_matter": facts.matter(idb), "similarity": ratio}))
    return Checked(findings, examined)


def _pick(facts: Facts, rels: list[Rel], common: set[str], county: str) -> list[Rel]:
    """The rows to show for a matter: list rows (not case counts) in the townships both matters share first."""
    lists = [r for r in rels if r.type != "HANDLED"] or rels
    shared = [r for r in lists if _places(facts, [r], county) & common]
    return (shared or lists)[:2]


def _places(facts: Facts, rels: list[Rel], county: str) -> set[str]:
    """Townships a matter is listed for: a county list's rows count for every township."""
    out: set[str] = set()
    for r in rels:
        region = r.source if r.type == "HANDLED" else str(r.props.get("region") or "")
        out |= set(facts.townships(county)) if region == county else {region} if facts.is_township(region) else set()
    return out


def _mid(rel: Rel) -> str:
    return rel.source if rel.type == "RECALLED_TO" else rel.target


def _matter_rows(facts: Facts, county: str, where: str) -> dict[str, list[Rel]]:
    """Rows naming each matter (by key) in the county, or in one township when the run is limited to it."""
    out: dict[str, list[Rel]] = defaultdict(list)
    for type_ in ("LEADS", "COOPERATES_ON", "RECALLED_TO", "DELEGATES", "HANDLED"):  # rows that name a matter there
        for r in facts.rels[type_]:
            region = r.source if type_ == "HANDLED" else str(r.props.get("region") or "")
            if region.startswith(where) or (len(where) > 6 and region == county):
                out[facts.key(_mid(r))].append(r)
    return out


# --- ambiguous-name -----------------------------------------------------------------------------------------------

def audit_ambiguous_name(facts: Facts, th: dict[str, Any], scope: Scope) -> Checked:
    """Names shared within one scope (the county's own bodies, or one township's units), and list names that the
    index finds several agencies for."""
    decl = rule("ambiguous-name")
    shared: dict[tuple[str, str], dict[str, Any]] = {}
    for aid, a in facts.agencies.items():
        if a.get("kind") == "unresolved" or not scope.covers(a["region"]):
            continue
        for field, texts in (("名称", [a["name"]]), ("简称", a.get("short_names") or []),
                             ("挂牌", a.get("plaques") or [])):
            for text in texts:
                entry = shared.setdefault((a["region"], normalise_key(text)), {"text": text, "owners": {},
                                                                                "rows": []})
                entry["owners"].setdefault(aid, field)
    examined = len(shared)
    for rel, aid, township in facts.agency_references():
        a = facts.agencies.get(aid) or {}
        if a.get("kind") != "unresolved":
            continue
        found = facts.index(facts.county_of(a["region"])).find(a["name"], township)
        if len(found) < 2 or not scope.covers(rel.props.get("region") or found[0].region):
            continue
        key = (found[0].region, normalise_key(a["name"]))
        known = shared.get(key)
        if known is None or len(known["owners"]) < 2:  # a name only lists use, matching several by variant or abbreviation
            examined += known is None
            shared[key] = {"text": a["name"], "owners": {f.id: "名称" for f in found},
                           "rows": known["rows"] if known else []}
        entry = shared[key]
        entry["rows"].append(rel)
    findings = [_ambiguous(facts, decl.id, decl.severity, region, e) for (region, _), e in sorted(shared.items())
                if len(e["owners"]) > 1]
    return Checked(findings, examined)


def _ambiguous(facts: Facts, rule_id: str, severity: str, region: str, e: dict[str, Any]) -> Finding:
    owners = list(e["owners"])
    names = "、".join(facts.label(o) for o in owners)
    fields = "、".join(dict.fromkeys(e["owners"].values()))
    structure = [facts.node_source(facts.agencies[o]) for o in owners if facts.agencies[o].get("file")]
    used = sources(facts, e["rows"])
    rows_zh = f"；清单中已有{len(used)}行这样写（" + "、".join(
        f"{facts.list_title(s['list'], s['sheet'])}第{s['row']}行" for s in used[:3]) + "）" if used else ""
    rows_en = f"; {len(used)} list row(s) wrote it (" + "; ".join(
        f"{s['file']} row {s['row']}" for s in used[:3]) + ")" if used else ""
    return Finding(
        rule_id, severity, facts.region(region), None, [facts.agency(o) for o in owners],
        f"「{e['text']}」同时是{names}的{fields}：清单写「{e['text']}」时无法确定指哪个机构{rows_zh}",
        f"{e['text']!r} is a name, short name or plaque of {len(owners)} agencies ({names}): a list that writes it "
        f"cannot be resolved{rows_en}",
        structure + used)


CHECKS = {
    "multi-lead": audit_multi_lead,
    "conflicting-lists": audit_conflicting_lists,
    "cooperation-mismatch": audit_cooperation_mismatch,
    "duplicate-item": audit_duplicate_item,
    "near-duplicate": audit_near_duplicate,
    "ambiguous-name": audit_ambiguous_name,
}
