"""Evidence that cites its real source, agency kinds outside the county's own departments, and staffing that was not
given shown as unknown — on both stores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quanze.api.audit import capacity_report, run_audit
from quanze.api.describe import describe, store_summary
from quanze.cli.text import agency_text, summary_text
from quanze.ingest.pipeline import ingest_paths

AS_OF = "2025-06-01"
# 《title》「sheet」第12行, 第3、5行, 第1、2、3等行
CITATION = re.compile(r"《(?P<title>[^》]+)》(?:「(?P<sheet>[^」]+)」)?第(?P<rows>\d+(?:、\d+)*)等?行")
ROW = re.compile(r"第\d+(?:、\d+)*等?行")


@pytest.fixture(scope="module")
def demo_audit(demo_reader):
    titles = {lst["id"]: lst.get("title") or lst.get("file") for lst in demo_reader.nodes("SourceList")}
    return run_audit(demo_reader, as_of=AS_OF), titles


def test_every_citation_names_the_list_and_row_of_its_evidence(demo_audit):
    """Over every rule: each list-and-row a message cites is one of the finding's evidence rows (its own list's
    title, sheet and row), and no row is cited without its list."""
    report, titles = demo_audit
    checked = set()
    for f in report.findings:
        evidence = {(titles.get(s["list"]), s.get("sheet"), s.get("row")) for s in f.sources}
        cited = list(CITATION.finditer(f.message_zh))
        assert len(cited) == len(ROW.findall(f.message_zh)), f"a row cited without its list: {f.message_zh}"
        for c in cited:
            for row in c["rows"].split("、"):
                options = {(t, sh, r) for t, sh, r in evidence if t == c["title"] and r == int(row)}
                assert options and (c["sheet"] is None or any(sh == c["sheet"] for _, sh, _ in options)), (
                    f.rule, c.group(0), sorted(map(str, evidence))[:6])
        if cited:
            checked.add(f.rule)
    # every rule whose message points at list rows was checked on the demo
    assert {"multi-lead", "conflicting-lists", "cooperation-mismatch", "duplicate-item", "near-duplicate",
            "ambiguous-name", "orphan-matter", "duty-without-power", "dangling-reference"} <= checked


def test_the_territorial_row_is_cited_as_the_territorial_lists(demo_audit):
    """The probe: a multi-lead finding cited 配合履职事项清单第5行 for the county territorial list's row 5."""
    report, _ = demo_audit
    (f,) = [f for f in report.of("multi-lead") if f.region["name"] == "云渡镇"
            and (f.matter or {}).get("name") == "城镇燃气安全监督管理"]
    assert re.search(r"《[^》]*属地管理[^》]*》第5行", f.message_zh), f.message_zh
    assert "配合履职事项清单第5行" not in f.message_zh


STRUCTURE = """county: {code: '990703', name: 试点县}
townships:
- {code: '990703001', name: 东关镇, kind: 镇}
departments:
- {name: 试点县住房和城乡建设局, short: [县住建局], staffing: {admin_quota: 20, admin_actual: 18}}
- {name: 试点县民政局, short: [县民政局], staffing: {admin_quota: 12, admin_actual: 12}}
- {name: 试点县审计局, short: [县审计局], staffing: {admin_quota: 9, admin_actual: 9}}
- {name: 国家税务总局试点县税务局, staffing: {admin_quota: 60, admin_actual: 20}}
- {name: 试点县烟草专卖局}
- {name: 试点县气象局, staffing: {inst_quota: 8, inst_actual: 7}}
- {name: 国家统计局试点调查队}
- {name: 试点县总工会, staffing: {admin_quota: 6, admin_actual: 5}}
- {name: 共青团试点县委员会}
- {name: 试点县妇女联合会}
- {name: 试点县残疾人联合会, kind: 群团组织}
- {name: 试点县科学技术协会}
- {name: 试点县红十字会}
- {name: 试点县海关办事处, kind: 垂直管理机构}
- {name: 试点县统计局, short: [县统计局]}
township_units:
  东关镇:
  - {name: 综合行政执法大队}
"""
POWER = "序号,事项名称,事项类型\n1,建筑工程施工许可,行政许可\n2,对擅自砍伐城市树木的行政处罚,行政处罚\n"
EMPTY_POWER = "序号,事项名称,事项类型\n1,,行政给付\n"  # its one row has no name: rejected under --partial


def _county(folder: Path) -> list[Path]:
    (folder / "structure.yaml").write_text(STRUCTURE, encoding="utf-8")
    (folder / "住建.csv").write_text(POWER, encoding="utf-8")
    (folder / "住建.meta.yaml").write_text("kind: power\nregion: '990703'\nowner: 试点县住房和城乡建设局\n", encoding="utf-8")
    (folder / "民政.csv").write_text(EMPTY_POWER, encoding="utf-8")
    (folder / "民政.meta.yaml").write_text("kind: power\nregion: '990703'\nowner: 试点县民政局\n", encoding="utf-8")
    return [folder / "structure.yaml", folder / "住建.csv", folder / "民政.csv"]


