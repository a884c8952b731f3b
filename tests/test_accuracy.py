"""``quanze accuracy`` on the demo county: the development / held-out split, and the figures docs/accuracy.md reports.

The floors below are the figures of docs/accuracy.md (measured with the real command on 2025-06-01 data) minus a small
margin, so that a change to search or to the synonym table that loses a few questions fails here. They are floors,
not the issue's target (lead top-1 ≥ 90 %, top-3 ≥ 97 %): the held-out half does not reach it, and the document says
so. Raise them when the figures rise; never lower them to let a change through without saying why in the document.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import yaml

from quanze.api.accuracy import RATES, SPLITS, evaluate, half_of, lead_label, load_questions, replay, split_questions
from quanze.api.who import who
from quanze.cli import main as quanze
from quanze.demo import demo_questions
from quanze.errors import InputError
from quanze.tests.helpers import use_search_mode

AS_OF = dt.date(2025, 6, 1)
MARGIN = 0.03  # about four questions of a half: noise from a tie broken differently, not a regression

# (set, search mode, split) → (matter top-1, matter top-3, lead top-1, lead top-3), as docs/accuracy.md reports them.
# "lexical" is words and synonyms only (QUANZE_SEMANTIC=off); "semantic" adds the sentence-embedding model.
DOCUMENTED = {
    # demo/questions.yaml, now a tuning set (docs/accuracy.md, session 2)
    ("first", "lexical", "held-out"): (0.605, 0.798, 0.721, 0.891),
    # dev half re-read after the demo's power lists grew from 13 to 28 departments (docs/accuracy.md, 2026-12-07)
    ("first", "lexical", "dev"): (0.814, 0.969, 0.938, 0.9922),
    # dev halves read with the phrase bank, intent and the field fallback (docs/accuracy.md "Citizens' own words",
    # 2026-12-07): each floor raised to that reading where it rose, never lowered (first lexical lead top-1 read 91.5)
    ("first", "semantic", "dev"): (0.8527, 0.9845, 0.9535, 0.9922),
    ("first", "lexical", "all"): (0.725, 0.864, 0.837, 0.942),
    ("first", "semantic", "all"): (0.7558, 0.907, 0.8643, 0.9535),
    # demo/questions-fresh.yaml, written apart from the code and the table (docs/accuracy.md "second measurement")
    ("fresh", "lexical", "held-out"): (0.377, 0.587, 0.583, 0.742),
    ("fresh", "lexical", "dev"): (0.7173, 0.9156, 0.8354, 0.9705),
    ("fresh", "lexical", "all"): (0.460, 0.665, 0.644, 0.798),
    ("fresh", "semantic", "held-out"): (0.4484, 0.6944, 0.6349, 0.8056),
    ("fresh", "semantic", "dev"): (0.789, 0.9662, 0.8608, 0.9831),
    # demo/questions-third.yaml, written after the semantic search was frozen; lexical measured once, semantic read a
    # second time after the embedding batches were sorted by length (docs/accuracy.md "third measurement")
    ("third", "lexical", "all"): (0.3436, 0.5521, 0.5337, 0.7076),
    ("third", "lexical", "held-out"): (0.3175, 0.5278, 0.5317, 0.6944),
    ("third", "lexical", "dev"): (0.654, 0.865, 0.7426, 0.9114),
    ("third", "semantic", "dev"): (0.7468, 0.924, 0.8228, 0.9451),
    # semantic floors re-set to the reading after the catalogue grew from 507 to 796 matters (docs/accuracy.md,
    # "After the whole catalogue"): more distractors, no search change
    ("third", "semantic", "all"): (0.397, 0.612, 0.571, 0.771),
    ("third", "semantic", "held-out"): (0.377, 0.583, 0.564, 0.766),
}
SET_FILES = {"first": "questions.yaml", "fresh": "questions-fresh.yaml", "third": "questions-third.yaml"}


# the first questions of the held-out half, pinned: a change to the hashing would silently re-split
PINNED_HELD_OUT_START = ["q001", "q002", "q003", "q004", "q005"]


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return load_questions(demo_questions())


# --- the split ---------------------------------------------------------------------------------------------------

def test_the_halves_are_disjoint_and_cover_the_set(questions: list[dict]) -> None:
    dev, held = split_questions(questions, "dev"), split_questions(questions, "held-out")
    assert split_questions(questions, "all") == questions
    assert len(dev) + len(held) == len(questions)
    assert not {q["id"] for q in dev} & {q["id"] for q in held}
    assert {q["id"] for q in dev} | {q["id"] for q in held} == {q["id"] for q in questions}
    # every question about one matter falls in the same half: a synonym written for one phrasing of a problem
    # must not answer its twin in the other half
    assert not {q["matter"] for q in dev} & {q["matter"] for q in held}
    assert 0.4 <= len(dev) / len(questions) <= 0.6


def test_the_split_is_deterministic_and_independent_of_order(questions: list[dict]) -> None:
    first = [q["id"] for q in split_questions(questions, "held-out")]
    assert first == [q["id"] for q in split_questions(questions, "held-out")]
    shuffled = list(questions)
    random.Random(1).shuffle(shuffled)
    assert sorted(q["id"] for q in split_questions(shuffled, "held-out")) == sorted(first)
    # a question's half depends on nothing but its matter: adding questions never moves the old ones
    extra = {"id": "new", "q": "新问题", "township": "城关镇", "matter": "一个新事项", "lead": "某机构"}
    assert [q["id"] for q in split_questions(questions + [extra], "held-out") if q["id"] != "new"] == first
    assert half_of({"matter": " 临时救助 "}) == half_of({"matter": "临时救助"})


def test_the_split_is_pinned(questions: list[dict]) -> None:
    """The halves docs/accuracy.md reports on: a change to the hashing would silently re-split, and the held-out
    half would no longer be one nobody tuned on."""
    held = split_questions(questions, "held-out")
    assert (len(held), len(questions)) == (129, 258)
    assert [q["id"] for q in held[:5]] == PINNED_HELD_OUT_START


def test_an_unknown_split_is_an_input_error(questions: list[dict]) -> None:
    with pytest.raises(InputError):
        split_questions(questions, "test")
    assert SPLITS == ("all", "dev", "held-out")


def test_a_half_can_be_written_for_quanze_accuracy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dev.yaml"
    assert quanze(["accuracy", "--split", "dev", "--write", str(out)]) == 0
    written = load_questions(out)
    assert [q["id"] for q in written] == [q["id"] for q in split_questions(load_questions(demo_questions()), "dev")]
    assert all(half_of(q) == "dev" for q in yaml.safe_load(out.read_text(encoding="utf-8")))
    assert "dev" in capsys.readouterr().out


# --- the figures -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which,search_mode,split", list(DOCUMENTED))
def test_accuracy_is_at_least_the_documented_level(full_demo_store, monkeypatch: pytest.MonkeyPatch, which: str,
                                                   search_mode: str, split: str) -> None:
    use_search_mode(search_mode, monkeypatch)
    documented = DOCUMENTED[(which, search_mode, split)]
    questions = load_questions(demo_questions().with_name(SET_FILES[which]))
    d = evaluate(full_demo_store, questions, as_of=AS_OF, split=split)
    assert d["split"] == split and d["questions"] == len(split_questions(questions, split))
    got = (d["matter_top1"], d["matter_top3"], d["lead_top1"], d["lead_top3"])
    floors = tuple(round(x - MARGIN, 4) for x in documented)
    assert all(g >= f for g, f in zip(got, floors)), f"{which} {search_mode} {split}: got {got}, floors {floors}"
    # the breakdowns add up
    assert d["paraphrase"]["n"] + d["not_paraphrase"]["n"] == d["questions"]
    assert sum(r["n"] for r in d["by_rule"].values()) == d["questions"]
    assert len(d["misses"]) == round((1 - d["lead_top1"]) * d["questions"])


# the third set asked with the other two sets as past tickets (less the one sentence both sets hold), as
# docs/accuracy.md reports it: what a hotline with a ticket history of every matter would see; "matter" tickets say
# the matter they were handled as, "agency" tickets only the body that handled them (the lead, written whole)
DOCUMENTED_WITH_TICKETS = {"matter": (0.6769, 0.7914, 0.7689, 0.8712), "agency": (0.5194, 0.7137, 0.7423, 0.8507)}


@pytest.mark.parametrize("kind", list(DOCUMENTED_WITH_TICKETS))
def test_accuracy_with_past_tickets_is_at_least_the_documented_level(full_demo_store, tmp_path: Path, kind: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    use_search_mode("semantic", monkeypatch)
    third = load_questions(demo_questions().with_name(SET_FILES["third"]))
    asked = {q["q"].strip() for q in third}
    files = []
    for which in ("first", "fresh"):
        past = [{"q": q["q"], "matter": q["matter"]} if kind == "matter" else
                {"q": q["q"], "agency": q["lead"].replace("/", "")}
                for q in load_questions(demo_questions().with_name(SET_FILES[which])) if q["q"].strip() not in asked]
        files.append(tmp_path / f"{which}.yaml")
        files[-1].write_text(yaml.safe_dump(past, allow_unicode=True), encoding="utf-8")
    d = evaluate(full_demo_store, third, as_of=AS_OF, ticket_files=files)
    assert d["tickets"]["used"] == 746 and d["tickets"]["unknown_matter"] == []
    got = (d["matter_top1"], d["matter_top3"], d["lead_top1"], d["lead_top3"])
    floors = tuple(round(x - MARGIN, 4) for x in DOCUMENTED_WITH_TICKETS[kind])
    assert all(g >= f for g, f in zip(got, floors)), f"with {kind} tickets: got {got}, floors {floors}"


def test_the_command_lists_misses_only_when_asked(full_demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A held-out question once read is held out no more: the text report names none unless --misses N."""
    from quanze.cli import main as cli

    use_search_mode("lexical", monkeypatch)
    wrong = [dict(q, lead="一个不存在的机构") for q in load_questions(demo_questions())[:3]]  # every lead is a miss
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(wrong, allow_unicode=True), encoding="utf-8")
    args = ["accuracy", "--store", full_demo_store.url, "--as-of", "2025-06-01", "--questions", str(path)]
    assert cli(args) == 0
    assert "✗" not in capsys.readouterr().out
    assert cli(args + ["--misses", "2"]) == 0
    assert capsys.readouterr().out.count("✗") == 2


