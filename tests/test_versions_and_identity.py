"""Which version of a list is current, and which matter an item code names — on both stores.

An older version loaded after the current one is kept as history and never replaces it; an item code that arrives
under another name than the one it has is an error naming both rows (or, under ``--partial``, a warning with the two
kept apart), never a silent rename.
"""

from __future__ import annotations

import pytest

from quanze.ingest.list_meta import compare_versions, version_date
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import workbook

CG = "990701001"  # 城关镇
ZJJ = "990701/青岚县住房和城乡建设局"
JYJ = "990701/青岚县教育局"


@pytest.fixture
def county(demo_structure_in_any_store):
    return demo_structure_in_any_store


def problems(report, level=None):
    return [p for f in report.files for p in f.problems if level is None or p.level == level]


def territorial(tmp_path, name, version, items, sidecar_version=None):
    """A county-level territorial (配合履职) list: it applies to all 24 townships."""
    rows = [[f"青岚县乡镇（街道）属地管理事项主体责任和配合责任清单（{version}年版）"],
            ["序号", "事项名称", "主体责任部门", "部门职责", "配合职责"]]
    rows += [[i + 1, item, "县住建局", "负责查处", "发现上报"] for i, item in enumerate(items)]
    path = workbook(tmp_path / name, {"Sheet1": rows})
    if sidecar_version is not None:
        (tmp_path / (path.stem + ".meta.yaml")).write_text(f"version: '{sidecar_version}'\n", encoding="utf-8")
    return path


CURRENT = ["违法建设查处", "占道经营整治", "燃气安全检查"]
OLD = ["违法建设查处", "户外广告整治"]


def leads_of(store):
    return {(r.source, store.node("Matter", r.target)["name"], r.props["region"]) for r in store.rels("LEADS")}


# --- versions -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,date", [
    ("2019", (2019,)), ("2025年版", (2025,)), ("2024年", (2024,)), ("2023-12", (2023, 12)), ("（2024年版）", (2024,)),
    ("2023年12月1日", (2023, 12, 1)), ("2023.12.01", (2023, 12, 1)), ("20231201", (2023, 12, 1)),
    ("2024年修订版", (2024,)), ("第二版", None), ("v2", None), (None, None), ("2024-13", (2024,)),
    ("2021-2023", (2023,)), ("（2021—2023年）", (2023,)),
])
def test_the_year_or_date_a_version_names(text, date):
    assert version_date(text) == date


@pytest.mark.parametrize("a,b,order", [
    ("2019", "2025年版", -1), ("2025", "2024年", 1), ("2023-12", "2023-06", 1), ("2024年版", "2024-06", 0),
    ("2023-12", "2024年", -1), ("第二版", "2019", None), (None, "2025", None),
])
def test_versions_compare_at_the_precision_both_give(a, b, order):
    assert compare_versions(a, b) == order


def test_an_older_version_loaded_after_the_current_one_is_kept_as_history(tmp_path, county):
    current = territorial(tmp_path, "sd2025.xlsx", 2025, CURRENT)
    assert ingest_paths([current], county).ok
    before = leads_of(county)
    assert len(before) == 3 * 24
    counts = county.counts()
    (new,) = county.nodes("SourceList", kind="cooperation")

    old = territorial(tmp_path, "sd2019.xlsx", 2025, OLD, sidecar_version="2019")  # the sidecar wins over the title
    report = ingest_paths([old], county)
    assert report.ok and report.files[0].status == "loaded"
    assert report.files[0].lists[0]["status"] == "history"
    (warning,) = problems(report, "warning")
    assert warning.code == "older-version" and warning.file == "sd2019.xlsx"
    assert "「2019」" in warning.message_zh and "「2025年版」" in warning.message_zh and "sd2025.xlsx" in warning.message_zh
    assert "'2019'" in warning.message_en and "'2025年版'" in warning.message_en

    assert leads_of(county) == before  # the probe: LEADS 3,995 → 3,974
    after = county.counts()
    assert {k: after[k] - counts[k] for k in after if after[k] != counts[k]} == {"Matter": 1, "SourceList": 1}
    lists = {s["version"]: s for s in county.nodes("SourceList", kind="cooperation")}
    assert lists["2025年版"] == new and lists["2025年版"]["status"] == "current"
    history = lists["2019"]
    assert history["status"] == "history" and history["replaced_by"] == new["id"] and history["file"] == "sd2019.xlsx"
    said = {(a["type"], county.node("Matter", a["target"])["name"]) for a in history["assertions"]}
    assert said == {("LEADS", "违法建设查处"), ("LEADS", "户外广告整治"), ("COOPERATES_ON", "违法建设查处"),
                    ("COOPERATES_ON", "户外广告整治")}
    assert len(history["assertions"]) == 2 * 2 * 24 and {a["list_id"] for a in history["assertions"]} == {
        history["id"]}
    (only_old,) = [m for m in county.nodes("Matter") if m["name"] == "户外广告整治"]
    assert not county.rels("LEADS", target=only_old["id"])  # on record, asserted by nobody current

    again = ingest_paths([old], county)  # loading the history again changes nothing
    assert again.ok and again.files[0].status == "unchanged" and county.counts() == after


