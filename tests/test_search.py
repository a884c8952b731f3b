"""Matter search from a dispatcher's words: ranking, synonyms, exact codes and names, and bad queries.

The matters below are worded as real county and township lists word them; the queries as a 12345 dispatcher types a
citizen's complaint. Where a query honestly fits two matters, the test accepts the top 3 and says why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quanze.api.inputs import question
from quanze.api.phrases import Phrases
from quanze.api.search import Hit, MatterIndex, Synonyms, asks_for_permit, load_synonyms, searchable
from quanze.errors import BadQuery
from quanze.errors import InputError, QuanzeError
from quanze.graph.matters import matter_id, norm_matter_name

# (code, name, category, domain, legal basis); code None → the matter is keyed by its name
MATTERS: list[tuple[str | None, str, str | None, str, str]] = [
    ("330217001", "对农村居民未经批准或者违反规划的规定建住宅的行政处罚", "行政处罚", "城乡建设",
     "《村庄和集镇规划建设管理条例》第三十七条"),
    ("330217002", "对未取得乡村建设规划许可证或者未按照乡村建设规划许可证的规定进行建设的处罚", "行政处罚", "城乡建设",
     "《中华人民共和国城乡规划法》第六十五条"),
    ("330217003", "乡村建设规划许可证核发", "行政许可", "城乡建设", "《中华人民共和国城乡规划法》第四十一条"),
    ("330217004", "对未取得建设工程规划许可证进行建设的处罚", "行政处罚", "城乡建设",
     "《中华人民共和国城乡规划法》第六十四条"),
    ("330217005", "对擅自占用城市道路、桥梁行为的处罚", "行政处罚", "综合行政执法", "《城市道路管理条例》第四十二条"),
    ("330217006", "对在城市道路两侧和公共场地擅自摆摊设点、占道经营的处罚", "行政处罚", "综合行政执法",
     "《城市市容和环境卫生管理条例》第三十六条"),
    ("330217007", "对餐饮服务业未安装油烟净化设施的处罚", "行政处罚", "生态环境",
     "《中华人民共和国大气污染防治法》第一百一十八条"),
    ("330217008", "对在城市人民政府禁止的区域内露天烧烤食品的处罚", "行政处罚", "综合行政执法",
     "《中华人民共和国大气污染防治法》第一百一十八条第三款"),
    ("330217009", "对使用禁用渔具、电鱼炸鱼毒鱼的处罚", "行政处罚", "农业农村", "《中华人民共和国渔业法》第三十八条"),
    ("330217010", "农产品质量安全监督检查", "行政检查", "农业农村", "《中华人民共和国农产品质量安全法》第五十四条"),
    ("330217011", "对农药经营者经营假农药的处罚", "行政处罚", "农业农村", "《农药管理条例》第五十五条"),
    ("330217012", "对违反规定露天焚烧秸秆的处罚", "行政处罚", "生态环境",
     "《中华人民共和国大气污染防治法》第一百一十九条"),
    ("330217013", "最低生活保障审核确认", "行政确认", "民政", "《社会救助暂行办法》第十一条"),
    ("330217014", "特困人员救助供养审核确认", "行政确认", "民政", "《社会救助暂行办法》第十五条"),
    ("330217015", "临时救助", "行政给付", "民政", "《社会救助暂行办法》第四十八条"),
    ("330217016", "对非法占用土地的处罚", "行政处罚", "自然资源", "《中华人民共和国土地管理法》第七十七条"),
    ("330217017", "对未取得采矿许可证擅自采矿的处罚", "行政处罚", "自然资源", "《中华人民共和国矿产资源法》第三十九条"),
    (None, "地质灾害隐患点巡查和险情报告", None, "自然资源", "《地质灾害防治条例》第十五条"),
    ("330217019", "对未经许可在河道管理范围内从事采砂活动的处罚", "行政处罚", "水利",
     "《中华人民共和国河道管理条例》第四十四条"),
    ("330217020", "对滥伐林木的处罚", "行政处罚", "林业", "《中华人民共和国森林法》第七十六条"),
    ("330217021", "对违反规定野外用火的处罚", "行政处罚", "林业", "《森林防火条例》第五十条"),
    (None, "森林防火宣传教育和日常巡查", None, "林业", "《森林防火条例》第十一条"),
    ("330217023", "对非法猎捕、杀害国家重点保护野生动物的处罚", "行政处罚", "林业",
     "《中华人民共和国野生动物保护法》第四十八条"),
    ("330217024", "对个人未按规定办理养犬登记、饲养烈性犬的处罚", "行政处罚", "公安", "《浙江省养犬管理条例》第三十四条"),
    ("330217025", "对通过暗管、渗井等逃避监管的方式排放水污染物的处罚", "行政处罚", "生态环境",
     "《中华人民共和国水污染防治法》第八十三条"),
    ("330217026", "对商业经营活动中使用高音广播喇叭招揽顾客的处罚", "行政处罚", "生态环境",
     "《中华人民共和国噪声污染防治法》第八十二条"),
    ("330217027", "对建筑施工单位在噪声敏感建筑物集中区域夜间施工作业的处罚", "行政处罚", "生态环境",
     "《中华人民共和国噪声污染防治法》第七十七条"),
    ("330217028", "对随意倾倒、抛撒、堆放建筑垃圾的处罚", "行政处罚", "综合行政执法", "《城市建筑垃圾管理规定》第二十条"),
    ("330217029", "对随意倾倒、抛撒或者堆放生活垃圾的处罚", "行政处罚", "综合行政执法",
     "《中华人民共和国固体废物污染环境防治法》第一百一十一条"),
    ("330217030", "对运输建筑垃圾的车辆沿途丢弃、遗撒的处罚", "行政处罚", "综合行政执法", "《城市建筑垃圾管理规定》第二十三条"),
    ("330217031", "对未取得《医疗机构执业许可证》擅自执业的处罚", "行政处罚", "卫生健康",
     "《中华人民共和国基本医疗卫生与健康促进法》第九十九条"),
    ("330217032", "对在产品中掺杂、掺假，以假充真，以次充好的处罚", "行政处罚", "市场监管",
     "《中华人民共和国产品质量法》第五十条"),
    ("330217033", "对食品生产加工小作坊未取得登记证从事生产的处罚", "行政处罚", "市场监管",
     "《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》第三十条"),
    ("330217034", "对从事无证无照经营的查处", "行政处罚", "市场监管", "《无证无照经营查处办法》第十三条"),
    ("330217035", "对用人单位克扣或者无故拖欠劳动者工资报酬的行政处理", "行政处罚", "人力资源和社会保障",
     "《劳动保障监察条例》第二十六条"),
    ("330217036", "农村危房改造补助对象审核", "行政给付", "城乡建设", "《农村危房改造补助资金管理办法》"),
    ("330217037", "对占用、堵塞、封闭消防车通道的处罚", "行政处罚", "消防", "《中华人民共和国消防法》第六十条"),
    ("330217038", "户外广告设施设置审批", "行政许可", "综合行政执法", "《城市市容和环境卫生管理条例》第十一条"),
    ("330217039", "对擅自设置大型户外广告影响市容的处罚", "行政处罚", "综合行政执法",
     "《城市市容和环境卫生管理条例》第三十六条"),
    ("330217040", "对在公路上打场晒粮、堆放物品的处罚", "行政处罚", "交通运输", "《中华人民共和国公路法》第七十七条"),
    ("330217041", "对互联网上网服务营业场所经营单位接纳未成年人进入营业场所的处罚", "行政处罚", "文化旅游",
     "《互联网上网服务营业场所管理条例》第三十一条"),
    ("330217042", "对赌博或者为赌博提供条件的处罚", "行政处罚", "公安", "《中华人民共和国治安管理处罚法》第七十条"),
    ("330217043", "对在禁止燃放区域燃放烟花爆竹的处罚", "行政处罚", "公安", "《烟花爆竹安全管理条例》第四十二条"),
    ("330217044", "城乡居民基本养老保险参保登记", "公共服务", "人力资源和社会保障", "《中华人民共和国社会保险法》第二十条"),
    ("330217045", "对未经定点从事生猪屠宰活动的处罚", "行政处罚", "农业农村", "《生猪屠宰管理条例》第三十一条"),
    ("330217046", "对使用不合格计量器具或者破坏计量器具准确度的处罚", "行政处罚", "市场监管",
     "《中华人民共和国计量法实施细则》第四十三条"),
    ("330217047", "对在公墓和农村公益性墓地以外的其他区域建造坟墓的处罚", "行政处罚", "民政", "《殡葬管理条例》第二十条"),
    ("330217048", "婚姻登记", "行政确认", "民政", "《婚姻登记条例》第二条"),
    ("330217049", "对车辆超限运输的处罚", "行政处罚", "交通运输", "《公路安全保护条例》第六十四条"),
    ("330217050", "对毁坏林木、毁林开垦的处罚", "行政处罚", "林业", "《中华人民共和国森林法》第七十四条"),
]


def _matter(code: str | None, name: str, category: str | None, domain: str, basis: str,
            sub_item: str | None = None) -> dict:
    """A matter as ``store.nodes("Matter")`` returns it."""
    return {"id": matter_id(code, name, sub_item), "name": name, "code": code,
            "norm_name": norm_matter_name(name, sub_item), "sub_item": sub_item, "category": category,
            "legal_basis": basis, "domain": domain}


def _matters() -> list[dict]:
    return [_matter(*row) for row in MATTERS]


def _id(name: str) -> str:
    for m in _matters():
        if m["name"] == name:
            return m["id"]
    raise KeyError(name)


@pytest.fixture(scope="module")
def index() -> MatterIndex:
    return MatterIndex(_matters())


def _names(hits: list[Hit]) -> list[str]:
    by_id = {m["id"]: m["name"] for m in _matters()}
    return [by_id[h.matter_id] for h in hits]


def _shares_bigram(a: str, b: str) -> bool:
    return any(a[i:i + 2] in b for i in range(len(a) - 1))


# --- the dispatcher's words -----------------------------------------------------------------------------------

# (query, expected matter, rank it must reach at worst, shares no two-character substring with the name)
DISPATCH = [
    # the five phrasings of the brief
    ("村里有人没批就盖房子", "对农村居民未经批准或者违反规划的规定建住宅的行政处罚", 1, True),
    ("占道经营", "对在城市道路两侧和公共场地擅自摆摊设点、占道经营的处罚", 1, False),
    ("农药残留检查", "农产品质量安全监督检查", 1, False),
    ("饭店油烟太大", "对餐饮服务业未安装油烟净化设施的处罚", 1, False),
    ("河里有人电鱼", "对使用禁用渔具、电鱼炸鱼毒鱼的处罚", 1, False),
    # more, worded as citizens word them
    ("田里有人烧稻草冒烟", "对违反规定露天焚烧秸秆的处罚", 1, True),
    ("家里困难想申请低保", "最低生活保障审核确认", 1, True),
    ("包工头跑了讨不到工钱", "对用人单位克扣或者无故拖欠劳动者工资报酬的行政处理", 1, True),
    ("黑诊所给人看病", "对未取得《医疗机构执业许可证》擅自执业的处罚", 1, True),
    ("河边偷偷挖沙", "对未经许可在河道管理范围内从事采砂活动的处罚", 1, True),
    ("有人上山乱砍树", "对滥伐林木的处罚", 1, True),
    ("邻居家的狗咬人", "对个人未按规定办理养犬登记、饲养烈性犬的处罚", 1, True),
    ("工厂偷偷往河里排污水", "对通过暗管、渗井等逃避监管的方式排放水污染物的处罚", 1, True),
    ("小区门口有人卖假货", "对在产品中掺杂、掺假，以假充真，以次充好的处罚", 1, True),
    ("开店没有营业执照", "对从事无证无照经营的查处", 1, True),
    ("后山滑坡了", "地质灾害隐患点巡查和险情报告", 1, True),
    ("卖菜的秤不准缺斤少两", "对使用不合格计量器具或者破坏计量器具准确度的处罚", 1, True),
    ("有人私自杀猪卖肉", "对未经定点从事生猪屠宰活动的处罚", 1, True),
    ("村里有人聚众打牌赌钱", "对赌博或者为赌博提供条件的处罚", 1, True),
    ("大货车超载压坏路", "对车辆超限运输的处罚", 1, True),
    ("有人偷偷挖矿", "对未取得采矿许可证擅自采矿的处罚", 1, True),
    ("有人在山上抓鸟卖", "对非法猎捕、杀害国家重点保护野生动物的处罚", 1, True),
    ("路口小作坊做馒头不卫生", "对食品生产加工小作坊未取得登记证从事生产的处罚", 1, False),
    ("消防通道被车堵了", "对占用、堵塞、封闭消防车通道的处罚", 1, False),
    ("商店门口大喇叭太吵", "对商业经营活动中使用高音广播喇叭招揽顾客的处罚", 1, False),
    ("晚上工地施工太吵睡不着", "对建筑施工单位在噪声敏感建筑物集中区域夜间施工作业的处罚", 1, False),
    ("公路上晒稻谷", "对在公路上打场晒粮、堆放物品的处罚", 1, False),
    ("网吧让小孩进去上网", "对互联网上网服务营业场所经营单位接纳未成年人进入营业场所的处罚", 1, False),
    ("老房子成了危房想申请补助", "农村危房改造补助对象审核", 1, False),
    ("去哪里办结婚登记", "婚姻登记", 1, False),
    ("孤寡老人没人养", "特困人员救助供养审核确认", 1, True),
    ("路边摆摊卖水果", "对在城市道路两侧和公共场地擅自摆摊设点、占道经营的处罚", 1, False),
    # 渣土车 is both 建筑垃圾运输 (the vehicle drops it) and 倾倒建筑垃圾 (it dumps it): both are fair answers
    ("渣土车沿路掉土", "对运输建筑垃圾的车辆沿途丢弃、遗撒的处罚", 3, True),
    # 上坟烧纸 starting a hill fire is 野外用火 (the penalty) but also what 森林防火巡查 (the duty) is about
    ("上坟烧纸引起山火", "对违反规定野外用火的处罚", 3, True),
    # 在山上修坟 could also read as land or forest use; the 殡葬 penalty must be among the first
    ("在山上乱修坟", "对在公墓和农村公益性墓地以外的其他区域建造坟墓的处罚", 3, True),
]


@pytest.mark.parametrize("query,expected,worst,disjoint", DISPATCH, ids=[q for q, *_ in DISPATCH])
def test_dispatcher_phrasing_finds_the_matter(index: MatterIndex, query: str, expected: str, worst: int,
                                              disjoint: bool) -> None:
    hits = index.search(query)
    names = _names(hits)
    assert expected in names[:worst], f"{query}: {names[:5]}"
    # the claim "shares no two-character substring" is checked, not just asserted in the table
    assert _shares_bigram(query, expected) is not disjoint
    hit = hits[names.index(expected)]
    assert hit.matched and not hit.exact


def test_a_third_of_the_extra_phrasings_share_no_character_pair_with_the_name() -> None:
    extra = DISPATCH[5:]
    assert len(extra) >= 15
    assert sum(disjoint for *_, disjoint in extra) * 3 >= len(extra)


def test_matched_shows_words_and_synonyms(index: MatterIndex) -> None:
    hit = index.search("村里有人没批就盖房子")[0]
    assert "没批就盖→未经批准" in hit.matched and "盖房子→建住宅、住宅、建设" in hit.matched, hit.matched
    assert not any(m.startswith("盖房→") for m in hit.matched), "盖房 is inside 盖房子: one explanation is enough"
    assert index.search("饭店油烟太大")[0].matched[0] == "油烟"
    assert index.search("占道经营")[0].matched[0] == "占道经营"


# --- exact codes and names ------------------------------------------------------------------------------------

def test_exact_code_ranks_first_against_text_matches() -> None:
    # a competitor whose own text contains the code: BM25 alone would put it first
    competitor = _matter(None, "对滥伐林木的处罚（补充）", "行政处罚", "林业", "参照 330217001 办理", "330217001")
    idx = MatterIndex(_matters() + [competitor])
    hits = idx.search("330217001")
    assert hits[0].matter_id == _id("对农村居民未经批准或者违反规划的规定建住宅的行政处罚")
    assert hits[0].exact and hits[0].score > hits[1].score
    assert hits[1].matter_id == competitor["id"] and not hits[1].exact


def test_exact_name_ranks_first_against_a_stronger_text_match() -> None:
    # the competitor repeats the words in every field and is short: on text alone it wins
    competitor = _matter(None, "滥伐林木的处罚", "行政处罚", "滥伐林木", "滥伐林木", "滥伐林木")
    idx = MatterIndex(_matters() + [competitor])
    text_only = idx.search("滥伐林木 处罚")
    assert text_only[0].matter_id == competitor["id"] and not text_only[0].exact
    for query in ("对滥伐林木的处罚", " 对滥伐林木 的处罚。", "对滥伐林木的处罚 "):
        hits = idx.search(query)
        assert hits[0].matter_id == _id("对滥伐林木的处罚") and hits[0].exact, query
        assert not any(h.exact for h in hits[1:])


def test_exact_name_with_full_width_brackets_and_spaces(index: MatterIndex) -> None:
    hits = index.search("对未取得(医疗机构执业许可证)擅自执业的处罚")
    assert hits[0].matter_id == _id("对未取得《医疗机构执业许可证》擅自执业的处罚") and hits[0].exact


def test_exact_name_of_a_sub_item() -> None:
    parent = _matter("330217099", "对违反森林防火规定的处罚", "行政处罚", "林业", "《森林防火条例》", "对野外用火的处罚")
    idx = MatterIndex(_matters() + [parent])
    assert idx.search("对违反森林防火规定的处罚")[0].matter_id == parent["id"]
    assert idx.search("对违反森林防火规定的处罚 对野外用火的处罚")[0].exact


# --- the query's form -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["饭店 油烟 太大", "饭店油烟太大！", "　饭店油烟太大　", "饭店油烟太大!"])
def test_widths_and_spaces_do_not_matter(index: MatterIndex, variant: str) -> None:
    assert index.search(variant) == index.search("饭店油烟太大")


def test_full_width_code(index: MatterIndex) -> None:
    hits = index.search("３３０２１７００７")
    assert hits[0].exact and hits[0].matter_id == _id("对餐饮服务业未安装油烟净化设施的处罚")


@pytest.mark.parametrize("query", ["", "   ", "\u3000\t\n", "违" * 500])
def test_bad_queries_raise_in_both_languages(index: MatterIndex, query: str) -> None:
    with pytest.raises(BadQuery) as info:
        index.search(query)
    assert isinstance(info.value, QuanzeError)
    assert info.value.message_zh and info.value.message_en
    assert any("\u4e00" <= c <= "\u9fff" for c in info.value.message_zh)
    assert info.value.message_en.isascii()
    assert info.value.message_zh in str(info.value) and info.value.message_en in str(info.value)


def test_a_question_is_cleaned_before_it_is_searched() -> None:
    assert searchable("  ＡＢＣ　占道经营 ") == "abc占道经营"
    assert len(question("违" * 200)) == 200


def test_no_match_is_an_empty_list(index: MatterIndex) -> None:
    assert index.search("量子计算机") == []
    assert index.search("？？？") == []


def test_one_character_queries(index: MatterIndex) -> None:
    assert _names(index.search("狗"))[0] == "对个人未按规定办理养犬登记、饲养烈性犬的处罚"  # through the synonym
    assert len(index.search("罚")) == 10  # only its character to go on: every penalty shares it


def test_a_synonym_that_only_partly_fits_lists_nothing(index: MatterIndex) -> None:
    # 路灯 → 城市照明: 城市 is in several names here, 照明 in none; half a term is not a match
    assert index.search("村里的路灯坏了") == []


@pytest.mark.parametrize("framed", ["我要投诉饭店油烟太大", "饭店油烟太大归哪个部门管", "请问饭店油烟太大找谁？"])
def test_the_dispatchers_framing_is_ignored(index: MatterIndex, framed: str) -> None:
    assert [h.matter_id for h in index.search(framed)] == [h.matter_id for h in index.search("饭店油烟太大")]


def test_jieba_loads_lazily_quietly_and_offline(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import socket, sys

        class NoNetwork(socket.socket):
            def connect(self, *args):
                raise OSError("no network in search")

        socket.socket = NoNetwork
        from quanze.api.search import MatterIndex
        assert "jieba" not in sys.modules, "importing search must not load jieba"
        hits = MatterIndex([{"id": "code:1", "name": "对餐饮服务业未安装油烟净化设施的处罚"}]).search("饭店油烟")
        assert hits and "jieba" in sys.modules
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
    assert run.stderr == "", "jieba's start-up chatter must be silenced"


def test_limit(index: MatterIndex) -> None:
    assert len(index.search("处罚", limit=3)) == 3
    assert index.search("处罚", limit=0) == []


# --- synonyms -------------------------------------------------------------------------------------------------

def test_shipped_table_is_broad() -> None:
    table = load_synonyms()
    assert len(table) >= 80
    for word in ("违建", "摆摊", "油烟", "电鱼", "农药残留", "噪音", "烧秸秆", "黑诊所", "挖沙", "低保", "讨薪", "渣土车"):
        assert word in table.table, word


def test_a_user_synonym_file_changes_the_result(tmp_path: Path) -> None:
    assert MatterIndex(_matters()).search("灶头烟呛得慌") == []
    user = tmp_path / "my.yaml"
    user.write_text("# 本地叫法\n灶头烟/灶头: [餐饮服务业油烟, 油烟净化设施]\n低保: 社会救助\n", encoding="utf-8")
    table = load_synonyms([user])
    hits = MatterIndex(_matters(), table).search("灶头烟呛得慌")
    assert _names(hits)[0] == "对餐饮服务业未安装油烟净化设施的处罚"
    assert any(m.startswith("灶头烟→餐饮服务业油烟") for m in hits[0].matched), hits[0].matched
    # a user's word that the shipped table also has adds terms, it does not replace them
    assert "最低生活保障" in table.table["低保"] and "社会救助" in table.table["低保"]


def test_synonym_words_count_less_than_the_users_own() -> None:
    table = Synonyms({"甲乙": ("林木",)})
    idx = MatterIndex(_matters(), table)
    own = {h.matter_id: h.score for h in idx.search("林木")}
    expanded = {h.matter_id: h.score for h in idx.search("甲乙")}
    assert expanded and all(expanded[m] < own[m] for m in expanded)


@pytest.mark.parametrize("content", ["- 一个列表\n", "违建: 3\n", "违建: [违法建设\n"])
def test_a_malformed_user_file_is_an_input_error(tmp_path: Path, content: str) -> None:
    user = tmp_path / "bad.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_synonyms([user])
    assert info.value.problems[0].file == str(user)


def test_a_missing_user_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_synonyms([tmp_path / "absent.yaml"])


# --- phrases with a gap, yes-no questions, the longest phrase ---------------------------------------------------

def test_a_gapped_everyday_word_matches_with_words_inside() -> None:
    table = Synonyms({"烧...轮胎": ("焚烧", "橡胶")})
    assert table.expand("有人在村口烧旧轮胎") == [("烧...轮胎", "焚烧"), ("烧...轮胎", "橡胶")]
    assert table.expand("烧了好几个轮胎")  # 了 is filler: 烧好几个轮胎, a gap of three
    assert table.expand("烧轮胎")  # no gap at all
    assert not table.expand("烧掉院子里堆着的旧轮胎"), "more than four characters apart: not one phrase"
    assert not table.expand("烧，旧轮胎"), "never across punctuation"
    assert not table.expand("轮胎烧了"), "the parts keep their order"


def test_the_shipped_file_may_write_the_gap_as_an_ellipsis(tmp_path: Path) -> None:
    user = tmp_path / "gap.yaml"
    user.write_text("河滩…盖: [河道管理范围内建设]\n", encoding="utf-8")
    table = load_synonyms([user])
    assert ("河滩...盖", "河道管理范围内建设") in table.expand("有人在河滩上盖房子")


def test_a_yes_no_question_is_not_a_negation() -> None:
    table = Synonyms({"没有培训": ("安全生产教育和培训",), "不安全": ("安全生产",)})
    assert table.expand("工人上岗没有培训")
    assert not table.expand("想学种果树，有没有培训"), "有没有培训 asks; it does not say there is none"
    assert not table.expand("这个厂安不安全")
    assert table.expand("这个厂不安全")


def test_the_longest_everyday_phrase_speaks_for_the_words_inside_it() -> None:
    table = Synonyms({"收割机": ("农业机械",), "买收割机...补贴": ("农机购置补贴",), "盖房": ("建住宅",),
                      "盖房子": ("建住宅", "住宅")})
    assert table.expand("买收割机有没有补贴") == [("买收割机...补贴", "农机购置补贴")]
    assert table.expand("收割机载人") == [("收割机", "农业机械")]
    assert [w for w, _ in table.expand("没批就盖房子")] == ["盖房子", "盖房子"]


def test_words_that_are_only_part_of_a_known_phrase_count_less() -> None:
    # 小广告 are leaflets stuck on poles: the 广告 inside it must not pull the advertising-sign approval first
    matters = [_matter("1", "设置大型户外广告及在城市建筑物、设施上悬挂、张贴宣传品审批", "行政许可", "综合行政执法", ""),
               _matter("2", "对在城市建筑物、设施以及树木上涂写、刻画或者未经批准张挂、张贴宣传品的行政处罚", "行政处罚",
                       "综合行政执法", "")]
    idx = MatterIndex(matters, Synonyms({"小广告": ("张贴", "涂写", "刻画", "宣传品")}))
    assert idx.search("电线杆上贴满了小广告")[0].matter_id == matters[1]["id"]


# --- what is asked: a permit, or a report -----------------------------------------------------------------------

@pytest.mark.parametrize("query,asks", [
    ("想开个诊所要办什么手续", True), ("开理发店要办卫生许可证吗", True), ("自家山上的树想砍，要办证吗", True),
    ("打算在河上修座便桥", True), ("买的二手房要过户", True), ("想在镇上开个药店", True),
    ("小饭馆没证就开张了", False), ("邻居没审批就把老房子加了两层", False), ("饭店油烟太大", False),
    ("菜里农药残留要查", False)])
def test_asks_for_permit(query: str, asks: bool) -> None:
    assert asks_for_permit(query) is asks


def test_a_permit_question_prefers_the_licence_a_report_the_penalty() -> None:
    matters = [_matter("1", "医疗机构执业登记", "行政许可", "卫生健康", ""),
               _matter("2", "对未取得《医疗机构执业许可证》擅自执业的行政处罚", "行政处罚", "卫生健康", "")]
    idx = MatterIndex(matters, Synonyms({"诊所": ("医疗机构",)}), phrases=Phrases())  # what is asked, alone
    assert idx.search("想开个诊所要办什么手续")[0].matter_id == matters[0]["id"]
    assert idx.search("村里的诊所没有执业许可证")[0].matter_id == matters[1]["id"]


# --- when nothing shares a word: the characters -----------------------------------------------------------------

def test_a_query_sharing_only_characters_gets_weak_hits() -> None:
    matters = _matters() + [_matter("9", "对占用永久基本农田发展林果业或者挖塘养鱼的行政处罚", "行政处罚", "自然资源", "")]
    idx = MatterIndex(matters, Synonyms(), phrases=Phrases())  # the names alone (a phrasing would share a pair)
    hits = idx.search("好好的稻田被挖成了鱼塘")
    assert hits and hits[0].matter_id == matters[-1]["id"] and hits[0].weak
    assert set(hits[0].matched) >= {"挖", "塘", "鱼"}
    assert not any(h.weak for h in idx.search("河里有人电鱼")), "a real match is never weak"
    assert idx.search("量子计算机") == [], "two common characters of five are not a match"


# --- boost: the matters somebody handles in the asked township ------------------------------------------------

def test_boost_prefers_the_given_matters_and_keeps_exact_hits_first(index: MatterIndex) -> None:
    plain = index.search("砍树")
    assert len(plain) >= 2
    second = plain[1].matter_id
    boosted = index.search("砍树", boost={second})
    assert boosted[0].matter_id == second
    assert {h.matter_id for h in boosted} == {h.matter_id for h in plain}, "boost reorders, it does not filter"
    code_hit = index.search("330217001", boost={second})
    assert code_hit[0].exact and code_hit[0].matter_id == _id("对农村居民未经批准或者违反规划的规定建住宅的行政处罚")
    assert index.search("砍树", boost=set()) == plain and index.search("砍树", boost=None) == plain


def test_a_question_wholly_inside_a_matters_name_ranks_that_matter_first() -> None:
    matters = [
        {"id": "a", "name": "对流动摊贩占道经营的行政处罚", "category": "行政处罚"},
        {"id": "b", "name": "城区占道经营治理"},
        # many shared words, but not the whole question
        {"id": "c", "name": "对摊贩经营者占用道路经营摊贩摊点经营的行政检查", "category": "行政检查"},
    ]
    hits = MatterIndex(matters, phrases=Phrases()).search("占道经营", limit=3)  # the names alone
    assert {h.matter_id for h in hits[:2]} == {"a", "b"} and hits[2].matter_id == "c"
    assert min(h.score for h in hits[:2]) > hits[2].score
    # three characters say too little to lift a matter above the others
    assert MatterIndex(matters)._contained("占道经") == set()
    assert MatterIndex(matters)._contained("摊贩占道经营") == {0}
