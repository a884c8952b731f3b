"""Search with an outside full-text index for recall (Neo4j's cjk Lucene index) ranks as the in-process search does.

The Lucene side is tested against a real Neo4j in test_store_behaviour.py; here the recall is a plain substring scan
over the fields the full-text index holds, which is what a character-pair index finds.
"""

from __future__ import annotations

import pytest

from quanze.api.accuracy import load_questions
from quanze.api.phrases import Phrases
from quanze.api.search import MatterIndex
from quanze.api.search_index import search_form
from quanze.demo import demo_questions

# the Matter fields the Neo4j full-text index covers (graph/schema.py: Matter.fulltext)
INDEXED = ("name", "sub_item", "domain", "category", "legal_basis")


def substring_recall(matters: list[dict]):
    texts = {m["id"]: " ".join(search_form(m.get(f)) for f in INDEXED if m.get(f)) for m in matters}
    asked: list[list[str]] = []

    def recall(terms: list[str]) -> list[str]:
        asked.append(terms)
        return [i for i, text in texts.items() if any(t in text for t in terms)]

    recall.asked = asked  # type: ignore[attr-defined]
    return recall


@pytest.fixture(scope="module")
def demo_matters(full_demo_db) -> list[dict]:
    from quanze.graph.store import open_store

    with open_store(f"sqlite:///{full_demo_db}") as s:
        return s.nodes("Matter")


def test_recall_through_a_pair_index_gives_the_same_answers_on_every_demo_question(demo_matters):
    index = MatterIndex(demo_matters)
    recall = substring_recall(demo_matters)
    questions = [q["q"] for q in load_questions(demo_questions())]
    assert len(questions) > 200
    for q in questions:
        assert index.search(q, limit=10, recall=recall) == index.search(q, limit=10), q
    assert len(recall.asked) == len(questions)


def test_recall_decides_the_candidates(demo_matters):
    index = MatterIndex(demo_matters, phrases=Phrases())  # the lists' fields only: the phrase bank's see below
    # (words wholly inside no matter's name: a name holding the whole question is found in-process, by its name)
    asked = "饭店的油烟净化设施"
    everything = index.search(asked, limit=5)
    assert len(everything) > 1 and not any(index._contained(asked))
    # a full-text index that finds nothing leaves no text match to rank (no word of the query lacks a pair): only
    # the guesses from shared characters that a search offers when nothing matched
    assert all(h.weak for h in index.search(asked, limit=5, recall=lambda terms: []))
    only = everything[1].matter_id
    assert [h.matter_id for h in index.search(asked, limit=5, recall=lambda terms: [only])] == [only]


def test_recall_terms_are_pairs_and_latin_words_and_pairless_words_stay_in_process(demo_matters):
    index = MatterIndex(demo_matters)
    terms = index.recall_terms("KTV噪音扰民")
    assert "ktv" in terms and "噪音" in terms and "扰民" in terms
    assert all(len(t) == 2 for t in terms if t != "ktv")
    # 狗 has no pair: the in-process index finds the matters holding it, whatever the full-text index says (its
    # synonyms' official terms 犬只, 养犬 do have pairs: those are the full-text index's to find)
    assert "狗" not in index.recall_terms("狗") and {"犬只", "养犬"} <= set(index.recall_terms("狗"))
    alone = index.search("狗", limit=5, recall=lambda terms: [])
    ids = lambda hits: {h.matter_id for h in hits}  # noqa: E731
    assert alone and ids(alone) < ids(index.search("狗", limit=5))


def test_matters_found_through_their_phrasings_are_found_in_process(demo_matters):
    """The full-text index holds the lists' fields, not the phrase bank: a matter found only through its everyday
    phrasings (房本 is in no list's words) is found here, whatever the recall returns — both stores alike."""
    index = MatterIndex(demo_matters)
    plain = index.search("房本丢了怎么补", limit=5)
    assert plain and any(m.startswith("常见说法") for m in plain[0].matched)
    # what the synonyms' official terms find is the full-text index's to recall; the phrasings' match stays
    assert index.search("房本丢了怎么补", limit=5, recall=lambda terms: [])[0] == plain[0]
    assert MatterIndex(demo_matters, phrases=Phrases()).search("房本丢了怎么补", limit=5) != plain
