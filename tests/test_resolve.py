"""Who handles matter M in township T: each rule of docs/domain.md, and their precedence, on the demo county's structure."""

import datetime as dt

import pytest

from quanze.api.resolve import Resolver
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet

CG = {"code": "990701001", "name": "城关镇", "county_code": "990701", "level": "township"}
LJ = {"code": "990701002", "name": "临江镇", "county_code": "990701", "level": "township"}
COUNTY = {"code": "990701", "name": "青岚县", "level": "county"}
TODAY = dt.date(2025, 6, 1)
MATTER = "对擅自占用城市道路的处罚"




def power(tmp, dept="青岚县住房和城乡建设局", scope="县级", matter=MATTER, file="power.xlsx"):
    return sheet(tmp / file, f"{dept}权责清单（2024年版）", ["职权名称", "职权类型", "设定依据", "管理权限", "责任事项"],
                 [matter, "行政处罚", "《城市道路管理条例》第四十二条", scope, "立案查处"])


def delegation(tmp, townships="全部乡镇", mode="下放", effective="2021-05-01", recalled=None, file="d.xlsx"):
    return sheet(tmp / file, "青岚县赋予乡镇县级行政权力事项清单（第一批）",
                 ["事项类型", "事项名称", "下放部门", "下放方式", "承接乡镇", "文号", "生效日期", "收回日期"],
                 ["行政处罚", MATTER, "县住建局", mode, townships, "青政发〔2021〕15号", effective, recalled])


def township_list(tmp, kind_sheet, header, *rows, township="城关镇", file="t.xlsx"):
    return sheet(tmp / file, f"青岚县{township}履行职责事项清单（2025年版）", header, *rows, name=kind_sheet)


def answer(store, *paths, township=CG, as_of=TODAY, matter=MATTER):
    report = ingest_paths(list(paths), store)
    assert report.ok, [p.format() for f in report.files for p in f.errors]
    ids = [m["id"] for m in store.nodes("Matter") if m["name"] == matter]
    return Resolver(store).resolve(ids, township, as_of)


def roles(res):
    return {(h.agency["name"], h.role, h.rule) for h in res.handlers}


def test_department_power_leads_and_its_unit_stationed_in_the_township_is_the_contact(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path, "青岚县市场监督管理局"))
    assert res.rule == "department"
    lead = res.handlers[0]
    assert (lead.agency["name"], lead.role, lead.duty) == ("青岚县市场监督管理局", "lead", "立案查处")
    assert lead.legal_basis == "《城市道路管理条例》第四十二条"
    assert lead.sources[0]["file"] == "power.xlsx" and lead.sources[0]["row"] == 3
    assert ("青岚县市场监督管理局城关市场监管所", "contact", "department") in roles(res)


def test_a_delegation_in_force_beats_the_department(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path), delegation(tmp_path, mode="委托"))
    assert res.rule == "delegated"
    assert ("综合行政执法大队", "lead", "delegated") in roles(res)
    assert ("青岚县住房和城乡建设局", "guide", "delegated") in roles(res)
    lead = next(h for h in res.handlers if h.role == "lead")
    assert lead.delegation["mode"] == "委托" and lead.delegation["document"] == "青政发〔2021〕15号"
    assert "以县级部门的名义" in lead.delegation["note_zh"] and "department's name" in lead.delegation["note_en"]
    assert any(o["rule"] == "department" and o["override_is_rule"] for o in res.overridden)


def test_xiafang_means_the_township_acts_in_its_own_name(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path), delegation(tmp_path, mode="下放"))
    lead = next(h for h in res.handlers if h.role == "lead")
    assert "自己的名义" in lead.delegation["note_zh"] and "own name" in lead.delegation["note_en"]


@pytest.mark.parametrize("effective, recalled, as_of", [
    ("2026-01-01", None, TODAY),  # not yet in force
    ("2021-05-01", "2023-06-30", TODAY),  # recalled before the date
])
def test_a_delegation_not_in_force_does_not_apply(tmp_path, demo_store, effective, recalled, as_of):
    res = answer(demo_store, power(tmp_path), delegation(tmp_path, effective=effective, recalled=recalled),
                 as_of=as_of)
    assert res.rule == "department"
    assert any("不在有效期内" in n["zh"] for n in res.notes)


