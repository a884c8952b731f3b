"""What keeps Neo4j fast on a real county: a data version that every load moves (so the networkx view and the search
caches are kept between questions), and responsibility paths answered in Cypher, the same as the embedded store's.

The tests taking ``any_store`` run once per store; the others need Neo4j (QUANZE_NEO4J_URL, see conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from quanze.api.paths import find_paths
from quanze.errors import NoPath
from quanze.errors import StoreError
from quanze.graph import cypher
from quanze.graph import neo4j_store as neo4j_store_module
from quanze.graph.copy import copy_store
from quanze.graph.neo4j_store import Neo4jStore
from quanze.graph.schema_doc import schema_markdown
from quanze.graph.store import Batch, Rel, Store
from quanze.tests.helpers import agency, small_batch


def one_more_matter(key: str = "m2") -> Batch:
    b = Batch()
    b.add_node("Matter", {"id": key, "name": "违法建设"})
    return b


# --- the data version ------------------------------------------------------------------------------------------

def test_every_load_moves_the_data_version_by_one(any_store):
    before = any_store.data_version()
    any_store.apply(small_batch())
    assert any_store.data_version() == before + 1
    any_store.apply(Batch())
    assert any_store.data_version() == before + 2


def test_a_load_that_fails_leaves_the_data_version(any_store):
    any_store.apply(small_batch())
    before = any_store.data_version()
    b = one_more_matter()
    b.rels["LEADS"] = {"r9": Rel("LEADS", "r9", "990701/住建局", None, {"id": "r9", "region": "990701"})}  # no target
    with pytest.raises(StoreError, match="rolled back"):
        any_store.apply(b)
    assert any_store.data_version() == before


def test_another_clients_load_moves_the_version_this_client_sees(neo4j_store, neo4j_url):
    neo4j_store.apply(small_batch())
    seen = neo4j_store.data_version()
    view = neo4j_store.networkx()
    with Neo4jStore(neo4j_url) as other:
        assert other.data_version() == seen
        other.apply(one_more_matter())
    assert neo4j_store.data_version() == seen + 1
    assert neo4j_store.networkx() is not view and "Matter:m2" in neo4j_store.networkx()


def test_a_store_emptied_and_loaded_again_never_repeats_a_version(neo4j_store):
    neo4j_store.apply(small_batch())
    first = neo4j_store.data_version()
    neo4j_store.run("MATCH (n) DETACH DELETE n", write=True)  # a write through the store moves it too
    assert neo4j_store.data_version() > first
    neo4j_store.apply(small_batch())
    assert neo4j_store.data_version() > first + 1


def test_without_its_version_node_neo4j_caches_nothing_until_opened_again(neo4j_store, neo4j_url):
    neo4j_store.apply(small_batch())
    with neo4j_store._driver.session(database=neo4j_store.database) as session:  # as Browser would
        session.run(f"MATCH (m:{cypher.META}) DELETE m").consume()
    assert neo4j_store.data_version() == -1
    assert neo4j_store.networkx() is not neo4j_store.networkx()
    with Neo4jStore(neo4j_url) as again:
        assert again.data_version() > 0
        assert again.networkx() is again.networkx()


def test_the_version_node_stays_out_of_the_graph_users_see(store, neo4j_store):
    for s in (store, neo4j_store):
        s.apply(small_batch())
    assert neo4j_store.content() == store.content()
    assert neo4j_store.counts() == store.counts()
    assert set(neo4j_store.networkx()) == set(store.networkx())
    assert cypher.META not in schema_markdown()


# --- the networkx view -----------------------------------------------------------------------------------------

def test_the_networkx_view_is_kept_until_the_data_changes(any_store):
    any_store.apply(small_batch())
    view = any_store.networkx()
    assert any_store.networkx() is view
    any_store.apply(one_more_matter())
    again = any_store.networkx()
    assert again is not view and "Matter:m2" in again and "Matter:m2" not in view
    assert any_store.networkx() is again


# --- paths: the same answer from both stores -------------------------------------------------------------------

def two_ways_to_one_matter() -> Batch:
    """Two departments of the county both lead m1; 乙 also delegates it (two relations between the same nodes)."""
    b = small_batch()
    for key, name in (("990701/乙", "乙局"), ("990701/甲", "甲局")):
        b.add_node("Agency", agency(key, name))
        b.add_rel("BELONGS_TO", key, "990701", {"id": f"b:{name}"})
        b.add_rel("LEADS", key, "m1", {"id": f"r:{name}", "region": "990701"})
    b.add_rel("DELEGATES", "990701/乙", "m1", {"id": "d:乙局", "region": "990701001"})
    return b


def test_among_equally_short_paths_both_stores_take_the_first_by_node_ids_and_relation_ids(any_store):
    any_store.apply(two_ways_to_one_matter())
    out = find_paths(any_store, "Matter:m1", "Region:990701", all_shortest=True)
    assert [[n["id"] for n in p["nodes"]] for p in out["paths"]] == [
        ["m1", "990701/乙", "990701"], ["m1", "990701/甲", "990701"]]  # 乙 (U+4E59) before 甲 (U+7532)
    (first,) = find_paths(any_store, "Matter:m1", "Region:990701")["paths"]
    assert first == out["paths"][0]
    assert [(s["type"], s["relation"], s["forward"]) for s in first["steps"]] == [
        ("DELEGATES", "d:乙局", False), ("BELONGS_TO", "b:乙局", True)]
    (led,) = find_paths(any_store, "Matter:m1", "Region:990701", via=["LEADS", "BELONGS_TO"])["paths"]
    assert led["steps"][0]["relation"] == "r:乙局"


def test_a_route_from_a_node_to_itself_has_no_steps(any_store):
    any_store.apply(small_batch())
    (route,) = find_paths(any_store, "Matter:m1", "Matter:m1")["paths"]
    assert route["hops"] == 0 and route["steps"] == [] and [n["id"] for n in route["nodes"]] == ["m1"]


def test_route_queries_take_schema_relation_types_and_a_positive_hop_bound_only(any_store):
    any_store.apply(small_batch())
    with pytest.raises(KeyError):
        any_store.shortest_routes("Matter:m1", "Region:990701", ["LEADS]-(x) DETACH DELETE x //"])
    with pytest.raises(ValueError):
        any_store.shortest_routes("Matter:m1", "Agency:990701/住建局", max_hops=0)
    assert any_store.shortest_routes("Matter:m1", "Matter:没有") == []
    assert any_store.shortest_routes("Nothing:m1", "Matter:m1") == []


DEMO_QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("县住建局", "城关镇", {"within": "青岚县"}),
    ("县住建局", "990701001/综合行政执法大队", {"via": ["DELEGATES", "UNDERTAKES"]}),
    ("990701001/综合行政执法大队", "990701002/综合行政执法大队", {"all_shortest": True}),
    ("990701020/农业综合服务中心", "990701018/综合行政执法大队", {"all_shortest": True, "limit": 50}),
    ("Agency:990701/青岚县交通运输局", "Matter:code:990214002000", {"all_shortest": True}),  # LEADS and DELEGATES
    ("Agency:990701/青岚县交通运输局", "Matter:code:990214002000", {"via": ["LEADS"]}),
    ("县公安局", "雾岭乡", {"within": "青岚县", "via": ["STATIONED_IN", "UNIT_OF"], "all_shortest": True}),
    ("Region:990701003", "Region:990701017", {"via": ["PART_OF"], "max_hops": 2}),
    ("县住建局", "990701001/综合行政执法大队", {"via": ["DELEGATES", "UNDERTAKES"], "max_hops": 1}),  # too short
    ("县住建局", "990701001/综合行政执法大队", {"via": ["PART_OF"]}),  # no such path at all
]


def answer(store: Store, source: str, target: str, options: dict[str, Any]) -> Any:
    """``find_paths``'s answer, or its NoPath message in both languages."""
    try:
        return find_paths(store, source, target, **options)
    except NoPath as e:
        return ("NoPath", e.message_zh, e.message_en)