def test_a_newer_version_still_replaces_and_an_undated_one_is_the_last_loaded(tmp_path, county):
    assert ingest_paths([territorial(tmp_path, "sd2019.xlsx", 2019, OLD)], county).ok
    assert ingest_paths([territorial(tmp_path, "sd2025.xlsx", 2025, CURRENT)], county, replace=True).ok
    assert {name for _, name, _ in leads_of(county)} == set(CURRENT)
    statuses = {s["version"]: s["status"] for s in county.nodes("SourceList", kind="cooperation")}
    assert statuses == {"2019年版": "replaced", "2025年版": "current"}
    # a version that names no year cannot be ordered: the list loaded last is current, as before (documented)
    undated = territorial(tmp_path, "sd-undated.xlsx", 2025, OLD, sidecar_version="第二版")
    report = ingest_paths([undated], county, replace=True)
    assert report.ok and not problems(report, "warning")
    assert {name for _, name, _ in leads_of(county)} == set(OLD)


@pytest.mark.parametrize("names", [("a2025.xlsx", "b2019.xlsx"), ("a2019.xlsx", "b2025.xlsx")])
def test_two_versions_in_one_ingest_leave_the_newer_current_in_either_order(tmp_path, county, names):
    folder = tmp_path / "lists"
    folder.mkdir()
    for name in names:
        year = int(name[1:5])
        territorial(folder, name, year, CURRENT if year == 2025 else OLD)
    report = ingest_paths([folder], county)
    assert report.ok, [p.format() for p in problems(report)]
    assert {name for _, name, _ in leads_of(county)} == set(CURRENT)
    lists = {s["version"]: s for s in county.nodes("SourceList", kind="cooperation")}
    assert lists["2025年版"]["status"] == "current"
    assert lists["2019年版"]["status"] in ("history", "replaced")
    assert lists["2019年版"]["replaced_by"] == lists["2025年版"]["id"]
    assert {county.node("Matter", a["target"])["name"] for a in lists["2019年版"]["assertions"]} == set(OLD)


def test_an_older_delegation_batch_keeps_its_dated_assertions(tmp_path, county):
    def batch(name, version, effective):
        path = workbook(tmp_path / name, {"S": [
            [f"青岚县赋予乡镇（街道）县级行政权力事项清单（第一批）（{version}年版）"],
            ["序号", "事项名称", "下放部门", "承接乡镇", "下放方式", "生效日期"],
            [1, "对擅自占用城市道路的处罚", "县住建局", "城关镇", "委托", effective]]})
        return path
    assert ingest_paths([batch("fq2024.xlsx", 2024, "2024-03-01")], county).ok
    report = ingest_paths([batch("fq2021.xlsx", 2021, "2021-05-01")], county)
    assert report.ok and [p.code for p in problems(report, "warning")] == ["older-version"]
    (current,) = county.rels("DELEGATES")
    assert str(current.props["effective"]) == "2024-03-01"
    history = next(s for s in county.nodes("SourceList", kind="delegation") if s["status"] == "history")
    assert {(a["type"], a.get("effective")) for a in history["assertions"]} == {("DELEGATES", "2021-05-01"),
                                                                               ("UNDERTAKES", None)}


# --- identity: one item code, one matter ----------------------------------------------------------------------------

def power_list(tmp_path, name, owner, rows, version=2024):
    path = workbook(tmp_path / name, {"权责清单": [
        [f"{owner}权责清单（{version}年版）"], ["职权编码", "职权名称", "职权类型", "管理权限"], *rows]})
    return path


TEACHER = ["330211001", "教师资格认定", "行政许可", "县级"]
PERMIT = ["330211001", "建筑工程施工许可", "行政许可", "县级"]  # a 住建 row carrying the code of 教师资格认定


