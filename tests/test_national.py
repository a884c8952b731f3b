"""A national store that fits: what a question reads and keeps is one county's, and a Neo4j question is a few round
trips. The search index is built per county (its matters, and those no list names) and only a few are kept; what the
rules read about a question's matters is read at once (``Store.neighbourhood``, the same on both stores); a question
reads the data version once; the embedded store finds routes by indexed reads, as its whole-graph view did. Answers
are the ones the behaviour suite and the accuracy floors check; nothing here is timed."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from quanze.api import who as who_module
from quanze.api.who import INDEX_COUNTIES, matter_index, who
from quanze.graph import cache
from quanze.graph.copy import copy_store
from quanze.graph.store import Store

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.regions import counties_of  # noqa: E402
from bench.synthetic import Generator, Template  # noqa: E402

AS_OF = "2025-06-01"
OTHER = "330727"  # 磐安县, generated beside the demo


def count_index_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time ``who`` builds a search index (``MatterIndex``)."""
    built: list[int] = []
    real = who_module.MatterIndex

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(who_module, "MatterIndex", counted)
    return built


@pytest.fixture
def two_counties(full_demo_store):
    county = next(c for c in counties_of("province") if c.code == OTHER)
    full_demo_store.apply(Generator(Template.from_store(full_demo_store)).county(county))
    return full_demo_store


@pytest.fixture(params=["sqlite", "neo4j"], ids=["sqlite", "neo4j"])
def two_anywhere(request: pytest.FixtureRequest, two_counties):
    if request.param == "sqlite":
        return two_counties
    neo4j = request.getfixturevalue("neo4j_store")
    copy_store(two_counties, neo4j)
    return neo4j


def test_a_county_is_searched_among_its_own_matters(full_demo_store) -> None:
    demo_alone = {m["id"] for m in full_demo_store.nodes("Matter")}
    county = next(c for c in counties_of("province") if c.code == OTHER)
    full_demo_store.apply(Generator(Template.from_store(full_demo_store)).county(county))
    two_counties = full_demo_store
    demo = matter_index(two_counties, county="990701")
    other = matter_index(two_counties, county=OTHER)
    everything = matter_index(two_counties)
    # the demo county's index holds the matters the demo alone held, not those the other county brought
    assert set(demo.ids) == demo_alone and set(demo.ids) < set(everything.ids)
    local = {m["id"] for m in two_counties.nodes("Matter") if m["name"].endswith("（磐安）")}
    assert local and local <= set(other.ids) and not local & set(demo.ids)
    assert set(demo.ids) | set(other.ids) == set(everything.ids)
    # a question in the demo county never answers with 磐安县's own wording of a matter
    for q in ("路边摆摊占道", "饭店油烟太大", "村里有人没批就盖房子"):
        answer = who(two_counties, q, "990701001", as_of=AS_OF)
        assert answer["matches"] and not {m["matter"]["id"] for m in answer["matches"]} & local


def test_a_matter_no_list_names_is_searched_in_every_county(two_counties) -> None:
    from quanze.graph.store import Batch

    batch = Batch()
    batch.add_node("Matter", {"id": "name:catalogue-only", "name": "对擅自在桥梁上架设管线的行政处罚",
                              "norm_name": "对擅自在桥梁上架设管线的行政处罚"})
    two_counties.apply(batch)
    assert "name:catalogue-only" in two_counties.unattached_matters()
    for county in ("990701", OTHER):
        assert "name:catalogue-only" in matter_index(two_counties, county=county).ids


def test_only_a_few_county_indexes_are_kept(two_counties, monkeypatch: pytest.MonkeyPatch) -> None:
    built = count_index_builds(monkeypatch)
    monkeypatch.setattr(who_module, "INDEX_COUNTIES", 1)
    cache.clear()
    matter_index(two_counties, county="990701")
    matter_index(two_counties, county="990701")
    assert len(built) == 1
    matter_index(two_counties, county=OTHER)  # the demo's index is dropped to make room
    matter_index(two_counties, county="990701")
    assert len(built) == 3
    assert INDEX_COUNTIES >= 4


def test_what_the_rules_read_is_read_alike_on_both_stores(two_anywhere, two_counties) -> None:
    from quanze.api.resolve import READS

    rng = random.Random(7)
    towns = ["990701001", "990701017"] + [t["code"] for t in two_counties.nodes("Region", county_code=OTHER)][:2]
    matters = [m["id"] for m in two_counties.nodes("Matter")]
    for town in towns:
        ids = rng.sample(matters, 30)
        county = town[:6]
        mine, theirs = two_anywhere.neighbourhood(ids, town, county, READS), \
            Store.neighbourhood(two_counties, ids, town, county, READS)
        assert mine == theirs, town
        assert any(mine.rels.values()) and mine.government and mine.agencies


