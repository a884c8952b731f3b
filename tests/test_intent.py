"""What a message asks for (api/intent.py): read from its words, used in ranking, shown in the answer."""

from __future__ import annotations

import json

import pytest

from quanze.api.intent import INTENTS, fits, read
from quanze.api.phrases import Phrases
from quanze.api import search
from quanze.api.search import MatterIndex, Synonyms
from quanze.api.who import who
from quanze.cli import main as quanze


@pytest.mark.parametrize("text,kind", [
    ("隔壁工地没有施工许可证就开挖了", "violation"), ("有人往河里偷排废水", "violation"),
    ("小饭馆没证就开张了", "violation"), ("超市卖过期面包", "violation"),
    ("想开个理发店要办什么手续", "request"), ("老人的养老金怎么申领", "request"), ("身份证丢了去哪里补办", "request"),
    ("打算在自家承包地上建个大棚", "request"),
    ("桥栏杆松动了，随时会掉下去", "hazard"), ("楼道里闻到很重的燃气味", "hazard"), ("山体滑坡把路堵了", "hazard"),
    ("两家为了宅基地地界吵了好几回", "dispute"), ("邻居欠钱不还还不讲理", "dispute"),
    ("老人一个人住，生活困难，没饭吃", "help"), ("孩子得了大病，家里过不下去了", "help"),
    ("饭店油烟太大", "unclear"), ("今天天气不错", "unclear"),
])
def test_a_message_is_read_for_what_it_asks(text: str, kind: str) -> None:
    intent = read(text)
    assert intent.kind == kind
    assert bool(intent.cues) == (kind != "unclear")
    assert intent.zh and intent.en and (kind == "unclear" or (intent.zh, intent.en) == INTENTS[kind])


def test_which_matters_suit_each_intent() -> None:
    assert fits("violation", "行政处罚", "对…的处罚") == 1 and fits("violation", "行政许可", "…许可") == -1
    assert fits("request", "行政许可", "…许可") == 1 and fits("request", "行政处罚", "对…的处罚") == -1
    assert fits("hazard", "行政检查", "…检查") == 1 and fits("hazard", "", "城镇危旧房屋安全排查") == 1
    assert fits("hazard", "行政许可", "…许可") == -1
    assert fits("dispute", "", "人民调解") == 1 and fits("dispute", "行政处罚", "对…的处罚") == 0
    assert fits("help", "", "临时救助") == 1 and fits("help", "行政处罚", "对…的处罚") == -1
    assert fits("unclear", "行政处罚", "对…的处罚") == 0 and fits("violation", "", "城区环境整治") == 0


# one problem, five kinds of matter whose names share the same words: what is asked decides
MATTERS = [
    {"id": "a-permit", "name": "农村建房许可", "category": "行政许可"},
    {"id": "b-penalty", "name": "农村建房处罚", "category": "行政处罚"},
    {"id": "c-help", "name": "农村建房救助", "category": "行政给付"},
    {"id": "d-mediate", "name": "农村建房调解"},
    {"id": "e-inspect", "name": "农村建房安全检查", "category": "行政检查"},
]


@pytest.mark.parametrize("text,first", [
    ("农村建房，村里有人没批就盖了", "b-penalty"),
    ("农村建房要办什么手续", "a-permit"),
    ("农村建房，家里生活困难过不下去了", "c-help"),
    ("农村建房，两家吵起来了", "d-mediate"),
    ("农村建房，墙裂了怕塌", "e-inspect"),
])
def test_what_is_asked_decides_among_matters_of_one_problem(text: str, first: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    index = MatterIndex(MATTERS, Synonyms(), phrases=Phrases())  # the words and the intent alone
    assert index.search(text)[0].matter_id == first
    # the words alone cannot tell: without the intent's factors the first by id comes first
    monkeypatch.setattr(search, "INTENT_FIT", 1.0)
    monkeypatch.setattr(search, "INTENT_UNFIT", 1.0)
    monkeypatch.setattr(search, "UNCLEAR_PERMIT", 1.0)
    assert MatterIndex(MATTERS, Synonyms(), phrases=Phrases()).search(text)[0].matter_id == "a-permit"


def test_who_says_what_was_asked_in_json_and_text(full_demo_store, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZE_SEMANTIC", "off")
    from quanze.api import semantic

    semantic.embedder.cache_clear()
    answer = who(full_demo_store, "村里有人没批就盖房子", "城关镇", as_of="2025-06-01")
    assert answer["intent"]["kind"] == "violation" and answer["intent"]["cues"] == ["没批"]
    assert "行政处罚" in answer["intent"]["favours"]
    args = ["who", "想开个诊所要办什么手续", "--in", "城关镇", "--store", full_demo_store.url, "--as-of", "2025-06-01"]
    assert quanze(args) == 0
    text = capsys.readouterr().out
    assert "诉求类型 intent: 办事：想办成一件事 / a request: wants something done" in text
    assert quanze(args + ["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"]["kind"] == "request"
    semantic.embedder.cache_clear()
