"""Audit exports as the people who act on them open them: XLSX with a summary and one sheet per rule, CSV with a BOM —
and no cell that a spreadsheet would run as a formula."""

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from quanze.api.audit import Finding, safe_cell, write_csv, write_xlsx
from quanze.cli.text import audit_text
from quanze.api.audit.run import AuditReport

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1)", "\tx", "\r=1+1"]


def finding(rule: str, severity: str, matter: str, **kw) -> Finding:
    return Finding(rule, severity, {"code": "990701001", "name": "城关镇"}, {"id": "name:1", "name": matter},
                   kw.get("agencies", [{"id": "990701/青岚县住房和城乡建设局", "name": "青岚县住房和城乡建设局"}]),
                   kw.get("zh", f"城关镇「{matter}」有两个牵头单位"), kw.get("en", f"{matter} has two leads"),
                   [{"list": "power:990701", "file": "power.xlsx", "sheet": "权责清单", "row": 12}])


def report(*findings: Finding) -> AuditReport:
    rules = []
    for rid, sev, title in (("multi-lead", "high", "多头牵头"), ("duplicate-item", "low", "同一清单重复列项"),
                            ("idle-agency", "low", "空挂的机构")):
        rules.append({"rule": rid, "examined": 10, "found": sum(f.rule == rid for f in findings), "severity": sev,
                      "title_zh": title, "title_en": rid, "denominator_zh": "检查对象", "denominator_en": "examined",
                      "notes": []})
    return AuditReport(list(findings), rules, dt.date(2025, 6, 1))


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_would_start_a_formula_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["对擅自占用城市道路的行政处罚", "1+1", "a=b", "", 3, -2, None, "'quoted"])
def test_everything_else_is_left_as_it_is(value):
    assert safe_cell(value) == value


def test_the_xlsx_has_a_summary_and_one_sheet_per_rule_with_findings(tmp_path):
    rep = report(finding("multi-lead", "high", "对擅自占用城市道路的行政处罚"),
                 finding("duplicate-item", "low", "组织开展防汛演练"))
    wb = load_workbook(write_xlsx(rep, tmp_path / "audit.xlsx"))
    assert wb.sheetnames == ["汇总", "multi-lead", "duplicate-item"]  # idle-agency found nothing: no sheet
    summary = wb["汇总"]
    assert [c.value for c in summary[1]][:5] == ["规则", "标题", "严重程度", "检查数", "发现数"]
    assert [c.value for c in summary[2]][:5] == ["multi-lead", "多头牵头", "高 high", 10, 1]
    assert summary.max_row == 4 and summary.freeze_panes == "A2"
    sheet = wb["multi-lead"]
    headers = [c.value for c in sheet[1]]
    assert {"地区", "事项", "机构", "说明", "来源"} <= set(headers) and sheet.freeze_panes == "A2"
    row = dict(zip(headers, [c.value for c in sheet[2]]))
    assert row["地区"] == "城关镇" and row["事项"] == "对擅自占用城市道路的行政处罚" and row["来源"] == "power.xlsx/权责清单 第12行"
    widths = {h: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width for i, h in enumerate(headers)}
    assert widths["说明"] > widths["地区代码"] >= 8 and max(widths.values()) <= 80
    assert widths["事项"] >= 2 * len("对擅自占用城市道路的行政处罚")  # CJK characters are two columns wide


def test_the_csv_is_utf8_with_a_bom_one_row_per_finding(tmp_path):
    rep = report(finding("multi-lead", "high", "对擅自占用城市道路的行政处罚"), finding("duplicate-item", "low", "组织开展防汛演练"))
    path = write_csv(rep, tmp_path / "audit.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["规则", "严重程度", "地区代码", "地区"] and len(rows) == 3
    assert rows[1][0] == "multi-lead" and "城关镇" in rows[1]


def test_formula_injection_is_neutralised_in_both_exports(tmp_path):
    rep = report(*[finding("multi-lead", "high", v, zh=v, en=v, agencies=[{"id": "x", "name": v}]) for v in HOSTILE])
    wb = load_workbook(write_xlsx(rep, tmp_path / "audit.xlsx"))
    sheet = wb["multi-lead"]
    headers = [c.value for c in sheet[1]]
    for row, value in zip(sheet.iter_rows(min_row=2), HOSTILE):
        cells = dict(zip(headers, row))
        for column in ("事项", "机构", "说明", "Description"):
            # (XML keeps no bare carriage return: it reads back as a line feed, still behind the quote)
            assert cells[column].data_type == "s" and cells[column].value == "'" + value.replace("\r", "\n")
    with write_csv(rep, tmp_path / "audit.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    text = (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
    for row, value in zip(rows[1:], HOSTILE):
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
        assert "'" + value in row
    assert "=HYPERLINK" in text


def test_the_terminal_text_has_every_rule_and_every_finding(tmp_path):
    rep = report(finding("multi-lead", "high", "对擅自占用城市道路的行政处罚"))
    text = audit_text(rep)
    assert "multi-lead" in text and "idle-agency" in text and "城关镇「对擅自占用城市道路的行政处罚」有两个牵头单位" in text
    assert "power.xlsx/权责清单 第12行" in text and "worst: high" in text
