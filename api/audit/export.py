"""Audit reports as spreadsheets for the people who act on them: XLSX (a summary sheet, one sheet per rule with
findings) and CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it without mojibake).

Matter and agency names come from lists anyone can write. A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be taken by a spreadsheet for a formula (CSV injection), so ``safe_cell`` — the one place
this is decided — prefixes such text with a single quote in both exports.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from quanze.api.audit.rules import SEVERITY_ZH, Finding, rule

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SUMMARY_HEADERS = ("规则", "标题", "严重程度", "检查数", "发现数", "Title", "检查对象", "说明")
FINDING_HEADERS = ("严重程度", "地区代码", "地区", "事项编号", "事项", "机构", "说明", "Description", "来源")
CSV_HEADERS = ("规则",) + FINDING_HEADERS
_MAX_WIDTH = 80


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


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula, neutralised with a leading single quote; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def finding_row(f: Finding) -> list[Any]:
    """One finding as the cells of a row (under ``FINDING_HEADERS``), already neutralised."""
    return [safe_cell(v) for v in (
        f"{SEVERITY_ZH[f.severity]} {f.severity}", f.region.get("code"), f.region.get("name"),
        (f.matter or {}).get("id") or "", (f.matter or {}).get("name") or "",
        "、".join(str(a.get("name")) for a in f.agencies), f.message_zh, f.message_en, source_text(f.sources, 50))]


def _reports(report: Any) -> Iterator[Any]:
    """One report, or the reports of ``audit_counties`` one at a time (a national audit is never held whole)."""
    if hasattr(report, "findings"):
        yield report
    else:
        yield from report


def _summary_rows(rules: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in rules:
        notes = "；".join(n["zh"] for n in r.get("notes") or [])
        rows.append([safe_cell(v) for v in (r["rule"], r["title_zh"], f"{SEVERITY_ZH[r['severity']]} {r['severity']}",
                                            r["examined"], r["found"], r["title_en"], r["denominator_zh"], notes)])
    return rows


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = str(value or "")
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fill(wb: Any, title: str, headers: tuple[str, ...], rows: list[list[Any]], tab: str | None = None) -> None:
    """A sheet of a write-only workbook: bold headers, widths from the content, wrapped cells, the first row frozen."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title)
    for i, header in enumerate(headers, start=1):
        widest = max([_width(header)] + [_width(row[i - 1]) for row in rows])
        ws.column_dimensions[_column(i)].width = min(max(widest + 2, 8), _MAX_WIDTH)
    ws.freeze_panes = "A2"
    if tab:
        ws.sheet_properties.tabColor = tab
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def cells(values: list[Any], **style: Any) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            for k, v in style.items():
                setattr(cell, k, v)
            out.append(cell)
        return out

    ws.append(cells(list(headers), font=bold))
    for row in rows:
        ws.append(cells(row, alignment=wrap))


