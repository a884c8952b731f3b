"""The demo county's planted defects (demo/PLANTED.md): every rule fires on its planted case, with the rows that prove
it, and reports nothing else — in particular nothing on the parts built to be clean."""

import datetime as dt
import json
import re

import pytest
from quanze.api.audit import RULE_IDS, run_audit
from quanze.demo import demo_path
from quanze.graph.sqlite_store import SqliteStore
from quanze.ingest.pipeline import ingest_paths

AS_OF = dt.date(2025, 6, 1)
COUNTY = "990701"
PLANTED = demo_path().parent / "PLANTED.md"
CLEAN_TOWNSHIPS = ("渔梁镇", "樟湾镇", "岚桥镇", "茶岭乡", "云岫乡")
CLEAN_POWER_LISTS = ("power_gongan.xlsx", "power_weijian.csv", "power_linye.xlsx", "power_minzheng.csv",
                     "power_zigui.xlsx",  # 公安局、卫健局、林业局、民政局、资规局
                     # and the 15 lists of the whole catalogue: 人社、文广旅体、教育、医保、商务、发改、财政、退役军人、司法、
                     # 统计、工信、数据、审计、信访、县政府办 (PLANTED.md "Clean parts")
                     "power_renshe.xlsx", "power_wenguanglvti.xlsx", "power_jiaoyu.xlsx", "power_yibao.csv",
                     "power_shangwu.csv", "power_fagai.xlsx", "power_caizheng.xlsx", "power_tuiyijunren.csv",
                     "power_sifa.xlsx", "power_tongji.csv", "power_gongxin.xlsx", "power_shuju.xlsx",
                     "power_shenji.xlsx", "power_xinfang.xlsx", "power_zhengfuban.xlsx")
ML1 = "对擅自砍伐城市树木的行政处罚"
ML2 = "对未经定点从事生猪屠宰活动的行政处罚"

# (PLANTED id, rule, region name, matter name or None, rows (file, row) the finding must cite)
CASES = [
    ("ML-1", "multi-lead", "青岚县", ML1, {("power_zhujian.xlsx", 14), ("power_zonghezhifa.xlsx", 22)}),
    ("ML-2", "multi-lead", "凤栖镇", ML2, {("power_nongye.xlsx", 13), ("t005_fengqi.xlsx", 37)}),
    ("ML-3", "multi-lead", "云渡镇", "城镇燃气安全监督管理",
     {("territorial_2024.xlsx", 5), ("t006_yundu_cooperation.csv", 2)}),
    ("ML-4", "multi-lead", "青岚县", "对在人口集中地区和其他依法需要特殊保护的区域内焚烧秸秆、落叶等产生烟尘污染的物质的行政处罚",
     {("delegation_batch1_2021.xlsx", 50), ("delegation_batch2_2023.csv", 19)}),
    ("CL-1", "conflicting-lists", "陶坊镇", "做好农村公路日常养护管理",
     {("t010_taofang_basic.csv", 51), ("t010_taofang_recall.csv", 27)}),
    ("CL-2", "conflicting-lists", "黄茅乡", "对未经批准在河道管理范围内采砂的行政处罚",
     {("delegation_batch1_2021.xlsx", 56), ("t018_huangmao_recall.csv", 27)}),
    ("CM-1", "cooperation-mismatch", "鹤汀镇", "对未取得建设工程规划许可证进行建设的行政处罚",
     {("power_zonghezhifa.xlsx", 34), ("t013_heting.xlsx", 26)}),
    ("DU-1", "duplicate-item", "枫坳乡", "组织开展农村人居环境整治（村庄清洁行动）",
     {("t020_fengao_basic.csv", 41), ("t020_fengao_basic.csv", 48)}),
    ("DU-2", "duplicate-item", "栗坪乡", "配合做好电动自行车安全隐患排查", {("t023_liping.xlsx", 22), ("t023_liping.xlsx", 25)}),
    ("ND-1", "near-duplicate", "城关镇", "对擅自占用城市道路行为的行政处罚",
     {("power_zhujian.xlsx", 13), ("delegation_batch1_2021.xlsx", 8)}),
    ("ND-2", "near-duplicate", "雾岭乡", "做好农村留守儿童关爱保护工作", {("t017_wuling.xlsx", 18), ("t017_wuling.xlsx", 26)}),
    ("AM-1", "ambiguous-name", "青岚县", None, {("t008_wangchuan_cooperation.csv", 11)}),
    ("OR-1", "orphan-matter", "岚溪镇", "配合做好城乡供水一体化改造", {("t003_lanxi.xlsx", 24)}),
    ("OR-2", "orphan-matter", "汀埠镇", "配合做好传统村落保护规划实施", {("t009_tingbu.xlsx", 26)}),
    ("DP-1", "duty-without-power", "雁坪镇", "对未按规定办理养犬登记的行政处罚", {("t007_yanping.xlsx", 38)}),
    ("ML-2", "duty-without-power", "凤栖镇", ML2, {("t005_fengqi.xlsx", 37)}),  # "also duty-without-power"
    ("CU-1", "cannot-undertake", "漆园乡", None, {("township_units.xlsx", 200)}),
    ("IA-1", "idle-agency", "青岚县", None, {("departments.xlsx", 25)}),
    ("DR-1", "dangling-reference", "汀埠镇", None, {("t009_tingbu.xlsx", 26)}),
    ("DR-2", "dangling-reference", "青岚县", None, {("delegation_batch2_2023.csv", 14)}),
    ("TO-1", "territorial-overload", "城关镇", None, {("t001_chengguan.xlsx", 4)}),
]
# rules whose planted cases are checked by their own tests below, finding by finding
PER_TOWNSHIP = {"dormant-delegation", "understaffed"}


