"""quanze who / dispatch: words and a place in, responsible agencies out — with the bad-input cases."""

import json
import subprocess
import sys

import pytest

from quanze.api.who import dispatch, who
from quanze.errors import BadDate
from quanze.errors import Ambiguous, NotFound, QuanzeError
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet

MATTER = "对擅自占用城市道路的处罚"
OTHER = "对餐饮服务业未安装油烟净化设施的处罚"




@pytest.fixture
def county(tmp_path, demo_store):
    files = [
        sheet(tmp_path / "p.xlsx", "青岚县住房和城乡建设局权责清单（2024年版）", ["职权编码", "职权名称", "职权类型", "设定依据"],
              ["Q001", MATTER, "行政处罚", "《城市道路管理条例》第四十二条"]),
        sheet(tmp_path / "p2.xlsx", "青岚县生态环境局权责清单（2024年版）", ["职权编码", "职权名称", "职权类型", "设定依据"],
              ["Q101", OTHER, "行政处罚", "《大气污染防治法》第一百一十八条"]),
        sheet(tmp_path / "d.xlsx", "青岚县赋予乡镇县级行政权力事项清单（第一批）",
              ["事项类型", "事项名称", "下放部门", "下放方式", "承接乡镇", "文号", "生效日期"],
              ["行政处罚", MATTER, "县住建局", "委托", "临江镇", "青政发〔2021〕15号", "2021-05-01"]),
        sheet(tmp_path / "c.xlsx", "青岚县城关镇配合履职事项清单", ["序号", "事项名称", "牵头部门", "部门职责", "乡镇职责"],
              [1, OTHER, "生态环境局", "负责查处", "发现上报"], name="配合履职事项"),
    ]
    assert ingest_paths(files, demo_store).ok
    return demo_store


def test_the_json_answer_has_the_documented_shape(county):
    out = who(county, MATTER, "临江镇", as_of="2025-01-01")
    assert out["query"] == MATTER and out["region"] == {"code": "990701002", "name": "临江镇", "level": "township"}
    top = out["matches"][0]
    assert top["matter"]["name"] == MATTER and top["matter"]["category"] == "行政处罚" and top["exact"]
    assert set(top) >= {"matter", "score", "handlers"}
    lead = top["handlers"][0]
    assert set(lead) >= {"agency", "role", "rule", "duty", "legal_basis", "delegation", "sources"}
    assert (lead["agency"]["name"], lead["role"], lead["rule"]) == ("综合行政执法大队", "lead", "delegated")
    assert lead["delegation"]["mode"] == "委托"
    assert set(lead["sources"][0]) >= {"list", "file", "sheet", "row"}
    json.dumps(out, ensure_ascii=False)


def test_the_same_words_elsewhere_get_the_department(county):
    top = who(county, MATTER, "城关镇")["matches"][0]
    assert top["rule"] == "department" and top["handlers"][0]["agency"]["name"] == "青岚县住房和城乡建设局"


def test_an_exact_code_ranks_first(county):
    assert who(county, "Q101", "城关镇")["matches"][0]["matter"]["name"] == OTHER


def test_dispatch_groups_departments_and_lists_the_stationed_units(county):
    plan = dispatch(county, OTHER, "城关镇")
    heads = [g["department"]["name"] for g in plan["groups"]]
    assert heads[0] == "青岚县生态环境局"
    assert "城关镇人民政府" in heads
    item = plan["groups"][0]["items"][0]
    assert item["role"] == "lead" and item["duty"] == "负责查处"
    names = {u["name"] for u in plan["stationed_units"]}
    assert "青岚县公安局城关派出所" in names and "青岚县司法局城关司法所" in names
    assert all(u["department"]["kind"] == "county_department" for u in plan["stationed_units"])


@pytest.mark.parametrize("text", ["", "   ", "占" * 500])
def test_empty_and_absurdly_long_queries_are_clear_errors(county, text):
    with pytest.raises(QuanzeError) as e:
        who(county, text, "城关镇")
    assert e.value.message_zh and e.value.message_en


def test_an_ambiguous_region_lists_the_candidates(county):
    with pytest.raises(Ambiguous) as e:
        who(county, MATTER, "太平镇")  # 50 towns of that name, none in the graph
    assert len(e.value.candidates) > 10


def test_unknown_regions_and_dates(county):
    with pytest.raises(NotFound):
        who(county, MATTER, "西山镇镇")
    with pytest.raises(NotFound) as e:
        who(county, MATTER, "桐庐县")  # a real county that is not in the graph
    assert "尚未导入" in e.value.message_zh
    with pytest.raises(BadDate) as e:
        who(county, MATTER, "城关镇", as_of="去年五月")
    assert "2025-06-01" in e.value.message_zh


def test_a_county_is_answered_at_county_level(county):
    top = who(county, MATTER, "青岚县")["matches"][0]
    assert top["rule"] == "department"
    assert any("县级" in n["zh"] for n in top["notes"])