def test_a_code_arriving_under_another_name_than_the_stored_one_is_an_error_naming_both_rows(tmp_path, county):
    assert ingest_paths([power_list(tmp_path, "jyj.xlsx", "青岚县教育局", [TEACHER])], county).ok
    before = county.counts()
    report = ingest_paths([power_list(tmp_path, "zjj.xlsx", "青岚县住房和城乡建设局", [PERMIT])], county)
    assert not report.ok and report.files[0].status == "rejected"
    (error,) = problems(report, "error")
    assert (error.code, error.file, error.sheet, error.row, error.column, error.value) == (
        "code-name-clash", "zjj.xlsx", "权责清单", 3, "职权编码", "330211001")
    assert "文件「jyj.xlsx」工作表「权责清单」第 3 行是「教师资格认定」" in error.message_zh
    assert "「建筑工程施工许可」" in error.message_zh
    assert "names '教师资格认定' at file jyj.xlsx, sheet 权责清单, row 3" in error.message_en
    assert "'建筑工程施工许可' in this row" in error.message_en
    assert county.node("Matter", "code:330211001")["name"] == "教师资格认定"
    assert county.counts() == before


def test_one_code_under_two_names_in_one_file_is_an_error_naming_both_rows(tmp_path, county):
    path = power_list(tmp_path, "zjj.xlsx", "青岚县住房和城乡建设局",
                      [["330217001", "对擅自占用城市道路的处罚", "行政处罚", "县级"], TEACHER, PERMIT])
    report = ingest_paths([path], county)
    (error,) = problems(report, "error")
    assert (error.code, error.row) == ("code-name-clash", 5)
    assert "第 4 行是「教师资格认定」" in error.message_zh and "row 4" in error.message_en
    assert not county.nodes("Matter")


def test_under_partial_the_clashing_row_is_kept_apart_with_a_warning(tmp_path, county):
    assert ingest_paths([power_list(tmp_path, "jyj.xlsx", "青岚县教育局", [TEACHER])], county).ok
    report = ingest_paths([power_list(tmp_path, "zjj.xlsx", "青岚县住房和城乡建设局", [PERMIT])], county,
                          partial=True)
    assert report.ok
    (warning,) = problems(report, "warning")
    assert (warning.code, warning.row) == ("code-name-clash", 3) and "kept apart" in warning.message_en
    assert county.node("Matter", "code:330211001")["name"] == "教师资格认定"
    (lead,) = county.rels("LEADS", source=ZJJ)
    kept = county.node("Matter", lead.target)
    assert lead.target.startswith("name:") and kept["name"] == "建筑工程施工许可" and not kept.get("code")
    (teacher,) = county.rels("LEADS", target="code:330211001")
    assert teacher.source == JYJ


def test_the_same_code_and_name_in_two_lists_is_one_matter(tmp_path, county):
    report = ingest_paths([power_list(tmp_path, "jyj.xlsx", "青岚县教育局", [TEACHER]),
                           power_list(tmp_path, "zjj.xlsx", "青岚县住房和城乡建设局",
                                      [["330211001", "教师资格认定（ ）", "行政许可", "县级"]])], county)
    assert report.ok and not problems(report)
    assert {r.source for r in county.rels("LEADS", target="code:330211001")} == {JYJ, ZJJ}


def test_a_new_version_may_rename_its_own_item_and_says_so(tmp_path, county):
    assert ingest_paths([power_list(tmp_path, "zjj2024.xlsx", "青岚县住房和城乡建设局",
                                    [["330217001", "对擅自占用城市道路的处罚", "行政处罚", "县级"]])], county).ok
    report = ingest_paths([power_list(tmp_path, "zjj2025.xlsx", "青岚县住房和城乡建设局",
                                      [["330217001", "对擅自占用、挖掘城市道路的处罚", "行政处罚", "县级"]], 2025)],
                          county)
    assert report.ok
    (warning,) = problems(report, "warning")
    assert warning.code == "matter-renamed" and "对擅自占用城市道路的处罚" in warning.message_zh
    assert county.node("Matter", "code:330217001")["name"] == "对擅自占用、挖掘城市道路的处罚"
    # an older version keeps its own name in its record and renames nothing
    report = ingest_paths([power_list(tmp_path, "zjj2019.xlsx", "青岚县住房和城乡建设局",
                                      [["330217001", "对占用城市道路的处罚", "行政处罚", "县级"]], 2019)], county)
    assert report.ok and [p.code for p in problems(report, "warning")] == ["older-version"]
    assert county.node("Matter", "code:330217001")["name"] == "对擅自占用、挖掘城市道路的处罚"
