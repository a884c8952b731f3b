"""Every audit rule on small lists built on the demo county's structure: a case where it fires, one where it must not,
its thresholds, and what it counts as examined."""

import datetime as dt
import json
import random
import time
from pathlib import Path

import pytest
from quanze.api.audit import RULE_IDS, SEVERITIES, capacity_report, run_audit, staffing_by_kind, township_capacity
from quanze.api.audit.overlaps import similar_pairs
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet

from quanze.errors import BadValue

COUNTY = "990701"
CG, LJ, YB, QY = "990701001", "990701002", "990701019", "990701022"  # 城关镇 临江镇 岩背乡 漆园乡
TODAY = dt.date(2025, 6, 1)
ROAD = "对擅自占用城市道路的行政处罚"
HOUSE = "对农村居民未经批准建住宅的行政处罚"
LICENCE = "临时占用城市道路许可"


@pytest.fixture
def county(demo_store):
    """The demo county's structure only: each test adds the few list rows it is about (the demo's own lists, with
    their planted defects, are tests/test_audit_demo.py's)."""
    return demo_store




def power(tmp: Path, dept: str, *items: tuple, file: str | None = None) -> Path:
    """A department's 权责清单; items are (name, category, 管理权限[, 设定依据])."""
    rows = [[it[0], it[1], it[3] if len(it) > 3 else "《某条例》", it[2]] for it in items]
    return sheet(tmp / (file or f"power-{dept}.xlsx"), f"{dept}权责清单（2024年版）",
                 ["职权名称", "职权类型", "设定依据", "管理权限"], *rows)


def township(tmp: Path, town: str, kind_sheet: str, header: list, *rows: list, file: str | None = None) -> Path:
    return sheet(tmp / (file or f"{town}-{kind_sheet}.xlsx"), f"青岚县{town}履行职责事项清单（2025年版）", header, *rows,
                 name=kind_sheet)


def basic(tmp: Path, town: str, *rows: list, file: str | None = None) -> Path:
    return township(tmp, town, "基本履职事项", ["序号", "事项名称", "事项类型", "实施依据", "责任科室"], *rows, file=file)


def cooperation(tmp: Path, town: str, *rows: list, file: str | None = None) -> Path:
    return township(tmp, town, "配合履职事项", ["序号", "事项名称", "牵头部门", "乡镇职责"], *rows, file=file)


def recall(tmp: Path, town: str, *rows: list, file: str | None = None) -> Path:
    return township(tmp, town, "收回事项", ["序号", "事项名称", "承接部门", "工作方式"], *rows, file=file)


def territorial(tmp: Path, *rows: list, file: str = "sd.xlsx") -> Path:
    """A county-level 属地管理事项清单: applies to every township."""
    return sheet(tmp / file, "青岚县乡镇（街道）属地管理事项主体责任和配合责任清单",
                 ["序号", "事项名称", "主体责任部门", "乡镇职责"], *rows)


def delegation(tmp: Path, *rows: list, batch: str = "第一批", file: str | None = None) -> Path:
    """Rows are (category, name, department, townships[, effective[, recalled]])."""
    full = [list(r) + [None] * (6 - len(r)) for r in rows]
    return sheet(tmp / (file or f"fq-{batch}.xlsx"), f"青岚县赋予乡镇县级行政权力事项清单（{batch}）",
                 ["事项类型", "事项名称", "下放部门", "承接乡镇", "生效日期", "收回日期"],
                 *[[c, n, d, t, e or "2021-05-01", r] for c, n, d, t, e, r in full])


def activity(tmp: Path, *rows: tuple, file: str = "ajs.csv") -> Path:
    lines = ["乡镇,事项名称,年度,案件数"] + [",".join(str(c) for c in r) for r in rows]
    path = tmp / file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(store, *paths: Path, **options) -> None:
    report = ingest_paths(list(paths), store, **options)
    assert report.ok, [p.format() for f in report.files for p in f.errors]


def audit(store, rule: str, **kw):
    report = run_audit(store, rules=[rule], as_of=kw.pop("as_of", TODAY), **kw)
    (summary,) = report.rules
    assert summary["found"] == len(report.findings)
    return report, summary


def messages(report) -> str:
    return "\n".join(f.message_zh + "\n" + f.message_en for f in report.findings)


# --- the rules as data --------------------------------------------------------------------------------------------

