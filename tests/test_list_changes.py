"""Lists change every year: a load says what it will change before changing it, a supplement adds, a load that would
remove what a current version asserts needs --replace, and --partial keeps every rejected row with its reason — on
both stores (embedded and Neo4j)."""

from __future__ import annotations

import json
import shutil

import pytest

from quanze.cli import main
from quanze.demo import demo_path
from quanze.ingest.pipeline import ingest_paths

BAIXI = "990701004"
TOWNSHIPS = demo_path() / "lists" / "townships"
SUPPLEMENT = """柏溪镇基本履职事项清单（2026年补充）,,
序号,事项名称,责任单位
1,组织开展秸秆禁烧巡查,农业综合服务中心
2,做好地质灾害隐患点巡查,村镇规划建设办公室
3,,党政办公室
4,推进农村电商服务站建设,农业综合服务中心
5,做好乡村公益性岗位管理,社会事务办公室
"""


@pytest.fixture(params=["sqlite", "neo4j"])
def county(request, demo_store, tmp_path_factory):
    """The demo county's structure with 柏溪镇's 2025 basic list (47 rows), embedded or copied into Neo4j."""
    folder = tmp_path_factory.mktemp("baixi")
    for name in ("t004_baixi_basic.csv", "t004_baixi_basic.meta.yaml"):
        shutil.copy(TOWNSHIPS / name, folder / name)
    assert ingest_paths([folder], demo_store).ok
    if request.param == "sqlite":
        return demo_store
    from quanze.graph.copy import copy_store

    neo4j = request.getfixturevalue("neo4j_store")
    copy_store(demo_store, neo4j)
    return neo4j


def baixi_leads(store):
    return {(store.node("Matter", r.target)["name"], r.source) for r in store.rels("LEADS", region=BAIXI)}


def test_the_new_users_supplement_adds_four_duties_and_removes_none(tmp_path, county):
    from quanze.api.who import who

    before = baixi_leads(county)
    assert len(before) == 47
    path = tmp_path / "supplement.csv"
    path.write_text(SUPPLEMENT, encoding="utf-8")

    dry = ingest_paths([path], county, partial=True, dry_run=True)
    (f,) = dry.files
    assert f.status == "would-load-partially" and dry.ok
    (change,) = f.changes
    assert change["mode"] == "supplement" and change["replaces"] == []
    assert change["supplements"]["title"] == "青岚县柏溪镇基本履职事项清单（2025年版）"
    assert change["counts"] == {"added": 4, "removed": 0, "changed": 0, "orphans": 0}
    assert {i["matter"]["name"] for i in change["added"]} == {"组织开展秸秆禁烧巡查", "做好地质灾害隐患点巡查",
                                                               "推进农村电商服务站建设", "做好乡村公益性岗位管理"}
    assert all(i["after"] == [{"list": change["list"], "file": "supplement.csv", "sheet": None, "row": i["after"][0]["row"]}]
               for i in change["added"])
    assert baixi_leads(county) == before  # a dry run writes nothing

    report = ingest_paths([path], county, partial=True)
    assert report.ok and report.files[0].status == "partial"
    after = baixi_leads(county)
    assert before < after and len(after - before) == 4
    lists = {s["title"]: s for s in county.nodes("SourceList", kind="basic")}
    base, supplement = lists["青岚县柏溪镇基本履职事项清单（2025年版）"], lists["柏溪镇基本履职事项清单（2026年补充）"]
    assert base["status"] == supplement["status"] == "current" and supplement["supplements"] == base["id"]
    # --partial keeps every rejected row with its reason: the empty-name row included
    (rejected,) = supplement["rejected"]
    assert rejected["row"] == 5 and rejected["reason"]["code"] == "missing-value"
    assert "党政办公室" in rejected["cells"].values() and rejected["reason"]["zh"] == "事项名称为空"
    answer = who(county, "做好村级应急队伍建设和应急物资储备", "柏溪镇", limit=1)
    assert answer["matches"][0]["rule"] == "basic" and answer["matches"][0]["handlers"]


