"""Hostile and broken input: files built to exhaust memory or time, text in two encodings, invisible characters.

Every hostile file is generated here and stays small on disk. Time- and memory-safety is shown by where the refusal
comes from — the zip's declared sizes, the worksheet streamed before openpyxl is even asked — never by timing.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from quanze.errors import InputError
from quanze.ingest import limits, sheets
from quanze.ingest.mojibake import garbled
from quanze.ingest.pipeline import ingest_paths
from quanze.ingest.tabular import read_sheets
from quanze.tests.helpers import workbook

CG = "990701001"  # 城关镇 of the demo county


def problem_of(exc: pytest.ExceptionInfo[InputError]):
    assert exc.value.problems, "an InputError always carries problems"
    return exc.value.problems[0]


def all_problems(report):
    return [p for f in report.files for p in f.problems]


def basic_rows(*items: str) -> list[list]:
    return [["青岚县城关镇履行职责事项清单（2025年版）"], ["序号", "事项名称"]] + [[i + 1, t] for i, t in enumerate(items)]


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size rewritten to ``size`` in its local header and in the central
    directory: what a zip bomb declares (or hides), without writing gigabytes."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04" + b"", 0)
    found = 0
    while local != -1:
        name_len = struct.unpack_from("<H", out, local + 26)[0]
        if out[local + 30:local + 30 + name_len] == name:
            struct.pack_into("<I", out, local + 22, size)
            found += 1
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46:central + 46 + name_len] == name:
            struct.pack_into("<I", out, central + 24, size)
            found += 1
        central = out.find(b"PK\x01\x02", central + 4)
    assert found == 2, f"{member} not found in the zip"
    return bytes(out)


def sheet_xml(rows_xml: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dim}<sheetData>{rows_xml}</sheetData></worksheet>')


def with_sheet(path: Path, xml: str) -> Path:
    """A workbook written by openpyxl whose first sheet's XML is replaced by ``xml``."""
    base = workbook(path.with_suffix(".base.xlsx"), {"清单": [["序号", "事项名称"]]})
    buf = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info.filename)
            dst.writestr(info.filename, data)
    path.write_bytes(buf.getvalue())
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.fixture
def county(demo_structure_in_any_store):
    return demo_structure_in_any_store


def content(store) -> tuple[list, list]:
    """Every node and relation, through the Store interface (so that both stores compare)."""
    from quanze.graph.schema import SCHEMA

    nodes = [(k.label, json.dumps(n, ensure_ascii=False, sort_keys=True, default=str))
             for k in SCHEMA.nodes for n in store.nodes(k.label)]
    rels = [(r.type, r.id, r.source, r.target, json.dumps(r.props, ensure_ascii=False, sort_keys=True, default=str))
            for t in SCHEMA.relation_types for r in store.rels(t)]
    return sorted(nodes), sorted(rels)


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must not be asked to read the workbook: the refusal comes before it."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read a workbook that should have been refused before")
    monkeypatch.setattr(sheets.openpyxl, "load_workbook", refuse)


# --- limits: XLSX ---------------------------------------------------------------------------------------------------

def test_a_workbook_declaring_2_gib_is_refused_before_anything_is_decompressed(tmp_path, monkeypatch, no_openpyxl):
    real = workbook(tmp_path / "real.xlsx", {"清单": basic_rows("组织开展防汛演练")}).read_bytes()
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(declare_size(real, "xl/worksheets/sheet1.xml", 2 * 2**30))
    assert bomb.stat().st_size < 20_000

    def no_decompressing(*args, **kwargs):
        raise AssertionError("a part was decompressed")
    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompressing)
    with pytest.raises(InputError) as exc:
        read_sheets(bomb)
    problem = problem_of(exc)
    assert problem.code == "too-large-uncompressed" and problem.file == str(bomb)
    assert "xl/worksheets/sheet1.xml" in problem.message_zh and "2,147,483,648" in problem.message_en
    assert "zip bomb" in problem.message_en and "压缩炸弹" in problem.message_zh