def test_the_rules_are_declared_once_with_titles_explanations_severities_and_denominators():
    from quanze.api import audit

    assert RULE_IDS == ("multi-lead", "conflicting-lists", "cooperation-mismatch", "duplicate-item", "near-duplicate",
                        "ambiguous-name", "orphan-matter", "duty-without-power", "cannot-undertake",
                        "dormant-delegation", "understaffed", "idle-agency", "dangling-reference",
                        "territorial-overload")
    for decl in audit.RULES:
        assert decl.severity in SEVERITIES and decl.group in ("overlap", "gap")
        assert all((decl.title_zh, decl.title_en, decl.explanation_zh, decl.explanation_en, decl.denominator_zh,
                    decl.denominator_en))
    assert {t.name: t.default for t in audit.rule("understaffed").thresholds} == {
        "vacancy_ratio": 0.3, "items_per_staff_multiple": 2.0}
    assert set(audit.__all__) == {
        "RULES", "RULE_IDS", "SEVERITIES", "AuditReport", "Facts", "Finding", "RuleDecl", "rule",
        "run_audit", "capacity_report", "cooperation_load", "staffing_by_kind", "township_capacity", "safe_cell",
        "write_csv", "write_xlsx", "write_capacity_csv", "write_capacity_xlsx"} and all(hasattr(audit, name) for name in audit.__all__)


# --- the report ---------------------------------------------------------------------------------------------------

def test_every_rule_reports_what_it_examined_and_found_in_one_json_shape(county):
    report = run_audit(county, as_of=TODAY)
    assert [r["rule"] for r in report.rules] == list(RULE_IDS)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))  # plain JSON, nothing to coerce
    assert set(data) >= {"findings", "rules"}
    for r in data["rules"]:
        assert set(r) >= {"rule", "examined", "found"}
    for f in data["findings"]:
        assert set(f) >= {"rule", "severity", "region", "matter", "agencies", "message_zh", "message_en", "sources"}
        assert set(f["region"]) == {"code", "name"} and all(set(a) == {"id", "name"} for a in f["agencies"])
        assert all(set(s) >= {"list", "file", "sheet", "row"} for s in f["sources"])
    assert report.worst_severity() == "medium" and report.fails("medium") and not report.fails("high")


def test_an_audit_never_writes_to_the_store(tmp_path, county):
    load(county, basic(tmp_path, "城关镇", [1, HOUSE, "行政处罚", None, "村镇规划建设办公室"]))
    before = county.content()
    run_audit(county, as_of=TODAY)
    assert county.content() == before


def test_unknown_rules_severities_and_thresholds_are_errors_naming_the_valid_ones(county):
    with pytest.raises(BadValue) as e:
        run_audit(county, rules=["multi-leads"])
    assert "multi-lead" in e.value.message_en and "orphan-matter" in e.value.message_zh
    with pytest.raises(BadValue, match="high"):
        run_audit(county, severity="critical")
    with pytest.raises(BadValue, match="near-duplicate.similarity"):
        run_audit(county, thresholds={"near-duplicate.likeness": 0.9})
    with pytest.raises(BadValue, match="at most 1"):
        run_audit(county, thresholds={"near-duplicate": {"similarity": 1.5}})
    with pytest.raises(BadValue, match="whole number"):
        run_audit(county, thresholds={"cannot-undertake.min_certified_enforcers": "some"})
    assert SEVERITIES == ("low", "medium", "high")


def test_severity_and_region_filter_findings_and_the_examined_counts(county):
    low = run_audit(county, rules=["idle-agency", "understaffed"], severity="medium")
    assert {f.rule for f in low.findings} == {"understaffed"}
    yanbei = run_audit(county, rules=["understaffed"], region=YB)
    everywhere = run_audit(county, rules=["understaffed"])
    assert len(yanbei.findings) == len(everywhere.findings) == 9
    assert yanbei.rules[0]["examined"] < everywhere.rules[0]["examined"]
    assert run_audit(county, rules=["understaffed"], region=CG).findings == []
    assert run_audit(county, rules=["understaffed"], region="岩背乡").region == {"code": YB, "name": "岩背乡"}


# --- multi-lead ---------------------------------------------------------------------------------------------------

def test_two_departments_power_lists_holding_one_matter_is_multi_lead(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", (ROAD, "行政处罚", "县级"), (LICENCE, "行政许可", "县级")),
         power(tmp_path, "青岚县综合行政执法局", (ROAD, "行政处罚", "县级")))
    report, summary = audit(county, "multi-lead")
    (f,) = report.findings
    assert f.region["code"] == COUNTY and f.matter["name"] == ROAD and f.severity == "high"
    assert {a["name"] for a in f.agencies} == {"青岚县住房和城乡建设局", "青岚县综合行政执法局"}
    assert "县住建局（《青岚县住房和城乡建设局权责清单（2024年版）》第3行）" in f.message_zh and "县综合执法局" in f.message_zh
    assert {s["file"] for s in f.sources} == {"power-青岚县住房和城乡建设局.xlsx", "power-青岚县综合行政执法局.xlsx"}
    assert summary["examined"] == 2  # two matters in the county's power lists, no township lists


