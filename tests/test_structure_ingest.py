"""Agency structures in YAML and 机构编制表 form: what loads, and what bad input gets."""

import json
from pathlib import Path

import pytest

from quanze.demo import demo_path
from quanze.ingest.pipeline import ingest_paths

COUNTY_YAML = """\
county: {code: "990799", name: 试验县}
townships:
  - {code: "990799001", name: 城关镇, kind: 镇, tags: [经济发达镇]}
  - {code: "990799002", name: 东坪乡, kind: 乡}
departments:
  - name: 试验县住房和城乡建设局
    short: [县住建局]
    plaques: [试验县人民防空办公室]
    staffing: {admin_quota: 10, admin_actual: 8, certified_enforcers: 3}
    units:
      - {name: 试验县城市建设综合执法大队, staffing: {inst_quota: 12, inst_actual: 9}}
    dispatched:
      - {name: 试验县住房和城乡建设局城关站, stationed_in: 城关镇, management: 双重管理}
  - name: 试验县公安局
    dispatched:
      - {name: 试验县公安局东坪派出所, stationed_in: 东坪乡}
  - name: 中共试验县纪律检查委员会
    co_located: [试验县监察委员会]
  - name: 试验县监察委员会
township_units:
  城关镇:
    - {name: 社会事务办公室(民政办公室、应急管理办公室), kind: 内设机构, staffing: {admin_quota: 5, admin_actual: 4}}
"""

HEADER = ["序号", "单位名称", "简称", "挂牌名称", "机构类别", "上级单位", "所在乡镇", "行政编制", "行政实有", "事业编制",
          "事业实有", "执法资格人数"]


def county(tmp_path: Path, text: str = COUNTY_YAML) -> Path:
    p = tmp_path / "county.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def units_table(tmp_path: Path, xlsx, rows: list[list], name="units.xlsx", header=HEADER) -> Path:
    return xlsx(tmp_path / name, [header] + rows, title="试验县乡镇机构编制情况表", sheet="乡镇机构")


GOOD_ROWS = [
    [1, "综合行政执法大队（加挂试验县城管执法局城关中队牌子）", "", "", "事业单位", "", "城关镇", None, None, 10, 8, 6],
    [2, "党政办公室", "", "党建办公室", "内设机构", "城关镇人民政府", "城关镇", 6, 6, None, None, None],
    [3, "综合行政执法大队", "", "", "事业单位", "", "东坪乡", None, None, 5, 2, 0],
]


def test_a_county_split_over_yaml_and_a_table_loads_whole(tmp_path, xlsx, store):
    report = ingest_paths([county(tmp_path), units_table(tmp_path, xlsx, GOOD_ROWS)], store)
    assert report.ok, [p.format() for f in report.files for p in f.problems]
    team = store.node("Agency", "990799001/综合行政执法大队")
    assert team["kind"] == "enforcement_team" and team["plaques"] == ["试验县城管执法局城关中队"]
    assert (team["inst_quota"], team["inst_actual"], team["certified_enforcers"]) == (10, 8, 6)
    assert store.node("Agency", "990799002/综合行政执法大队")["certified_enforcers"] == 0
    # one body with plaques is one agency, never two
    office = store.node("Agency", "990799001/社会事务办公室")
    assert office["plaques"] == ["民政办公室", "应急管理办公室"]
    assert store.nodes("Agency", name="民政办公室") == []
    # every township has its government; units hang under it
    gov = "990799001/城关镇人民政府"
    assert store.node("Agency", gov)["kind"] == "township_government"
    assert {r.source for r in store.rels("UNIT_OF", target=gov)} == {
        "990799001/综合行政执法大队", "990799001/党政办公室", "990799001/社会事务办公室"}
    # dispatched units: parent department and the township they are stationed in
    station = "990799/试验县住房和城乡建设局城关站"
    assert store.node("Agency", station)["kind"] == "dispatched_unit"
    assert [r.target for r in store.rels("UNIT_OF", source=station)] == ["990799/试验县住房和城乡建设局"]
    (stationed,) = store.rels("STATIONED_IN", source=station)
    assert stationed.target == "990799001" and stationed.props["management"] == "双重管理"
    assert len(store.rels("CO_LOCATED_WITH")) == 1
    assert store.node("Region", "990799001")["tags"] == ["经济发达镇"]
    assert {r.source for r in store.rels("PART_OF", target="990799")} == {"990799001", "990799002"}


def test_files_may_arrive_in_any_order_and_give_the_same_graph(tmp_path, xlsx):
    from quanze.graph.sqlite_store import SqliteStore

    files = [county(tmp_path), units_table(tmp_path, xlsx, GOOD_ROWS)]
    contents = []
    for order, name in ((files, "a.db"), (files[::-1], "b.db")):
        with SqliteStore(f"sqlite:///{tmp_path / name}") as s:
            assert ingest_paths(order, s).ok
            contents.append([row for row in s.content() if row[0] != "SourceList"])
    assert contents[0] == contents[1]


