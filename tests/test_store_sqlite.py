"""What only the embedded store has: WAL readers during a load, the cached networkx view, a killed process, URLs.

What every store must do is in tests/test_store_behaviour.py, run against SQLite and Neo4j alike."""

from pathlib import Path

import pytest

from quanze.errors import StoreError
from quanze.graph.sqlite_store import SqliteStore
from quanze.graph.store import Batch, open_store
from quanze.tests.helpers import small_batch


def test_readers_see_the_last_committed_state_while_a_load_holds_its_transaction(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    writer, reader = SqliteStore(url), SqliteStore(url)
    writer.apply(small_batch())
    writer._db.execute("BEGIN IMMEDIATE")
    writer._db.execute("DELETE FROM node_agency")
    assert len(reader.nodes("Agency")) == 1  # not blocked, and not half a load
    writer._db.execute("ROLLBACK")
    writer.close(), reader.close()


def test_the_networkx_view_is_rebuilt_only_when_the_data_changed(store):
    store.apply(small_batch())
    g1 = store.networkx()
    assert store.networkx() is g1
    assert g1.has_edge("Agency:990701/住建局", "Matter:m1")
    b = Batch()
    b.add_node("Matter", {"id": "m2", "name": "违法建设"})
    store.apply(b)
    g2 = store.networkx()
    assert g2 is not g1 and "Matter:m2" in g2


def test_a_load_killed_half_way_leaves_the_previous_state(tmp_path, killed_load):
    db = tmp_path / "killed.db"
    url = f"sqlite:///{db}"
    with SqliteStore(url) as s:
        s.apply(small_batch())
        before = s.content()
    marker = tmp_path / "holding"
    code = ("import sys; from quanze.graph.sqlite_store import SqliteStore; from quanze.graph.store import Batch\n"
            "s = SqliteStore(sys.argv[1]); b = Batch(replaces=['L1'])\n"
            "for i in range(500): b.add_node('Matter', {'id': f'x{i}', 'name': f'事项{i}'})\n"
            "b.add_rel('LEADS', 'a', 'x1', {'id': 'zz', 'region': '990701'})\n"
            "s.apply(b)\n")
    killed_load(["-c", code, url], marker)
    with SqliteStore(url) as s:
        assert s.content() == before
        assert s.node("Matter", "x1") is None


def test_store_urls():
    with pytest.raises(StoreError, match="unrecognised store URL"):
        open_store("ftp://example")
    with pytest.raises(StoreError, match="neo4j|Neo4j"):
        open_store("bolt://127.0.0.1:1")


def test_the_default_store_is_quanze_db_or_the_env_var(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUANZE_STORE", raising=False)
    with open_store() as s:
        assert s.url == "sqlite:///quanze.db"
    assert (tmp_path / "quanze.db").exists()
    monkeypatch.setenv("QUANZE_STORE", f"sqlite:///{tmp_path / 'other.db'}")
    with open_store() as s:
        assert Path(s.path) == tmp_path / "other.db"