def test_one_department_holding_a_matter_is_not_multi_lead(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", (ROAD, "行政处罚", "县级")))
    assert audit(county, "multi-lead")[0].findings == []


def test_a_township_basic_duty_and_a_department_power_without_delegation_is_multi_lead(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", (ROAD, "行政处罚", "县级")),
         basic(tmp_path, "城关镇", [1, ROAD, "行政处罚", None, "村镇规划建设办公室"]))
    report, summary = audit(county, "multi-lead")
    (f,) = report.findings
    assert f.region == {"code": CG, "name": "城关镇"}
    assert {a["id"] for a in f.agencies} == {f"{CG}/村镇规划建设办公室", "990701/青岚县住房和城乡建设局"}
    assert f.message_zh.startswith("城关镇「对擅自占用城市道路的行政处罚」有两个牵头单位：村镇规划建设办公室（《青岚县城关镇履行职责事项清单（2025年版）》第3行）")
    assert summary["examined"] == 2  # the county pair and the (matter, 城关镇) pair


@pytest.mark.parametrize("extra", ["delegation", "recall"])
def test_a_delegation_in_force_or_a_recall_overrides_so_there_is_no_multi_lead(tmp_path, county, extra):
    lists = [power(tmp_path, "青岚县住房和城乡建设局", (ROAD, "行政处罚", "县级")),
             basic(tmp_path, "城关镇", [1, ROAD, "行政处罚", None, "村镇规划建设办公室"])]
    lists.append(delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇"]) if extra == "delegation" else
                 recall(tmp_path, "城关镇", [1, ROAD, "县住建局", "上报"], file="recall.xlsx"))
    load(county, *lists)
    assert audit(county, "multi-lead")[0].findings == []


def test_a_delegation_no_longer_in_force_does_not_override(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", (ROAD, "行政处罚", "县级")),
         basic(tmp_path, "城关镇", [1, ROAD, "行政处罚", None, "村镇规划建设办公室"]),
         delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇", "2021-05-01", "2023-06-30"]))
    assert len(audit(county, "multi-lead")[0].findings) == 1
    assert audit(county, "multi-lead", as_of=dt.date(2022, 1, 1))[0].findings == []


def test_cooperation_rows_naming_different_leads_are_one_finding_per_township(tmp_path, county):
    load(county, territorial(tmp_path, [1, "违法用地查处", "资规局", "巡查"]),
         cooperation(tmp_path, "城关镇", [1, "违法用地查处", "县综合执法局", "发现上报"]))
    (f,) = audit(county, "multi-lead")[0].findings
    assert f.region["code"] == CG and len(f.agencies) == 2 and "配合履职事项写了不同的牵头部门" in f.message_zh


def test_one_county_row_conflicting_everywhere_is_reported_once_for_the_county(tmp_path, county):
    load(county, territorial(tmp_path, [1, "违法用地查处", "资规局", "巡查"]),
         territorial(tmp_path, [1, "违法用地查处", "县综合执法局", "巡查"], file="sd2.xlsx"))
    (f,) = audit(county, "multi-lead")[0].findings
    assert f.region["code"] == COUNTY and len(f.townships) == 24 and f.message_zh.startswith("全县24个乡镇")


def test_two_departments_delegating_one_matter_to_a_township_is_multi_lead(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "临江镇"]),
         delegation(tmp_path, ["行政处罚", ROAD, "县综合执法局", "临江镇"], batch="第二批"))
    (f,) = audit(county, "multi-lead")[0].findings
    assert f.region["code"] == LJ and "两个部门都把此事项下放给了乡镇" in f.message_zh


# --- conflicting-lists --------------------------------------------------------------------------------------------

