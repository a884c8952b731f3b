"""The generic spreadsheet reader: real county lists, as hand-made and untidy as they come (see docs/formats.md)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Sequence

import openpyxl
import pytest

from quanze.errors import InputError
from quanze.ingest.tabular import (RawSheet, clean_text, locate_table, normalise_key, parse_count, parse_count_strict,
                                   parse_date, parse_date_strict, read_sheets, split_names, strip_numbering)

# ------------------------------------------------------------------------------------------------ helpers

POWER_COLUMNS = {
    "seq": ["序号", "编号"],
    "code": ["事项编码", "职权编码", "编码"],
    "name": ["事项名称", "职权名称", "权力事项名称", "事项"],
    "category": ["事项类型", "权力类型", "类别"],
    "implementer": ["实施主体", "责任单位", "责任科室"],
    "remarks": ["备注"],
}
COOPERATION_COLUMNS = {
    "seq": ["序号"],
    "name": ["事项名称", "履职事项"],
    "lead_department": ["主体责任部门", "牵头部门", "主体责任/部门"],
    "lead_duty": ["主体责任", "部门职责", "主体责任/职责"],
    "cooperating": ["配合部门", "配合责任/部门"],
    "township_duty": ["乡镇职责", "配合职责", "配合责任/职责"],
}


def xlsx(tmp_path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *, merges: dict[str, list[str]] | None = None,
         hidden: Sequence[str] = (), name: str = "list.xlsx") -> Path:
    """A workbook with one sheet per entry; rows start at A1, None leaves a cell blank."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
        if title in hidden:
            ws.sheet_state = "hidden"
    path = tmp_path / name
    wb.save(path)
    return path


def one_sheet(tmp_path: Path, rows: Sequence[Sequence[Any]], merges: list[str] = (), **kw: Any) -> RawSheet:
    [sheet] = read_sheets(xlsx(tmp_path, {"Sheet1": rows}, merges={"Sheet1": list(merges)}, **kw))
    return sheet


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problem_of(exc: pytest.ExceptionInfo[InputError]):
    assert exc.value.problems, "an InputError always carries problems"
    return exc.value.problems[0]


