"""The audit report for a terminal: a table of rules (examined, found), then each finding in Chinese with English
beneath and the rows that prove it."""

from __future__ import annotations

from typing import Any

from quanze.api.audit.rules import SEVERITY_ZH, Finding


def source_text(sources: list[dict[str, Any]], limit: int = 6) -> str:
    """``fq1.xlsx/S 第3、4、9行；township_units.xlsx/乡镇机构 第200行``: rows grouped by file and sheet."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for s in sources:
        where = (str(s.get("file") or s.get("list") or "?"), str(s.get("sheet") or ""))
        grouped.setdefault(where, []).append(str(s.get("row")) if s.get("row") is not None else "")
    parts = []
    for (file, sheet), rows in grouped.items():
        place = f"{file}/{sheet}" if sheet else file
        rows = [r for r in rows if r]
        if rows:
            more = f"等{len(rows)}" if len(rows) > limit else ""
            place += f" 第{'、'.join(rows[:limit])}{more}行"
        parts.append(place)
    return "；".join(parts)


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
    total = len(report.findings)
    worst = report.worst_severity()
    lines += ["", f"共 {total} 项发现" + (f"，最严重：{SEVERITY_ZH[worst]}" if worst else "")
              + f" / {total} finding(s)" + (f", worst: {worst}" if worst else "")]
    for r in report.rules:
        found = report.of(r["rule"])
        if found:
            lines += ["", f"{r['rule']} — {r['title_zh']} / {r['title_en']} ({len(found)})"]
            for f in found:
                lines += _finding_lines(f)
    return "\n".join(lines)