def test_recalled_yet_in_the_basic_list_or_still_delegated_is_a_conflict(tmp_path, county):
    load(county, basic(tmp_path, "城关镇", [1, "食品生产许可", "行政许可", None, None]),
         recall(tmp_path, "城关镇", [1, "食品生产许可", "县市场监管局", "发现上报"], [2, ROAD, "县住建局", "上报"],
                file="r.xlsx"),
         delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇、临江镇"]))
    report, summary = audit(county, "conflicting-lists")
    assert summary["examined"] == 2
    kept, given = sorted(report.findings, key=lambda f: f.matter["name"] != "食品生产许可")
    assert kept.matter["name"] == "食品生产许可" and "仍在乡镇自己的清单中" in kept.message_zh
    assert "由县市场监管局承接" in kept.message_zh
    assert given.matter["name"] == ROAD and "未写收回日期" in given.message_zh and given.region["code"] == CG
    assert len(given.sources) == 2


def test_a_recall_with_the_delegation_marked_recalled_is_consistent(tmp_path, county):
    load(county, recall(tmp_path, "城关镇", [1, ROAD, "县住建局", "上报"]),
         delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇", "2021-05-01", "2024-01-01"]))
    report, summary = audit(county, "conflicting-lists")
    assert report.findings == [] and summary["examined"] == 1


# --- cooperation-mismatch -----------------------------------------------------------------------------------------

def test_a_cooperation_lead_whose_power_list_lacks_the_matter_while_another_has_it(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", (LICENCE, "行政许可", "县级")),
         power(tmp_path, "青岚县综合行政执法局", (ROAD, "行政处罚", "县级")),
         cooperation(tmp_path, "城关镇", [1, ROAD, "县住建局", "发现上报"]))
    report, summary = audit(county, "cooperation-mismatch")
    (f,) = report.findings
    assert "县住建局的权责清单没有该事项" in f.message_zh and "县综合执法局（《青岚县综合行政执法局权责清单（2024年版）》第3行）有" in f.message_zh
    assert summary["examined"] == 1


def test_a_cooperation_lead_that_holds_the_power_or_has_no_list_loaded_is_not_a_mismatch(tmp_path, county):
    load(county, power(tmp_path, "青岚县综合行政执法局", (ROAD, "行政处罚", "县级")),
         cooperation(tmp_path, "城关镇", [1, ROAD, "县综合执法局", "发现上报"], [2, ROAD + "（二）", "县公安局", "上报"]))
    report, summary = audit(county, "cooperation-mismatch")
    assert report.findings == [] and summary["examined"] == 1  # 县公安局 has no power list: not judged


# --- duplicate-item -----------------------------------------------------------------------------------------------

def test_the_same_matter_twice_in_one_list_after_normalising(tmp_path, county):
    load(county, basic(tmp_path, "城关镇", [1, "组织开展防汛演练", None, None, None], [2, "植树造林", None, None, None],
                           [3, "2. 组织开展 防汛演练。", None, None, None]))
    report, summary = audit(county, "duplicate-item")
    (f,) = report.findings
    assert f.region["code"] == CG and "出现2次：《" in f.message_zh and "》第3、5行" in f.message_zh and summary["examined"] == 2
    assert [s["row"] for s in f.sources] == [3, 5]


def test_one_delegation_row_per_township_is_not_a_duplicate(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇"], ["行政处罚", ROAD, "县住建局", "临江镇"]))
    assert audit(county, "duplicate-item")[0].findings == []


# --- near-duplicate -----------------------------------------------------------------------------------------------

def test_differently_worded_matters_are_reported_for_a_person_to_confirm(tmp_path, county):
    load(county, basic(tmp_path, "雾岭乡", [1, "做好留守儿童关爱保护工作", None, None, None],
                       [2, "做好农村留守儿童关爱保护工作", None, None, None],
                       [3, "对擅自占用城市道路的行政处罚", "行政处罚", None, None],
                       [4, "对擅自占用城市道路的行政检查", "行政检查", None, None],
                       [5, "对违法排放污水的处罚", None, None, None], [6, "对违法排放污水的行政检查", None, None, None],
                       [7, "组织开展防汛演练", None, None, None]))
    report, summary = audit(county, "near-duplicate")
    (f,) = report.findings
    assert {f.matter["name"], f.details["other_matter"]["name"]} == {"做好留守儿童关爱保护工作", "做好农村留守儿童关爱保护工作"}
    assert f.region == {"code": "990701017", "name": "雾岭乡"} and f.details["similarity"] == 0.889
    assert "请人工确认" in f.message_zh and summary["examined"] >= 1  # pairs compared, the unit of its findings
    assert audit(county, "near-duplicate", thresholds={"near-duplicate": {"similarity": 0.95}})[0].findings == []


def test_boilerplate_is_set_aside_when_comparing_names(tmp_path, county):
    load(county, power(tmp_path, "青岚县住房和城乡建设局", ("对擅自占用城市道路行为的行政处罚", "行政处罚", "县级")),
         delegation(tmp_path, ["行政处罚", "对未经批准擅自占用城市道路的处罚", "县住建局", "城关镇"]))
    (f,) = audit(county, "near-duplicate")[0].findings
    # 未经批准擅自… is 擅自…, 行为 and 的 change nothing: the same wording once the boilerplate is set aside
    assert f.details["similarity"] == 1.0 and f.region["code"] == CG  # the only township both are listed for


@pytest.mark.parametrize("a, b, why", [
    ("社区网格事项1", "社区网格事项10", "number"),
    ("娱乐场所延续审批", "娱乐场所注销审批", "contrast"),
    ("民办非企业单位变更登记", "民办非企业单位注销登记", "contrast"),
    ("恢复养老保险待遇申请", "暂停养老保险待遇申请", "contrast"),
    ("公民民族成份确认和变更未满十八岁", "公民民族成份确认和变更满十八岁", "contrast"),
    ("抵押备案", "抵押备案解除", "contrast"),
    ("城乡居民养老保险参保登记", "城乡居民参保登记", "contrast"),
    ("工程建设项目招标投标活动投诉处理", "水利工程建设项目招投标活动投诉受理及处理", "contrast"),
    ("建设工程竣工验收备案", "燃气设施建设工程竣工验收情况备案", "contrast"),
    ("探矿权注销登记", "采矿权注销登记", "contrast"),
    ("文物定级", "文物认定", "substitution"),
])
def test_names_that_differ_where_it_matters_are_two_items(a, b, why):
    from quanze.api.audit.overlaps import matter_core, why_distinct

    assert why_distinct(matter_core(a), matter_core(b)) == why


@pytest.mark.parametrize("a, b", [
    ("建设项目古树名木保护方案备案", "建设项目古树名木保护方案备案（住建行使）"),  # one item split between two departments
    ("做好留守儿童关爱保护工作", "做好农村留守儿童关爱保护工作"),
    ("对擅自占用城市道路行为的行政处罚", "对未经批准擅自占用城市道路的处罚"),
    ("工程建设项目招标投标活动投诉的处理", "工程建设项目招投标活动投诉处理"),
])
def test_names_that_differ_only_in_wording_are_near_duplicates(a, b):
    from quanze.api.audit.overlaps import matter_core, why_distinct
    from quanze.graph.matters import norm_matter_name

    assert why_distinct(matter_core(norm_matter_name(a)), matter_core(norm_matter_name(b)), a, b) is None


def test_a_scope_qualifier_in_brackets_makes_two_items():
    from quanze.api.audit.overlaps import matter_core, why_distinct
    from quanze.graph.matters import norm_matter_name

    a, b = "企业投资项目备案", "企业投资项目备案（技术改造）（市级/县级）"
    assert why_distinct(matter_core(norm_matter_name(a)), matter_core(norm_matter_name(b)), a, b) == "scope"


def test_numbered_names_are_never_paired_and_the_denominator_counts_pairs(tmp_path, county):
    load(county, basic(tmp_path, "雾岭乡", *[[i, f"社区网格事项{i}", None, None, None] for i in range(1, 41)],
                       [41, "做好留守儿童关爱保护工作", None, None, None],
                       [42, "做好农村留守儿童关爱保护工作", None, None, None]))
    report, summary = audit(county, "near-duplicate")
    (f,) = report.findings
    assert "留守儿童" in f.matter["name"]
    # 40 numbered names are one wording: compared once, not 780 times, and the count is of pairs, like the findings
    assert 1 <= summary["examined"] < 10 and summary["found"] <= summary["examined"]


def test_blocking_finds_the_same_pairs_as_comparing_all_of_them():
    import difflib

    rng = random.Random(7)
    stems = ["对擅自占用城市道路", "对未经批准建住宅", "对违法排放污水", "对无证经营食品", "对破坏林木", "组织开展防汛"]
    names = {}
    for i in range(400):
        text = rng.choice(stems) + "".join(rng.choice("的行为处罚检查许可未按规定") for _ in range(rng.randint(2, 8)))
        names[f"{text}{i % 3}"] = f"{text}{i % 3}"
    brute = sorted((a, b) for a in names for b in names if a < b
                   and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85)
    assert [(a, b) for a, b, _ in similar_pairs(names, 0.85)] == brute


def test_near_duplicates_among_thousands_of_matters_are_found_quickly():
    rng = random.Random(3)
    objects = ["城市道路", "农村住宅", "建筑工地", "河道", "林木", "食品", "药品", "特种设备", "燃气", "消防设施", "排水设施", "户外广告", "建筑垃圾", "畜禽养殖", "农药", "种子", "危险化学品", "烟花爆竹", "生活垃圾", "文物", "古树名木", "饮用水源", "基本农田", "宅基地", "广告牌", "娱乐场所", "网吧", "旅馆", "校外培训", "民办学校", "医疗机构", "诊所", "药店", "殡葬设施", "公墓", "电动自行车", "渔船", "水库", "堤防", "采砂"]
    acts = ["擅自占用", "未经批准建设", "违法排放", "无证经营", "破坏", "擅自拆除", "未按规定设置", "违规使用", "擅自改变用途", "非法采挖", "未经许可挖掘", "拒不整改", "伪造", "转让", "出租"]
    tails = ["的行政处罚", "行为的行政处罚", "的行政检查", "的监督检查", "的行政强制", "许可", "的行政确认", "备案", "的责令改正"]
    names: dict[str, str] = {}
    while len(names) < 3000:
        name = "对" + rng.choice(acts) + rng.choice(objects) + rng.choice(tails)
        names[name] = name
    start = time.perf_counter()
    pairs = similar_pairs(names, 0.85)
    assert pairs and time.perf_counter() - start < 10  # about 1 s on a laptop; all pairs would be 4.5 million


# --- ambiguous-name -----------------------------------------------------------------------------------------------

def test_two_county_bodies_sharing_a_short_name_is_ambiguous_but_one_unit_name_in_every_township_is_not(county):
    report, summary = audit(county, "ambiguous-name")
    (f,) = report.findings
    assert f.region["code"] == COUNTY and "「执法大队」" in f.message_zh
    assert {a["name"] for a in f.agencies} == {"青岚县城市建设综合执法大队", "青岚县农业综合行政执法大队"}
    assert {s["file"] for s in f.sources} == {"departments.xlsx"}
    assert summary["examined"] > 300  # every name, short name and plaque in its scope


def test_a_list_row_naming_the_shared_short_name_is_evidence_of_the_ambiguity_not_a_dangling_reference(
        tmp_path, county):
    load(county, cooperation(tmp_path, "临江镇", [1, "秸秆禁烧", "执法大队", "巡查"]))
    (f,) = audit(county, "ambiguous-name")[0].findings
    assert any(s["file"] == "临江镇-配合履职事项.xlsx" and s["row"] == 3 for s in f.sources)
    assert "清单中已有1行这样写" in f.message_zh
    assert audit(county, "dangling-reference")[0].findings == []


# --- orphan-matter ------------------------------------------------------------------------------------------------

def test_a_cooperation_item_without_a_lead_resolves_to_nobody(tmp_path, county):
    load(county, cooperation(tmp_path, "城关镇", [1, "秸秆禁烧", None, "巡查"], [2, "违法建设查处", "县城乡规划局", "巡查"],
                                 [3, "占道经营整治", "县综合执法局", "发现上报"]))
    report, summary = audit(county, "orphan-matter")
    by_name = {f.matter["name"]: f for f in report.findings}
    assert set(by_name) == {"秸秆禁烧", "违法建设查处"} and summary["examined"] == 3
    assert "没有任何清单指定牵头单位" in by_name["秸秆禁烧"].message_zh
    assert "「县城乡规划局」并不存在" in by_name["违法建设查处"].message_zh


def test_a_dangling_lead_with_a_department_holding_the_power_or_a_basic_row_is_not_orphaned(tmp_path, county):
    load(county, power(tmp_path, "青岚县自然资源和规划局", ("违法建设查处", "行政处罚", "县级")),
         cooperation(tmp_path, "城关镇", [1, "违法建设查处", "县城乡规划局", "巡查"]),
         basic(tmp_path, "城关镇", [1, "组织开展防汛演练", None, None, "防汛办公室"]))
    assert audit(county, "orphan-matter")[0].findings == []


def test_a_county_list_row_without_a_lead_is_one_orphan_for_the_county(tmp_path, county):
    load(county, territorial(tmp_path, [1, "秸秆禁烧", None, "巡查"]))
    report, summary = audit(county, "orphan-matter")
    (f,) = report.findings
    assert f.region["code"] == COUNTY and len(f.townships) == 24 and summary["examined"] == 24
    assert len(run_audit(county, rules=["orphan-matter"], region=QY, as_of=TODAY).findings) == 1


# --- duty-without-power -------------------------------------------------------------------------------------------

def test_a_township_leading_a_penalty_nobody_granted_it(tmp_path, county):
    load(county, basic(tmp_path, "城关镇", [1, HOUSE, "行政处罚", "《村庄和集镇规划建设管理条例》第三十七条", "村镇规划建设办公室"],
                           [2, "组织开展防汛演练", None, None, None]))
    report, summary = audit(county, "duty-without-power")
    (f,) = report.findings
    assert f.region["code"] == CG and "事在乡镇、权在县里" in f.message_zh and summary["examined"] == 1


@pytest.mark.parametrize("grant", ["delegation", "basis", "scope"])
def test_a_delegation_a_township_basis_or_a_township_scoped_power_grants_it(tmp_path, county, grant):
    basis = "《条例》第三十七条：由乡、镇人民政府责令停止" if grant == "basis" else "《条例》"
    lists = [basic(tmp_path, "城关镇", [1, HOUSE, "行政处罚", basis, "村镇规划建设办公室"])]
    if grant == "delegation":
        lists.append(delegation(tmp_path, ["行政处罚", HOUSE, "资规局", "城关镇"]))
    if grant == "scope":
        lists.append(power(tmp_path, "青岚县自然资源和规划局", (HOUSE, "行政处罚", "乡镇权限")))
    load(county, *lists)
    assert audit(county, "duty-without-power")[0].findings == []


# --- cannot-undertake ---------------------------------------------------------------------------------------------

def test_penalties_delegated_to_a_team_without_certified_enforcers(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "全部乡镇"], ["行政许可", LICENCE, "县住建局", "全部乡镇"]))
    report, summary = audit(county, "cannot-undertake")
    (f,) = report.findings
    assert f.region == {"code": QY, "name": "漆园乡"} and f.agencies[0]["id"] == f"{QY}/综合行政执法大队"
    assert "持证执法人员只有0人（实有5人）" in f.message_zh and f.matter["name"] == ROAD
    assert any(s["file"] == "township_units.xlsx" and s["row"] == 200 for s in f.sources)
    assert summary["examined"] == 48  # two items × 24 townships
    stricter = audit(county, "cannot-undertake", thresholds={"cannot-undertake.min_certified_enforcers": 3})
    assert len(stricter[0].findings) > 1


# --- dormant-delegation -------------------------------------------------------------------------------------------

def test_without_activity_data_the_rule_says_so_instead_of_firing(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇、临江镇"]))
    report, summary = audit(county, "dormant-delegation")
    assert report.findings == [] and summary["examined"] == 2
    assert "没有" in summary["notes"][0]["zh"] and "no activity data" in summary["notes"][0]["en"]


def test_delegated_n_used_k_per_township(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇、临江镇"],
                                ["行政处罚", HOUSE, "资规局", "城关镇、临江镇"]))
    load(county, activity(tmp_path, ("城关镇", ROAD, 2022, 3), ("临江镇", ROAD, 2022, 0)), kind="activity")
    report, summary = audit(county, "dormant-delegation")
    (f,) = report.findings
    assert f.region["code"] == LJ and f.details == {"delegated": 2, "used": 0, "cases": 0}
    assert "有效的下放事项2项" in f.message_zh and "只有0项" in f.message_zh and summary["examined"] == 2
    more = audit(county, "dormant-delegation", thresholds={"dormant-delegation": {"min_used_ratio": 0.6}})[0]
    assert {f.region["code"] for f in more.findings} == {CG, LJ}
    other_year = audit(county, "dormant-delegation", thresholds={"dormant-delegation.period": "2023"})
    assert other_year[0].findings == [] and other_year[1]["notes"]


# --- understaffed -------------------------------------------------------------------------------------------------

def test_units_and_the_township_below_quota_beyond_the_threshold(county):
    report, summary = audit(county, "understaffed")
    assert {f.region["code"] for f in report.findings} == {YB}
    assert sum("乡镇机构合计编制36人，实有19人" in f.message_zh for f in report.findings) == 1
    assert any(f.agencies[0]["name"] == "青岚县司法局岩背司法所" for f in report.findings)
    assert summary["examined"] == 24 + sum(1 for a in county.nodes("Agency") if any(
        a.get(k) for k in ("admin_quota", "inst_quota", "law_quota")))
    assert audit(county, "understaffed", thresholds={"understaffed.vacancy_ratio": 0.7})[0].findings == []


def test_items_per_staff_far_above_the_county_median(tmp_path, county):
    items = [[i + 1, f"组织开展第{i + 1}项工作", None, None, None] for i in range(60)]
    load(county, basic(tmp_path, "县", *items, file="all.xlsx"), region=COUNTY)
    loose = {"understaffed": {"vacancy_ratio": 0.99}}
    (f,) = audit(county, "understaffed", thresholds=loose)[0].findings
    assert f.region["code"] == YB and f.details["items"] == 60 and f.details["actual"] == 19
    assert "编随事走" in f.message_zh
    loose["understaffed"]["items_per_staff_multiple"] = 3.0
    assert audit(county, "understaffed", thresholds=loose)[0].findings == []


# --- idle-agency --------------------------------------------------------------------------------------------------

def test_a_coordination_body_with_no_matters_is_an_empty_plaque(county):
    report, summary = audit(county, "idle-agency")
    (f,) = report.findings
    assert f.agencies == [{"id": "990701/青岚县乡村振兴工作领导小组办公室", "name": "青岚县乡村振兴工作领导小组办公室"}]
    assert "只挂牌子" in f.message_zh and summary["examined"] == 1


def test_a_coordination_body_a_list_names_is_not_idle(tmp_path, county):
    load(county, territorial(tmp_path, [1, "高标准农田建设", "县乡村振兴办", "配合"]))
    assert audit(county, "idle-agency")[0].findings == []


# --- dangling-reference -------------------------------------------------------------------------------------------

def test_an_agency_or_township_that_does_not_resolve_with_the_nearest_names(tmp_path, county):
    load(county, cooperation(tmp_path, "城关镇", [1, "违法建设查处", "县城乡规划局", "巡查"], [2, "占道整治", "县城乡规划局", "巡查"]),
         delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "城关镇、西山镇"]))
    report, summary = audit(county, "dangling-reference")
    agency, town = sorted(report.findings, key=lambda f: "西山镇" in f.message_zh)
    assert "「县城乡规划局」无法解析" in agency.message_zh and "第3、4行" in agency.message_zh
    assert "青岚县自然资源和规划局" in agency.details["nearest"] and agency.region["code"] == CG
    assert "乡镇「西山镇」" in town.message_zh and town.region["code"] == COUNTY
    assert summary["examined"] == 2 + 2 + 2 + 2  # two cooperation rows (lead, township) + delegation (dept, region) ×2