def test_as_of_a_date_inside_the_delegation_it_applies(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path), delegation(tmp_path, recalled="2023-06-30"), as_of=dt.date(2022, 1, 1))
    assert res.rule == "delegated"


def test_a_recall_beats_a_delegation_and_the_township_assists(tmp_path, demo_store):
    recall = township_list(tmp_path, "收回事项", ["序号", "事项名称", "承接部门", "工作方式"],
                           [1, MATTER, "县综合执法局", "发现上报、配合调查"])
    res = answer(demo_store, power(tmp_path), delegation(tmp_path), recall)
    assert res.rule == "recalled"
    assert roles(res) == {("青岚县综合行政执法局", "lead", "recalled"), ("城关镇人民政府", "assist", "recalled")}
    assert next(h for h in res.handlers if h.role == "assist").duty == "发现上报、配合调查"
    assert {o["rule"] for o in res.overridden} >= {"delegated", "department"}


def test_the_recall_applies_only_to_its_township(tmp_path, demo_store):
    recall = township_list(tmp_path, "收回事项", ["序号", "事项名称", "承接部门", "工作方式"], [1, MATTER, "县综合执法局", "上报"])
    res = answer(demo_store, power(tmp_path), delegation(tmp_path), recall, township=LJ)
    assert res.rule == "delegated"


def test_a_township_basic_duty_leads_through_its_office(tmp_path, demo_store):
    basic = township_list(tmp_path, "基本履职事项", ["序号", "事项名称", "责任科室"], [1, MATTER, "村镇规划建设办公室"])
    res = answer(demo_store, basic)
    assert roles(res) == {("村镇规划建设办公室", "lead", "basic")}


def test_cooperation_names_the_lead_department_and_the_township_with_their_duties(tmp_path, demo_store):
    coop = township_list(tmp_path, "配合履职事项", ["序号", "事项名称", "牵头部门", "部门职责", "乡镇职责", "配合部门"],
                         [1, MATTER, "县住建局", "负责查处", "发现制止、上报", "县公安局"])
    res = answer(demo_store, coop)
    assert res.rule == "cooperation"
    duties = {(h.agency["name"], h.role): h.duty for h in res.handlers}
    assert duties[("青岚县住房和城乡建设局", "lead")] == "负责查处"
    assert duties[("城关镇人民政府", "cooperate")] == "发现制止、上报"
    assert ("青岚县公安局", "cooperate") in duties


def test_a_power_exercised_at_township_level_belongs_to_the_township(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path, scope="乡镇权限"))
    assert roles(res) == {("城关镇人民政府", "lead", "basic")}


def test_nobody_is_said_plainly(tmp_path, demo_store):
    res = answer(demo_store, township_list(tmp_path, "基本履职事项", ["序号", "事项名称"], [1, MATTER], township="临江镇"))
    assert res.rule is None and res.handlers == []
    assert any("无人负责" in n["zh"] and "gap" in n["en"] for n in res.notes)


def test_two_departments_leading_one_matter_is_reported_as_a_conflict(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path), power(tmp_path, "青岚县综合行政执法局", file="p2.xlsx"))
    assert res.rule == "department"
    assert len(res.conflicts) == 1 and len(res.conflicts[0]["leads"]) == 2


def test_a_county_region_is_answered_at_county_level(tmp_path, demo_store):
    res = answer(demo_store, power(tmp_path), delegation(tmp_path), township=COUNTY)
    assert res.rule == "department"
    assert any("县级" in n["zh"] for n in res.notes)


def test_a_township_power_and_its_own_basic_list_are_one_lead_through_the_office(tmp_path, demo_store):
    basic = township_list(tmp_path, "基本履职事项", ["序号", "事项名称", "责任科室"], [1, MATTER, "村镇规划建设办公室"])
    res = answer(demo_store, power(tmp_path, scope="乡镇权限"), basic)
    assert roles(res) == {("村镇规划建设办公室", "lead", "basic")}
    assert res.conflicts == [] and len(res.handlers[0].sources) == 2