def test_nobody_shows_the_closest_matters_that_have_a_handler(tmp_path, county):
    path = sheet(tmp_path / "b.xlsx", "青岚县城关镇履行职责事项清单", ["序号", "事项名称"], [1, "城市道路占用巡查"],
                 name="基本履职事项")
    assert ingest_paths([path], county).ok
    out = who(county, "城市道路占用巡查", "雾岭乡")
    assert out["matches"][0]["matter"]["name"] == "城市道路占用巡查" and out["matches"][0]["handlers"] == []
    assert "雾岭乡" in out["nobody"]["zh"] and "gap" in out["nobody"]["en"]
    assert MATTER in [m["matter"]["name"] for m in out["closest_with_handlers"]]


def test_the_command_line_answers_in_chinese_and_json(county):
    r = subprocess.run([sys.executable, "-m", "quanze.cli", "who", MATTER, "--in", "临江镇", "--store", county.url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "牵头" in r.stdout and "综合行政执法大队" in r.stdout and "委托" in r.stdout and "来源" in r.stdout
    r = subprocess.run([sys.executable, "-m", "quanze.cli", "dispatch", OTHER, "--in", "城关镇", "--store", county.url,
                        "--json"], capture_output=True, text=True, timeout=120)
    assert json.loads(r.stdout)["groups"]
    r = subprocess.run([sys.executable, "-m", "quanze.cli", "who", " ", "--in", "城关镇", "--store", county.url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "error" in r.stderr


# --- asking back, and naming a township's unit ---------------------------------------------------------------------

def _hit(matter_id: str, score: float, exact: bool = False):
    from types import SimpleNamespace

    return SimpleNamespace(matter_id=matter_id, score=score, exact=exact)


def _answered(leads: dict[str, str | None]):
    def answer(hit):
        lead = leads[hit.matter_id]
        return {"matter": {"id": hit.matter_id, "name": hit.matter_id}, "rule": "department", "score": hit.score,
                "handlers": [{"role": "lead", "agency": {"id": lead, "name": lead}}] if lead else []}
    return answer


def test_close_candidates_with_different_leads_are_offered_one_option_per_lead():
    from quanze.api.who import CLARIFY_OPTIONS, clarify

    leads = {"m1": "甲", "m2": "乙", "m3": "甲", "m4": "丙", "m5": "丁", "m6": "戊", "m7": None}
    hits = [_hit(m, s) for m, s in zip(leads, (5.0, 4.8, 4.6, 4.4, 4.2, 4.1, 4.0))]
    options = clarify(hits, _answered(leads))
    assert [o["lead"]["id"] for o in options] == ["甲", "乙", "丙", "丁"][:CLARIFY_OPTIONS]
    assert options[0]["matter"]["id"] == "m1"  # each lead with its best-scoring matter
    # far apart, one lead, or an exact name: nothing to ask
    assert clarify([_hit("m1", 5.0), _hit("m2", 2.0)], _answered(leads)) == []
    assert clarify([_hit("m1", 5.0), _hit("m3", 4.9)], _answered(leads)) == []
    assert clarify([_hit("m1", 5.0, exact=True), _hit("m2", 4.9)], _answered(leads)) == []


def test_a_township_unit_is_named_with_its_township(county):
    out = who(county, MATTER, "临江镇", as_of="2025-01-01")
    leads = [h["agency"] for h in out["matches"][0]["handlers"] if h["role"] == "lead"]
    assert leads and all(a["label"].startswith("临江镇") for a in leads if len(a["region"]) == 9)
    assert any(len(a["region"]) == 9 for a in leads)  # the delegated item's undertaker is the township's unit


def test_the_matter_chosen_among_the_options_is_answered_first_and_nothing_more_is_asked(demo_reader):
    q, town = "楼下饭馆油烟太大", "城关镇"
    plain = who(demo_reader, q, town, limit=5)
    options = plain["clarify"] or [{"matter": m["matter"]} for m in plain["matches"][:2]]
    chosen = options[-1]["matter"]
    out = who(demo_reader, q, town, limit=5, matter=chosen["id"])
    assert out["matches"][0]["matter"]["id"] == chosen["id"] and out["clarify"] == []
    assert out["chosen"] == {"id": chosen["id"], "name": chosen["name"]}
    assert [m["matter"]["id"] for m in out["matches"]].count(chosen["id"]) == 1
    # by its whole name too, and a matter the words never found is still answered
    far = demo_reader.nodes("Matter", name="社会团体成立登记") or demo_reader.nodes("Matter")[:1]
    out = who(demo_reader, q, town, matter=far[0]["name"])
    assert out["matches"][0]["matter"]["name"] == far[0]["name"] and out["matches"][0]["matched"] == ["选定 chosen"]
    with pytest.raises(NotFound):
        who(demo_reader, q, town, matter="没有这个事项")