def test_resolved_references_are_not_dangling(tmp_path, county):
    load(county, cooperation(tmp_path, "城关镇", [1, "违法建设查处", "资规局", "巡查"]))
    report, summary = audit(county, "dangling-reference")
    assert report.findings == [] and summary["examined"] == 2


# --- territorial-overload -----------------------------------------------------------------------------------------

def test_a_township_with_far_more_cooperation_items_than_the_median(tmp_path, county):
    load(county, territorial(tmp_path, [1, "违法用地查处", "资规局", "巡查"], [2, "秸秆禁烧", "农业农村局", "巡查"]),
         cooperation(tmp_path, "城关镇", *[[i, f"配合开展第{i}项检查", "县应急局", "配合"] for i in range(1, 6)]))
    report, summary = audit(county, "territorial-overload")
    (f,) = report.findings
    assert f.region["code"] == CG and f.details == {"items": 7, "county_median": 2.0} and summary["examined"] == 24
    assert "3.5倍" in f.message_zh
    assert audit(county, "territorial-overload", thresholds={"territorial-overload.multiple": 4})[0].findings == []


def test_equal_cooperation_loads_are_not_overload(tmp_path, county):
    load(county, territorial(tmp_path, [1, "违法用地查处", "资规局", "巡查"]))
    assert audit(county, "territorial-overload")[0].findings == []


