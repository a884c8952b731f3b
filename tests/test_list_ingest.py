"""Duty lists of every kind, in the header styles counties use, into matters and assignments — losing nothing."""

import datetime as dt
from pathlib import Path


from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import workbook

CG = "990701001"  # 城关镇
LJ = "990701002"  # 临江镇
ZJJ = "990701/青岚县住房和城乡建设局"
ZGJ = "990701/青岚县自然资源和规划局"




def csv_file(path: Path, rows: list[list], encoding: str) -> Path:
    text = "\r\n".join(",".join("" if c is None else str(c) for c in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def load(store, *paths, **options):
    report = ingest_paths(list(paths), store, **options)
    return report


def problems(report, level=None):
    return [p for f in report.files for p in f.problems if level is None or p.level == level]


def leads(store, region, **eq):
    return {(r.source, store.node("Matter", r.target)["name"]) for r in store.rels("LEADS", region=region, **eq)}


# --- each kind ----------------------------------------------------------------------------------------------------

def test_a_township_workbook_with_three_sheets(tmp_path, demo_store):
    title = ["青岚县城关镇履行职责事项清单（2025年版）"]
    path = workbook(tmp_path / "cg.xlsx", {
        "基本履职事项": [title, ["序号", "履职事项", "事项类型", "实施依据", "责任科室"],
                     ["一、村镇建设（2项）"],
                     [1, "1.对农村居民未经批准建住宅的行政处罚", "行政处罚", "《村庄和集镇规划建设管理条例》第三十七条", "村镇规划建设办公室"],
                     [2, "组织开展农村危房\n改造", None, None, "民政办公室"],
                     ["注：本清单由镇党政办负责解释。"]],
        "配合履职事项": [["序号", "事项名称", "对应上级部门", "上级部门职责", "镇街配合职责", "配合部门"],
                     [1, "占道经营整治", "县综合执法局", "负责查处", "发现上报", "县市场监管局、县公安局"]],
        "收回事项": [["序号", "事项名称", "承接部门", "工作方式"], [1, "食品生产许可", "市场监管局", "发现上报"]],
    })
    report = load(demo_store, path)
    assert report.ok, [p.format() for p in problems(report)]
    assert [entry["kind"] for entry in report.files[0].lists] == ["basic", "cooperation", "recall"]
    basic = demo_store.rels("LEADS", region=CG, list_kind="basic")
    assert {(r.source, r.props["row"]) for r in basic} == {(f"{CG}/村镇规划建设办公室", 4), (f"{CG}/社会事务办公室", 5)}
    matter = demo_store.node("Matter", basic[0].target)
    assert matter["name"] in ("对农村居民未经批准建住宅的行政处罚", "组织开展农村危房改造")
    names = {demo_store.node("Matter", r.target)["name"] for r in basic}
    assert names == {"对农村居民未经批准建住宅的行政处罚", "组织开展农村危房改造"}  # numbering stripped, lines joined
    punish = next(m for m in demo_store.nodes("Matter") if m["name"].startswith("对农村居民"))
    assert punish["category"] == "行政处罚" and punish["domain"] == "村镇建设"
    (lead,) = demo_store.rels("LEADS", region=CG, list_kind="cooperation")
    assert lead.source == "990701/青岚县综合行政执法局" and lead.props["duty"] == "负责查处"
    coop = {r.source: r.props.get("duty") for r in demo_store.rels("COOPERATES_ON", region=CG)}
    assert coop[f"{CG}/城关镇人民政府"] == "发现上报"
    assert {"990701/青岚县市场监督管理局", "990701/青岚县公安局"} <= set(coop)
    (recall,) = demo_store.rels("RECALLED_TO", region=CG)
    assert recall.target == "990701/青岚县市场监督管理局" and recall.props["way"] == "发现上报"
    lists = demo_store.nodes("SourceList", region=CG)
    assert {sl["kind"] for sl in lists} == {"basic", "cooperation", "recall"}
    assert all(sl["version"] == "2025年版" for sl in lists)


def test_a_department_power_list_read_from_its_title(tmp_path, demo_store):
    path = workbook(tmp_path / "zjj.xlsx", {"Sheet1": [
        ["青岚县住房和城乡建设局权责清单（2024年版）"],
        ["职权编码", "职权名称", "子项", "职权类型", "设定依据", "实施主体", "责任事项", "追责情形", "管理权限", "备注"],
        ["330217001", "对擅自占用城市道路的处罚", None, "行政处罚", "《城市道路管理条例》第四十二条", "县住建局", "立案、调查", "…", "县级", None],
        ["330217002", "建筑工程施工许可", "新建", "行政许可", "《建筑法》第七条", "县住建局", "受理", "…", "乡镇权限", None],
    ]})
    report = load(demo_store, path)
    assert report.ok, [p.format() for p in problems(report)]
    (sl,) = demo_store.nodes("SourceList", kind="power")
    assert sl["owner"] == ZJJ and sl["region"] == "990701" and sl["version"] == "2024年版"
    rels = demo_store.rels("LEADS", source=ZJJ, list_kind="power")
    assert {r.target for r in rels} == {"code:330217001", "code:330217002/新建"}
    assert {r.props.get("scope") for r in rels} == {"县级", "乡镇权限"}
    assert demo_store.node("Matter", "code:330217002/新建")["sub_item"] == "新建"


def test_a_name_only_row_joins_the_coded_matter_of_the_same_name(tmp_path, demo_store):
    power = workbook(tmp_path / "zjj.xlsx", {"S": [["青岚县住房和城乡建设局权责清单"],
                                                    ["职权编码", "职权名称", "职权类型", "管理权限"],
                                                    ["330217001", "对擅自占用城市道路的处罚", "行政处罚", "县级"]]})
    basic = workbook(tmp_path / "lj.xlsx", {"基本履职事项": [["青岚县临江镇履行职责事项清单"], ["序号", "事项名称"],
                                                           [1, "对擅自占用城市道路的处罚（ ）"]]})
    assert load(demo_store, power, basic).ok
    (rel,) = demo_store.rels("LEADS", region=LJ, list_kind="basic")
    assert rel.target == "code:330217001"


def test_a_county_territorial_list_with_a_two_row_header_applies_to_every_township(tmp_path, demo_store):
    path = workbook(tmp_path / "sd.xlsx", {"Sheet1": [
        ["青岚县乡镇（街道）属地管理事项主体责任和配合责任清单"],
        ["序号", "事项名称", "主体责任", None, "配合责任", None, "法律依据"],
        [None, None, "部门", "职责", "部门", "职责", None],
        [1, "违法用地查处", "资规局", "负责立案查处", "县公安局", "乡镇负责日常巡查、发现上报", "《土地管理法》"],
    ]}, merges={"Sheet1": ["C2:D2", "E2:F2", "A2:A3", "B2:B3", "G2:G3"]})
    report = load(demo_store, path)
    assert report.ok, [p.format() for p in problems(report)]
    leads_ = demo_store.rels("LEADS", list_kind="cooperation")
    assert len(leads_) == 24 and {r.source for r in leads_} == {ZGJ}
    assert {r.props["duty"] for r in leads_} == {"负责立案查处"}
    govs = [r for r in demo_store.rels("COOPERATES_ON") if r.source.endswith("人民政府")]
    assert len(govs) == 24


def test_delegation_batches_with_whole_county_words_exceptions_and_modes(tmp_path, demo_store):
    path = workbook(tmp_path / "fq1.xlsx", {"S": [
        ["青岚县赋予乡镇（街道）县级行政权力事项清单（第一批）"],
        ["序号", "事项类型", "事项名称", "实施依据", "下放部门", "下放方式", "承接乡镇", "文号", "生效日期", "收回日期"],
        [1, "行政处罚", "对农村居民未经批准建住宅的行政处罚", "《条例》", "资规局", "委托", "除城关镇外的各乡镇",
         "青政发〔2021〕15号", "2021年5月", None],
        [2, "行政许可", "临时占用城市道路许可", "《条例》", "县住建局", "赋权", "临江镇", "青政发〔2021〕15号",
         dt.datetime(2021, 5, 1), "2023.06"],
    ]})
    report = load(demo_store, path)
    assert report.ok, [p.format() for p in problems(report)]
    first = demo_store.rels("DELEGATES", source=ZGJ)
    assert len(first) == 23 and CG not in {r.props["region"] for r in first}
    d = first[0].props
    assert (d["mode"], d["batch"], d["document"], d["effective"]) == ("委托", "第一批", "青政发〔2021〕15号",
                                                                      dt.date(2021, 5, 1))
    # a 处罚 item is undertaken by the enforcement team, a 许可 by the township government
    (u,) = demo_store.rels("UNDERTAKES", region=LJ, target=first[0].target)
    assert u.source == f"{LJ}/综合行政执法大队" and u.props["delegation"] in {r.id for r in first}
    (second,) = demo_store.rels("DELEGATES", source=ZJJ)
    assert second.props["mode"] == "下放" and second.props["recalled"] == dt.date(2023, 6, 1)
    assert second.props["undertaker"] == f"{LJ}/临江镇人民政府"


def test_activity_counts_per_township_matter_and_period_from_gbk_csv(tmp_path, demo_store):
    path = csv_file(tmp_path / "ajs.csv", [["乡镇", "事项名称", "年度", "案件数"],
                                            ["城关镇", "对农村居民未经批准建住宅的行政处罚", "2022", "２"],
                                            ["临江镇", "对农村居民未经批准建住宅的行政处罚", "2023", "0"]], "gbk")
    report = load(demo_store, path, kind="activity")
    assert report.ok, [p.format() for p in problems(report)]
    handled = {(r.source, r.props["period"], r.props["count"]) for r in demo_store.rels("HANDLED")}
    assert handled == {(CG, "2022", 2), (LJ, "2023", 0)}


def test_a_sidecar_names_kind_and_region_and_maps_a_new_countys_headers(tmp_path, demo_store):
    path = csv_file(tmp_path / "pj.csv", [["序号", "事项", "归口部门", "镇职责"], ["1", "秸秆禁烧", "农业农村局", "巡查"]],
                    "utf-8-sig")
    (tmp_path / "pj.meta.yaml").write_text(
        "kind: cooperation\nregion: 临江镇\ntitle: 临江镇配合履职事项清单\nversion: '2025'\n"
        "columns:\n  lead_department: [归口部门]\n  township_duty: [镇职责]\n", encoding="utf-8")
    report = load(demo_store, path)
    assert report.ok, [p.format() for p in problems(report)]
    (lead,) = demo_store.rels("LEADS", region=LJ)
    assert lead.source == "990701/青岚县农业农村局"
    (sl,) = demo_store.nodes("SourceList", kind="cooperation")
    assert (sl["title"], sl["version"]) == ("临江镇配合履职事项清单", "2025")


def test_options_beat_the_sidecar_and_the_title(tmp_path, demo_store):
    path = csv_file(tmp_path / "x.csv", [["序号", "事项名称"], ["1", "组织开展防汛演练"]], "utf-8")
    (tmp_path / "x.meta.yaml").write_text("kind: basic\nregion: 城关镇\n", encoding="utf-8")
    assert load(demo_store, path, region="临江镇").ok
    assert demo_store.rels("LEADS", region=LJ) and not demo_store.rels("LEADS", region=CG)


# --- references that do not resolve -------------------------------------------------------------------------------

def test_a_dangling_department_keeps_its_row_and_warns_with_nearest_names(tmp_path, demo_store):
    path = workbook(tmp_path / "cg.xlsx", {"配合履职事项": [["青岚县城关镇配合履职事项清单"],
                                                        ["序号", "事项名称", "牵头部门", "乡镇职责"],
                                                        [1, "违法建设查处", "县城乡规划局", "巡查"]]})
    report = load(demo_store, path)
    assert report.ok
    (w,) = [p for p in problems(report, "warning") if p.code == "unknown-agency"]
    assert (w.sheet, w.row, w.column, w.value) == ("配合履职事项", 3, "牵头部门", "县城乡规划局")
    assert "青岚县自然资源和规划局" in w.suggestions
    (lead,) = demo_store.rels("LEADS", region=CG)
    assert demo_store.node("Agency", lead.source)["kind"] == "unresolved"
    assert lead.props["agency_text"] == "县城乡规划局"
    strict = load(demo_store, workbook(tmp_path / "cg2.xlsx", {"配合履职事项": [
        ["青岚县临江镇配合履职事项清单"], ["序号", "事项名称", "牵头部门", "乡镇职责"], [1, "违法建设查处", "县城乡规划局", "巡查"]]}),
        strict=True)
    assert not strict.ok and problems(strict, "error")[0].code == "unknown-agency"


def test_a_township_that_is_not_in_the_county_is_a_dangling_delegation(tmp_path, demo_store):
    path = workbook(tmp_path / "fq.xlsx", {"S": [["青岚县赋予乡镇县级行政权力事项清单（第二批）"],
                                                  ["事项名称", "下放部门", "承接乡镇"],
                                                  ["对擅自占用城市道路的处罚", "县住建局", "城关镇、西山镇"]]})
    report = load(demo_store, path)
    assert report.ok
    assert [p.value for p in problems(report, "warning") if p.code == "unknown-township"] == ["西山镇"]
    assert {r.props["region"] for r in demo_store.rels("DELEGATES")} == {CG, "990701?西山镇"}


# --- bad input ------------------------------------------------------------------------------------------------------

def test_a_list_of_unknown_kind_or_region_says_which_option_to_give(tmp_path, demo_store):
    path = csv_file(tmp_path / "what.csv", [["序号", "事项名称"], ["1", "组织开展防汛演练"]], "utf-8")
    report = load(demo_store, path)
    (e,) = problems(report, "error")
    assert e.code == "unknown-kind" and "--kind" in e.message_zh and "--kind" in e.message_en
    report = load(demo_store, path, kind="basic")
    (e,) = problems(report, "error")
    assert e.code == "unknown-region" and "--region" in e.message_en


def test_bad_rows_reject_the_list_and_leave_the_store_unchanged(tmp_path, demo_store):
    before = demo_store.content()
    path = workbook(tmp_path / "fq.xlsx", {"S": [["青岚县赋予乡镇县级行政权力事项清单（第一批）"],
                                                  ["事项名称", "下放部门", "下放方式", "承接乡镇", "生效日期"],
                                                  ["对擅自占用城市道路的处罚", "县住建局", "下放", "全部乡镇", "2021年5月"],
                                                  ["临时占用城市道路许可", "县住建局", "移交", "全部乡镇", "2021年5月"],
                                                  ["城市道路挖掘许可", "县住建局", "下放", "全部乡镇", "去年五月"]]})
    report = load(demo_store, path)
    errors = problems(report, "error")
    assert {(p.code, p.row, p.column, p.value) for p in errors} == {("bad-mode", 4, "下放方式", "移交"),
                                                                    ("bad-date", 5, "生效日期", "去年五月")}
    assert all(p.message_zh and p.message_en and p.expected for p in errors)
    assert demo_store.content() == before


def test_partial_loads_good_rows_and_records_the_rejected_ones_with_their_content(tmp_path, demo_store):
    path = workbook(tmp_path / "fq.xlsx", {"S": [["青岚县赋予乡镇县级行政权力事项清单（第一批）"],
                                                  ["事项名称", "下放部门", "下放方式", "承接乡镇"],
                                                  ["对擅自占用城市道路的处罚", "县住建局", "下放", "城关镇"],
                                                  ["临时占用城市道路许可", "县住建局", "移交", "城关镇"]]})
    report = load(demo_store, path, partial=True)
    assert report.ok and len(demo_store.rels("DELEGATES")) == 1
    (sl,) = demo_store.nodes("SourceList", kind="delegation")
    (rejected,) = sl["rejected"]
    assert rejected["row"] == 4 and "移交" in rejected["cells"].values()


# --- versions ---------------------------------------------------------------------------------------------------------

def basic_list(tmp_path, name, version, items):
    rows = [[f"青岚县城关镇履行职责事项清单（{version}年版）"], ["序号", "事项名称"]]
    rows += [[i + 1, item] for i, item in enumerate(items)]
    return workbook(tmp_path / name, {"基本履职事项": rows})


def test_loading_the_same_list_twice_changes_nothing(tmp_path, demo_store):
    path = basic_list(tmp_path, "v1.xlsx", 2024, ["组织开展防汛演练", "组织开展植树造林"])
    assert load(demo_store, path).ok
    before = demo_store.content()
    again = load(demo_store, path)
    assert again.ok and again.files[0].status == "unchanged"
    assert demo_store.content() == before


def test_a_new_version_replaces_the_old_and_keeps_its_record(tmp_path, demo_store):
    assert load(demo_store, basic_list(tmp_path, "v1.xlsx", 2024, ["组织开展防汛演练", "组织开展植树造林"])).ok
    refused = load(demo_store, basic_list(tmp_path, "v2.xlsx", 2025, ["组织开展防汛演练", "组织开展禁毒宣传"]))
    assert not refused.ok and [p.code for p in refused.files[0].errors] == ["would-remove"]  # 植树造林 would go
    assert load(demo_store, basic_list(tmp_path, "v2.xlsx", 2025, ["组织开展防汛演练", "组织开展禁毒宣传"]),
                replace=True).ok
    names = {n for _, n in leads(demo_store, CG)}
    assert names == {"组织开展防汛演练", "组织开展禁毒宣传"}
    old, new = sorted(demo_store.nodes("SourceList", kind="basic"), key=lambda s: s["version"])
    assert old["status"] == "replaced" and old["replaced_by"] == new["id"] and new["status"] == "current"
    said = {demo_store.node("Matter", a["target"])["name"] for a in old["assertions"]}
    assert said == {"组织开展防汛演练", "组织开展植树造林"}


def test_a_load_killed_half_way_leaves_the_store_as_it_was(tmp_path, demo_store, killed_load):
    assert load(demo_store, basic_list(tmp_path, "v1.xlsx", 2024, ["组织开展防汛演练"])).ok
    before = demo_store.content()
    path = basic_list(tmp_path, "v2.xlsx", 2025, [f"组织开展第{i}项工作" for i in range(300)])
    marker = tmp_path / "holding"
    killed_load(["-m", "quanze.cli", "ingest", str(path), "--replace", "--store", demo_store.url], marker)
    assert demo_store.content() == before


def test_the_demo_loads_with_no_errors_and_only_its_planted_warnings(tmp_path):
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore

    with SqliteStore(f"sqlite:///{tmp_path / 'demo.db'}") as s:
        report = ingest_paths([demo_path()], s)
    assert report.ok and not problems(report, "error")
    warnings = {(p.code, p.file, p.value) for p in problems(report, "warning")}
    assert warnings == {
        ("unknown-township", "delegation_batch2_2023.csv", "西山镇"),  # PLANTED.md DR-2
        ("unknown-agency", "t009_tingbu.xlsx", "县城乡规划局"),  # OR-2 / DR-1
        ("missing-lead", "t003_lanxi.xlsx", None),  # OR-1
        ("ambiguous-agency", "t008_wangchuan_cooperation.csv", "执法大队"),  # AM-1
        ("shared-alias", "departments.xlsx", "执法大队"),  # the structure's planted shared short name
        ("older-version", "t012_zhangwan_basic_2024.csv", "2024"),  # PLANTED.md "List versions": kept as history
    }
    assert [p.code for p in problems(report, "info")] == ["skipped-row"]  # the batch's 合计 row, said, not dropped


def test_a_bare_township_name_means_the_county_loaded_in_the_same_ingest(tmp_path, store):
    """Two counties with a 城关镇 each: a sidecar saying region: 城关镇 means the one this ingest brings."""
    other = tmp_path / "other.yaml"
    other.write_text("county: {code: '990702', name: 另县}\ntownships:\n  - {code: '990702001', name: 城关镇}\n",
                     encoding="utf-8")
    assert ingest_paths([other], store).ok
    from quanze.demo import demo_path

    lst = csv_file(tmp_path / "b.csv", [["序号", "事项名称"], ["1", "组织开展防汛演练"]], "utf-8")
    (tmp_path / "b.meta.yaml").write_text("kind: basic\nregion: 城关镇\n", encoding="utf-8")
    report = ingest_paths([demo_path() / "structure", lst], store)
    assert report.ok, [p.format() for p in problems(report)]
    assert store.rels("LEADS", region=CG) and not store.rels("LEADS", region="990702001")