def test_loading_the_same_files_again_changes_nothing(tmp_path, xlsx, store):
    files = [county(tmp_path), units_table(tmp_path, xlsx, GOOD_ROWS)]
    ingest_paths(files, store)
    before = store.content()
    again = ingest_paths(files, store)
    assert again.ok and {f.status for f in again.files} == {"unchanged"}
    assert store.content() == before


def test_a_new_version_of_a_file_replaces_what_the_old_one_said(tmp_path, xlsx, store):
    ingest_paths([county(tmp_path), units_table(tmp_path, xlsx, GOOD_ROWS)], store)
    assert store.node("Agency", "990799002/综合行政执法大队") is not None
    report = ingest_paths([units_table(tmp_path, xlsx, GOOD_ROWS[:2])], store)
    assert report.ok
    assert store.node("Agency", "990799002/综合行政执法大队") is None
    assert store.node("Agency", "990799001/综合行政执法大队") is not None


def assert_rejected(report, code, column=None, value=None, row=None):
    problems = [p for f in report.files for p in f.errors]
    assert not report.ok
    match = [p for p in problems if p.code == code]
    assert match, [p.format() for p in problems]
    p = match[0]
    assert p.file and p.message_zh and p.message_en
    if column is not None:
        assert p.column == column
    if value is not None:
        assert p.value == value
    if row is not None:
        assert p.row == row
    return p


@pytest.mark.parametrize("rows, code, column, value, row", [
    ([[1, "党政办公室", "", "", "内设机构", "城关镇党工委", "城关镇", 6, 6, None, None, None]],
     "unknown-parent", "上级单位", "城关镇党工委", 3),
    ([[1, "党政办公室", "", "", "内设机构", "", "西山镇", 6, 6, None, None, None]],
     "unknown-township", "所在乡镇", "西山镇", 3),
    ([[1, "党政办公室", "", "", "内设机构", "", "城关镇", -2, 6, None, None, None]],
     "bad-number", "行政编制", "-2", 3),
    ([[1, "党政办公室", "", "", "内设机构", "", "城关镇", "六", 6, None, None, None]],
     "bad-number", "行政编制", "六", 3),
    ([[1, "党政办公室", "", "", "内设机构", "", "城关镇", 6, 6, None, None, None],
      [2, "党政办公室", "", "", "内设机构", "", "城关镇", 6, 6, None, None, None]],
     "duplicate-agency", "单位名称", "党政办公室", 4),
    ([[1, "党政办公室", "", "社会事务办公室", "内设机构", "", "城关镇", 6, 6, None, None, None]],
     "plaque-collision", "挂牌名称", "社会事务办公室", 3),
])
def test_bad_rows_reject_the_file_and_leave_the_store_unchanged(tmp_path, xlsx, store, rows, code, column, value, row):
    assert ingest_paths([county(tmp_path)], store).ok
    before = store.content()
    report = ingest_paths([units_table(tmp_path, xlsx, rows)], store)
    p = assert_rejected(report, code, column, value, row)
    assert p.sheet == "乡镇机构" and p.file == "units.xlsx" and p.expected
    assert store.content() == before


def test_a_missing_required_column_names_the_column_and_the_words_accepted(tmp_path, xlsx, store):
    header = ["序号", "名字", "机构类别", "行政编制"]
    report = ingest_paths([units_table(tmp_path, xlsx, [[1, "党政办公室", "内设机构", 3]], header=header)], store,
                          region="990701")
    problems = [p for f in report.files for p in f.errors]
    assert not report.ok and problems, report.to_dict()
    assert any("单位名称" in (p.expected or "") + p.message_zh for p in problems), [p.format() for p in problems]


def test_an_unknown_parent_suggests_the_nearest_names(tmp_path, xlsx, store):
    rows = [[1, "试验县住建局质监站", "", "", "事业单位", "试验县住房和城乡建设厅", "", None, None, 3, 3, None]]
    report = ingest_paths([county(tmp_path), units_table(tmp_path, xlsx, rows)], store)
    p = assert_rejected(report, "unknown-parent")
    assert "试验县住房和城乡建设局" in p.suggestions


def test_a_rejected_file_takes_down_only_itself_and_files_that_need_it(tmp_path, xlsx, store):
    bad_county = COUNTY_YAML.replace("admin_quota: 10", "admin_quota: -10")
    report = ingest_paths([county(tmp_path, bad_county), units_table(tmp_path, xlsx, GOOD_ROWS)], store)
    status = {Path(f.file).name: f.status for f in report.files}
    assert status == {"county.yaml": "rejected", "units.xlsx": "rejected"}
    assert store.counts()["Agency"] == 0