def _column(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _joined_rules(rules: list[dict[str, Any]] | None, more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if rules is None:
        return [dict(r, notes=list(r.get("notes") or [])) for r in more]
    for r, m in zip(rules, more):
        r["examined"] += m["examined"]
        r["found"] += m["found"]
        r["notes"] += list(m.get("notes") or [])
    return rules


def write_xlsx(report: Any, path: str | Path) -> Path:
    """汇总 sheet (规则, 标题, 严重程度, 检查数, 发现数 …) and one sheet per rule with findings, named by rule id.
    ``report``: one report, or the reports of ``audit_counties`` (read one county at a time; the workbook is written
    in openpyxl's write-only mode, so only the rows are held, never the findings of every county)."""
    from openpyxl import Workbook

    rules: list[dict[str, Any]] | None = None
    rows: dict[str, list[list[Any]]] = {}
    for rep in _reports(report):
        rules = _joined_rules(rules, rep.rules)
        for r in rep.rules:
            rows.setdefault(r["rule"], []).extend(finding_row(f) for f in rep.of(r["rule"]))
    path = Path(path)
    # the file opened first: a path that cannot be written fails before a write-only workbook holds open sheets
    # (their writers, closed unsaved, print a traceback when collected)
    with path.open("wb") as fh:
        wb = Workbook(write_only=True)
        _fill(wb, "汇总", SUMMARY_HEADERS, _summary_rows(rules or []))
        for r in rules or []:
            if rows.get(r["rule"]):
                _fill(wb, r["rule"][:31], FINDING_HEADERS, rows[r["rule"]],
                      {"high": "C00000", "medium": "ED7D31", "low": "A5A5A5"}[rule(r["rule"]).severity])
        wb.save(fh)
    return path


def write_csv(report: Any, path: str | Path) -> Path:
    """Every finding, one row each, rule first; UTF-8 with BOM and CRLF as Excel expects. ``report``: one report, or
    the reports of ``audit_counties``, written as they come (county by county, each in rule order)."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(CSV_HEADERS)
        for rep in _reports(report):
            for f in rep.findings:
                out.writerow([safe_cell(f.rule)] + finding_row(f))
    return path


CAPACITY_HEADERS = ("乡镇代码", "乡镇", "有效下放事项", "其中执法类", "持证执法人员", "下放事项办件", "用到的下放事项",
                    "全部办件", "编制", "实有", "承担事项", "人均事项")
STAFFING_HEADERS = ("地区代码", "地区", "层级", "行政编制", "行政实有", "事业编制", "事业实有", "政法专项编制",
                    "政法专项实有", "编制合计", "实有合计")
COOPERATION_HEADERS = ("县", "乡镇代码", "乡镇", "配合事项", "为全县中位数的倍数", "全县中位数")


def capacity_tables(report: dict[str, Any]) -> list[tuple[str, tuple[str, ...], list[list[Any]]]]:
    """``capacity_report``'s tables as (sheet name, headers, rows), every cell neutralised: per township, staffing by
    kind, cooperation load against the county median."""
    towns = [[safe_cell(t.get(k)) for k in ("code", "name", "delegated_items", "delegated_enforcement_items",
                                            "certified_enforcers", "cases_on_delegated", "delegated_items_used",
                                            "cases_all", "staff_quota", "staff_actual", "items", "items_per_staff")]
             for t in report["townships"]]
    staffing = []
    for s in report["staffing"]:
        kinds = s.get("by_kind") or {}
        staffing.append([safe_cell(v) for v in (s["code"], s["name"], s.get("level"))]
                        + [kinds.get(k, {}).get(f) for k in ("admin", "inst", "law") for f in ("quota", "actual")]
                        + [s.get("quota"), s.get("actual")])
    cooperation = [[safe_cell(c["county"]["name"]), safe_cell(t["code"]), safe_cell(t["name"]), t["items"],
                    t.get("multiple"), c.get("median")] for c in report["cooperation"] for t in c["townships"]]
    return [("承接能力", CAPACITY_HEADERS, towns), ("编制", STAFFING_HEADERS, staffing),
            ("配合负担", COOPERATION_HEADERS, cooperation)]


def write_capacity_xlsx(report: dict[str, Any], path: str | Path) -> Path:
    """One sheet a table of ``capacity_tables``."""
    from openpyxl import Workbook

    path = Path(path)
    with path.open("wb") as fh:  # opened first: a path that cannot be written is an OSError, not openpyxl's
        wb = Workbook(write_only=True)
        for title, headers, rows in capacity_tables(report):
            _fill(wb, title, headers, rows)
        wb.save(fh)
    return path


def write_capacity_csv(report: dict[str, Any], path: str | Path) -> Path:
    """The per-township table, UTF-8 with BOM and CRLF as Excel expects."""
    _, headers, rows = capacity_tables(report)[0]
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(headers)
        out.writerows(rows)
    return path
