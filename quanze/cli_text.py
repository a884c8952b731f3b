"""Human-readable output of the command line: Chinese first, English alongside."""

from __future__ import annotations

from typing import Any

from quanze.graph.schema import AGENCY_KINDS

ASSIGNMENTS = ("LEADS", "COOPERATES_ON", "ASSISTS", "GUIDES", "DELEGATES", "UNDERTAKES", "RECALLED_TO", "HANDLED")

STATUS = {"loaded": "已导入 loaded", "unchanged": "未变化 unchanged", "rejected": "已拒绝 rejected",
          "validated": "校验通过 validated"}
STAFFING = {"admin_quota": "行政编制 admin quota", "admin_actual": "行政实有 admin actual",
            "inst_quota": "事业编制 inst. quota", "inst_actual": "事业实有 inst. actual",
            "law_quota": "政法专项编制 law quota", "law_actual": "政法专项实有 law actual",
            "certified_enforcers": "执法资格人数 certified enforcers"}


def ingest_text(report: Any) -> str:
    lines = []
    for f in report.files:
        lines.append(f"{STATUS.get(f.status, f.status)}  {f.file}  ({f.kind}, {f.rows} 行 rows, "
                     f"{len(f.errors)} 错误 errors, {len(f.warnings)} 警告 warnings)")
        for p in f.problems:
            lines += ["    " + line for line in p.format().splitlines()]
    loaded = sum(f.status == "loaded" for f in report.files)
    rejected = sum(f.status == "rejected" for f in report.files)
    lines.append(f"共 {len(report.files)} 个文件：导入 {loaded}，拒绝 {rejected}"
                 + ("（仅校验，未写入）" if report.dry_run else "")
                 + f" / {len(report.files)} file(s): {loaded} loaded, {rejected} rejected"
                 + (" (dry run, nothing written)" if report.dry_run else ""))
    rows = sum(f.rows for f in report.files)
    lines.append(f"数据行 rows: {rows}；事项 matters: {report.written.get('Matter', 0)}；"
                 f"责任关系 assignments: {sum(v for k, v in report.written.items() if k in ASSIGNMENTS)}")
    if report.written:
        lines.append("写入 written: " + ", ".join(f"{k} {v}" for k, v in sorted(report.written.items()) if v))
    by_code = report.problems_by_code()
    if by_code:
        lines.append("问题 problems: " + ", ".join(f"{k} {v}" for k, v in by_code.items()))
    return "\n".join(lines)


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


def summary_text(d: dict) -> str:
    lines = [f"存储 store: {d['store']}"]
    lines.append("节点与关系 nodes and relations: " + ", ".join(f"{k} {v}" for k, v in d["counts"].items() if v))
    for c in d["counties"]:
        lines.append(f"{c['name']} ({c['code']}): {c['townships']} 个乡镇 townships")
        for k, v in c["agencies_by_kind"].items():
            lines.append(f"  {AGENCY_KINDS.get(k, k)}: {v}")
        s = c["staffing"]
        lines.append(f"  编制/实有 quota/actual: 行政 admin {s['admin_quota']}/{s['admin_actual']}, "
                     f"事业 inst. {s['inst_quota']}/{s['inst_actual']}, 政法 law {s['law_quota']}/{s['law_actual']}; "
                     f"执法资格 certified enforcers {s['certified_enforcers']}")
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
    return "\n".join(lines)