def minimal_xlsx(sheet_xml: str) -> bytes:
    """An XLSX as other programs write it: a bare style part, inline strings; the `<sheetData>` content is given."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+'
        'xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        # a style part with cell formats (s="1" is a date) but no named styles, as some libraries write it
        "xl/styles.xml": '<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{sheet_xml}</sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# ------------------------------------------------------------------------------------------------ finding the table

def test_title_rows_above_a_header_that_is_not_on_the_first_row(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["青岚县住房和城乡建设局权责清单（2024年版）"],
        [],
        ["填报单位：青岚县住建局", None, None, "填报日期：2024年3月"],
        ["序号", "事项编码", "事项名称", "事项类型", "实施主体"],
        [1, "330217001000", "建筑工程施工许可", "行政许可", "县住建局"],
        [],
        [2, "330217002000", "城镇排水许可", "行政许可", "县住建局"],
    ], merges=["A1:E1"])
    table = locate_table(sheet, POWER_COLUMNS, required=["name"])
    assert table.header_row == 4
    assert table.title_lines == ["青岚县住房和城乡建设局权责清单（2024年版）", "填报单位：青岚县住建局", "填报日期：2024年3月"]
    assert [row.number for row in table.rows] == [5, 7]  # Excel's numbers, the blank row 6 skipped silently
    assert table.rows[1].values["name"] == "城镇排水许可"
    assert table.rows[0].values["seq"] == "1"  # an Excel number 1.0 reads as the 1 the user typed
    assert table.rows[0].values["remarks"] is None  # every key asked for is there, None when the column is absent
    assert table.column_map["code"].index == 1 and table.column_map["code"].letter == "B"
    assert table.skipped == []


def test_two_row_header_with_merged_group_cells(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["青岚县温泉镇配合履职事项清单"],
        ["序号", "事项名称", "主体责任", None, "配合责任", None],
        [None, None, "部门", "职责", "部门", "职责"],
        [1, "建筑工地扬尘污染防治", "县住建局", "负责监督管理", "县生态环境分局", "日常巡查，发现问题及时报告"],
        [2, "燃气安全", "县住建局", "负责行业监管", None, "协助开展安全检查"],
    ], merges=["A1:F1", "A2:A3", "B2:B3", "C2:D2", "E2:F2"])
    table = locate_table(sheet, COOPERATION_COLUMNS, required=["name", "lead_department", "township_duty"])
    assert table.header_row == 2
    assert {key: col.header for key, col in table.column_map.items()} == {
        "seq": "序号", "name": "事项名称", "lead_department": "主体责任/部门", "lead_duty": "主体责任/职责",
        "cooperating": "配合责任/部门", "township_duty": "配合责任/职责"}
    assert [row.number for row in table.rows] == [4, 5]  # data starts after the second header row
    first = table.rows[0].values
    assert (first["lead_department"], first["lead_duty"]) == ("县住建局", "负责监督管理")
    assert first["township_duty"] == "日常巡查，发现问题及时报告"
    assert table.rows[1].values["cooperating"] is None
    assert table.rows[0].raw["配合责任/部门"] == "县生态环境分局"


def test_two_row_header_sub_header_alone_used_only_when_unambiguous(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "乡镇（街道）", None, "上级部门", None],
        [None, None, "配合职责", "负责人", "部门", "部门职责"],
        [1, "河道保洁", "日常巡查", "张三", "县水利局", "监督考核"],
    ], merges=["A1:A2", "B1:B2", "C1:D1", "E1:F1"])
    columns = {"name": ["事项名称"], "township_duty": ["配合职责"], "lead_duty": ["部门职责"],
               "lead_department": ["牵头部门"]}
    table = locate_table(sheet, columns)
    assert table.column_map["township_duty"].header == "乡镇（街道）/配合职责"  # the sub header alone, unique
    assert table.column_map["lead_duty"].header == "上级部门/部门职责"
    assert "lead_department" not in table.column_map  # `部门` alone is no synonym; a guess would be wrong
    assert ("D", "乡镇（街道）/负责人") in table.unknown_columns and ("E", "上级部门/部门") in table.unknown_columns
    assert table.rows[0].values["lead_department"] is None


def test_two_row_header_in_a_csv_without_merges(tmp_path):
    text = "序号,事项名称,主体责任,,配合责任,\n,,部门,职责,部门,职责\n1,燃气安全,县住建局,行业监管,县应急局,协助检查\n"
    [sheet] = read_sheets(write(tmp_path, "coop.csv", text.encode("utf-8")))
    table = locate_table(sheet, COOPERATION_COLUMNS, required=["lead_department", "township_duty"])
    assert table.column_map["lead_department"].index == 2 and table.column_map["township_duty"].index == 5
    assert [row.number for row in table.rows] == [3]


def test_a_horizontally_merged_single_header_does_not_eat_the_first_data_row(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", None, "实施主体"],
        [1, "建筑工程施工许可", "（含子项）", "县住建局"],
        [2, "城镇排水许可", None, "县住建局"],
    ], merges=["B1:C1"])
    table = locate_table(sheet, POWER_COLUMNS)
    assert table.header_row == 1
    assert [row.number for row in table.rows] == [2, 3]
    assert ("C", "事项名称") in table.unknown_columns


def test_category_merged_down_over_many_rows_applies_to_each(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项类型", "事项名称", "实施主体"],
        [1, "行政许可", "建筑工程施工许可", "县住建局"],
        [2, None, "城镇排水许可", "县住建局"],
        [3, None, "燃气经营许可", "县住建局"],
        [None, None, None, None],  # inside the merge, otherwise blank: not a heading, not data
        [4, "行政处罚", "违法建设处罚", "县住建局"],
    ], merges=["B2:B5"])
    table = locate_table(sheet, POWER_COLUMNS)
    assert [(row.number, row.values["category"]) for row in table.rows] == [
        (2, "行政许可"), (3, "行政许可"), (4, "行政许可"), (6, "行政处罚")]
    assert table.skipped == [] and all(row.group is None for row in table.rows)


def test_sub_item_rows_under_a_name_merged_down_are_data_not_headings(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "子项", "实施主体"],
        [1, "建设工程消防验收", "特殊建设工程消防验收", "县住建局"],
        [None, None, "其他建设工程消防验收备案", None],
        [None, None, "消防设计审查", None],
    ], merges=["A2:A4", "B2:B4", "D2:D4"])
    table = locate_table(sheet, {**POWER_COLUMNS, "sub_item": ["子项", "子项名称"]})
    assert [(r.number, r.values["name"], r.values["sub_item"], r.values["implementer"]) for r in table.rows] == [
        (2, "建设工程消防验收", "特殊建设工程消防验收", "县住建局"),
        (3, "建设工程消防验收", "其他建设工程消防验收备案", "县住建局"),
        (4, "建设工程消防验收", "消防设计审查", "县住建局")]
    assert table.skipped == []


def test_a_title_merged_across_right_above_the_header_is_a_title_not_a_group(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["青岚县温泉镇基本履职事项清单"],
        ["序号", "履职事项", "责任科室"],
        [1, "党的建设", "党政办公室"],
    ], merges=["A1:C1"])
    table = locate_table(sheet, {"seq": ["序号"], "name": ["履职事项"], "implementer": ["责任科室"]})
    assert (table.header_row, table.title_lines) == (2, ["青岚县温泉镇基本履职事项清单"])
    assert table.column_map["name"].header == "履职事项"
    assert [row.number for row in table.rows] == [3]


def test_group_heading_rows_set_the_group_of_the_rows_below(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "实施主体"],
        ["一、城乡建设（24项）"],
        [1, "建筑工程施工许可", "县住建局"],
        [2, "城镇排水许可", "县住建局"],
        ["（二）行政处罚", None, None],
        [3, "违法建设处罚", "县住建局"],
    ], merges=["A2:C2"])
    table = locate_table(sheet, POWER_COLUMNS)
    assert [(row.number, row.group) for row in table.rows] == [(3, "城乡建设"), (4, "城乡建设"), (6, "行政处罚")]
    assert [(s.number, s.reason, s.text) for s in table.skipped] == [
        (2, "group-heading", "一、城乡建设（24项）"), (5, "group-heading", "（二）行政处罚")]


def test_footnotes_subtotals_and_repeated_headers_are_skipped_with_a_reason(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "实施主体"],
        [1, "建筑工程施工许可", "县住建局"],
        ["小计", "1项", None],
        ["序号", "事项名称", "实施主体"],  # repeated after a page break
        [2, "城镇排水许可", "县住建局"],
        ["合计：2项", None, None],
        ["注：本清单由县委编办汇总。"],
        ["2. 清单实行动态调整。"],
    ])
    table = locate_table(sheet, POWER_COLUMNS)
    assert [row.number for row in table.rows] == [2, 5]
    assert [(s.number, s.reason) for s in table.skipped] == [
        (3, "subtotal"), (4, "repeated-header"), (6, "subtotal"), (7, "footnote"), (8, "footnote")]
    assert table.skipped[3].text == "注：本清单由县委编办汇总。"


def test_a_note_in_the_middle_skips_only_itself(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "实施主体"],
        [1, "建筑工程施工许可", "县住建局"],
        ["备注：以下事项2024年起实施", None, None],
        [2, "城镇排水许可", "县住建局"],
    ])
    table = locate_table(sheet, POWER_COLUMNS)
    assert [row.number for row in table.rows] == [2, 4]
    assert [(s.number, s.reason) for s in table.skipped] == [(3, "footnote")]


def test_header_words_match_after_normalising_widths_spaces_and_brackets(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序　号", "事项\n名称 ", "乡镇［街道］责任", "ＣＯＤＥ"],
        ["１", "河道保洁", "日常巡查", "x"],
    ])
    table = locate_table(sheet, {"seq": ["序号"], "name": ["事项名称"], "township_duty": ["乡镇(街道)责任"],
                                 "code": ["code"]})
    assert set(table.column_map) == {"seq", "name", "township_duty", "code"}
    assert table.rows[0].values["seq"] == "1"


def test_exact_header_match_beats_contains_match(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["事项编码", "事项", "权力事项名称（含子项）", "备注说明"],
        ["A1", "甲", "乙", "丙"],
    ])
    table = locate_table(sheet, {"code": ["事项编码"], "name": ["事项名称", "事项"], "sub": ["子项"],
                                 "remarks": ["备注"]})
    # `事项编码` contains `事项`, but is the exact code header; `事项` is the exact name header
    assert table.column_map["code"].index == 0 and table.column_map["name"].index == 1
    assert table.column_map["sub"].header == "权力事项名称（含子项）"  # contains-match, nothing better left
    assert table.column_map["remarks"].index == 3
    assert table.unknown_columns == []


def test_unknown_columns_are_returned_and_raw_keeps_every_cell(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["序号", "事项名称", "办理时限", None, "实施主体"],
        [1, "建筑工程施工许可", "20个工作日", "（见附件）", "县住建局"],
    ])
    table = locate_table(sheet, POWER_COLUMNS)
    assert table.unknown_columns == [("C", "办理时限")]
    assert table.rows[0].raw == {"序号": "1", "事项名称": "建筑工程施工许可", "办理时限": "20个工作日",
                                 "D": "（见附件）", "实施主体": "县住建局"}


def test_missing_required_column_names_the_keys_their_words_and_the_closest_row(tmp_path):
    sheet = one_sheet(tmp_path, [
        ["青岚县收回事项清单"],
        ["序号", "事项名称", "工作方式"],
        [1, "河道采砂许可", "配合"],
    ], name="收回.xlsx")
    with pytest.raises(InputError) as exc:
        locate_table(sheet, {"seq": ["序号"], "name": ["事项名称"], "taking_department": ["承接部门", "收回部门"]},
                     required=["name", "taking_department"])
    problem = problem_of(exc)
    assert problem.code == "missing-column" and len(exc.value.problems) == 1
    assert problem.file.endswith("收回.xlsx") and problem.sheet == "Sheet1" and problem.row == 2
    assert "承接部门、收回部门" in problem.message_zh and "缺少必需的列" in problem.message_zh
    assert "taking_department" in problem.message_en and "承接部门, 收回部门" in problem.message_en
    assert "第 2 行" in problem.message_zh and "row 2" in problem.message_en
    assert problem.expected == "承接部门、收回部门"


def test_no_header_row_at_all(tmp_path):
    sheet = one_sheet(tmp_path, [["只有一行说明文字"], ["另一行"]])
    with pytest.raises(InputError) as exc:
        locate_table(sheet, POWER_COLUMNS)
    assert problem_of(exc).code == "no-header-row"


def test_header_beyond_scan_rows_is_not_found(tmp_path):
    sheet = one_sheet(tmp_path, [["说明"]] * 5 + [["序号", "事项名称"], [1, "甲"]])
    assert locate_table(sheet, POWER_COLUMNS).header_row == 6
    with pytest.raises(InputError):
        locate_table(sheet, POWER_COLUMNS, scan_rows=5)


# ------------------------------------------------------------------------------------------------ reading workbooks

def test_several_sheets_in_one_workbook_hidden_ones_flagged(tmp_path):
    path = xlsx(tmp_path, {
        "基本履职事项": [["序号", "履职事项"], [1, "甲"]],
        "配合履职事项": [["序号", "履职事项"], [1, "乙"]],
        "旧版": [["序号", "履职事项"], [1, "丙"]],
    }, hidden=["旧版"])
    sheets = read_sheets(path)
    assert [(s.name, s.hidden) for s in sheets] == [("基本履职事项", False), ("配合履职事项", False), ("旧版", True)]
    assert sheets[1].rows == [(1, ["序号", "履职事项"]), (2, ["1", "乙"])]
    assert sheets[0].file == str(path)


def test_cells_are_cleaned_when_read(tmp_path):
    sheet = one_sheet(tmp_path, [[
        "住房和城乡\n建设局", "Road\nSafety", " 县住建局\u00a0", "（２０２４年版）", "　", 3.0, 2.5,
        dt.datetime(2021, 5, 1), dt.date(2024, 1, 31), True,
    ]])
    assert sheet.rows == [(1, ["住房和城乡建设局", "Road Safety", "县住建局", "（2024年版）", None, "3", "2.5",
                               "2021-05-01", "2024-01-31", "TRUE"])]


def test_excel_error_values_read_as_blank_with_a_warning(tmp_path):
    path = write(tmp_path, "err.xlsx", minimal_xlsx(
        '<row r="1">' + inline("A1", "事项名称") + '<c r="B1" t="e"><v>#REF!</v></c>' + inline("C1", "备注") + "</row>"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [(1, ["事项名称", None, "备注"])]
    assert [(w.code, w.row, w.column, w.value) for w in sheet.warnings] == [("excel-error-value", 1, "B", "#REF!")]


def test_workbook_from_another_program_without_styles_reads_without_warnings(tmp_path):
    # openpyxl warns "Workbook contains no default style" here; tests turn warnings into errors, so this also
    # proves the reader handles that warning itself.
    path = write(tmp_path, "other.xlsx", minimal_xlsx(
        '<row r="2">' + inline("A2", "序号") + inline("B2", "事项名称") + '</row>'
        '<row r="3"><c r="A3"><v>1</v></c>' + inline("B3", "甲") + "</row>"))
    [sheet] = read_sheets(path)
    assert (sheet.name, sheet.rows) == ("清单", [(2, ["序号", "事项名称"]), (3, ["1", "甲"])])
    assert sheet.warnings == []


def test_excel_dates_stored_as_numbers_and_reader_remarks(tmp_path):
    path = write(tmp_path, "dates.xlsx", minimal_xlsx(
        '<row r="1">' + inline("A1", "生效日期") + '<c r="B1" s="1"><v>44317</v></c><c r="C1" s="1"><v>1e10</v></c>'
        + inline("D1", "备注") + "</row>"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [(1, ["生效日期", "2021-05-01", None, "备注"])]
    # openpyxl's own remark about the impossible date is kept as a warning, not lost and not raised
    assert {(w.code, w.column) for w in sheet.warnings} == {("reader-warning", None), ("excel-error-value", "C")}


def test_formula_with_cached_value_is_read_as_its_value(tmp_path):
    path = write(tmp_path, "excel.xlsx", minimal_xlsx(
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>IF(1,"","x")</f><v></v></c>'
        + inline("C1", "甲") + "</row>"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [(1, ["2", None, "甲"])]


def test_formula_without_cached_value_is_refused_with_advice(tmp_path):
    path = xlsx(tmp_path, {"清单": [["序号", "事项名称"], ["=ROW()-1", "甲"], ["=ROW()-1", "乙"]]})
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    problems = exc.value.problems
    assert [(p.code, p.sheet, p.row, p.column) for p in problems] == [
        ("formula-without-value", "清单", 2, "A"), ("formula-without-value", "清单", 3, "A")]
    assert "Excel" in problems[0].message_zh and "WPS" in problems[0].message_zh
    assert "never opened in Excel" in problems[0].message_en


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    path = xlsx(tmp_path, {"表": [["序号", "事项名称"]]}, name="really-xlsx.csv")
    assert read_sheets(path)[0].rows == [(1, ["序号", "事项名称"])]


# ------------------------------------------------------------------------------------------------ reading CSV

ROWS_TEXT = "序号,事项名称,承接乡镇\n1,建筑工程施工许可,温泉镇、城关镇\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes(tmp_path, encoding):
    [sheet] = read_sheets(write(tmp_path, "list.csv", ROWS_TEXT.encode(encoding)))
    assert sheet.name is None and not sheet.hidden
    assert sheet.rows == [(1, ["序号", "事项名称", "承接乡镇"]), (2, ["1", "建筑工程施工许可", "温泉镇、城关镇"])]


def test_csv_in_gb18030_with_characters_outside_gbk(tmp_path):
    text = "姓名,备注\n刘䶮,㐀字\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")  # so the file below really needs GB18030
    [sheet] = read_sheets(write(tmp_path, "names.csv", text.encode("gb18030")))
    assert sheet.rows[1] == (2, ["刘䶮", "㐀字"])


def test_csv_that_no_encoding_decodes_names_the_first_bad_byte(tmp_path):
    data = "序号,名称\n".encode("gbk") + b"1,ab\xff\xfe\n"
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, "bad.csv", data))
    problem = problem_of(exc)
    assert problem.code == "bad-encoding" and problem.row == 2
    assert f"第 {len(data) - 3} 字节" in problem.message_zh and f"offset {len(data) - 3}" in problem.message_en


def test_utf8_csv_with_one_broken_byte_is_not_read_as_gb18030_mojibake(tmp_path):
    good = ("序号,事项名称\n" + "".join(f"{i},建筑工程施工许可事项{i}\n" for i in range(20))).encode("utf-8")
    data = good[:40] + b"\xe5" + good[40:]  # a stray lead byte: GB18030 would decode this as nonsense
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, "broken.csv", data))
    assert problem_of(exc).code == "bad-encoding" and "offset 40" in problem_of(exc).message_en


def test_csv_delimiters_are_sniffed_and_ragged_rows_padded(tmp_path):
    [tabbed] = read_sheets(write(tmp_path, "t.txt", "序号\t事项名称\t备注\n1\t甲, 乙\n".encode("utf-8")))
    assert tabbed.rows == [(1, ["序号", "事项名称", "备注"]), (2, ["1", "甲, 乙", None])]
    [semi] = read_sheets(write(tmp_path, "s.csv", "序号;事项名称\n1;甲\n\n2;乙;多余\n".encode("utf-8")))
    assert semi.rows == [(1, ["序号", "事项名称", None]), (2, ["1", "甲", None]), (4, ["2", "乙", "多余"])]


def test_csv_quoted_cell_with_line_break_keeps_record_numbers(tmp_path):
    data = '序号,事项名称\n1,"住房和城乡\n建设局"\n2,乙\n'.encode("utf-8")
    [sheet] = read_sheets(write(tmp_path, "q.csv", data))
    assert sheet.rows == [(1, ["序号", "事项名称"]), (2, ["1", "住房和城乡建设局"]), (3, ["2", "乙"])]


# ------------------------------------------------------------------------------------------------ bad input

def test_missing_file(tmp_path):
    with pytest.raises(InputError) as exc:
        read_sheets(tmp_path / "nope.xlsx")
    assert problem_of(exc).code == "file-not-found" and problem_of(exc).file.endswith("nope.xlsx")


@pytest.mark.parametrize("name,data", [("zero.csv", b""), ("blank.csv", b" , ,\n\n,,\n"),
                                       ("bom-only.csv", b"\xef\xbb\xbf")])
def test_empty_files(tmp_path, name, data):
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, name, data))
    assert problem_of(exc).code == "empty-file"


def test_workbook_without_any_non_blank_cell_is_empty(tmp_path):
    with pytest.raises(InputError) as exc:
        read_sheets(xlsx(tmp_path, {"Sheet1": [[None, "  "]]}))
    assert problem_of(exc).code == "empty-file"


def test_file_larger_than_the_limit(tmp_path):
    path = write(tmp_path, "big.csv", ROWS_TEXT.encode("utf-8"))
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_bytes=10)
    assert problem_of(exc).code == "file-too-large" and "10" in problem_of(exc).message_en


def test_cell_longer_than_the_limit_is_located(tmp_path):
    path = xlsx(tmp_path, {"清单": [["序号", "事项名称"], [1, "很长的事项名称超过限制"]]})
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_cell_chars=5)
    problem = problem_of(exc)
    assert (problem.code, problem.sheet, problem.row, problem.column) == ("cell-too-long", "清单", 2, "B")
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, "long.csv", "a,b\n1,abcdefgh\n".encode()), max_cell_chars=5)
    assert (problem_of(exc).code, problem_of(exc).row, problem_of(exc).column) == ("cell-too-long", 2, "B")


@pytest.mark.parametrize("name", ["old.xls", "locked.xlsx"])
def test_ole_file_is_an_old_xls_or_an_encrypted_workbook(tmp_path, name):
    path = write(tmp_path, name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    problem = problem_of(exc)
    assert problem.code == "encrypted-or-xls"
    assert "encrypted or old .xls" in problem.message_en and "save as .xlsx without a password" in problem.message_en
    assert "另存为 .xlsx" in problem.message_zh


def test_corrupt_workbooks(tmp_path):
    whole = xlsx(tmp_path, {"Sheet1": [["序号", "事项名称"]]}).read_bytes()
    for name, data in [("truncated.xlsx", whole[: len(whole) // 2]), ("random.xlsx", bytes(range(256)) * 4)]:
        with pytest.raises(InputError) as exc:
            read_sheets(write(tmp_path, name, data))
        assert problem_of(exc).code == "corrupt-xlsx", name


def test_a_zip_that_is_not_a_workbook(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, "doc.xlsx", buf.getvalue()))
    assert problem_of(exc).code == "not-a-spreadsheet"


@pytest.mark.parametrize("name,data", [
    ("list.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("list.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("list.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("export.xls", b"<html><body><table><tr><td>x</td></tr></table></body></html>"),
    ("tabs.xls", "序号\t事项名称\n".encode("gbk")),
    ("list.docx", "序号,事项名称\n".encode()),
    ("binary.csv", b"a,b\n\x00\x01\x02\x03,c\n"),
])
def test_files_that_are_not_spreadsheets(tmp_path, name, data):
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, name, data))
    problem = problem_of(exc)
    assert problem.code == "not-a-spreadsheet"
    assert ".xlsx" in problem.expected and problem.file.endswith(name)
    if data.startswith(b"%PDF"):
        assert "PDF" in problem.message_zh and "PDF" in problem.message_en


def test_random_bytes_named_csv(tmp_path):
    with pytest.raises(InputError) as exc:
        read_sheets(write(tmp_path, "noise.csv", bytes(range(128, 256)) * 8))
    assert problem_of(exc).code in ("bad-encoding", "not-a-spreadsheet")


# ------------------------------------------------------------------------------------------------ cells

@pytest.mark.parametrize("text,expected", [
    ("1.建筑工程施工许可", "建筑工程施工许可"),
    ("1、建筑工程施工许可", "建筑工程施工许可"),
    ("１．建筑工程施工许可", "建筑工程施工许可"),
    ("12． 城镇排水许可", "城镇排水许可"),
    ("(1)燃气经营许可", "燃气经营许可"),
    ("（一）城乡建设", "城乡建设"),
    ("一、城乡建设", "城乡建设"),
    ("十二、其他", "其他"),
    ("①河道保洁", "河道保洁"),
    ("1.5吨以上锅炉", "1.5吨以上锅炉"),
    ("第一条 规定", "第一条 规定"),
    ("十字路口管理", "十字路口管理"),
])
def test_strip_numbering(text, expected):
    assert strip_numbering(text) == expected


@pytest.mark.parametrize("value,expected", [
    ("ＡＢＣ１２３", "ABC123"),
    ("（２０２４年版）", "（2024年版）"),  # the user's brackets stay
    ("温泉镇、城关镇；石门乡。", "温泉镇、城关镇；石门乡。"),
    ("县住建局\u00a0\u3000 ", "县住建局"),
    ("县  住建局", "县 住建局"),
    ("住房和城乡\r\n建设局", "住房和城乡建设局"),
    ("青岚县（\n住建局）", "青岚县（住建局）"),
    ("Road\nSafety", "Road Safety"),
    ("第3\n项", "第3 项"),
    ("\u200b县住建局", "县住建局"),
    ("", None), ("  \n ", None), (None, None),
    (3.0, "3"), (12, "12"), (0.1 + 0.2, "0.3"), (330122001000.0, "330122001000"),
    (dt.datetime(2021, 5, 1), "2021-05-01"), (dt.datetime(2021, 5, 1, 9, 30), "2021-05-01 09:30:00"),
])
def test_clean_text(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize("text,expected", [
    ("乡镇（街道）责任", "乡镇(街道)责任"),
    ("【主体责任】部门", "(主体责任)部门"),
    ("事项 \n名称", "事项名称"),
    ("ＣＯＤＥ：Ａ１", "code:a1"),
    ("〔2024〕3号", "(2024)3号"),
    (None, ""),
])
def test_normalise_key(text, expected):
    assert normalise_key(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("温泉镇、城关镇", ["温泉镇", "城关镇"]),
    ("温泉镇，城关镇,石门乡；白沙乡;青山乡/东湖乡", ["温泉镇", "城关镇", "石门乡", "白沙乡", "青山乡", "东湖乡"]),
    ("温泉镇 城关镇\n石门乡\u3000白沙乡", ["温泉镇", "城关镇", "石门乡", "白沙乡"]),
    ("温泉镇、、 ,城关镇、", ["温泉镇", "城关镇"]),
    ("社会事务办公室(民政办公室、应急管理办公室)、党政办公室",
     ["社会事务办公室(民政办公室、应急管理办公室)", "党政办公室"]),
    ("", []), (None, []),
])
def test_split_names(text, expected):
    assert split_names(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2021-05-01", dt.date(2021, 5, 1)),
    ("2021/5/1", dt.date(2021, 5, 1)),
    ("2021.05.01", dt.date(2021, 5, 1)),
    ("2021.05", dt.date(2021, 5, 1)),
    ("2021-5", dt.date(2021, 5, 1)),
    ("2021年5月", dt.date(2021, 5, 1)),
    ("2021年5月1日", dt.date(2021, 5, 1)),
    ("２０２１年５月１日", dt.date(2021, 5, 1)),
    ("2021 年 12 月 31 日", dt.date(2021, 12, 31)),
    ("20210501", dt.date(2021, 5, 1)),
    ("44317", dt.date(2021, 5, 1)),
    ("44317.5", dt.date(2021, 5, 1)),
    (44317, dt.date(2021, 5, 1)),
    (44317.0, dt.date(2021, 5, 1)),
    ("2021-05-01T08:30:00", dt.date(2021, 5, 1)),
    ("2021-05-01 08:30", dt.date(2021, 5, 1)),
    ("2021-05-01T08:30:00+08:00", dt.date(2021, 5, 1)),
    (dt.datetime(2021, 5, 1, 8, 30), dt.date(2021, 5, 1)),
    (dt.date(2021, 5, 1), dt.date(2021, 5, 1)),
    # not dates
    ("2021-02-30", None), ("2021年13月", None), ("20211301", None), ("12", None), (2021, None), ("99999", None),
    ("2021年", None), ("五月一日", None), ("", None), (None, None), ("2021-05-01起", None), (True, None),
    ("2021-05 08:30", None), ("1899-12-31", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_strict_says_where_and_which_forms_are_accepted():
    assert parse_date_strict("2021年5月", {"file": "a.xlsx"}) == dt.date(2021, 5, 1)
    with pytest.raises(InputError) as exc:
        parse_date_strict("五月", {"file": "a.xlsx", "sheet": "赋权", "row": 7, "column": "生效日期", "other": 1})
    problem = problem_of(exc)
    assert (problem.code, problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        "bad-date", "a.xlsx", "赋权", 7, "生效日期", "五月")
    assert "2021年5月" in problem.expected and "20210501" in problem.expected


@pytest.mark.parametrize("text,expected", [
    ("12", 12), ("12.0", 12), ("１２", 12), ("１２人", 12), ("12 件", 12), ("0", 0), ("1,234", 1234),
    (12, 12), (12.0, 12), ("  7 ", 7),
    ("-3", None), ("12.5", None), ("十二", None), ("约12", None), ("", None), (None, None), (-1, None),
    (2.5, None), (True, None), ("1,23", None),
])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_parse_count_strict_says_where_value_and_expectation():
    assert parse_count_strict("１２人") == 12
    with pytest.raises(InputError) as exc:
        parse_count_strict("-3", {"file": "办件量.csv", "row": 4, "column": "办件量"})
    problem = problem_of(exc)
    assert (problem.code, problem.file, problem.row, problem.column, problem.value) == (
        "bad-number", "办件量.csv", 4, "办件量", "-3")
    assert "non-negative whole number" in problem.expected and "非负整数" in problem.message_zh