def test_unknown_columns_are_warnings_and_named(tmp_path, xlsx, store):
    header = HEADER + ["联系电话"]
    rows = [GOOD_ROWS[1] + ["0571-1234567"]]
    report = ingest_paths([county(tmp_path), units_table(tmp_path, xlsx, rows, header=header)], store)
    assert report.ok
    warnings = [p for f in report.files for p in f.warnings if p.code == "unknown-column"]
    assert warnings and warnings[0].column == "联系电话"


def test_dry_run_validates_and_writes_nothing(tmp_path, xlsx, store):
    before = store.content()
    report = ingest_paths([county(tmp_path), units_table(tmp_path, xlsx, GOOD_ROWS)], store, dry_run=True)
    assert report.ok and {f.status for f in report.files} == {"validated"}
    assert store.content() == before


def test_a_table_alone_needs_to_know_its_county(tmp_path, xlsx, store):
    report = ingest_paths([units_table(tmp_path, xlsx, GOOD_ROWS)], store)
    p = assert_rejected(report, "unknown-county")
    assert "--region" in p.message_zh and "--region" in p.message_en


def test_a_real_county_named_in_yaml_brings_its_real_townships(tmp_path, store):
    p = tmp_path / "tonglu.yaml"
    p.write_text("county: 桐庐县\ndepartments:\n  - {name: 桐庐县自然资源和规划局, short: [县资规局]}\n", encoding="utf-8")
    assert ingest_paths([p], store).ok
    townships = store.nodes("Region", county_code="330122")
    assert len(townships) > 5 and all(t["origin"] == "reference" for t in townships)
    assert store.node("Agency", "330122002/旧县街道人民政府") is not None


def test_yaml_errors_name_the_line(tmp_path, store):
    p = county(tmp_path, COUNTY_YAML.replace("    short: [县住建局]\n", "    short: [县住建局\n"))
    report = ingest_paths([p], store)
    p = assert_rejected(report, "bad-yaml")
    assert p.row is not None


def test_a_missing_path_and_a_non_spreadsheet_are_clear_errors(tmp_path, store):
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    report = ingest_paths([tmp_path / "nope.xlsx", pdf], store)
    codes = sorted(p.code for f in report.files for p in f.errors)
    assert codes == ["missing-file", "not-a-spreadsheet"]


# --- the demo county ----------------------------------------------------------------------------------------------

def test_the_demo_county_has_24_townships_each_with_its_offices_and_institutions(demo_store):
    townships = demo_store.nodes("Region", county_code="990701")
    assert len(townships) == 24
    assert sum("经济发达镇" in t.get("tags", []) for t in townships) == 1
    assert {t["kind"] for t in townships} == {"镇", "乡"}
    for t in townships:
        units = demo_store.nodes("Agency", region=t["code"])
        kinds = [u["kind"] for u in units]
        assert kinds.count("township_government") == 1
        assert kinds.count("township_office") >= 4
        assert kinds.count("enforcement_team") == 1
        assert kinds.count("township_institution") >= 3
        assert demo_store.rels("STATIONED_IN", target=t["code"]), t["name"]


def test_the_demo_departments_are_found_by_their_short_names(demo_store):
    from quanze.graph.lookup import find_agency

    assert find_agency(demo_store, "县住建局").name == "青岚县住房和城乡建设局"
    assert find_agency(demo_store, "市场监管局").name == "青岚县市场监督管理局"
    assert find_agency(demo_store, "综合行政执法大队", "城关镇").id == "990701001/综合行政执法大队"


def test_the_demo_dispatched_units_hang_under_their_departments(demo_store):
    dispatched = demo_store.nodes("Agency", kind="dispatched_unit")
    assert len(dispatched) >= 24 * 2
    for unit in dispatched:
        (parent,) = demo_store.rels("UNIT_OF", source=unit["id"])
        assert demo_store.node("Agency", parent.target)["kind"] == "county_department"
        assert len(demo_store.rels("STATIONED_IN", source=unit["id"])) == 1
    names = {u["name"] for u in dispatched}
    for word in ("派出所", "森林派出所", "司法所", "自然资源和规划所", "市场监管所"):
        assert any(word in n for n in names), word


def test_the_demo_report_serialises_to_json(tmp_path):
    from quanze.graph.sqlite_store import SqliteStore

    with SqliteStore(f"sqlite:///{tmp_path / 'd.db'}") as s:
        report = ingest_paths([demo_path()], s, dry_run=True)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    assert data["ok"] and data["dry_run"] and len(data["files"]) >= 4
