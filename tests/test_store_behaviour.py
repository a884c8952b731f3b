"""Both stores give the same answers: what every Store promises, run against the embedded store and Neo4j.

The tests taking ``any_store`` run once per store (ids ``sqlite`` and ``neo4j``). The ones at the end load the demo
county into both and compare whole graphs; later questions asked of both stores (who handles a matter, audits) belong
there too: ``demo_pair`` gives the two loaded stores and ``assert_same_answers`` compares one question on both.
"""

import datetime as dt
import shutil
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from quanze.demo import demo_path
from quanze.errors import StoreError
from quanze.graph.copy import copy_store
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Rel, Store
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import agency, small_batch


# --- values, upserts, replacement, rollback -------------------------------------------------------------------

def test_values_come_back_with_their_types(any_store):
    b = small_batch()
    b.add_node("SourceList", {"id": "S1", "kind": "power", "effective": dt.date(2024, 1, 31),
                              "rejected": [{"row": 5, "cells": {"事项名称": "违法建设", "序号": 3}}], "rows": 40})
    any_store.apply(b)
    a = any_store.node("Agency", "990701/住建局")
    assert a["short_names"] == ["县住建局"] and a["admin_quota"] == 3
    assert any_store.node("Region", "990701")["tags"] == ["示例"]
    assert any_store.node("Region", "990701001")["tags"] == []
    (d,) = any_store.rels("DELEGATES", source="990701/住建局")
    assert d.props["effective"] == dt.date(2021, 5, 1) and d.target == "m1"
    assert type(d.props["effective"]) is dt.date
    assert any_store.rels("LEADS", target="m1", region="990701")[0].props["row"] == 7
    assert any_store.nodes("Agency", name="住建局")[0]["id"] == "990701/住建局"
    s = any_store.node("SourceList", "S1")
    assert s == {"id": "S1", "kind": "power", "effective": dt.date(2024, 1, 31), "rows": 40,
                 "rejected": [{"row": 5, "cells": {"事项名称": "违法建设", "序号": 3}}]}
    assert any_store.nodes("SourceList", effective=dt.date(2024, 1, 31))[0]["id"] == "S1"
    assert any_store.nodes("Region", tags=["示例"])[0]["code"] == "990701"


def test_a_relation_comes_back_as_the_embedded_store_gives_it(any_store):
    any_store.apply(small_batch())
    assert any_store.rels("LEADS") == [
        Rel("LEADS", "r1", "990701/住建局", "m1", {"id": "r1", "region": "990701", "list_id": "L1", "row": 7})]


def test_a_node_that_does_not_exist_is_none(any_store):
    any_store.apply(small_batch())
    assert any_store.node("Agency", "990701/没有") is None
    assert any_store.nodes("Agency", name="没有") == []
    assert any_store.rels("LEADS", source="990701/没有") == []


def test_a_value_left_out_later_does_not_erase_the_one_given(any_store):
    any_store.apply(small_batch())
    b = Batch()
    b.add_node("Agency", agency("990701/住建局", "住建局", admin_quota=None, admin_actual=2))
    b.add_rel("LEADS", "990701/住建局", "m1", {"id": "r1", "region": "990701", "duty": "牵头"})
    any_store.apply(b)
    a = any_store.node("Agency", "990701/住建局")
    assert (a["admin_quota"], a["admin_actual"], a["short_names"]) == (3, 2, ["县住建局"])
    assert any_store.rels("LEADS")[0].props == {"id": "r1", "region": "990701", "list_id": "L1", "row": 7,
                                                "duty": "牵头"}


def test_replacing_a_list_removes_what_it_asserted_and_nothing_else(any_store):
    any_store.apply(small_batch("L1"))
    b = Batch()
    b.add_node("Agency", agency("990701/资规局", "资规局", "L2"))
    any_store.apply(b)
    replacement = Batch(replaces=["L1"])
    replacement.add_node("Agency", agency("990701/水利局", "水利局", "L1"))
    any_store.apply(replacement)
    assert any_store.node("Agency", "990701/住建局") is None
    assert any_store.rels("LEADS") == [] and any_store.rels("DELEGATES") == []
    assert any_store.node("Agency", "990701/资规局") is not None
    assert any_store.node("Agency", "990701/水利局") is not None
    assert any_store.node("Matter", "m1") is not None  # matters belong to no single list