def test_a_question_reads_the_data_version_once_and_neo4j_answers_in_three_round_trips(two_anywhere, two_counties,
                                                                                       monkeypatch) -> None:
    questions = [("路边摆摊占道", "990701001"), ("饭店油烟太大", "990701002"), ("村里有人没批就盖房子", "990701001")]
    for q, town in questions:  # warm: indexes and each township's local matters built
        assert who(two_anywhere, q, town, as_of=AS_OF) == who(two_counties, q, town, as_of=AS_OF)
    versions = []
    real_version = type(two_anywhere).data_version
    monkeypatch.setattr(type(two_anywhere), "data_version",
                        lambda self: versions.append(1) or real_version(self))
    reads = []
    if hasattr(two_anywhere, "_read"):
        real_read = two_anywhere._read
        monkeypatch.setattr(two_anywhere, "_read", lambda *a, **k: reads.append(a[0]) or real_read(*a, **k))
    for q, town in questions:
        who(two_anywhere, q, town, as_of=AS_OF)
    assert len(versions) == len(questions)
    if hasattr(two_anywhere, "_read"):  # Neo4j: the version, the full-text recall, what the rules read
        assert len(reads) <= 3 * len(questions), reads


def test_routes_by_indexed_reads_are_the_whole_graph_views(two_counties) -> None:
    rng = random.Random(3)
    agencies = [a["id"] for a in two_counties.nodes("Agency")]
    towns = [r["code"] for r in two_counties.nodes("Region", level="township")]
    matters = [m["id"] for m in two_counties.nodes("Matter")]
    for _ in range(25):
        a = "Agency:" + rng.choice(agencies)
        b = rng.choice(["Region:" + rng.choice(towns), "Matter:" + rng.choice(matters), "Agency:" + rng.choice(agencies)])
        for kinds, every in ((None, False), (None, True), (("LEADS", "UNIT_OF", "STATIONED_IN"), True)):
            assert two_counties.shortest_routes(a, b, kinds, all_shortest=every) == \
                Store.shortest_routes(two_counties, a, b, kinds, all_shortest=every), (a, b, kinds)


def test_a_built_index_is_kept_on_disk_for_the_next_process(two_counties, tmp_path, monkeypatch) -> None:
    from quanze.api import index_cache

    monkeypatch.setenv("QUANZE_INDEX_CACHE", "on")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built = count_index_builds(monkeypatch)
    cache.clear()
    first = who(two_counties, "饭店油烟太大", "990701001", as_of=AS_OF)
    files = sorted((tmp_path / "cache" / "quanze" / "indexes").glob("*.pickle"))
    assert len(built) == 1 and len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    cache.clear()  # a new process: nothing in memory
    assert who(two_counties, "饭店油烟太大", "990701001", as_of=AS_OF) == first
    assert len(built) == 1  # read, not built
    who(two_counties, "饭店油烟太大", f"{OTHER}001", as_of=AS_OF)  # another county: its own index
    assert len(built) == 2
    files[0].write_bytes(b"not a pickle")  # a broken file is built again, never an error
    cache.clear()
    assert who(two_counties, "饭店油烟太大", "990701001", as_of=AS_OF) == first and len(built) == 3
    from quanze.graph.store import Batch

    two_counties.apply(Batch())  # a load: another data version, another index
    cache.clear()
    who(two_counties, "饭店油烟太大", "990701001", as_of=AS_OF)
    assert len(built) == 4
    monkeypatch.setenv("QUANZE_INDEX_CACHE", "off")
    assert not index_cache.enabled()


def test_jieba_words_read_from_the_file_cut_as_jieba_does(tmp_path, monkeypatch) -> None:
    import jieba

    from quanze.api import jieba_dictionary

    monkeypatch.setenv("QUANZE_INDEX_CACHE", "on")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    full = jieba.Tokenizer()
    assert not jieba_dictionary.attach(full)  # no file yet
    full.initialize()
    jieba_dictionary.keep(full)
    texts = ["饭店油烟太大", "楼下烧烤店半夜还在营业，吵得睡不着", "农村宅基地审批找谁", "河道里有人非法采砂",
             "小区电梯坏了三天没人修", "校外培训机构乱收费", "柏溪镇综合行政执法大队", "对违反城乡规划行为的行政处罚"]
    for all_after in (jieba_dictionary.ALL_AFTER, 5):  # words read one by one; then the whole dictionary loaded
        monkeypatch.setattr(jieba_dictionary, "ALL_AFTER", all_after)
        lazy = jieba.Tokenizer()
        assert jieba_dictionary.attach(lazy)
        for text in texts:
            assert list(lazy.cut(text)) == list(full.cut(text)), text
            assert list(lazy.cut_for_search(text)) == list(full.cut_for_search(text)), text
        assert (lazy.FREQ._all is not None) == (all_after == 5)
    monkeypatch.setenv("QUANZE_INDEX_CACHE", "off")
    assert not jieba_dictionary.attach(jieba.Tokenizer())


def test_the_national_region_index_is_kept_on_disk_and_read_back_the_same(tmp_path, monkeypatch) -> None:
    from quanze.graph import regions

    monkeypatch.setenv("QUANZE_INDEX_CACHE", "on")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built = regions._build_reference_index()
    assert regions._kept_on_disk(regions._build_reference_index) == built  # built, written
    files = list((tmp_path / "cache" / "quanze" / "indexes").glob("regions-*.pickle"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    calls = []
    assert regions._kept_on_disk(lambda: calls.append(1)) == built and not calls  # read, not built
    files[0].write_bytes(b"broken")
    assert regions._kept_on_disk(lambda: calls.append(1) or built) == built and calls == [1]