# --- capacity views -----------------------------------------------------------------------------------------------

def test_capacity_per_township_delegated_items_enforcers_and_cases(tmp_path, county):
    load(county, delegation(tmp_path, ["行政处罚", ROAD, "县住建局", "全部乡镇"], ["行政许可", LICENCE, "县住建局", "全部乡镇"]))
    load(county, activity(tmp_path, ("城关镇", ROAD, 2022, 3), ("城关镇", LICENCE, 2022, 0)), kind="activity")
    rows = {r["code"]: r for r in township_capacity(county, COUNTY, as_of=TODAY)}
    assert len(rows) == 24
    cg, qy = rows[CG], rows[QY]
    assert (cg["delegated_items"], cg["delegated_enforcement_items"], cg["cases_on_delegated"],
            cg["delegated_items_used"]) == (2, 1, 3, 1)
    assert cg["certified_enforcers"] == 7 and qy["certified_enforcers"] == 0
    report = capacity_report(county, COUNTY, as_of=TODAY)
    assert report["totals"] == {"delegation_rows": 2, "delegated_items_ever": 2, "delegated_items": 2,
                                "delegations": 48, "certified_enforcers": 82,  # demo/README.md's table
                                "cases_on_delegated": 3, "activity_data": True}


def test_staffing_by_kind_adds_up_to_the_county_totals(county):
    rows = staffing_by_kind(county, COUNTY)
    assert len(rows) == 25
    total = {k: (sum(r["by_kind"][k]["quota"] for r in rows), sum(r["by_kind"][k]["actual"] for r in rows))
             for k in ("admin", "inst", "law")}
    assert total == {"admin": (1229, 1144), "inst": (718, 648), "law": (402, 377)}  # demo/README.md
    yb = next(r for r in rows if r["code"] == YB)
    assert yb["by_kind"]["admin"]["zh"] == "行政编制" and yb["actual"] < yb["quota"]