def test_a_load_that_would_remove_duties_is_refused_with_its_report_unless_replace(tmp_path, county):
    path = tmp_path / "full.csv"
    path.write_text(SUPPLEMENT.replace("2026年补充", "2026年版"), encoding="utf-8")
    content = county.content()
    report = ingest_paths([path], county, partial=True)
    assert not report.ok and report.files[0].status == "rejected"
    assert county.content() == content
    (refusal,) = [p for p in report.files[0].problems if p.code == "would-remove"]
    assert refusal.file == "full.csv" and "--replace" in refusal.message_zh and "--replace" in refusal.message_en
    (change,) = report.files[0].changes
    assert change["mode"] == "replace" and change["replaces"][0]["rows"] == 47
    assert change["counts"]["removed"] == 47 and change["counts"]["added"] == 4
    orphans = {o["matter"]["name"] for o in change["orphans"]}
    assert "做好村级应急队伍建设和应急物资储备" in orphans and change["counts"]["orphans"] == len(orphans)
    (lost,) = [o for o in change["orphans"] if o["matter"]["name"] == "做好村级应急队伍建设和应急物资储备"]
    assert lost["regions"] == [{"code": BAIXI, "name": "柏溪镇"}]
    assert lost["before"][0]["file"] == "t004_baixi_basic.csv" and lost["before"][0]["row"] == 55

    replaced = ingest_paths([path], county, partial=True, replace=True)
    assert replaced.ok and len(baixi_leads(county)) == 4
    old = next(s for s in county.nodes("SourceList", kind="basic") if s["status"] == "replaced")
    assert old["replaced_by"] == replaced.files[0].changes[0]["list"]
    assert len([a for a in old["assertions"] if a["type"] == "LEADS"]) == 47


def test_a_full_version_replaces_the_list_and_its_supplements(tmp_path, county):
    supplement = tmp_path / "supplement.csv"
    supplement.write_text(SUPPLEMENT, encoding="utf-8")
    assert ingest_paths([supplement], county, partial=True).ok
    full = tmp_path / "t004_2027.csv"
    shutil.copy(TOWNSHIPS / "t004_baixi_basic.csv", full)
    (tmp_path / "t004_2027.meta.yaml").write_text(
        (TOWNSHIPS / "t004_baixi_basic.meta.yaml").read_text(encoding="utf-8").replace("2025", "2027"), encoding="utf-8")
    report = ingest_paths([full], county)
    assert not report.ok  # the supplement's four duties would go
    (change,) = report.files[0].changes
    assert change["counts"]["removed"] == 4 and change["counts"]["added"] == 0
    assert {v["title"] for v in change["replaces"]} == {"青岚县柏溪镇基本履职事项清单（2025年版）",
                                                         "柏溪镇基本履职事项清单（2026年补充）"}
    assert ingest_paths([full], county, replace=True).ok
    statuses = {s["title"]: s["status"] for s in county.nodes("SourceList", kind="basic")}
    assert statuses == {"青岚县柏溪镇基本履职事项清单（2025年版）": "replaced", "柏溪镇基本履职事项清单（2026年补充）": "replaced",
                        "青岚县柏溪镇基本履职事项清单（2027年版）": "current"}
    assert len(baixi_leads(county)) == 47


def test_a_supplement_by_sidecar_or_option_and_a_reload_changes_nothing(tmp_path, county):
    path = tmp_path / "extra.csv"
    path.write_text(SUPPLEMENT.replace("（2026年补充）", "（2026年）").replace("3,,党政办公室\n", ""), encoding="utf-8")
    report = ingest_paths([path], county, dry_run=True)
    assert not report.ok  # not said to be a supplement: it would replace the list
    assert ingest_paths([path], county, supplement=True).ok
    assert len(baixi_leads(county)) == 51
    again = ingest_paths([path], county, supplement=True)
    assert again.files[0].status == "unchanged" and again.files[0].changes == []
    other = tmp_path / "other.csv"
    other.write_text(SUPPLEMENT.replace("（2026年补充）", "（2026年二）").replace("3,,党政办公室\n", ""), encoding="utf-8")
    (tmp_path / "other.meta.yaml").write_text("supplement: true\n", encoding="utf-8")
    report = ingest_paths([other], county)
    assert report.ok and report.files[0].changes[0]["mode"] == "supplement"


