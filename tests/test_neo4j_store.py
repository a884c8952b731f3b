"""The Neo4j store as Neo4j: its constraints and indexes, Chinese full-text search, values as parameters, the copy from
the embedded store, the example queries of docs/neo4j.md, and what happens when the server is not there or goes away.

What both stores must do alike is in test_store_behaviour.py. These tests need QUANZE_NEO4J_URL (see conftest.py);
the server-stopping test starts a Neo4j of its own with scripts/neo4j.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from quanze.errors import BadValue, StoreError
from quanze.graph import cypher
from quanze.graph import neo4j_store as neo4j_store_module
from quanze.graph.copy import copy_store
from quanze.graph.neo4j_store import Neo4jStore
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, open_store

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def agency(id_, name, list_id="L1", **more):
    return {"id": id_, "name": name, "kind": "county_department", "region": "990701", "list_id": list_id, **more}


def small_batch(list_id="L1"):
    b = Batch()
    b.add_node("Region", {"code": "990701", "name": "青岚县", "level": "county"})
    b.add_node("Agency", agency("990701/住建局", "住建局", list_id, short_names=["县住建局"], admin_quota=3))
    b.add_node("Matter", {"id": "m1", "name": "占道经营"})
    b.add_rel("LEADS", "990701/住建局", "m1", {"id": "r1", "region": "990701", "list_id": list_id, "row": 7})
    return b


# Matters as county lists write them: name, category, legal basis.
SAMPLE_MATTERS = {
    "m:zhuzhai": ("对农村居民未经批准或者违反规划的规定建住宅的行政处罚", "行政处罚", "《村庄和集镇规划建设管理条例》第三十七条"),
    "m:zhandao": ("对违反规定占道经营的行政处罚", "行政处罚", "《城市市容和环境卫生管理条例》第三十六条"),
    "m:weifang": ("农村危房改造对象认定", "行政确认", None),
}


def sample_matters() -> Batch:
    b = Batch()
    for key, (name, category, basis) in SAMPLE_MATTERS.items():
        b.add_node("Matter", {"id": key, "name": name, "category": category, "legal_basis": basis})
    return b


# --- schema: constraints and indexes ---------------------------------------------------------------------------

def test_opening_creates_a_unique_key_for_every_label_and_relation_type(neo4j_store):
    rows = neo4j_store.run("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties")
    have = {(tuple(r["labelsOrTypes"]), tuple(r["properties"]), r["type"]) for r in rows}
    for kind in SCHEMA.nodes:
        assert ((kind.label,), (kind.key,), "UNIQUENESS") in have
    for rel in SCHEMA.relations:
        assert ((rel.type,), ("id",), "RELATIONSHIP_UNIQUENESS") in have


def test_opening_creates_every_index_online_and_the_cjk_full_text_indexes(neo4j_store):
    rows = neo4j_store.run("SHOW INDEXES YIELD name, type, state, entityType, labelsOrTypes, properties, options")
    by_name = {r["name"]: r for r in rows}
    for ddl in cypher.schema_ddl():
        assert by_name[ddl.name]["state"] == "ONLINE", ddl.name
    assert by_name["agency_name"]["properties"] == ["name"]
    assert (by_name["leads_region"]["entityType"], by_name["leads_region"]["type"]) == ("RELATIONSHIP", "RANGE")
    assert by_name["delegates_list_id"]["labelsOrTypes"] == ["DELEGATES"]
    for kind in SCHEMA.nodes:
        if kind.fulltext:
            index = by_name[f"{cypher.snake(kind.label)}_fulltext"]
            assert index["type"] == "FULLTEXT" and index["properties"] == list(kind.fulltext)
            assert index["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"


def test_opening_again_creates_nothing_new(neo4j_store, neo4j_url):
    names = lambda: sorted(r["name"] for r in neo4j_store.run("SHOW INDEXES YIELD name"))
    before = names()
    with open_store(neo4j_url) as again:
        assert isinstance(again, Neo4jStore)
    assert names() == before


def test_a_full_text_index_over_other_fields_is_remade_on_open(neo4j_store, neo4j_url):
    """An older quanze indexed matters by name and legal basis only; search now ranks on more fields, and the recall
    must cover them all."""
    neo4j_store.run("DROP INDEX matter_fulltext", write=True)
    neo4j_store.run("CREATE FULLTEXT INDEX matter_fulltext FOR (n:Matter) ON EACH [n.name, n.legal_basis] "
                    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}", write=True)
    with open_store(neo4j_url) as again:
        index = again.run("SHOW INDEXES YIELD name, properties, state WHERE name = 'matter_fulltext'")[0]
    assert index["properties"] == list(SCHEMA.node("Matter").fulltext) and index["state"] == "ONLINE"


# --- search, parameters, the shape of the graph ---------------------------------------------------------------

def test_the_full_text_index_recalls_a_chinese_matter_by_the_pairs_of_a_word(neo4j_store):
    neo4j_store.apply(sample_matters())
    recall = neo4j_store.matter_recall()
    assert recall(["住宅"]) == ["m:zhuzhai"]
    assert recall(["占道", "经营"]) == ["m:zhandao"]
    assert "m:zhuzhai" in recall(["村庄", "集镇"])  # the legal basis is indexed too
    # the category is indexed too (every field search ranks on): the penalties and the 行政确认 for its 行政
    assert set(recall(["处罚"])) == {"m:zhuzhai", "m:zhandao"}
    assert "m:weifang" in recall(["行政"])
    # what a user types is searched for, never parsed as Lucene syntax
    assert isinstance(recall(['违法 AND (建设" OR title:*']), list)
    assert recall(["  "]) == []


def test_values_are_parameters_never_cypher(neo4j_store):
    hostile = ["'}) DETACH DELETE n //", '"}) MATCH (m) DETACH DELETE m //', "`x` $rows \\' {}", "事项'); DROP"]
    b = small_batch()
    for i, name in enumerate(hostile):
        b.add_node("Matter", {"id": name, "name": name, "legal_basis": name})
        b.add_rel("LEADS", "990701/住建局", name, {"id": f"x{i}'}})//", "region": name, "duty": name})
    neo4j_store.apply(b)
    for name in hostile:
        assert neo4j_store.node("Matter", name) == {"id": name, "name": name, "legal_basis": name}
        (rel,) = neo4j_store.rels("LEADS", target=name, region=name)
        assert rel.props["duty"] == name
    assert neo4j_store.node("Agency", "990701/住建局") is not None
    assert neo4j_store.counts()["Matter"] == 1 + len(hostile)


def test_the_graph_in_neo4j_has_exactly_the_schema_labels_and_relation_types(full_demo_store, neo4j_store):
    copy_store(full_demo_store, neo4j_store)
    labels = neo4j_store.run("MATCH (n) RETURN labels(n) AS labels, count(*) AS n")
    assert all(len(r["labels"]) == 1 for r in labels)
    # plus the two bookkeeping nodes that hold the data version and the schema version (graph/cypher.py META)
    assert {r["labels"][0] for r in labels} == {k.label for k in SCHEMA.nodes} | {cypher.META}
    assert next(r["n"] for r in labels if r["labels"][0] == cypher.META) == 2
    types = {r["type"] for r in neo4j_store.run("MATCH ()-[r]->() RETURN DISTINCT type(r) AS type")}
    assert types <= set(SCHEMA.relation_types) and {"STATIONED_IN", "DELEGATES", "RECALLED_TO"} <= types
    # dates are Neo4j dates, comparable in Cypher
    (dated,) = neo4j_store.run("MATCH ()-[g:DELEGATES]->() WHERE g.effective <= date() RETURN count(g) AS n")
    assert dated["n"] == len([r for r in full_demo_store.rels("DELEGATES") if "effective" in r.props]) > 0


def test_a_relation_to_a_node_that_does_not_exist_fails_the_load_and_names_it(neo4j_store):
    neo4j_store.apply(small_batch())
    before = neo4j_store.content()
    b = Batch(replaces=["L1"])
    b.add_node("Matter", {"id": "m2", "name": "违法建设"})
    b.add_rel("LEADS", "990701/住建局", "m2", {"id": "r2", "region": "990701"})
    b.add_rel("LEADS", "990701/住建局", "m:没有", {"id": "r3", "region": "990701"})
    with pytest.raises(StoreError, match=r"rolled back[\s\S]*'m:没有' \(missing\)"):
        neo4j_store.apply(b)
    assert neo4j_store.content() == before


def test_loads_larger_than_one_statement_are_written_and_replaced_in_chunks(neo4j_url, neo4j_store, monkeypatch):
    with Neo4jStore(neo4j_url, batch_size=7) as store:
        assert store.batch_size == 7
        b = small_batch()
        for i in range(30):
            b.add_node("Agency", agency(f"990701/a{i:02}", f"机构{i}"))
            b.add_rel("LEADS", f"990701/a{i:02}", "m1", {"id": f"r{i:02}", "region": "990701", "list_id": "L1"})
        store.apply(b)
        assert store.counts()["Agency"] == 31 and store.counts()["LEADS"] == 31
        store.apply(Batch(replaces=["L1"]))
        assert store.counts()["Agency"] == 0 and store.counts()["LEADS"] == 0
    monkeypatch.setenv("QUANZE_NEO4J_BATCH", "7")  # the setting, when the store is opened by its URL
    with open_store(neo4j_url) as store:
        assert store.batch_size == 7
    monkeypatch.setenv("QUANZE_NEO4J_BATCH", "many")
    with pytest.raises(BadValue, match="QUANZE_NEO4J_BATCH"):
        open_store(neo4j_url)


def test_a_database_that_does_not_exist_is_named_in_the_error(neo4j_url, monkeypatch):
    with pytest.raises(StoreError, match="nosuchdb") as e:
        Neo4jStore(neo4j_url, database="nosuchdb")
    assert neo4j_url in str(e.value)
    monkeypatch.setenv("QUANZE_NEO4J_DATABASE", "nosuchdb")  # the setting, when the store is opened by its URL
    with pytest.raises(StoreError, match="nosuchdb"):
        open_store(neo4j_url)


# --- copying the embedded store into Neo4j ---------------------------------------------------------------------

def test_copying_the_demo_from_the_embedded_store_gives_the_same_content(full_demo_store, neo4j_store):
    copied = copy_store(full_demo_store, neo4j_store, batch_size=50)
    assert copied == full_demo_store.counts() == neo4j_store.counts()
    assert neo4j_store.content() == full_demo_store.content()  # every value, loaded_at included


# --- docs/neo4j.md ---------------------------------------------------------------------------------------------

def doc_queries() -> list[tuple[str, bool]]:
    """The ```cypher blocks of docs/neo4j.md; True where the doc marks it ``<!-- test: rows -->``."""
    text = (REPO / "docs" / "neo4j.md").read_text(encoding="utf-8")
    return [(m.group(2), bool(m.group(1)))
            for m in re.finditer(r"(<!-- test: rows -->\s*)?```cypher\n(.*?)```", text, re.DOTALL)]


def test_the_example_queries_in_the_docs_run_on_the_demo(full_demo_store, neo4j_store):
    queries = doc_queries()
    assert 8 <= len(queries) <= 10
    copy_store(full_demo_store, neo4j_store)
    for query, expects_rows in queries:
        rows = neo4j_store.run(query)
        if expects_rows:
            assert rows, f"no rows from the example query:\n{query}"


# --- faults ----------------------------------------------------------------------------------------------------

def _deadlock() -> Exception:
    return Neo4jError._hydrate_neo4j(code="Neo.TransientError.Transaction.DeadlockDetected", message="deadlock")


def test_a_transient_error_in_the_middle_of_a_load_retries_the_whole_load(neo4j_store, monkeypatch):
    monkeypatch.setattr(neo4j_store_module, "BACKOFF", 0.01)
    neo4j_store.apply(small_batch("L1"))
    statement, calls = cypher.merge_nodes, []

    def deadlock_once(kind):
        calls.append(kind.label)
        if len(calls) == 1:  # after the old list's assertions were deleted in the transaction
            raise _deadlock()
        return statement(kind)

    monkeypatch.setattr(cypher, "merge_nodes", deadlock_once)
    new_version = Batch(replaces=["L1"])
    new_version.add_node("Agency", agency("990701/水利局", "水利局", "L2"))
    neo4j_store.apply(new_version)
    assert [a["id"] for a in neo4j_store.nodes("Agency")] == ["990701/水利局"]
    assert neo4j_store.rels("LEADS") == [] and len(calls) == 2


def test_a_connection_that_fails_before_the_first_statement_is_retried_and_one_lost_later_is_not(neo4j_store,
                                                                                                 monkeypatch):
    monkeypatch.setattr(neo4j_store_module, "BACKOFF", 0.01)
    attempt, failures = neo4j_store._apply_once, [ServiceUnavailable("stale pooled connection")]

    def stale_first(batch, size):
        if failures:
            raise failures.pop()
        return attempt(batch, size)

    monkeypatch.setattr(neo4j_store, "_apply_once", stale_first)
    neo4j_store.apply(small_batch("L1"))
    assert not failures and neo4j_store.node("Agency", "990701/住建局") is not None
    before = neo4j_store.content()

    def lost(kind):  # after the replaced list's deletes ran: the load fails, and the server rolls it back
        raise SessionExpired("connection lost")

    monkeypatch.setattr(cypher, "merge_nodes", lost)
    with pytest.raises(StoreError, match="broke during the write"):
        neo4j_store.apply(Batch(replaces=["L1"], nodes={"Matter": {"m9": {"id": "m9", "name": "新事项"}}}))
    monkeypatch.undo()
    assert neo4j_store.content() == before

def test_a_server_that_is_not_there_is_a_store_error_naming_the_url_at_once():
    url = f"bolt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot reach Neo4j") as e:
        open_store(url)
    assert url in e.value.message_zh and url in e.value.message_en
    assert time.monotonic() - started < 5


def _cannot_start_a_server() -> str | None:
    """Why this machine cannot start a Neo4j of its own (None: it can). In CI it must, so nothing is skipped there."""
    if os.environ.get("CI"):
        return None
    java = os.environ.get("QUANZE_NEO4J_JAVA") or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else shutil.which("java"))
    if not java or not os.path.exists(java):
        return "java (17 or 21) is not installed"
    pom = (REPO / "scripts" / "neo4j-launcher" / "pom.xml").read_text(encoding="utf-8")
    version = re.search(r"<neo4j.version>(.*?)</neo4j.version>", pom).group(1)
    cache = Path(os.environ.get("QUANZE_NEO4J_CACHE") or Path.home() / ".cache" / "quanze" / f"neo4j-{version}")
    if not (cache / "lib" / ".complete").exists():
        return f"the Neo4j jars are not cached in {cache}: run `scripts/neo4j start` once"
    return None


@pytest.fixture
def own_server(tmp_path):
    """A Neo4j of this test's own (own home, fixed free port) that the test may stop and start; stopped at the end."""
    reason = _cannot_start_a_server()
    if reason:
        pytest.skip(f"cannot start a Neo4j of the test's own: {reason}")
    conf = tmp_path / "neo4j.conf"
    # a transaction left open by a stopped client must not hold the shutdown for the default 10 s
    conf.write_text("db.shutdown_transaction_end_timeout=1s\n", encoding="utf-8")
    env = {**os.environ, "QUANZE_NEO4J_HOME": str(tmp_path / "neo4j"), "QUANZE_NEO4J_PORT": str(free_port()),
           "QUANZE_NEO4J_CONF": str(conf)}

    def ctl(command: str) -> str:
        done = subprocess.run([str(REPO / "scripts" / "neo4j"), command], env=env, capture_output=True, text=True,
                              timeout=240, check=False)
        assert done.returncode == 0, f"scripts/neo4j {command} failed:\n{done.stderr}"
        return done.stdout.strip()

    url = ctl("start").splitlines()[-1]
    try:
        yield url, ctl
    finally:
        ctl("stop")


def test_neo4j_stopped_in_the_middle_of_a_load_leaves_nothing_of_it(own_server, monkeypatch):
    url, ctl = own_server
    with Neo4jStore(url, batch_size=100) as store:
        store.apply(small_batch("L1"))
        before = store.content()
        load = Batch(replaces=["L1"])
        for i in range(1000):
            load.add_node("Matter", {"id": f"x{i}", "name": f"事项{i}"})
        written = []
        statement = cypher.merge_nodes

        def stop_after_two_chunks(kind):
            written.append(kind.label)
            if len(written) == 3:  # the old list is deleted and 200 matters written, in the open transaction
                ctl("stop")
            return statement(kind)

        monkeypatch.setattr(cypher, "merge_nodes", stop_after_two_chunks)
        with pytest.raises(StoreError, match="broke during the write") as e:
            store.apply(load)
        assert url in str(e.value)
        monkeypatch.undo()

        with pytest.raises(StoreError, match="cannot reach Neo4j") as e:
            store.counts()  # a query while the server is away fails too, naming the server
        assert url in str(e.value)

        ctl("start")
        # the same store object works again, and nothing of the interrupted load is there
        assert store.content() == before
        store.apply(load)
        assert store.counts()["Matter"] == 1001 and store.node("Agency", "990701/住建局") is None


def test_export_neo4j_copies_the_embedded_store_from_the_command_line(full_demo_store, neo4j_store):
    import json
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "quanze.cli", "export-neo4j", "--store", full_demo_store.url, "--to",
                        neo4j_store.url, "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["copied"]["Matter"] == full_demo_store.counts()["Matter"]
    assert neo4j_store.counts() == full_demo_store.counts()
    r = subprocess.run([sys.executable, "-m", "quanze.cli", "export-neo4j", "--store", full_demo_store.url, "--to",
                        "sqlite:///x.db"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "bolt://" in r.stderr