def test_an_agency_the_new_version_lists_again_has_only_its_new_values_and_keeps_other_lists_duties(any_store):
    any_store.apply(small_batch("L1"))
    duties = Batch()
    duties.add_rel("COOPERATES_ON", "990701/住建局", "m1", {"id": "c1", "region": "990701001", "list_id": "P1"})
    any_store.apply(duties)
    new_version = Batch(replaces=["L1"])
    new_version.add_node("Agency", agency("990701/住建局", "住房和城乡建设局", "L1b", admin_actual=4))
    any_store.apply(new_version)
    a = any_store.node("Agency", "990701/住建局")
    assert a == agency("990701/住建局", "住房和城乡建设局", "L1b", admin_actual=4)  # no short_names, no admin_quota
    assert [r.id for r in any_store.rels("COOPERATES_ON", source="990701/住建局")] == ["c1"]
    assert any_store.rels("LEADS") == []


def test_a_failing_write_rolls_back_everything(any_store):
    any_store.apply(small_batch())
    before = any_store.content()
    b = Batch(replaces=["L1"])
    b.add_node("Agency", agency("990701/水利局", "水利局"))
    b.add_rel("LEADS", "990701/水利局", "m1", {"id": "r9", "region": "990701"})
    # a relation without a target fails after the deletes and node writes have run
    b.rels["LEADS"]["r9"] = Rel("LEADS", "r9", "990701/水利局", None, {"id": "r9", "region": "990701"})
    with pytest.raises(StoreError, match="rolled back"):
        any_store.apply(b)
    assert any_store.content() == before


# --- reading: filters, order, counts ---------------------------------------------------------------------------

def test_nodes_are_filtered_by_equal_values_and_ordered_by_key(any_store):
    b = Batch()
    for key, name, kind in [("990701/c", "丙", "county_department"), ("990701/a", "甲", "county_unit"),
                            ("990701/b", "乙", "county_department"), ("990701/B", "乙", "county_department")]:
        b.add_node("Agency", {"id": key, "name": name, "kind": kind, "region": "990701"})
    any_store.apply(b)
    assert [a["id"] for a in any_store.nodes("Agency")] == ["990701/B", "990701/a", "990701/b", "990701/c"]
    assert [a["id"] for a in any_store.nodes("Agency", kind="county_department")] == ["990701/B", "990701/b",
                                                                                      "990701/c"]
    assert [a["id"] for a in any_store.nodes("Agency", kind="county_department", name="乙")] == ["990701/B",
                                                                                                "990701/b"]
    with pytest.raises(KeyError):
        any_store.nodes("Agency", colour="red")


