"""Never empty when the words are clear (api/fallback.py): when no matter passes search's floor, the closest field
and its usual lead, marked low-confidence with the reason; nothing for words that say nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from quanze.api import search, semantic
from quanze.api.accuracy import evaluate
from quanze.api.fallback import matter_fields
from quanze.api.who import matter_index, who
from quanze.cli import main as quanze
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet, use_search_mode

AS_OF = "2025-06-01"
AIR = "对超过大气污染物排放标准排放大气污染物的行政处罚"
AIR_DUTY = "大气污染防治"  # its list's group row names the department: its domain
RELIEF = "临时救助"


def _id(store, name: str) -> str:
    return next(m["id"] for m in store.nodes("Matter") if m["name"] == name)


@pytest.fixture
def nothing_passes(monkeypatch: pytest.MonkeyPatch):
    """Search lists nothing, and ``closest`` gives the evidence the test sets (the fallback's own logic is real)."""
    evidence: list[tuple[str, float]] = []
    monkeypatch.setattr(search.MatterIndex, "search", lambda self, *a, **k: [])
    monkeypatch.setattr(search.MatterIndex, "closest", lambda self, *a, **k: list(evidence))
    return evidence


def test_the_closest_field_and_its_usual_lead_are_suggested(full_demo_store, nothing_passes, monkeypatch) -> None:
    use_search_mode("lexical", monkeypatch)
    nothing_passes += [(_id(full_demo_store, AIR), 0.6), (_id(full_demo_store, RELIEF), 0.5),
                       (_id(full_demo_store, AIR_DUTY), 0.4)]
    answer = who(full_demo_store, "烟囱天天冒烟", "城关镇", as_of=AS_OF)
    assert answer["matches"] == [] and "nobody" not in answer
    f = answer["fallback"]
    # two of the three nearest matters are the environment bureau's: their field outweighs 民生服务's one
    assert f["field"] == "青岚县生态环境局" and f["confidence"] == "low"
    assert f["lead"]["name"] == "青岚县生态环境局" and f["rule"] == "department"
    assert [m["name"] for m in f["matters"]] == [AIR, AIR_DUTY] and f["score"] == 1.0
    assert "低把握" in f["zh"] and "low-confidence" in f["en"] and "城关镇" in f["zh"]
    json.dumps(answer, ensure_ascii=False)


def test_the_text_says_it_is_a_low_confidence_suggestion(full_demo_store, nothing_passes, monkeypatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    use_search_mode("lexical", monkeypatch)
    nothing_passes.append((_id(full_demo_store, RELIEF), 0.3))
    assert quanze(["who", "家里遭了灾", "--in", "城关镇", "--store", full_demo_store.url, "--as-of", AS_OF]) == 0
    text = capsys.readouterr().out
    assert "低把握的建议 low-confidence suggestion: 领域 field「民生服务」→ 牵头 lead " in text
    assert "参考事项 matters considered: 临时救助" in text


def test_words_that_come_near_nothing_get_nobody(full_demo_store, nothing_passes, monkeypatch) -> None:
    use_search_mode("lexical", monkeypatch)
    answer = who(full_demo_store, "今天天气不错", "城关镇", as_of=AS_OF)
    assert "fallback" not in answer and answer["nobody"]["en"] == "no matter matches these words"
    nothing_passes.append((_id(full_demo_store, RELIEF), 0.01))  # too faint to say anything
    assert "fallback" not in who(full_demo_store, "今天天气不错", "城关镇", as_of=AS_OF)


def test_accuracy_counts_the_suggested_lead_and_says_how_often(full_demo_store, nothing_passes, monkeypatch) -> None:
    use_search_mode("lexical", monkeypatch)
    nothing_passes.append((_id(full_demo_store, AIR), 0.6))
    asked = [{"q": "烟囱天天冒烟", "township": "城关镇", "matter": AIR, "lead": "青岚县生态环境局"},
             {"q": "烟囱天天冒烟", "township": "城关镇", "matter": AIR, "lead": "青岚县公安局"}]
    d = evaluate(full_demo_store, asked, as_of=AS_OF)
    assert d["unanswered"] == 0 and d["fallbacks"] == 2
    assert d["lead_top1"] == 0.5 and d["matter_top1"] == 0  # a field names no matter


def test_each_matter_belongs_to_a_field(full_demo_store) -> None:
    fields = matter_fields(full_demo_store)
    assert fields[_id(full_demo_store, RELIEF)] == "民生服务"  # its domain, as the list's group row gives it
    assert fields[_id(full_demo_store, AIR)] == "青岚县生态环境局"  # else the department whose power list holds it
    assert len(fields) >= 0.99 * len(full_demo_store.nodes("Matter"))


# --- the evidence below the floor, for real ----------------------------------------------------------------------

@pytest.mark.parametrize("words", ["今天天气不错", "帮我订一张机票", "股票什么时候涨", "哈哈哈哈"])
def test_unrelated_words_come_near_nothing(full_demo_store, search_mode: str, words: str) -> None:
    assert matter_index(full_demo_store).closest(words) == []
    assert who(full_demo_store, words, "城关镇", as_of=AS_OF)["matches"] == []


def test_clear_words_come_near_their_field(full_demo_store, semantic_model) -> None:
    semantic.embedder.cache_clear()
    near = matter_index(full_demo_store).closest("楼道里堆满了杂物，着火了跑都跑不出去")
    assert near and all(0 < e <= 1 for _, e in near) and near == sorted(near, key=lambda x: -x[1])
    names = {m["id"]: m["name"] for m in full_demo_store.nodes("Matter")}
    assert "消防" in names[near[0][0]]


def test_a_county_without_a_close_matter_still_gets_a_field(demo_store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end, words only: the characters of the words are in one matter's phrasings, in another order (no pair
    in common), so search lists nothing, and its department is suggested."""
    use_search_mode("lexical", monkeypatch)
    monkeypatch.setenv("QUANZE_PHRASES", "off")
    power = sheet(tmp_path / "p.xlsx", "青岚县生态环境局权责清单（2024年版）", ["职权编码", "职权名称", "职权类型"],
                  ["E001", "对超标排放大气污染物的处罚", "行政处罚"], ["E002", "建设项目环境影响评价文件审批", "行政许可"])
    assert ingest_paths([power], demo_store).ok
    own = tmp_path / "own.yaml"
    own.write_text(yaml.safe_dump([{"matter": "对超标排放大气污染物的处罚", "phrases": ["厂里烟囱冒黑烟呛人"]}],
                                  allow_unicode=True), encoding="utf-8")
    words = "烟黑囱冒"  # 烟, 黑, 囱, 冒 are all in the phrasing; 烟黑, 黑囱, 囱冒 are not
    answer = who(demo_store, words, "城关镇", as_of=AS_OF, phrase_files=[own])
    assert answer["matches"] == []
    assert answer["fallback"]["field"] == "青岚县生态环境局"
    assert answer["fallback"]["lead"]["name"] == "青岚县生态环境局"
    assert "fallback" not in who(demo_store, words, "城关镇", as_of=AS_OF)  # without the phrasings: nothing near
