"""The phrase bank (api/phrases.py): everyday phrasings of matters, keyed by the normalised matter name, shipped and
a county's own (--phrases), as words without the model and as near sentences with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from quanze.api import phrases, search, semantic
from quanze.api.phrases import Phrases, load_phrases, parse_phrases, shipped_phrases
from quanze.api.search import MatterIndex, Synonyms
from quanze.cli import main as quanze
from quanze.errors import InputError
from quanze.graph.matters import norm_matter_name

# a county's own matters, named as no shipped phrasing names them, and its own phrase file
MATTERS = [{"id": "m1", "name": "城镇排水与污水处理设施维护"}, {"id": "m2", "name": "乡村公路养护"},
           {"id": "m3", "name": "城市照明设施管护"}]
OWN = [{"matter": "城镇排水与污水处理设施维护", "phrases": ["窨井盖底下咕嘟咕嘟往外冒黑水", "雨一下就漫到门槛"]},
       {"matter": "城市照明设施管护（含景观灯）", "phrases": ["路灯黑了一整条街"]}]


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_bank_covers_the_demo_catalogue(full_demo_store) -> None:
    bank = shipped_phrases()
    names = {m["norm_name"] for m in full_demo_store.nodes("Matter")}
    assert len(bank.table) == 796 and len(bank) >= 6000
    # keyed as matters are compared: any county's matter of the same name benefits; the bank was written for the 796
    # matters of the power and township lists, the demo's later versions add a few internal duties (统战, 预算) without
    assert set(bank.table) <= names and len(set(bank.table)) >= 0.99 * len(names)
    assert all(len(p) >= 8 for p in bank.table.values())
    assert bank.of(norm_matter_name("不动产登记")) and bank.of("不动产登记/首次登记") == bank.of("不动产登记")


def test_a_countys_file_adds_phrasings_and_its_words_find_the_matter(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZE_PHRASES", "off")  # the county's file alone
    assert load_phrases() == Phrases() and not phrases.enabled()
    bank = load_phrases([_write(tmp_path / "own.yaml", OWN)])
    assert bank.of(norm_matter_name("城镇排水与污水处理设施维护")) == tuple(OWN[0]["phrases"])
    without = MatterIndex(MATTERS, Synonyms(), phrases=Phrases())
    assert without.search("窨井盖冒黑水") == []
    hits = MatterIndex(MATTERS, Synonyms(), phrases=bank).search("窨井盖冒黑水")
    assert [h.matter_id for h in hits] == ["m1"]
    assert "常见说法 everyday phrasing：「窨井盖底下咕嘟咕嘟往外冒黑水」" in hits[0].matched
    # the phrasings count below the matter's own name: a name's words win over a phrasing's
    named = MatterIndex(MATTERS, Synonyms(), phrases=bank).search("路灯黑了，城市照明设施管护找谁")
    assert named[0].matter_id == "m3"


def test_a_file_adds_to_the_shipped_bank_and_never_takes_away(tmp_path: Path) -> None:
    key = norm_matter_name("不动产登记")
    merged = load_phrases([_write(tmp_path / "own.yaml", [{"matter": "不动产登记", "phrases": ["房本名字写错了"]}])])
    assert merged.of(key)[:len(shipped_phrases().of(key))] == shipped_phrases().of(key)
    assert merged.of(key)[-1] == "房本名字写错了"


def test_the_shipped_bank_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    matters = [{"id": "r", "name": "不动产登记"}, {"id": "x", "name": "临时救助"}]
    assert MatterIndex(matters, Synonyms()).search("房本丢了怎么补")[0].matter_id == "r"
    monkeypatch.setenv("QUANZE_PHRASES", "off")
    assert MatterIndex(matters, Synonyms()).search("房本丢了怎么补") == []


@pytest.mark.parametrize("content,where", [
    ("matter: 不动产登记\nphrases: [房本]\n", None),  # a mapping, not a list
    ("- matter: 不动产登记\n", 1),  # no phrasings
    ("- matter: 不动产登记\n  phrases: [房本]\n- phrases: [没有事项]\n", 2),
    ("- matter: 不动产登记\n  phrases: [" + "长" * 201 + "]\n", 1),
    ("- matter: [不动产登记\n", None),  # not YAML
])
def test_a_bad_phrase_file_is_an_input_error_naming_the_file_and_entry(tmp_path: Path, content: str,
                                                                        where: int | None) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_phrases([path])
    problem = e.value.problems[0]
    assert problem.code == "bad-phrases" and problem.file == str(path) and problem.row == where
    with pytest.raises(InputError):
        load_phrases([tmp_path / "missing.yaml"])


def test_an_empty_file_adds_nothing(tmp_path: Path) -> None:
    assert parse_phrases(None, tmp_path / "empty.yaml") == Phrases()


def test_who_and_dispatch_take_a_phrase_file(full_demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZE_SEMANTIC", "off")
    semantic.embedder.cache_clear()
    own = _write(tmp_path / "own.yaml", [{"matter": "临时救助", "phrases": ["屋漏偏逢连夜雨揭不开锅"]}])
    args = ["who", "屋漏偏逢连夜雨", "--in", "城关镇", "--store", full_demo_store.url, "--as-of", "2025-06-01", "--json"]
    assert quanze(args) == 0
    before = json.loads(capsys.readouterr().out)
    assert quanze(args + ["--phrases", str(own)]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["matches"][0]["matter"]["name"] == "临时救助"
    assert any("屋漏偏逢连夜雨揭不开锅" in m for m in after["matches"][0]["matched"])
    assert [m["matter"]["name"] for m in before["matches"][:1]] != ["临时救助"]
    assert quanze(["dispatch", "屋漏偏逢连夜雨", "--in", "城关镇", "--store", full_demo_store.url, "--json",
                   "--phrases", str(own)]) == 0
    assert json.loads(capsys.readouterr().out)["matters"][0]["name"] == "临时救助"
    semantic.embedder.cache_clear()


# --- with the semantic model ---------------------------------------------------------------------------------------

def _cached(folder: Path) -> set[str]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(folder / semantic.VectorCache.FILE)) as db:
        return {text for (text,) in db.execute("SELECT text FROM vector")}


def test_phrasings_are_compared_by_meaning_and_their_vectors_kept_on_disk(model_copy: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    bank = Phrases({norm_matter_name("城镇排水与污水处理设施维护"): ("下水道堵了，污水漫到马路上",)})
    embedder = semantic.Embedder(model_copy)
    index = MatterIndex(MATTERS, Synonyms(), embedder=embedder, phrases=bank)
    assert "下水道堵了,污水漫到马路上" in _cached(model_copy)  # shipped text, in search form, on disk
    hits = index.search("下水管堵死了，脏水漫到街面")
    assert hits[0].matter_id == "m1"
    said = [m for m in hits[0].matched if m.startswith("常见说法 everyday phrasing ")]  # its cosine, said
    assert said and "下水道堵了,污水漫到马路上" in said[0]
    assert float(said[0].split()[3].split("：")[0]) > search.PHRASE_FLOOR
    # a second process: the names and the phrasings come from the disk, the model runs for nothing but the query
    fresh = semantic.Embedder(model_copy)
    runs = []
    real = fresh._session.run
    monkeypatch.setattr(fresh._session, "run", lambda *a, **k: runs.append(1) or real(*a, **k), raising=False)
    MatterIndex(MATTERS, Synonyms(), embedder=fresh, phrases=bank)
    assert runs == []
    assert "下水管堵死了,脏水漫到街面" not in _cached(model_copy)  # a citizen's words never


def test_the_phrasings_cut_words_are_kept_on_disk_and_a_tickets_never(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """jieba cuts the bank once per user (``phrases.TermsCache``); a citizen's words (a ticket) never reach the file."""
    from quanze.api import search_index
    from quanze.api.tickets import Ticket

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(phrases, "_terms", {})
    bank = Phrases({norm_matter_name("城镇排水与污水处理设施维护"): ("下水道堵了，污水漫到马路上",)})
    index = MatterIndex(MATTERS, Synonyms(), phrases=bank)
    index.with_tickets([Ticket("窨井盖被人偷走了一个", "城镇排水与污水处理设施维护", "t.csv 第2行")])
    [file] = (tmp_path / "quanze").glob("phrase-terms-*.json")
    kept = json.loads(file.read_text(encoding="utf-8"))
    assert "下水道堵了,污水漫到马路上" in kept and "窨井盖" not in file.read_text(encoding="utf-8")
    # the next process reads them back instead of cutting again
    monkeypatch.setattr(phrases, "_terms", {})
    cut = []
    real = search_index.terms
    monkeypatch.setattr(search_index, "terms", lambda text, *a, **k: cut.append(text) or real(text, *a, **k))
    assert MatterIndex(MATTERS, Synonyms(), phrases=bank).search("污水漫到马路上")[0].matter_id == "m1"
    assert "下水道堵了,污水漫到马路上" not in cut