def test_relations_are_filtered_by_source_target_and_values_and_ordered_by_id(any_store):
    b = small_batch()
    b.add_node("Matter", {"id": "m2", "name": "违法建设"})
    b.add_node("Agency", agency("990701/资规局", "资规局"))
    b.add_rel("LEADS", "990701/资规局", "m2", {"id": "r3", "region": "990701001", "list_id": "L1"})
    b.add_rel("LEADS", "990701/住建局", "m2", {"id": "r2", "region": "990701001", "list_id": "L1"})
    any_store.apply(b)
    assert [r.id for r in any_store.rels("LEADS")] == ["r1", "r2", "r3"]
    assert [r.id for r in any_store.rels("LEADS", source="990701/住建局")] == ["r1", "r2"]
    assert [r.id for r in any_store.rels("LEADS", target="m2")] == ["r2", "r3"]
    assert [r.id for r in any_store.rels("LEADS", source="990701/住建局", target="m2")] == ["r2"]
    assert [r.id for r in any_store.rels("LEADS", region="990701001", list_id="L1")] == ["r2", "r3"]
    assert [r.id for r in any_store.all_rels(["LEADS", "DELEGATES"])] == ["r1", "r2", "r3", "d1"]
    with pytest.raises(KeyError):
        any_store.rels("LEADS", colour="red")
    # any of several ends and regions, in one call: what the resolver asks for one question
    r1 = any_store.rels("LEADS", source="990701/住建局")[0]
    assert [r.id for r in any_store.rels_any("LEADS", targets=["m2", r1.target])] == ["r1", "r2", "r3"]
    assert [r.id for r in any_store.rels_any("LEADS", targets=["m2"], regions=["990701001", "990701"])] == ["r2", "r3"]
    assert [r.id for r in any_store.rels_any("LEADS", sources=["990701/资规局"], targets=["m2"])] == ["r3"]
    assert any_store.rels_any("LEADS", targets=["m2"], regions=["110101"]) == []
    assert any_store.rels_any("LEADS", targets=[]) == []
    got = any_store.rels_any("LEADS", targets=["m2"])[0]
    assert got == any_store.rels("LEADS", target="m2")[0]  # the same relation, properties and all
    with pytest.raises(KeyError):
        any_store.rels_any("STATIONED_IN", regions=["990701001"])
    # a county's share: regions starting with its code
    assert [r.id for r in any_store.rels_any("LEADS", region_prefix="990701")] == ["r1", "r2", "r3"]
    assert [r.id for r in any_store.rels_any("LEADS", region_prefix="9907010")] == ["r2", "r3"]
    assert any_store.rels_any("LEADS", region_prefix="110101") == []
    assert [a["id"] for a in any_store.nodes_any("Agency", region_prefix="990701")] == \
        [a["id"] for a in any_store.nodes("Agency")]
    assert [m["id"] for m in any_store.nodes_any("Matter", keys=["m2", "nope"])] == ["m2"]
    assert any_store.nodes_any("Matter", keys=[]) == []
    with pytest.raises(KeyError):
        any_store.nodes_any("Matter", region_prefix="990701")


def test_counts_name_every_label_and_relation_type(any_store):
    assert any_store.counts() == {k: 0 for k in [n.label for n in SCHEMA.nodes] + list(SCHEMA.relation_types)}
    any_store.apply(small_batch())
    counts = any_store.counts()
    assert {k: n for k, n in counts.items() if n} == {"Region": 2, "Agency": 1, "Matter": 1, "LEADS": 1, "DELEGATES": 1}


def test_the_networkx_view_holds_every_node_and_relation(any_store):
    any_store.apply(small_batch())
    g = any_store.networkx()
    assert g.nodes["Agency:990701/住建局"]["label"] == "Agency"
    assert g.nodes["Agency:990701/住建局"]["short_names"] == ["县住建局"]
    assert g.edges["Agency:990701/住建局", "Matter:m1", "d1"]["effective"] == dt.date(2021, 5, 1)
    assert g.edges["Agency:990701/住建局", "Matter:m1", "r1"]["type"] == "LEADS"


def test_a_relation_id_asserted_again_between_other_nodes_moves_there(any_store):
    b = small_batch()
    b.add_node("Agency", agency("990701/资规局", "资规局"))
    any_store.apply(b)
    moved = Batch()
    moved.add_rel("LEADS", "990701/资规局", "m1", {"id": "r1", "region": "990701001"})
    any_store.apply(moved)
    assert any_store.rels("LEADS") == [Rel("LEADS", "r1", "990701/资规局", "m1",
                                           {"id": "r1", "region": "990701001", "list_id": "L1", "row": 7})]


# --- whole graphs: the demo county in both stores ---------------------------------------------------------------

# Values that say when something was loaded, not what: they differ between two loads of the same files.
VOLATILE = {("SourceList", "loaded_at"), ("SourceList", "replaced_at")}


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _stable(label: str, props: dict[str, Any]) -> dict[str, Any]:
    return {n: v for n, v in props.items() if (label, n) not in VOLATILE}


def graph_content(store: Store) -> tuple[set[tuple], set[tuple]]:
    """Every node as (label, key, props) and every relation as (type, id, source, target, props), through the Store
    interface only, so that any two stores compare."""
    nodes = {(k.label, p[k.key], _frozen(_stable(k.label, p)))
             for k in SCHEMA.nodes for p in store.nodes(k.label)}
    rels = {(r.type, r.id, r.source, r.target, _frozen(r.props)) for t in SCHEMA.relation_types for r in store.rels(t)}
    return nodes, rels