def _load(store, folder: Path) -> None:
    structure, power, empty = _county(folder)
    for files, partial in (([structure, power], False), ([empty], True)):
        report = ingest_paths(files, store, partial=partial)
        assert report.ok, [p.format() for f in report.files for p in f.problems]
    assert [lst.get("status") for lst in store.nodes("SourceList") if lst.get("owner") == "990703/试点县民政局"] == [
        "current"]


def test_vertical_bodies_and_mass_organisations_are_their_own_kinds(any_store, tmp_path):
    _load(any_store, tmp_path)
    kinds = {a["name"]: a["kind"] for a in any_store.nodes("Agency", region="990703")}
    for name in ("国家税务总局试点县税务局", "试点县烟草专卖局", "试点县气象局", "国家统计局试点调查队", "试点县海关办事处"):
        assert kinds[name] == "vertical_body", name
    for name in ("试点县总工会", "共青团试点县委员会", "试点县妇女联合会", "试点县残疾人联合会", "试点县科学技术协会",
                 "试点县红十字会"):
        assert kinds[name] == "mass_organisation", name
    for name in ("试点县住房和城乡建设局", "试点县统计局", "试点县审计局"):
        assert kinds[name] == "county_department", name

    audit = run_audit(any_store, region="990703", as_of=AS_OF)
    # the tax bureau is two-thirds vacant, but its quota is not the county's: not a finding, a note
    assert not [f for f in audit.of("understaffed") if "税务" in f.message_zh]
    understaffed = next(r for r in audit.rules if r["rule"] == "understaffed")
    assert any("税务" in n["zh"] and "上级" in n["zh"] for n in understaffed["notes"])
    idle = next(r for r in audit.rules if r["rule"] == "idle-agency")
    notes = {n["why"]: n for n in idle["notes"]}
    # staffed and in no list: 审计局 and the union have no list of their own; 民政局's list is loaded but assigns
    # nothing (its one row was rejected)
    assert [a["name"] for a in notes["missing"]["agencies"]] == ["试点县审计局", "试点县总工会"]
    assert [a["name"] for a in notes["empty"]["agencies"]] == ["试点县民政局"]
    assert {a["name"] for a in notes["outside"]["agencies"]} == {"国家税务总局试点县税务局", "试点县气象局"}
    assert "缺清单" in notes["missing"]["zh"] and "没有给它指定任何事项" in notes["empty"]["zh"]

    capacity = capacity_report(any_store, "990703", as_of=AS_OF)
    county_row = next(r for r in capacity["staffing"] if r["level"] == "county")
    assert county_row["quota"] == 20 + 12 + 9 + 6  # the departments and the union, not the tax bureau's 60
    assert {a["name"] for a in capacity["outside_quota"]} >= {"国家税务总局试点县税务局", "试点县气象局"}
    township = capacity["townships"][0]
    assert township["staff_quota"] is None and township["staff_actual"] is None  # not given: unknown, not 0


def test_staffing_not_given_reads_unknown_never_zero(any_store, tmp_path):
    _load(any_store, tmp_path)
    summary = store_summary(any_store)
    county = next(c for c in summary["counties"] if c["code"] == "990703")
    assert county["staffing"]["law_quota"] is None and county["staffing"]["admin_quota"] == 20 + 12 + 9 + 6
    assert county["staffing_outside_quota"]["admin_quota"] == 60
    text = summary_text(summary)
    assert "政法 law 未填报 not given" in text and "0/0" not in text and "垂直管理机构" in text
    shown = agency_text(describe(any_store, "试点县烟草专卖局", "agency"))
    assert "未填报 not given" in shown and "vertical_body" in shown


def test_a_structure_table_says_the_kind_in_its_category_column(tmp_path, store):
    from quanze.tests.helpers import sheet

    (tmp_path / "county.yaml").write_text("county: {code: '990704', name: 表格县}\ntownships:\n"
                                          "- {code: '990704001', name: 南关镇}\n", encoding="utf-8")
    table = sheet(tmp_path / "机构编制表.xlsx", "表格县机构编制情况表", ["序号", "单位名称", "机构类别", "行政编制", "行政实有"],
                  [1, "表格县应急管理局", "党政机构", 10, 9], [2, "表格县邮政管理局", "垂直管理机构", 6, 6],
                  [3, "表格县残疾人联合会", "群团组织", 4, 3], [4, "表格县档案馆", "事业单位", None, None])
    report = ingest_paths([tmp_path / "county.yaml", table], store)
    assert report.ok, [p.format() for f in report.files for p in f.problems]
    assert not [p for f in report.files for p in f.problems if p.code == "unknown-kind"]
    kinds = {a["name"]: a["kind"] for a in store.nodes("Agency", region="990704")}
    assert kinds == {"表格县应急管理局": "county_department", "表格县邮政管理局": "vertical_body",
                     "表格县残疾人联合会": "mass_organisation", "表格县档案馆": "county_unit"}