# --- acceptable answers, the options offered, the learning curve ----------------------------------------------------

def test_acceptable_answers_are_counted_beside_the_strict_ones(full_demo_store, monkeypatch) -> None:
    use_search_mode("lexical", monkeypatch)
    asked = split_questions(load_questions(demo_questions()), "dev")[:8]
    strict = evaluate(full_demo_store, asked, as_of=AS_OF)
    # the same questions expecting something no answer gives, with the real answer marked acceptable
    moved = [dict(q, matter="一个不存在的事项", lead="一个不存在的机构", also=[{"matter": q["matter"], "lead": q["lead"]}])
             for q in asked]
    d = evaluate(full_demo_store, moved, as_of=AS_OF)
    assert d["lead_top1"] == d["matter_top1"] == 0
    assert {k: d["acceptable"][k] for k in RATES} == {k: strict[k] for k in RATES}
    assert strict["acceptable"]["lead_top1"] == strict["lead_top1"]  # nothing marked: acceptable is strict
    assert d["lead_in_options"] == 0 and strict["lead_in_options"] >= strict["lead_top1"]


def test_a_replay_confirms_each_answer_and_the_next_asking_learns_from_it(full_demo_store, tmp_path, monkeypatch):
    use_search_mode("semantic", monkeypatch)
    q = split_questions(load_questions(demo_questions()), "dev")[0]
    first = who(full_demo_store, q["q"], q["township"], as_of=AS_OF, limit=5)
    # the dispatcher confirms another matter this township handles: asked again, it comes first
    other = next(m for m in first["matches"][1:] if m["handlers"])
    lead = next(h["agency"] for h in other["handlers"] if h["role"] == "lead")
    wanted = dict(q, matter=other["matter"]["name"], lead=lead_label(full_demo_store, lead))
    curve = replay(full_demo_store, [wanted, wanted], tmp_path / "confirmed.csv", as_of=AS_OF, stretches=(1,))
    assert [s["matter_top1"] for s in curve["stretches"]] == [0, 1]
    assert [s["lead_top1"] for s in curve["stretches"]][1] == 1
    assert (tmp_path / "confirmed.csv").read_text(encoding="utf-8-sig").count(wanted["q"]) == 2
    with pytest.raises(InputError):  # a replay starts from no confirmations
        replay(full_demo_store, [wanted], tmp_path / "confirmed.csv", as_of=AS_OF)