def planted_ids() -> dict[str, set[str]]:
    """Rule → the case ids PLANTED.md plants for it ("### ML-1 · 全县" under "## `multi-lead`")."""
    out: dict[str, set[str]] = {}
    rule = None
    for line in PLANTED.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## `([a-z-]+)`", line):
            rule = m.group(1)
        elif (m := re.match(r"^### ([A-Z]{2}-\d+)", line)) and rule:
            out.setdefault(rule, set()).add(m.group(1))
    return out


def planted_dormant() -> dict[str, tuple[int, int, int]]:
    """The DD-1 table: township → (delegated N, used k, cases)."""
    rows = re.findall(r"^\| (\S+[镇乡]) \| (\d+) \| (\d+) \| (\d+) \|$", PLANTED.read_text(encoding="utf-8"), re.MULTILINE)
    return {t: (int(n), int(k), int(c)) for t, n, k, c in rows}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The whole demo county — structure and every duty list — audited once."""
    assert (demo_path() / "lists").is_dir() and PLANTED.is_file(), "the demo's duty lists and PLANTED.md are missing"
    path = tmp_path_factory.mktemp("demo-audit") / "demo.db"
    store = SqliteStore(f"sqlite:///{path}")
    report = ingest_paths([demo_path()], store)
    assert report.ok, [p.format() for f in report.files for p in f.errors]
    yield store, run_audit(store, as_of=AS_OF)
    store.close()


def cited(finding) -> set[tuple[str, int]]:
    return {(s["file"], s["row"]) for s in finding.sources}


def test_every_rule_has_a_planted_case_and_this_test_knows_them_all():
    ids = planted_ids()
    assert set(ids) == set(RULE_IDS)
    known = {(rule, case) for case, rule, *_ in CASES}
    for rule, cases in ids.items():
        if rule not in PER_TOWNSHIP:
            assert {(rule, c) for c in cases} <= known, f"{rule}: PLANTED.md has cases this test does not check"


@pytest.mark.parametrize("case, rule, region, matter, rows", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_each_planted_case_is_found_with_the_rows_that_prove_it(demo, case, rule, region, matter, rows):
    _, report = demo
    found = [f for f in report.of(rule) if f.region["name"] == region
             and (matter is None or (f.matter or {}).get("name") == matter) and rows <= cited(f)]
    assert len(found) == 1, [(f.region, f.matter, sorted(cited(f))[:4]) for f in report.of(rule)]
    f = found[0]
    assert f.message_zh and f.message_en and f.severity


def test_nothing_but_the_planted_cases_is_reported(demo):
    _, report = demo
    expected = {rule: sum(1 for c in CASES if c[1] == rule) for rule in RULE_IDS if rule not in PER_TOWNSHIP}
    assert {rule: len(report.of(rule)) for rule in expected} == expected
    assert all(r["examined"] > 0 for r in report.rules), [r for r in report.rules if not r["examined"]]


def test_details_of_the_planted_cases(demo):
    _, report = demo
    (ml1,) = [f for f in report.of("multi-lead") if f.matter["name"] == ML1]
    assert len(ml1.townships) == 24  # in every township: neither delegated nor recalled anywhere
    (ml4,) = [f for f in report.of("multi-lead") if f.matter["name"].startswith("对在人口集中地区")]
    assert {t[-3:] for t in ml4.townships} == {"004", "005"}  # 柏溪镇、凤栖镇
    (am,) = report.of("ambiguous-name")
    assert {a["name"] for a in am.agencies} == {"青岚县城市建设综合执法大队", "青岚县农业综合行政执法大队"}
    (cu,) = report.of("cannot-undertake")
    assert cu.details["items"] == 79 and cu.details["certified_enforcers"] == 0
    assert cu.agencies[0]["id"] == "990701022/综合行政执法大队"
    (idle,) = report.of("idle-agency")
    assert idle.agencies[0]["name"] == "青岚县乡村振兴工作领导小组办公室"
    dr1, dr2 = sorted(report.of("dangling-reference"), key=lambda f: f.region["code"], reverse=True)
    assert "县城乡规划局" in dr1.message_zh and "西山镇" in dr2.message_zh
    (to,) = report.of("territorial-overload")
    assert to.details["items"] > 2 * to.details["county_median"]


def test_dormant_delegations_per_township_as_planted(demo):
    _, report = demo
    table = planted_dormant()
    assert len(table) == 24
    got = {f.region["name"]: (f.details["delegated"], f.details["used"], f.details["cases"])
           for f in report.of("dormant-delegation")}
    assert got == table


def test_the_135_items_16_cases_picture(demo):
    from quanze.api.audit import capacity_report

    store, _ = demo
    totals = capacity_report(store, COUNTY, as_of=AS_OF)["totals"]
    assert totals["delegation_rows"] == 135 and totals["cases_on_delegated"] == 16
    assert totals["delegations"] == sum(n for n, _, _ in planted_dormant().values())  # item × township, in force


def test_understaffed_is_yanbei_alone_by_quota_and_by_items_per_staff(demo):
    _, report = demo
    found = report.of("understaffed")
    assert {f.region["name"] for f in found} == {"岩背乡"}
    assert sum("合计编制36人，实有19人" in f.message_zh for f in found) == 1
    assert sum("编随事走" in f.message_zh for f in found) == 1
    units = {f.agencies[0]["name"] for f in found if "quota" in f.details and "items" not in f.details} - {"岩背乡人民政府"}
    assert len(units) == 8  # the 7 planted units and its 司法所 (1/2)


@pytest.mark.parametrize("township", CLEAN_TOWNSHIPS)
def test_clean_townships_show_only_the_county_wide_effects(demo, township):
    store, _ = demo
    report = run_audit(store, region=township, as_of=AS_OF)
    assert {(f.rule, (f.matter or {}).get("name")) for f in report.findings} == {("multi-lead", ML1),
                                                                                  ("dormant-delegation", None)}


def test_clean_department_power_lists_are_cited_by_no_finding(demo):
    _, report = demo
    assert not [f for f in report.findings if {s["file"] for s in f.sources} & set(CLEAN_POWER_LISTS)]


def test_the_only_names_that_do_not_resolve_are_the_planted_ones(demo):
    store, _ = demo
    assert {a["name"] for a in store.nodes("Agency", kind="unresolved")} == {"执法大队", "县城乡规划局"}


def test_the_demo_report_exports_and_prints(demo, tmp_path):
    from openpyxl import load_workbook
    from quanze.api.audit import write_csv, write_xlsx
    from quanze.cli.text import audit_text

    _, report = demo
    wb = load_workbook(write_xlsx(report, tmp_path / "demo.xlsx"))
    assert wb.sheetnames == ["汇总"] + [r["rule"] for r in report.rules if r["found"]]
    assert wb["dormant-delegation"].max_row == 25
    lines = write_csv(report, tmp_path / "demo.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) >= len(report.findings) + 1
    assert json.loads(json.dumps(report.to_dict()))["rules"] == report.rules
    text = audit_text(report)
    assert all(r["rule"] in text for r in report.rules) and "漆园乡综合行政执法大队" in text