@pytest.fixture
def demo_in_both(full_demo_store, neo4j_store) -> tuple[Store, Store]:
    copy_store(full_demo_store, neo4j_store)
    return full_demo_store, neo4j_store


def test_paths_through_the_demo_county_are_the_same_in_both_stores(demo_in_both):
    embedded, neo4j = demo_in_both
    answers = [answer(embedded, *q) for q in DEMO_QUESTIONS]
    assert [answer(neo4j, *q) for q in DEMO_QUESTIONS] == answers
    assert [a[0] for a in answers if isinstance(a, tuple)] == ["NoPath", "NoPath"]
    many = answers[3]["paths"]
    assert len(many) == 50 and len({p["hops"] for p in many}) == 1
    ids = [[n["label"] + ":" + n["id"] for n in p["nodes"]] for p in many]
    assert ids == sorted(ids)


def test_when_there_are_too_many_paths_to_sort_neo4j_walks_them_in_the_same_order(demo_in_both, monkeypatch):
    embedded, neo4j = demo_in_both
    question = ("990701020/农业综合服务中心", "990701018/综合行政执法大队", {"all_shortest": True, "limit": 7})
    expected = answer(embedded, *question)
    monkeypatch.setattr(neo4j_store_module, "ROUTE_CAP", 5)
    assert answer(neo4j, *question) == expected
    assert answer(neo4j, *DEMO_QUESTIONS[0]) == answer(embedded, *DEMO_QUESTIONS[0])


def test_paths_in_neo4j_are_answered_in_cypher_without_the_networkx_view(neo4j_store, monkeypatch):
    neo4j_store.apply(two_ways_to_one_matter())

    def whole_graph() -> None:
        raise AssertionError("find_paths read the whole graph into networkx")

    monkeypatch.setattr(neo4j_store, "build_networkx", whole_graph)
    assert len(find_paths(neo4j_store, "Matter:m1", "Region:990701", all_shortest=True)["paths"]) == 2
    with pytest.raises(NoPath):
        find_paths(neo4j_store, "Matter:m1", "Region:990701", via=["LEADS"])
