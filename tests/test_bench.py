"""The benchmark's synthetic generator (bench/synthetic.py): two cloned counties on the embedded store; the
search benchmark (bench/search.py): lexical and semantic (vector cache off, then warm) side by side, or lexical and
"not installed"; and the web workbench's (bench/web.py): every row it reports is timed.

Sizes, keys and the report's shape only — no timing is asserted anywhere; the benchmarks themselves are commands
(``python -m bench.run``, ``python bench/search.py``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from quanze.api import semantic
from quanze.api.resolve import Resolver
from quanze.graph.regions import reference_regions
from quanze.graph.schema import SCHEMA
from quanze.graph.sqlite_store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
if not (REPO / "bench" / "synthetic.py").is_file():
    pytest.skip("bench/ is not in this installation", allow_module_level=True)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import search as search_bench
from bench.synthetic import DEMO_CODE, DEMO_NAME, Template, county_code, county_name


@pytest.fixture
def template(full_demo_store: SqliteStore) -> Template:
    return Template.from_store(full_demo_store)


@pytest.fixture
def two(template: Template, tmp_path: Path):
    store = SqliteStore(f"sqlite:///{tmp_path / 'two.db'}")
    for batch in template.batches(2):
        store.apply(batch)
    yield store
    store.close()


def test_codes_are_fictional_and_distinct() -> None:
    codes = [county_code(k) for k in range(300)]
    assert len(set(codes)) == 300
    assert codes[:2] == ["991001", "991002"]
    real = {r.code for r in reference_regions() if r.level == "county"}
    assert all(len(c) == 6 and c.startswith("99") and c != DEMO_CODE and c not in real for c in codes)
    assert len({county_name(k) for k in range(1000)}) == 1000


def test_one_county_is_the_demo_one_for_one(template: Template, full_demo_store: SqliteStore) -> None:
    assert template.county_sizes() == full_demo_store.counts()
    summary = template.summary()
    assert summary["townships"] == len(full_demo_store.nodes("Region", level="township"))
    assert 0 < summary["specific_matters"] < summary["matters"] // 10  # a few county-specific matters


def test_two_counties_have_the_expected_sizes(template: Template, two: SqliteStore) -> None:
    counts = two.counts()
    assert counts == template.expected_counts(2)
    demo = template.county_sizes()
    for label in ("Region", "Agency", "SourceList"):
        assert counts[label] == 2 * demo[label]
    assert counts["Matter"] == demo["Matter"] + len(template.specific)
    for type_ in SCHEMA.relation_types:
        assert counts[type_] == 2 * demo[type_]
    assert {r["code"] for r in two.nodes("Region", level="county")} == {"991001", "991002"}
    assert {r["name"] for r in two.nodes("Region", level="county")} == {county_name(0) + "县", county_name(1) + "县"}


def test_everything_is_rekeyed_and_nothing_dangles(two: SqliteStore) -> None:
    keys = {kind.label: {n[kind.key] for n in two.nodes(kind.label)} for kind in SCHEMA.nodes}
    for label in ("Region", "Agency", "SourceList"):
        assert not [k for k in keys[label] if DEMO_CODE in k or DEMO_NAME in k]
    for agency in two.nodes("Agency"):
        assert agency["region"][:6] in ("991001", "991002")
    delegations = {r.id for r in two.rels("DELEGATES")}
    for kind in SCHEMA.relations:
        for rel in two.rels(kind.type):
            # Neo4j refuses a relation whose node is missing: every endpoint must exist
            assert rel.source in keys[kind.source] and rel.target in keys[kind.target], rel
        if kind.type == "UNDERTAKES":
            assert all(r.props.get("delegation") in delegations for r in two.rels("UNDERTAKES"))


def test_a_cloned_township_answers_as_the_demo_township(template: Template, two: SqliteStore,
                                                         full_demo_store: SqliteStore) -> None:
    as_of = dt.date(2025, 6, 1)
    demo, clone = Resolver(full_demo_store), Resolver(two)
    town = f"{DEMO_CODE}002"
    pairs = sorted({(r.target, town) for r in full_demo_store.rels("LEADS", region=town)})[:10]
    pairs += sorted({(r.target, town) for r in full_demo_store.rels("DELEGATES", region=town)})[:5]
    pairs += sorted({(r.source, town) for r in full_demo_store.rels("RECALLED_TO", region=town)})[:5]
    assert pairs
    for matter, code in pairs:
        want = demo.resolve([matter], full_demo_store.node("Region", code), as_of)
        cloned_code = Template.rekey(code, 1)
        got = clone.resolve([template.matter_id_in(matter, 1)], two.node("Region", cloned_code), as_of)
        assert got.rule == want.rule, (matter, got.rule, want.rule)
        assert sorted((h.role, Template.rekey(h.agency["id"], 1)) for h in want.handlers) == \
            sorted((h.role, h.agency["id"]) for h in got.handlers)


def test_search_bench_scales_to_distinct_matters(full_demo_store: SqliteStore) -> None:
    base = search_bench.matters_of(full_demo_store.url)
    more = search_bench.scaled(base, 3 * len(base) + 7)
    assert len(more) == 3 * len(base) + 7 and more[:len(base)] == base
    assert len({m["id"] for m in more}) == len(more)
    assert len({(m["name"], m.get("sub_item")) for m in more}) > 0.95 * len(more)  # the copies are renamed
    assert len(search_bench.scaled(base, 100)) == 100


def test_search_bench_without_the_model_reports_it_not_installed(full_demo_store: SqliteStore, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZE_MODEL_DIR", str(tmp_path / "no-model"))  # the children inherit it
    report = search_bench.run([600], store=full_demo_store.url, questions=5)
    (row,) = report["rows"]
    assert row["semantic"] == "not installed"
    lexical = row["lexical"]
    assert lexical["matters"] == 600 and lexical["queries"]["n"] == 5 and "load" not in lexical
    assert lexical["build"]["s"] > 0 and lexical["build"]["rss_mb"] > 0
    text = search_bench.render(report)
    assert "| 600 | lexical | — | " in text and "| 600 | semantic | — | not installed |" in text
    assert "| 600 | semantic | warm |" not in text and "filling the vector cache" not in text
    assert "semantic model bge-small-zh-v1.5-q: not installed" in text


@pytest.mark.skipif(not (semantic.installed() and semantic.enabled()),
                    reason="the semantic model is not installed (quanze model fetch) or QUANZE_SEMANTIC is off")
def test_search_bench_measures_both_modes_side_by_side(full_demo_store: SqliteStore, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # the "user's" model: a folder of links to the installed one, whose vector cache the bench must leave alone
    monkeypatch.setenv("QUANZE_MODEL_DIR", str(search_bench.model_copy(tmp_path / "user")))
    monkeypatch.delenv("QUANZE_VECTOR_CACHE", raising=False)
    report = search_bench.run([600], store=full_demo_store.url, questions=5)
    assert not (semantic.model_dir() / semantic.VectorCache.FILE).exists()
    (row,) = report["rows"]
    lexical, cold, fill, warm = (row[k] for k in search_bench.KINDS)  # each child checked its index and its cache
    assert "semantic" not in row and all(isinstance(m, dict) for m in (cold, fill, warm))
    assert lexical["matters"] == cold["matters"] == warm["matters"] == 600
    assert cold["load"]["s"] > 0 and "load" not in lexical and "cache" not in lexical
    assert cold["queries"]["n"] == lexical["queries"]["n"] == warm["queries"]["n"] == 5
    # cold: no cache; the fill wrote every distinct name (the 600 matters' names and sub-items) to an empty one,
    # which the warm run found as it was
    assert cold["cache"] == {"before": None, "after": None}
    assert fill["cache"]["before"]["vectors"] == 0 and 500 < fill["cache"]["after"]["vectors"] <= 600
    assert warm["cache"]["before"] == warm["cache"]["after"] == fill["cache"]["after"]
    # the semantic process holds the model, onnxruntime's buffers and 600 vectors besides what the lexical one holds
    assert cold["build"]["rss_mb"] > lexical["build"]["rss_mb"] + 20
    text = search_bench.render(report)
    assert "| matters | mode | vector cache | build s |" in text
    assert "| 600 | lexical | — | " in text and "not installed" not in text
    assert "| 600 | semantic | off (cold) | " in text and "| 600 | semantic | warm | " in text
    assert "filling the vector cache (" in text and f"600 matters {fill['build']['s']:.2f} s" in text


def test_the_web_benchmark_times_every_page_it_reports(demo_url, tmp_path, by_words):
    import yaml

    from bench import web as web_bench

    # by words: the report's shape only, which search answers does not matter here
    questions = yaml.safe_load((REPO / "demo" / "questions.yaml").read_text(encoding="utf-8"))[:3]
    result = web_bench.measure(demo_url, questions, 1, tmp_path)
    assert result["search"] == "lexical" and result["first_ask_ms"] > 0
    for key, n in (("ask_anonymous", 3), ("ask_editor", 3), ("ask_after_confirming", 1)):
        assert result[key]["n"] == n and result[key]["median_ms"] <= result[key]["p90_ms"] <= result[key]["max_ms"]
    assert result["township_first"]["n"] == result["township_again"]["n"] >= 1
    text = web_bench.render({"date": "2026-12-07", "questions": 3, "stores": {"sqlite": result},
                             "machine": {"cpu": "", "machine": "x86_64", "cores": 2, "python": "3.11"}})
    assert text.count("| sqlite | lexical |") == 6
