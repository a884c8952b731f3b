"""Semantic search (api/semantic.py): installing the model safely, and what it changes in search and ``who``.

The model tests need the real model (`quanze model fetch`, done by scripts/test): skipped locally without it, failed in
CI. The install tests need no network: they fetch from jars made here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from quanze.api import semantic
from quanze.api.phrases import Phrases
from quanze.api.search import MatterIndex, Synonyms
from quanze.api.semantic import ModelSpec
from quanze.errors import ModelError
from quanze.api.who import who

AS_OF = "2025-06-01"
MATTERS = [{"id": f"m{i}", "name": name} for i, name in enumerate([
    "社会团体成立登记", "对饮酒后驾驶机动车的行政处罚", "城区餐饮油烟治理", "临时救助", "食品经营许可", "森林防灭火",
    "农村村民宅基地审批"])]


def _jar(path: Path, members: dict[str, bytes]) -> tuple[Path, str]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path, hashlib.sha256(buf.getvalue()).hexdigest()


@pytest.fixture
def model_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "models"
    monkeypatch.setenv("QUANZE_MODEL_DIR", str(home))
    yield home
    semantic.embedder.cache_clear()


# --- installing the model ----------------------------------------------------------------------------------------

def test_a_jar_with_another_checksum_is_refused_and_nothing_is_installed(tmp_path: Path, model_home: Path) -> None:
    jar, digest = _jar(tmp_path / "fake.jar", {semantic.MODEL.onnx: b"not a model", semantic.MODEL.tokenizer: b"{}"})
    with pytest.raises(ModelError) as e:
        semantic.fetch(jar=jar)
    assert digest in str(e.value) and semantic.MODEL.sha256 in str(e.value)
    assert "校验失败" in e.value.message_zh and "expected" in e.value.message_en
    assert not semantic.installed()
    assert not model_home.exists() or not any(model_home.iterdir())


def test_a_checked_jar_is_unpacked_with_its_source(tmp_path: Path, model_home: Path) -> None:
    members = {"x.onnx": b"onnx bytes", "x-tokenizer.json": b"{}", "README": b"ignored"}
    jar, digest = _jar(tmp_path / "model.jar", members)
    spec = dataclasses.replace(semantic.MODEL, name="test-model", sha256=digest, onnx="x.onnx",
                               tokenizer="x-tokenizer.json")
    folder = semantic.fetch(spec, jar=jar)
    assert folder == model_home / "test-model" and semantic.installed(spec)
    assert (folder / "x.onnx").read_bytes() == b"onnx bytes"
    assert sorted(p.name for p in folder.iterdir()) == ["SOURCE", "x-tokenizer.json", "x.onnx"]
    assert digest in (folder / "SOURCE").read_text(encoding="utf-8")
    # fetching again replaces the folder whole; no staging folder is left beside it
    semantic.fetch(spec, jar=jar)
    assert sorted(p.name for p in model_home.iterdir()) == ["test-model"]


def test_a_jar_without_the_model_files_installs_nothing(tmp_path: Path, model_home: Path) -> None:
    jar, digest = _jar(tmp_path / "empty.jar", {"README": b"no model here"})
    spec = dataclasses.replace(semantic.MODEL, name="test-model", sha256=digest)
    with pytest.raises(ModelError) as e:
        semantic.fetch(spec, jar=jar)
    assert "empty.jar" in str(e.value)
    assert not semantic.installed(spec) and not any(model_home.iterdir())


def test_an_unreachable_repository_is_a_clear_error(model_home: Path) -> None:
    with pytest.raises(ModelError) as e:
        semantic.fetch(repo="http://127.0.0.1:9", timeout=5)
    assert "--jar" in e.value.message_zh and "--jar" in e.value.message_en
    assert "127.0.0.1:9" in str(e.value)


def test_the_download_address_is_maven_centrals_layout() -> None:
    spec = ModelSpec("n", "dev.langchain4j", "a-b", "1.0", "0" * 64, "m.onnx", "t.json")
    assert spec.url("https://repo.example/maven2/") == "https://repo.example/maven2/dev/langchain4j/a-b/1.0/a-b-1.0.jar"


def test_model_status_on_the_command_line(model_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from quanze.cli import main

    assert main(["model", "status", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["installed"] is False and d["folder"] == str(model_home / semantic.MODEL.name)
    assert d["maven"].startswith("dev.langchain4j:") and d["sha256"] == semantic.MODEL.sha256


# --- searching by meaning ----------------------------------------------------------------------------------------

def test_meaning_finds_a_matter_that_shares_no_word(semantic_model) -> None:
    # the names alone: the phrase bank has phrasings of these matters that share words with the query
    words = MatterIndex(MATTERS, Synonyms({}), phrases=Phrases())
    meaning = MatterIndex(MATTERS, Synonyms({}), embedder=semantic_model, phrases=Phrases())
    assert not words.semantic and meaning.semantic
    query = "楼下饭馆排烟熏得窗户都黑了"  # shares no character pair with 城区餐饮油烟治理
    assert words.search(query) == []
    hits = meaning.search(query)
    assert hits[0].matter_id == "m2"
    assert any(m.startswith("语义相近 semantic ") for m in hits[0].matched)
    assert hits[0].weak  # found by meaning alone: a guess the dispatcher should confirm


@pytest.mark.parametrize("query", ["帮我订一张去北京的机票", "今天天气不错"])
def test_unrelated_words_find_nothing_by_meaning(semantic_model, query: str) -> None:
    hits = MatterIndex(MATTERS, Synonyms({}), embedder=semantic_model).search(query)
    assert hits == []


def test_exact_names_still_come_first(semantic_model) -> None:
    hits = MatterIndex(MATTERS, embedder=semantic_model).search("临时救助")
    assert hits[0].matter_id == "m3" and hits[0].exact


def test_who_says_which_search_answered(full_demo_store, search_mode: str) -> None:
    answer = who(full_demo_store, "村里有人没批就盖房子", "城关镇", as_of=AS_OF, limit=3)
    assert answer["search"] == search_mode
    assert answer["matches"], "the demo question has an answer in both modes"
    semantic_notes = [m for match in answer["matches"] for m in match["matched"] if m.startswith("语义相近")]
    assert bool(semantic_notes) == (search_mode == "semantic")


# --- the vector cache --------------------------------------------------------------------------------------------

def _cached_texts(folder: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(folder / semantic.VectorCache.FILE) as db:
        return {text for (text,) in db.execute("SELECT text FROM vector")}


def test_matter_names_are_cached_and_a_citizens_words_never(model_copy: Path) -> None:
    embedder = semantic.Embedder(model_copy)
    names = ["临时救助", "社会团体成立登记", "城区餐饮油烟治理"]
    first = embedder.embed(names, cache=True)
    assert _cached_texts(model_copy) == set(names)
    again = embedder.embed(list(reversed(names)), cache=True)  # read back, in the order asked
    assert (again == first[::-1]).all()
    embedder.embed_query("我家隔壁的饭馆油烟太大")
    embedder.embed(["一个工单里的话"])
    assert _cached_texts(model_copy) == set(names)


def test_vectors_do_not_depend_on_what_else_is_embedded(model_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZE_VECTOR_CACHE", "off")
    embedder = semantic.Embedder(model_copy)
    alone = embedder.embed(["临时救助"])[0]
    with_others = embedder.embed(["对饮酒后驾驶机动车的行政处罚", "临时救助", "社会团体成立登记"])[1]
    assert float(alone @ with_others) > 0.98
    assert not (model_copy / semantic.VectorCache.FILE).exists()


def test_a_folder_that_cannot_be_written_means_no_cache_not_an_error(model_copy: Path) -> None:
    (model_copy / semantic.VectorCache.FILE).mkdir()  # a directory where the cache file should be: sqlite fails
    vectors = semantic.Embedder(model_copy).embed(["临时救助"], cache=True)
    assert vectors.shape == (1, semantic.Embedder(model_copy).dimensions)


def test_remembered_vectors_stay_in_memory_and_are_not_computed_again(model_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = semantic.Embedder(model_copy)
    first = embedder.embed(["邻居家老人走了办不起丧事", "饭馆油烟熏人"], remember=True)
    runs = []
    real_run = embedder._session.run
    monkeypatch.setattr(embedder._session, "run", lambda *a, **k: runs.append(1) or real_run(*a, **k), raising=False)
    again = embedder.embed(["饭馆油烟熏人", "邻居家老人走了办不起丧事"], remember=True)
    assert runs == [] and (again == first[::-1]).all()
    embedder.embed(["一句没算过的话"], remember=True)
    assert runs == [1]  # the counter does count the model's runs
    assert not (model_copy / semantic.VectorCache.FILE).exists()  # never written to disk