def test_a_new_version_that_changes_a_lead_says_so_with_both_rows_and_needs_replace(tmp_path, county):
    text = (TOWNSHIPS / "t004_baixi_basic.csv").read_bytes().decode("gbk")
    text = text.replace("政府信息公开条例》第十条,党政办公室", "政府信息公开条例》第十条,经济发展办公室").replace(
        "突发事件应对法》第二十六条", "突发事件应对法》第二十七条").replace(
        "４７,做好政务公开", "４８,做好乡村公益性岗位管理,,,社会事务办公室\r\n４７,做好政务公开")
    path = tmp_path / "t004_2026.csv"
    path.write_bytes(text.encode("gbk"))
    (tmp_path / "t004_2026.meta.yaml").write_text(
        (TOWNSHIPS / "t004_baixi_basic.meta.yaml").read_text(encoding="utf-8").replace("2025", "2026"), encoding="utf-8")
    report = ingest_paths([path], county, dry_run=True)
    (change,) = report.files[0].changes
    assert change["counts"] == {"added": 2, "removed": 1, "changed": 1, "orphans": 0} and not report.ok
    (moved,) = change["removed"]
    assert moved["matter"]["name"] == "做好政务公开和政务服务" and moved["agency"]["name"] == "党政办公室"
    assert moved["before"][0]["row"] == 57 and moved["after"] == []
    (changed,) = change["changed"]
    assert changed["fields"] == {"legal_basis": ["《中华人民共和国突发事件应对法》第二十六条",
                                                 "《中华人民共和国突发事件应对法》第二十七条"]}
    assert changed["before"][0]["file"] == "t004_baixi_basic.csv" and changed["after"][0]["file"] == "t004_2026.csv"
    assert ingest_paths([path], county, replace=True).ok
    assert ("做好政务公开和政务服务", "990701004/经济发展办公室") in baixi_leads(county)


def test_the_cli_dry_run_never_says_validated_beside_an_error(tmp_path, demo_store, capsys):
    folder = tmp_path / "baixi"
    folder.mkdir()
    for name in ("t004_baixi_basic.csv", "t004_baixi_basic.meta.yaml"):
        shutil.copy(TOWNSHIPS / name, folder / name)
    url = f"sqlite:///{demo_store.path}"
    assert main(["ingest", str(folder), "--store", url]) == 0
    path = tmp_path / "supplement.csv"
    path.write_text(SUPPLEMENT, encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(path), "--store", url, "--partial", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "validated" not in text and "校验通过" not in text
    assert "可部分导入" in text and "would load in part" in text and "新增 added 4" in text
    assert main(["ingest", str(path), "--store", url, "--dry-run", "--json"]) == 1  # without --partial: rejected
    data = json.loads(capsys.readouterr().out)
    assert data["files"][0]["status"] == "rejected" and data["files"][0]["errors"] == 1
    assert [p["code"] for p in data["files"][0]["problems"]] == ["missing-value"]


def test_a_workbook_with_one_sheet_refused_loads_none_of_its_sheets(tmp_path, demo_store):
    """Nothing of a file with a rejected list is written, though its other sheets were good (was: they loaded)."""
    from quanze.tests.helpers import workbook

    for name in ("t004_baixi_basic.csv", "t004_baixi_basic.meta.yaml"):
        shutil.copy(TOWNSHIPS / name, tmp_path / name)
    assert ingest_paths([tmp_path / "t004_baixi_basic.csv"], demo_store).ok
    before = demo_store.content()
    path = workbook(tmp_path / "baixi2026.xlsx", {
        "基本履职事项": [["青岚县柏溪镇履行职责事项清单（2026年版）"], ["序号", "事项名称", "责任单位"],
                   [1, "组织开展秸秆禁烧巡查", "农业综合服务中心"]],  # would drop the 2025 list's 47 items
        "配合履职事项": [["青岚县柏溪镇履行职责事项清单（2026年版）"], ["序号", "事项名称", "主体责任部门", "乡镇职责"],
                   [1, "违法建设查处", "县住建局", "发现上报"]]})  # a first load: fine on its own
    report = ingest_paths([path], demo_store)
    assert not report.ok and report.files[0].status == "rejected"
    assert {(p.code, p.sheet) for p in report.files[0].problems} >= {("would-remove", "基本履职事项"),
                                                                     ("file-rejected", "配合履职事项")}
    assert [entry["status"] for entry in report.files[0].lists] == ["rejected", "rejected"]
    assert demo_store.content() == before