def assert_same_answers(pair: tuple[Store, Store], question: Callable[[Store], Any]) -> Any:
    """Ask both stores the same question; the answers must be equal. Returns the answer."""
    embedded, neo4j = pair
    answer = question(embedded)
    assert question(neo4j) == answer
    return answer


def load_demo(store: Store) -> None:
    report = ingest_paths([demo_path()], store)
    assert report.ok, [p.format() for f in report.files for p in f.errors]


@pytest.fixture
def demo_pair(full_demo_store, neo4j_store) -> tuple[Store, Store]:
    """The whole demo county (structure, lists, delegations, activity) loaded from the same files into the embedded
    store and into Neo4j."""
    load_demo(neo4j_store)
    return full_demo_store, neo4j_store


def assert_same_sets(embedded: set, neo4j: set) -> None:
    """Equal sets, and when not, a readable difference: what only one of the stores holds."""
    difference = {"embedded only": sorted(embedded - neo4j, key=repr)[:5],
                  "neo4j only": sorted(neo4j - embedded, key=repr)[:5]}
    assert difference == {"embedded only": [], "neo4j only": []}


def test_the_demo_county_is_the_same_graph_in_both_stores(demo_pair):
    embedded, neo4j = demo_pair
    nodes, rels = graph_content(embedded)
    assert nodes and rels
    neo4j_nodes, neo4j_rels = graph_content(neo4j)
    assert_same_sets(nodes, neo4j_nodes)
    assert_same_sets(rels, neo4j_rels)
    assert neo4j.counts() == embedded.counts()


def test_the_demo_county_answers_the_same_questions_in_both_stores(demo_pair):
    assert assert_same_answers(demo_pair, lambda s: s.nodes("Region", level="township"))
    assert assert_same_answers(demo_pair, lambda s: s.nodes("Agency", region="990701001"))
    assert assert_same_answers(demo_pair, lambda s: s.rels("STATIONED_IN", target="990701001"))
    assert assert_same_answers(demo_pair, lambda s: s.rels("UNIT_OF", target="990701/青岚县公安局"))
    assert assert_same_answers(demo_pair, lambda s: s.nodes("Matter", category="行政处罚"))
    assert assert_same_answers(demo_pair, lambda s: s.rels("DELEGATES", region="990701001"))
    assert assert_same_answers(demo_pair, lambda s: s.rels("LEADS", source="990701/青岚县自然资源和规划局"))
    assert assert_same_answers(demo_pair, lambda s: [_stable("SourceList", p) for p in s.nodes("SourceList")])
    assert assert_same_answers(demo_pair, lambda s: _view(s.networkx()))