def test_a_part_hiding_its_size_is_cut_off_at_what_it_declares(tmp_path):
    rows = "".join(f'<row r="{r}">{inline(f"A{r}", "序号")}{inline(f"B{r}", "事项名称")}</row>' for r in range(1, 20001))
    honest = with_sheet(tmp_path / "honest.xlsx", sheet_xml(rows))
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(declare_size(honest.read_bytes(), "xl/worksheets/sheet1.xml", 1000))
    with pytest.raises(InputError) as exc:
        read_sheets(liar)
    assert problem_of(exc).code == "corrupt-xlsx"


def test_cells_beyond_the_cap_are_refused_while_the_sheet_is_streamed(tmp_path, no_openpyxl):
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 301))
    path = with_sheet(tmp_path / "many.xlsx", sheet_xml(rows))
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_cells=1000)
    problem = problem_of(exc)
    assert (problem.code, problem.sheet, problem.row) == ("too-many-cells", "清单", 101)
    assert "non-blank cells over the limit" in problem.message_en and "非空单元格数超出上限" in problem.message_zh
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_rows=250)
    assert (problem_of(exc).code, problem_of(exc).row) == ("too-many-rows", 251)


def test_the_read_only_reading_enforces_the_caps_too(tmp_path):
    path = workbook(tmp_path / "w.xlsx", {"清单": [[r, f"事项{r}", "备注"] for r in range(1, 51)]})
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        with pytest.raises(InputError) as exc:
            sheets._sheet_from_worksheet(wb["清单"], [], "w.xlsx", sheets._Caps(cells=100))
        assert (problem_of(exc).code, problem_of(exc).row) == ("too-many-cells", 34)
        with pytest.raises(InputError) as exc:
            sheets._sheet_from_worksheet(wb["清单"], [], "w.xlsx", sheets._Caps(columns=2))
        assert (problem_of(exc).code, problem_of(exc).row, problem_of(exc).column) == ("too-many-columns", 1, "C")
    finally:
        wb.close()


def test_a_value_in_the_last_excel_column_is_a_short_error_naming_the_cell(tmp_path, no_openpyxl):
    path = with_sheet(tmp_path / "wide.xlsx", sheet_xml(
        '<row r="1">' + inline("A1", "序号") + inline("B1", "事项名称") + inline("XFD1", "x") + "</row>"))
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    problem = problem_of(exc)
    assert (problem.code, problem.row, problem.column) == ("too-many-columns", 1, "IW")
    assert "XFD1" in problem.message_zh and "16,384" in problem.message_en and "the limit is 256" in problem.message_en