def test_sets_can_be_joined_and_shuffled_for_a_replay(full_demo_store, tmp_path: Path, monkeypatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A development stream: two sets' questions one after the other, shuffled with a fixed seed, each confirmed after
    it is answered (the order is the seed's, every time)."""
    import csv
    import json

    use_search_mode("lexical", monkeypatch)
    first = split_questions(load_questions(demo_questions()), "dev")[:3]
    fresh = split_questions(load_questions(demo_questions().with_name(SET_FILES["fresh"])), "dev")[:3]
    files = []
    for name, qs in (("a.yaml", first), ("b.yaml", fresh)):
        files += ["--questions", str(tmp_path / name)]
        (tmp_path / name).write_text(yaml.safe_dump(qs, allow_unicode=True), encoding="utf-8")
    args = ["accuracy", "--store", full_demo_store.url, "--as-of", "2025-06-01", *files, "--shuffle", "3", "--json"]
    assert quanze(args + ["--replay", str(tmp_path / "c.csv")]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 6
    order = first + fresh
    random.Random(3).shuffle(order)
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as f:
        confirmed = list(csv.reader(f))[1:]
    assert [row[0] for row in confirmed] == [" ".join(q["q"].split()) for q in order]
    assert quanze(args) == 0 and json.loads(capsys.readouterr().out)["questions"] == 6
