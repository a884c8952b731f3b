"""The benchmark (bench/): scales from the real region table, the generator's counties, the county-scale run of
``quanze bench`` as CI runs it, the per-row Neo4j loader it compares with; the search benchmark (bench/search.py);
and the web workbench's (bench/web.py): every row it reports is timed.

Sizes, keys and the report's shape only — no timing is asserted anywhere: the benchmarks are commands.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from quanze.api import semantic
from quanze.api.resolve import Resolver
from quanze.graph.schema import SCHEMA
from quanze.graph.sqlite_store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
if not (REPO / "bench" / "synthetic.py").is_file():
    pytest.skip("bench/ is not in this installation", allow_module_level=True)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import search as search_bench
from bench.ratios import batch_rows, per_row_load
from bench.regions import counties_of, describe
from bench.report import write_section
from bench.synthetic import DEMO_CODE, MEANS, Generator, Template, _family, _matter_of

AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def generator(full_demo_db: Path) -> Generator:
    with SqliteStore(f"sqlite:///{full_demo_db}") as demo:
        return Generator(Template.from_store(demo), seed=7)


@pytest.fixture(scope="module")
def province():
    return counties_of("province")


def _by_code(counties, code):
    return next(c for c in counties if c.code == code)


def test_the_scales_are_the_real_region_table() -> None:
    assert counties_of("county") == []
    province = describe("province")
    assert (province["what"], province["counties"], province["townships"]) == ("浙江省", 90, 1387)
    assert all(c.code.startswith("33") for c in counties_of("province"))
    country = describe("country")
    assert (country["counties"], country["townships"]) == (2978, 41352)
    assert country["townships_max"] == 52 and country["townships_min"] == 1


def _store_of(tmp_path: Path, generator: Generator, counties) -> SqliteStore:
    store = SqliteStore(f"sqlite:///{tmp_path / 'gen.db'}")
    for _county, batch in generator.batches(counties):
        store.apply(batch)
    return store


def test_a_generated_county_has_its_real_townships_and_nothing_dangles(generator: Generator, province,
                                                                        tmp_path: Path) -> None:
    county = _by_code(province, "330727")  # 磐安县
    with _store_of(tmp_path, generator, [county]) as store:
        towns = store.nodes("Region", level="township")
        assert sorted((t["code"], t["name"]) for t in towns) == sorted((t.code, t.name) for t in county.townships)
        assert {t["county_code"] for t in towns} == {"330727"}
        assert [r["name"] for r in store.nodes("Region", level="county")] == ["磐安县"]
        assert not [a for a in store.nodes("Agency") if DEMO_CODE in a["id"] or "青岚" in a["name"]]
        keys = {kind.label: {n[kind.key] for n in store.nodes(kind.label)} for kind in SCHEMA.nodes}
        for kind in SCHEMA.relations:
            for rel in store.rels(kind.type):  # Neo4j refuses a relation whose node is missing
                assert rel.source in keys[kind.source] and rel.target in keys[kind.target], rel
        delegations = {r.id for r in store.rels("DELEGATES")}
        assert all(r.props["delegation"] in delegations for r in store.rels("UNDERTAKES"))
        # every township's lists are its own and near the national means (county factor × township factor)
        sizes: dict[str, list[int]] = defaultdict(list)
        for type_ in ("LEADS", "RECALLED_TO"):
            per: dict[tuple[str, str], set[str]] = defaultdict(set)
            for r in store.rels(type_):
                if len(r.props["region"]) == 9:
                    per[(r.props["region"], _family(r))].add(_matter_of(r))
            for (_town, family), matters in per.items():
                sizes[family].append(len(matters))
        for family in ("basic", "cooperation", "recall"):
            assert len(sizes[family]) == len(county.townships)
            assert 0.4 * MEANS[family] < statistics.mean(sizes[family]) < 1.8 * MEANS[family], (family, sizes)


def test_counties_differ_in_townships_local_wordings_and_list_sizes(generator: Generator, province,
                                                                   tmp_path: Path) -> None:
    a, b = _by_code(province, "330727"), _by_code(province, "330111")  # 14 and 24 townships
    first, second = generator.county(a), generator.county(b)
    assert len(a.townships) != len(b.townships)
    shared = set(generator.matters)
    local_a = {m for m in first.nodes["Matter"] if m not in shared}
    local_b = {m for m in second.nodes["Matter"] if m not in shared}
    assert local_a and local_b and not local_a & local_b
    for batch, county in ((first, a), (second, b)):
        share = len({m for m in batch.nodes["Matter"] if m not in shared}) / len(batch.nodes["Matter"])
        plan = generator.plan(county)
        assert 0.05 <= plan["local_share"] <= 0.20 and 0.02 < share < 0.3
    plans = [generator.plan(c) for c in (a, b)]
    assert plans[0]["factor"] != plans[1]["factor"]
    # the same county is generated the same way every time (a question plan rebuilds the counties it asks about)
    again = generator.county(a)
    assert {t: set(r) for t, r in again.rels.items()} == {t: set(r) for t, r in first.rels.items()}


def test_a_generated_township_answers_by_the_rules(generator: Generator, province, tmp_path: Path) -> None:
    county = _by_code(province, "330727")
    with _store_of(tmp_path, generator, [county]) as store:
        resolver = Resolver(store)
        town = county.townships[0].code
        recalled = store.rels_any("RECALLED_TO", regions=[town])[:5]
        delegated = [r for r in store.rels_any("DELEGATES", regions=[town]) if not r.props.get("recalled")
                     and (r.props.get("effective") or AS_OF) <= AS_OF][:5]
        assert recalled and delegated
        region = store.node("Region", town)
        for r in recalled:
            got = resolver.resolve([r.source], region, AS_OF)
            assert got.rule == "recalled" and r.target in {h.agency["id"] for h in got.handlers}
        for r in delegated:
            got = resolver.resolve([r.target], region, AS_OF)
            assert got.rule in ("recalled", "delegated")


def test_a_report_section_is_replaced_by_the_next_run_of_its_scale(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nhand-written text\n", encoding="utf-8")
    write_section(report, "county", "first county run")
    write_section(report, "province", "a province run")
    write_section(report, "county", "second county run")
    text = report.read_text(encoding="utf-8")
    assert "hand-written text" in text and "a province run" in text and "second county run" in text
    assert "first county run" not in text and text.count("quanze bench county: start") == 1


def test_quanze_bench_at_county_scale_writes_its_results_and_report(tmp_path: Path) -> None:
    """What CI runs: the whole county-scale benchmark on the embedded store, in a minute or so."""
    out, report = tmp_path / "county.json", tmp_path / "benchmarks.md"
    done = subprocess.run([sys.executable, "-m", "quanze", "bench", "--scale", "county", "--stores", "sqlite",
                           "--out", str(out), "--report", str(report)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    meta = results["meta"]
    assert meta["command"] == "quanze bench --scale county --stores sqlite"
    assert meta["machine"]["nproc"] >= 1 and len(meta["machine"]["loadavg_start"]) == 3
    assert meta["versions"]["python"] and meta["versions"]["sqlite"] and meta["versions"]["commit"]
    run = results["runs"]["sqlite"]
    assert run["status"] == "ok", run.get("detail")
    phases = run["phases"]
    assert phases["ingest_demo"]["rejected"] == 0 and phases["ingest_demo"]["written"] > 15000
    assert phases["who"]["n"] == phases["who"]["planned"] > 200 and phases["who"]["errors"] == 0
    assert phases["who_lexical"]["n"] == phases["who"]["n"]
    assert 0 < phases["who"]["accuracy"]["lead_top1"] <= 1 and 0 < phases["who_lexical"]["accuracy"]["lead_top1"]
    assert phases["audit_all"]["findings"] == phases["audit_county"]["findings"] > 0  # the store is one county
    assert phases["shell_who"]["runs"] == 4 and not phases["shell_who"]["errors"]
    assert phases["resolve"]["errors"] == 0 and phases["paths"]["errors"] == 0
    http = phases["http"]  # 16 clients against quanze serve: every request answered
    assert http["clients"] == 16 and http["who"]["requests"] > 16 and http["page"]["requests"] > 0
    assert http["all"]["errors"] == 0, http["all"]["error_examples"]
    scan = results["ratios"]["scan"]
    assert scan["files"] > 60 and scan["cells"] > 10000 and results["ratios"]["scan_vs_who_sqlite"] > 1
    measured = {(t["en"], t["store"]) for t in results["targets"] if t["value"] is not None}
    assert {("demo ingest", "sqlite"), ("who in-process p50", "sqlite"), ("full audit", "sqlite"),
            ("quanze who from the shell", "sqlite"), ("HTTP who throughput, 16 clients", "sqlite")} <= measured
    text = report.read_text(encoding="utf-8")
    assert "quanze bench county: start" in text and "`quanze bench --scale county --stores sqlite`" in text
    assert "| 演示县导入 / demo ingest | SQLite | < 5 s |" in text


def test_the_per_row_loader_writes_what_the_batched_one_does(generator: Generator, province, neo4j_store) -> None:
    batch = generator.county(_by_code(province, "330727"))
    nodes, rels = batch_rows(batch)
    done = per_row_load(neo4j_store.url, batch, relations=50)
    assert done["nodes"] == nodes and done["relations"] == 50 and done["rows_per_s"] > 0
    counts = neo4j_store.counts()
    assert sum(counts[k.label] for k in SCHEMA.nodes) == nodes
    assert sum(counts[t] for t in SCHEMA.relation_types) == 50


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
    # cold: no cache; the fill wrote every distinct name (the 600 matters' names and sub-items) and the phrase bank's
    # phrasings of them (shipped text, cached beside the names) to an empty one, which the warm run found as it was
    from quanze.api.phrases import shipped_phrases

    assert cold["cache"] == {"before": None, "after": None}
    assert fill["cache"]["before"]["vectors"] == 0
    assert 500 < fill["cache"]["after"]["vectors"] <= 600 + len(shipped_phrases())
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