def test_an_inflated_dimension_alone_refuses_nothing(tmp_path):
    # Excel and WPS declare the whole formatted area; the cells stored are what counts
    path = with_sheet(tmp_path / "formatted.xlsx", sheet_xml(
        '<row r="1">' + inline("A1", "序号") + inline("B1", "事项名称") + "</row>", dimension="A1:XFD1048576"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [(1, ["序号", "事项名称"])]


def test_a_dimension_the_part_could_really_hold_is_refused_before_its_cells(tmp_path, no_openpyxl):
    padding = '<row r="1">' + inline("A1", "序号") + inline("B1", "事项名称") + "</row>" + "<row r=\"2\"/>" * 200
    path = with_sheet(tmp_path / "declared.xlsx", sheet_xml(padding, dimension="A1:Z100"))
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_cells=100)
    problem = problem_of(exc)
    assert (problem.code, problem.value) == ("too-many-cells", "A1:Z100")
    assert "cells the worksheet declares" in problem.message_en and "2,600" in problem.message_en


def test_an_entity_bomb_in_a_worksheet_is_refused_as_damaged(tmp_path):
    entities = '<!ENTITY a "xxxxxxxxxx">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9))
    xml = sheet_xml('<row r="1">' + inline("A1", "&j;") + "</row>").replace(
        "<worksheet ", f"<!DOCTYPE worksheet [{entities}]><worksheet ", 1)
    path = with_sheet(tmp_path / "entities.xlsx", xml)
    assert path.stat().st_size < 10_000
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    assert problem_of(exc).code == "corrupt-xlsx" and "amplification" in problem_of(exc).message_en


def test_a_zip_bomb_list_is_rejected_by_ingest_and_the_store_is_unchanged(tmp_path, county):
    real = workbook(tmp_path / "real.xlsx", {"基本履职事项": basic_rows("组织开展防汛演练")}).read_bytes()
    bomb = tmp_path / "cg.xlsx"
    bomb.write_bytes(declare_size(real, "xl/worksheets/sheet1.xml", 2 * 2**30))
    (tmp_path / "real.xlsx").unlink()
    before = content(county)
    report = ingest_paths([bomb], county)
    assert not report.ok and report.files[0].status == "rejected"
    assert [p.code for p in report.files[0].errors] == ["too-large-uncompressed"]
    assert content(county) == before


# --- limits: CSV ----------------------------------------------------------------------------------------------------

def test_a_20000_column_csv_is_refused_at_once_with_a_short_error(tmp_path, county):
    header = ["序号", "事项名称"] + [f"列{i}" for i in range(3, 20001)]
    path = tmp_path / "wide.csv"
    path.write_bytes((",".join(header) + "\n1,组织开展防汛演练\n").encode("gbk"))
    before = content(county)
    report = ingest_paths([path], county)
    (problem,) = report.files[0].problems
    assert (problem.code, problem.row, problem.column) == ("too-many-columns", 1, "IW")
    assert "IW「列257」" in problem.message_zh and "19,739 more" in problem.message_en
    assert "column 20,000" in problem.message_en and "第 20,000 列" in problem.message_zh
    assert len(json.dumps(report.to_dict(), ensure_ascii=False)) < 2000
    assert content(county) == before


def test_trailing_blank_columns_do_not_count_or_widen_the_sheet(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_bytes(("序号,事项名称" + "," * 5000 + "\n1,甲" + "," * 5000 + "\n").encode("utf-8"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [(1, ["序号", "事项名称"]), (2, ["1", "甲"])]


def test_csv_rows_and_cells_beyond_the_caps(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(("序号,事项名称,备注\n" + "".join(f"{i},事项{i},x\n" for i in range(1, 400))).encode("utf-8"))
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_rows=300)
    assert (problem_of(exc).code, problem_of(exc).row) == ("too-many-rows", 301)
    assert "split the file" in problem_of(exc).message_en
    with pytest.raises(InputError) as exc:
        read_sheets(path, max_cells=600)
    assert (problem_of(exc).code, problem_of(exc).row) == ("too-many-cells", 201)  # 3 cells a row: 603 > 600


def test_a_catalogue_of_200000_rows_is_within_the_caps(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(("事项编码,事项名称\n" + "".join(f"{i:09d},事项{i}\n" for i in range(200_000))).encode("utf-8"))
    [sheet] = read_sheets(path)
    assert len(sheet.rows) == 200_001 and sheet.rows[-1] == (200_001, ["000199999", "事项199999"])
    # and a real list's 5,000 × 30 with room to spare, in one sheet and in cells
    assert limits.MAX_ROWS >= 200_000 and limits.MAX_COLUMNS >= 30 and limits.MAX_CELLS >= 200_000 * 30


def test_a_header_that_matches_nothing_is_quoted_only_in_part(tmp_path):
    from quanze.ingest.tabular import locate_table

    path = tmp_path / "h.csv"
    path.write_bytes((",".join(["序号", "备注"] + [f"列{i}" for i in range(200)]) + "\n1,x\n").encode("utf-8"))
    [sheet] = read_sheets(path)
    with pytest.raises(InputError) as exc:
        locate_table(sheet, {"seq": ["序号"], "name": ["事项名称"], "remarks": ["备注"]}, required=("name",))
    assert "172 more" in problem_of(exc).message_en and len(problem_of(exc).message_en) < 1000


# --- limits: YAML ---------------------------------------------------------------------------------------------------

LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
                 for p, a in zip([None, *"abcdefg"], "abcdefgh")) + "departments: [{name: *h}]\n"


def test_a_billion_laughs_structure_file_is_refused_at_its_first_alias(tmp_path, county):
    path = tmp_path / "county.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    assert len(LAUGHS) < 600
    before = content(county)
    report = ingest_paths([path], county)
    (problem,) = report.files[0].problems
    assert (problem.code, problem.row, problem.value) == ("yaml-alias", 2, "*a")
    assert "别名" in problem.message_zh and "aliases" in problem.message_en
    assert content(county) == before


def test_a_sidecar_with_aliases_or_deep_nesting_is_refused(tmp_path, demo_store):
    path = workbook(tmp_path / "cg.xlsx", {"基本履职事项": basic_rows("组织开展防汛演练")})
    side = tmp_path / "cg.meta.yaml"
    side.write_text("region: &r 城关镇\nowner: *r\n", encoding="utf-8")
    report = ingest_paths([path], demo_store)
    assert [(p.code, p.file, p.row) for p in report.files[0].errors] == [("yaml-alias", "cg.meta.yaml", 2)]
    side.write_text("columns: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    report = ingest_paths([path], demo_store)
    assert [(p.code, p.file) for p in report.files[0].errors] == [("yaml-too-deep", "cg.meta.yaml")]
    assert not demo_store.nodes("SourceList", kind="basic")


def test_a_yaml_file_over_the_size_cap_is_refused_unread(tmp_path, store, monkeypatch):
    monkeypatch.setattr(limits, "MAX_YAML_BYTES", 100)
    path = tmp_path / "county.yaml"
    path.write_text("county: {code: '990799', name: 试验县}\n" + "# padding\n" * 20, encoding="utf-8")
    report = ingest_paths([path], store)
    assert [p.code for p in report.files[0].errors] == ["file-too-large"]


# --- text hygiene ---------------------------------------------------------------------------------------------------

def test_a_gbk_csv_with_one_utf8_row_is_refused_at_that_row_with_the_text_it_meant(tmp_path, county):
    text = "序号,事项名称\n1,组织开展防汛演练\n2,组织开展植树造林\n"
    data = text.encode("gbk") + "3,做好测试违法建议\n".encode("utf-8")
    path = tmp_path / "cg_basic.csv"
    path.write_bytes(data)
    assert "鍋氬ソ娴嬭瘯杩濇硶寤鸿" in data.decode("gb18030")  # what the probe loaded without a word
    (tmp_path / "cg_basic.meta.yaml").write_text("kind: basic\nregion: 城关镇\n", encoding="utf-8")
    before = content(county)
    report = ingest_paths([path], county)
    (problem,) = report.files[0].errors
    assert (problem.code, problem.row, problem.column) == ("mixed-encoding", 4, "B")
    assert "做好测试违法建议" in problem.message_zh and "做好测试违法建议" in problem.message_en
    assert content(county) == before


def test_garbled_text_can_be_kept_with_a_warning_instead(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("序号,事项名称\n1,组织开展防汛演练\n".encode("gbk") + "2,做好测试违法建议\n".encode("utf-8"))
    [sheet] = read_sheets(path, garbled="warning")
    assert [(w.level, w.code, w.row) for w in sheet.warnings] == [("warning", "mixed-encoding", 3)]


@pytest.mark.parametrize("text,code", [
    ("鍋氬ソ娴嬭瘯杩濇硶寤鸿\ue185", "mixed-encoding"),  # UTF-8 read as GB18030
    ("县住建局".encode("utf-8").decode("latin-1"), "mixed-encoding"),  # UTF-8 read as Latin-1
    ("处罚".encode("utf-8").decode("cp1252"), "mixed-encoding"),  # … and as cp1252
    ("城关镇\ue000", "private-use-character"),
    ("城关\ufffd镇", "replacement-character"),
    ("城关镇\x85\x86", "replacement-character"),
    ("Ã¥Å½Â¿ä½", "garbled-text"),  # twice garbled: nothing to give back, but not text anyone typed
])
def test_garbled_text_is_told_by_what_it_is_made_of(text, code):
    found = garbled(text)
    assert found is not None and found[0] == code


@pytest.mark.parametrize("text", ["县住建局", "是", "否", "鄱阳湖畔的鼋鼍", "①城关镇", "刘䶮", "Café", "Road Safety",
                                  "《中华人民共和国行政处罚法》第三条", "2024年版", "α粒子"])
def test_real_text_is_not_taken_for_garbled(text):
    assert garbled(text) is None


def test_no_cell_of_the_demo_county_is_taken_for_garbled():
    from quanze.demo import demo_path

    for path in sorted(demo_path().rglob("*")):
        if path.suffix in (".xlsx", ".csv"):
            for sheet in read_sheets(path):
                assert not [w for w in sheet.warnings if w.code in ("mixed-encoding", "private-use-character",
                                                                     "replacement-character", "garbled-text")]


def test_a_garbled_cell_in_a_workbook_is_located(tmp_path):
    path = workbook(tmp_path / "w.xlsx", {"清单": [["序号", "事项名称"], [1, "鍘夸綇寤哄眬"]]})
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    assert (problem_of(exc).code, problem_of(exc).sheet, problem_of(exc).row, problem_of(exc).column) == (
        "mixed-encoding", "清单", 2, "B")
    assert "县住建局" in problem_of(exc).message_zh


INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c"


def test_invisible_and_bidirectional_characters_never_reach_the_store(tmp_path, county):
    path = workbook(tmp_path / "cg.xlsx", {"基本履职\u202e事项": [
        ["青岚县城\u200b关镇履行职责事项清单（2025年版）"], ["序号", "事项名称", "责任科室"],
        [1, "组织开展\u202e练演汛防", "社会事务\u2066办公室\u2069"],
        [2, "".join(f"组{ch}" for ch in INVISIBLE) + "织开展植树造林", None]]})
    side = tmp_path / "cg.meta.yaml"
    side.write_text("title: \"城\u200b关镇\u202e履职事项\"\n", encoding="utf-8")
    report = ingest_paths([path], county)
    assert report.ok, [p.format() for p in all_problems(report)]
    rels = county.rels("LEADS", region=CG, list_kind="basic")
    names = {county.node("Matter", r.target)["name"] for r in rels}
    assert names == {"组织开展练演汛防", "组" * len(INVISIBLE) + "织开展植树造林"}
    assert f"{CG}/社会事务办公室" in {r.source for r in rels}  # the office resolved through the stripped name
    (source_list,) = county.nodes("SourceList", kind="basic")
    assert source_list["title"] == "城关镇履职事项"
    assert {r.props["sheet"] for r in rels} == {"基本履职事项"}
    stored = json.dumps([county.nodes(label) for label in ("Matter", "SourceList", "Agency")], ensure_ascii=False)
    assert not any(ch in stored for ch in INVISIBLE)


def test_structure_names_from_yaml_are_stripped_too(tmp_path, store):
    path = tmp_path / "county.yaml"
    path.write_text('county: {code: "990799", name: "试验\u200b县"}\n'
                    'townships:\n  - {code: "990799001", name: "城\u202e关镇"}\n'
                    'departments:\n  - {name: "试验县住房和城乡\u2066建设局"}\n', encoding="utf-8")
    report = ingest_paths([path], store)
    assert report.ok, [p.format() for p in all_problems(report)]
    assert store.node("Region", "990799001")["name"] == "城关镇"
    assert store.node("Agency", "990799/试验县住房和城乡建设局") is not None


def test_queries_are_stripped_by_the_same_function():
    from quanze.api.inputs import question
    from quanze.api.search import searchable
    from quanze.graph.text import clean_text, strip_invisible

    assert question("城\u200b关\u202e镇\u2066占道经营\u2069") == searchable("城\u200b关\u202e镇\u2066占道经营\u2069") \
        == "城关镇占道经营"
    assert strip_invisible("城" + INVISIBLE + "关镇") == clean_text("城" + INVISIBLE + "关镇") == "城关镇"


def test_kangxi_radicals_and_compatibility_ideographs_read_as_the_ideographs(tmp_path):
    from quanze.graph.text import clean_text, normalise_key

    assert clean_text("\u2f8f政许可") == "行政许可"  # ⾏ copied out of a PDF
    assert clean_text("\uf9b2") == "\u96f6"  # a compatibility ideograph: its unified form (NFC)
    assert clean_text("（一）城关镇，①") == "（一）城关镇，①"  # Chinese punctuation and numbering stay as written
    assert normalise_key("\u2f8f政许可（ＡＢ）") == "行政许可(ab)"


# --- folders and symbolic links -------------------------------------------------------------------------------------

@pytest.fixture
def reads(monkeypatch):
    """Every path ingest hashes or opens as a spreadsheet."""
    from quanze.ingest import pipeline

    seen: list[Path] = []
    real_hash, real_read = pipeline.file_hash, pipeline.read_sheets
    monkeypatch.setattr(pipeline, "file_hash", lambda p: seen.append(Path(p)) or real_hash(p))
    monkeypatch.setattr(pipeline, "read_sheets", lambda p, **kw: seen.append(Path(p)) or real_read(p, **kw))
    return seen


def test_a_folder_never_follows_a_link_out_of_it(tmp_path, county, reads):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = workbook(outside / "secret.xlsx", {"基本履职事项": basic_rows("不该读到的事项")})
    (outside / "more.xlsx").write_bytes(secret.read_bytes())
    folder = tmp_path / "lists"
    folder.mkdir()
    workbook(folder / "cg.xlsx", {"基本履职事项": basic_rows("组织开展防汛演练")})
    (folder / "secret.xlsx").symlink_to(secret)
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    (folder / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    report = ingest_paths([folder], county)
    refused = {Path(f.file).name: f for f in report.files if f.kind == "link"}
    assert set(refused) == {"secret.xlsx", "sub", "gone.xlsx"}
    for name, target in [("secret.xlsx", secret), ("sub", outside), ("gone.xlsx", tmp_path / "nowhere.xlsx")]:
        (problem,) = refused[name].problems
        assert refused[name].status == "rejected" and problem.level == "error" and problem.code == "symlink-refused"
        assert problem.file == str(folder / name) and problem.value == str(target)
        assert str(target) in problem.message_zh and str(target) in problem.message_en
    assert [Path(f.file).name for f in report.files if f.status == "loaded"] == ["cg.xlsx"]
    assert not [p for p in reads if p.resolve().is_relative_to(outside.resolve()) or p.name in ("secret.xlsx",
                                                                                                "gone.xlsx")]
    names = {county.node("Matter", r.target)["name"] for r in county.rels("LEADS", region=CG)}
    assert names == {"组织开展防汛演练"}


def test_a_link_inside_the_folder_is_one_input_read_under_its_own_name(tmp_path, demo_store, reads):
    folder = tmp_path / "lists"
    (folder / "2025").mkdir(parents=True)
    real = workbook(folder / "2025" / "cg.xlsx", {"基本履职事项": basic_rows("组织开展防汛演练")})
    (folder / "a-link.xlsx").symlink_to(real)
    (folder / "all").symlink_to(folder / "2025", target_is_directory=True)
    report = ingest_paths([folder], demo_store)
    assert report.ok and [f.file for f in report.files] == [str(real)]
    assert reads == [real, real]  # hashed, then read: once


def test_a_sidecar_linked_from_outside_the_folder_is_refused(tmp_path, demo_store):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.meta.yaml").write_text("kind: basic\nregion: 城关镇\n", encoding="utf-8")
    folder = tmp_path / "lists"
    folder.mkdir()
    path = workbook(folder / "cg.xlsx", {"基本履职事项": basic_rows("组织开展防汛演练")})
    (folder / "cg.meta.yaml").symlink_to(outside / "x.meta.yaml")
    report = ingest_paths([folder], demo_store)
    assert [(p.code, p.file) for p in report.files[0].errors] == [("symlink-refused", "cg.meta.yaml")]
    assert report.files[0].file == str(path) and not demo_store.nodes("SourceList", kind="basic")