def _view(g: nx.MultiDiGraph) -> tuple[set, set]:
    volatile = {name for _, name in VOLATILE}
    nodes = {(n, _frozen({k: v for k, v in d.items() if k not in volatile})) for n, d in g.nodes(data=True)}
    edges = {(u, v, k, _frozen(d)) for u, v, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


def test_new_versions_of_a_list_and_a_structure_file_replace_the_old_ones_alike(demo_pair, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_path(), folder)
    recall = folder / "lists" / "townships" / "t002_linjiang_recall.csv"  # 临江镇 no longer lists its first item
    lines = recall.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    recall.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8-sig")
    dispatched = folder / "structure" / "dispatched.csv"  # 城关派出所 has one more officer in post
    old = "青岚县公安局城关派出所,派驻机构,县公安局,城关镇,派驻,26,24"
    text = dispatched.read_bytes().decode("gbk")
    assert old in text
    dispatched.write_bytes(text.replace(old, old[:-2] + "25").encode("gbk"))
    recalled_before = demo_pair[0].counts()["RECALLED_TO"]
    for store in demo_pair:
        refused = ingest_paths([folder], store, dry_run=True)  # the recall list's new version removes an item
        assert not refused.ok and [c["counts"]["removed"] for f in refused.files for c in f.changes] == [1]
        report = ingest_paths([folder], store, replace=True)
        assert report.ok and sorted(f.status for f in report.files).count("loaded") == 2
    assert assert_same_answers(demo_pair, lambda s: s.counts()["RECALLED_TO"]) == recalled_before - 1
    assert assert_same_answers(demo_pair, lambda s: s.node("Agency", "990701/青岚县公安局城关派出所")["law_actual"]) == 25
    # a unit the new structure file lists again keeps the duties other lists gave it
    assert assert_same_answers(demo_pair, lambda s: s.rels("COOPERATES_ON", source="990701/青岚县司法局城关司法所"))
    for embedded, neo4j in zip(graph_content(demo_pair[0]), graph_content(demo_pair[1])):
        assert_same_sets(embedded, neo4j)


def test_loading_the_demo_twice_changes_nothing(any_store):
    load_demo(any_store)
    before = any_store.content()
    report = ingest_paths([demo_path()], any_store)
    assert {f.status for f in report.files} == {"unchanged"}
    assert any_store.content() == before


def test_writing_the_same_graph_twice_changes_nothing(full_demo_store, any_store):
    copy_store(full_demo_store, any_store)
    before = any_store.content()
    copy_store(full_demo_store, any_store)
    assert any_store.content() == before
    assert any_store.content() == full_demo_store.content()


def test_the_same_batch_gives_the_same_content_tuples_in_both_stores(store, neo4j_store):
    for s in (store, neo4j_store):
        s.apply(small_batch())
        s.apply(Batch(replaces=["nothing"]))
    assert neo4j_store.content() == store.content()


# --- the questions the product answers, asked of both stores ---------------------------------------------------------

def test_who_dispatch_and_paths_answer_alike_in_both_stores(demo_pair):
    from quanze.api.paths import find_paths
    from quanze.api.who import dispatch, who

    for text, township in (("村里有人没批就盖房子", "城关镇"), ("路边摆摊占道", "临江镇"), ("河里有人电鱼", "雾岭乡"),
                           ("低保申请", "漆园乡")):
        assert assert_same_answers(demo_pair, lambda s: who(s, text, township, as_of="2025-06-01", limit=3))
    assert assert_same_answers(demo_pair, lambda s: dispatch(s, "饭店油烟太大", "城关镇", as_of="2025-06-01"))
    assert assert_same_answers(demo_pair, lambda s: find_paths(s, "县住建局", "城关镇", within="青岚县"))
    assert assert_same_answers(demo_pair, lambda s: find_paths(
        s, "990701001/综合行政执法大队", "990701002/综合行政执法大队", all_shortest=True))


def test_past_tickets_answer_alike_in_both_stores(demo_pair, tmp_path):
    """Tickets with a matter, and tickets naming only the body that handled them (resolved through the store)."""
    from quanze.api.who import who

    past = tmp_path / "past.yaml"
    past.write_text("- {q: 饭馆的油烟管子正对着我家阳台, matter: 城区餐饮油烟治理}\n"
                    "- {q: 河边有人用电瓶电鱼, agency: 雾岭乡综合行政执法大队}\n"
                    "- {q: 村口有人烧垃圾, agency: 县公安局}\n", encoding="utf-8")
    for text, township in (("饭馆油烟熏阳台", "城关镇"), ("有人在河里电鱼", "雾岭乡")):
        answers = assert_same_answers(demo_pair, lambda s: who(s, text, township, as_of="2025-06-01",
                                                                ticket_files=[past]))
        assert answers["tickets"]["read"] == 3 and answers["tickets"]["unknown_matter"] == []


def test_the_audit_finds_the_same_in_both_stores(demo_pair):
    import datetime as dt

    from quanze.api.audit import capacity_report, run_audit

    assert assert_same_answers(demo_pair, lambda s: run_audit(s, as_of="2025-06-01").to_dict())
    assert assert_same_answers(demo_pair, lambda s: capacity_report(s, "990701", as_of=dt.date(2025, 6, 1)))


def test_who_on_neo4j_recalls_through_the_full_text_index_and_ranks_as_embedded(demo_pair, monkeypatch):
    """Neo4j's cjk Lucene index decides the candidate matters; the ranking is the in-process one. On every question
    of both demo sets, search with Lucene recall lists exactly what the in-process search lists."""
    from quanze.api.accuracy import load_questions
    from quanze.api.search import MatterIndex
    from quanze.api.who import who
    from quanze.demo import demo_questions

    embedded, neo4j = demo_pair
    index = MatterIndex(embedded.nodes("Matter"))
    recall = neo4j.matter_recall()
    questions = [q for f in (demo_questions(), demo_questions().with_name("questions-fresh.yaml"))
                 for q in load_questions(f)]
    assert len(questions) > 700
    for q in questions:
        assert index.search(q["q"], limit=10, recall=recall) == index.search(q["q"], limit=10), q["q"]
    assert not neo4j.recall_truncated
    # the recall really is the full-text index: who on Neo4j asks it, and without its candidates finds no text match
    asked: list[list[str]] = []

    def counting_recall(self):
        def ask(terms):
            asked.append(terms)
            return recall(terms)
        return ask

    monkeypatch.setattr(type(neo4j), "matter_recall", counting_recall)
    for q in questions[:20]:
        assert who(neo4j, q["q"], q["township"], as_of="2025-06-01", limit=3) == \
            who(embedded, q["q"], q["township"], as_of="2025-06-01", limit=3)
    assert len(asked) == 20
    monkeypatch.setattr(type(neo4j), "matter_recall", lambda self: (lambda terms: []))
    # the phrase bank's phrasings are matched in-process, with or without a recall: without them, the names alone
    monkeypatch.setenv("QUANZE_PHRASES", "off")
    question = ("饭店油烟太大", "城关镇")
    assert who(neo4j, *question, as_of="2025-06-01") != who(embedded, *question, as_of="2025-06-01")


# --- lists change: replace, supplement, recall — and every answer as of a date, alike in both stores -----------------

BAIXI_LISTS = demo_path() / "lists" / "townships"


def _baixi(folder, kind: str, year: int, edit: Callable[[str], str], effective: str | None = None,
           title: str | None = None):
    """A new version of 柏溪镇's list of ``kind`` (basic, recall): the demo's CSV with ``edit`` applied."""
    text = edit((BAIXI_LISTS / f"t004_baixi_{kind}.csv").read_bytes().decode("gbk"))
    path = folder / f"baixi_{kind}_{year}.csv"
    path.write_bytes(text.encode("gbk"))
    meta = (BAIXI_LISTS / f"t004_baixi_{kind}.meta.yaml").read_text(encoding="utf-8").replace("2025", str(year))
    if title:
        meta = "\n".join(line for line in meta.splitlines() if not line.startswith("title:")) + f"\ntitle: {title}\n"
    if effective:
        meta += f"effective: '{effective}'\n"
    (folder / f"baixi_{kind}_{year}.meta.yaml").write_text(meta, encoding="utf-8")
    return path


def _who(text: str, as_of: str) -> Callable[[Store], Any]:
    from quanze.api.who import who

    return lambda s: who(s, text, "柏溪镇", as_of=as_of, limit=1)


def test_a_replaced_version_answers_for_dates_before_its_replacement_in_both_stores(demo_pair, tmp_path):
    from quanze.api.audit import capacity_report, run_audit
    from quanze.api.paths import find_paths
    from quanze.api.who import dispatch

    before = assert_same_answers(demo_pair, lambda s: run_audit(s, as_of="2026-02-01").to_dict()["findings"])
    dropped = "做好村级应急队伍建设和应急物资储备"
    new = _baixi(tmp_path, "basic", 2026, lambda t: t.replace(f"{dropped},,,应急管理办公室", "做好乡村公益性岗位管理,,,"
                                                                                        "社会事务办公室"), "2026-03-01")
    for store in demo_pair:
        assert ingest_paths([new], store, replace=True).ok
    old = assert_same_answers(demo_pair, _who(dropped, "2026-02-01"))
    (match,) = old["matches"]
    assert match["matter"]["name"] == dropped and match["rule"] == "basic"
    assert [h["agency"]["label"] for h in match["handlers"]] == ["柏溪镇社会事务办公室"]
    assert [(v["title"], v["current"], v["start"]) for v in old["versions"]] == [
        ("青岚县柏溪镇基本履职事项清单（2025年版）", False, "2025-01-01")]
    now = assert_same_answers(demo_pair, _who(dropped, "2026-06-01"))
    assert now["matches"][0]["matter"]["name"] == dropped and now["matches"][0]["rule"] is None
    # every other answer as of the earlier date is the one the old version gave, in both stores
    after = assert_same_answers(demo_pair, lambda s: run_audit(s, as_of="2026-02-01").to_dict())
    assert after["findings"] == before
    assert [v["title"] for v in after["versions"] if not v["current"]] == ["青岚县柏溪镇基本履职事项清单（2025年版）"]
    assert assert_same_answers(demo_pair, lambda s: dispatch(s, dropped, "柏溪镇", as_of="2026-02-01"))["groups"]
    assert assert_same_answers(demo_pair, lambda s: capacity_report(s, "990701", as_of="2026-02-01"))
    route = assert_same_answers(demo_pair, lambda s: find_paths(s, "990701004/社会事务办公室", dropped,
                                                                 as_of="2026-02-01"))
    assert route["paths"][0]["hops"] == 1 and not route["versions"][0]["current"]
    with pytest.raises(Exception):
        find_paths(demo_pair[0], "990701004/社会事务办公室", dropped, max_hops=1, as_of="2026-06-01")


def test_a_supplement_and_a_recall_answer_from_their_dates_in_both_stores(demo_pair, tmp_path):
    supplement = _baixi(tmp_path, "basic", 2026, lambda t: "\r\n".join(
        t.splitlines()[:2] + ["１,组织开展秸秆禁烧巡查,,,农业综合服务中心"]), "2026-05-01",
        title="柏溪镇基本履职事项清单（2026年补充）")
    road = "做好农村公路日常养护管理"
    recall = _baixi(tmp_path, "recall", 2026, lambda t: t.replace("１,对建设工程质量安全", f"０,{road},,县交通运输局,发现上报,"
                                                                                    "\r\n１,对建设工程质量安全"),
                    "2026-05-01")
    for store in demo_pair:
        report = ingest_paths([supplement, recall], store)  # both only add: no --replace
        assert report.ok, [p.format() for f in report.files for p in f.errors]
        assert sorted(c["mode"] for f in report.files for c in f.changes) == ["replace", "supplement"]
    straw = "组织开展秸秆禁烧巡查"
    assert assert_same_answers(demo_pair, _who(straw, "2026-06-01"))["matches"][0]["rule"] == "basic"
    assert assert_same_answers(demo_pair, _who(straw, "2026-04-01"))["matches"][0]["rule"] != "basic"
    recalled = assert_same_answers(demo_pair, _who(road, "2026-06-01"))["matches"][0]
    assert recalled["rule"] == "recalled" and recalled["handlers"][0]["agency"]["name"] == "青岚县交通运输局"
    assert assert_same_answers(demo_pair, _who(road, "2026-04-01"))["matches"][0]["rule"] == "basic"
    # audit --since: recalled yet still in the basic list is a conflict that is new since April
    from quanze.api.audit.run import audit_since

    since = assert_same_answers(demo_pair, lambda s: audit_since(s, "2026-04-01", region="柏溪镇",
                                                                  as_of="2026-06-01")[1])
    assert [(f["rule"], f["matter"]["name"]) for f in since["new"]] == [("conflicting-lists", road)]
    assert since["resolved"] == [] and since["since"] == "2026-04-01"
    assert [v["title"] for v in since["versions_then"]] == ["青岚县柏溪镇上级部门收回事项清单（2025年版）"]


def test_the_demo_lists_two_versions_diff_and_answer_by_date_alike_in_both_stores(demo_pair):
    """The demo keeps 樟湾镇's 2024 basic list as history (demo/PLANTED.md "List versions")."""
    from quanze.api.diff import diff_county, diff_list_versions, diff_lists
    from quanze.api.who import who

    d = assert_same_answers(demo_pair, lambda s: diff_list_versions(s, "樟湾镇基本履职事项清单", "2024", "2025"))
    assert (d["from"]["status"], d["to"]["status"]) == ("history", "current")
    names = {k: {e["matter"]["name"] for e in v} for k, v in d["changes"].items() if v}
    assert names == {
        "matters_added": {"开展企业服务和营商环境优化", "做好村级应急队伍建设和应急物资储备", "做好机关档案和保密工作",
                          "编制乡镇财政预算并组织执行", "做好统一战线和民族宗教工作"},
        "matters_removed": {"组织开展第七次全国人口普查入户登记", "做好乡镇机关公务用车管理", "编制乡镇年度财政预算", "做好统战工作"},
        "lead_changed": {"做好来信来访受理和办理"}, "category_changed": {"临时救助"},
        "legal_basis_changed": {"农村村民宅基地审批"}}
    (lead,) = d["changes"]["lead_changed"]
    assert (lead["before"]["shown"], lead["after"]["shown"]) == (["社会事务办公室"], ["党政办公室"])
    assert [(r["file"], r["row"]) for r in lead["before"]["rows"]] == [("t012_zhangwan_basic_2024.csv", 25)]
    assert [(r["file"], r["row"]) for r in lead["after"]["rows"]] == [("t012_zhangwan_basic.csv", 25)]
    assert diff_lists(demo_pair[0], d["from"]["id"], d["to"]["id"]) == d
    # the county between two dates: that revision is the only change of lists between them
    county = assert_same_answers(demo_pair, lambda s: diff_county(s, "青岚县", "2024-06-01", "2025-06-01"))
    assert county["changes"] == d["changes"]
    assert [v["title"] for v in county["from"]["versions"] if not v["current"]] == ["青岚县樟湾镇基本履职事项清单（2024年版）"]
    # delegations: the first batch in force from 2021-05-01, three recalled at the end of 2023
    years = assert_same_answers(demo_pair, lambda s: diff_county(s, "青岚县", "2021-01-01", "2024-06-01"))
    assert years["summary"]["delegations_added"] > 100 and years["summary"]["delegations_recalled"] == 0
    recalled = assert_same_answers(demo_pair, lambda s: diff_county(s, "青岚县", "2022-06-01", "2024-06-01"))
    assert recalled["summary"]["delegations_recalled"] >= 1 and recalled["summary"]["delegations_added"] >= 1
    for date, office in (("2024-06-01", "樟湾镇社会事务办公室"), ("2025-06-01", "樟湾镇党政办公室")):
        answer = assert_same_answers(demo_pair, lambda s: who(s, "做好来信来访受理和办理", "樟湾镇", as_of=date, limit=1))
        assert [h["agency"]["label"] for h in answer["matches"][0]["handlers"]] == [office]


WHATIF = {"county": "青岚县", "as_of": "2026-06-01", "changes": [
    {"move_staff": {"from": "柏溪镇综合行政执法大队", "to": "县综合行政执法局", "certified": 4}},
    {"delegate": {"from": "县住建局", "to": ["柏溪镇", "漆园乡"], "matters": ["对建设工程质量安全的监督检查"]}}]}


def test_whatif_reports_the_cannot_undertake_findings_a_batch_would_cause_and_writes_nothing(demo_pair):
    from quanze.api.whatif import whatif

    contents = [graph_content(s) for s in demo_pair]
    d = assert_same_answers(demo_pair, lambda s: whatif(s, WHATIF))
    assert [graph_content(s) for s in demo_pair] == contents  # never written
    new = {(f["rule"], f["region"]["name"]) for f in d["findings"]["new"]}
    assert ("cannot-undertake", "柏溪镇") in new  # its team keeps no certified enforcer and gets one more item
    (worse,) = [c for c in d["findings"]["changed"] if c["after"]["rule"] == "cannot-undertake"]
    assert worse["before"]["region"]["name"] == "漆园乡" and "80项" in worse["after"]["message_zh"]
    assert "79项" in worse["before"]["message_zh"]  # 漆园乡's team has 0 certified enforcers already
    (changed,) = d["answers"]["changed"]
    assert changed["region"]["name"] == "漆园乡" and changed["before"]["rule"] == "department"
    assert changed["after"] == {"rule": "delegated", "leads": ["漆园乡综合行政执法大队"]}
    assert d["summary"]["by_rule"]["cannot-undertake"] == {"new": 1, "resolved": 0}
