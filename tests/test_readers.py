"""Readers never wait: while a load holds its transaction open, a reader opens the store and answers at once from the
last committed state — on both stores. The load is held in a child process (``helpers.held_load``): it has written its
nodes and waits, its transaction open, before its first relation, until it is killed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quanze.api.describe import store_summary
from quanze.api.who import who
from quanze.demo import demo_path
from quanze.graph.copy import copy_store
from quanze.graph.sqlite_store import SqliteStore
from quanze.graph.store import open_store
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import held_load

QUESTION, TOWNSHIP = "组织开展爱国卫生运动", "城关镇"


def newer_basic_list(folder: Path) -> Path:
    """城关镇's basic list in a newer version, one item renamed: loading it replaces the current list."""
    path = folder / "城关镇基本履职事项清单2026.csv"
    path.write_text("青岚县城关镇基本履职事项清单（2026年版）\n序号,事项名称\n1,组织开展爱国卫生运动\n2,新增加的一项工作\n",
                    encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "neo4j"])
def loaded_url(request, demo_db: Path, tmp_path: Path) -> str:
    """The demo county's structure and 城关镇's lists, in a store of each kind."""
    township_lists = sorted((demo_path() / "lists" / "townships").glob("t001_*"))
    if request.param == "neo4j":
        store = request.getfixturevalue("neo4j_store")
        with SqliteStore(f"sqlite:///{demo_db}", write=False) as demo:
            copy_store(demo, store)
        url = request.getfixturevalue("neo4j_url")
    else:
        path = tmp_path / "q.db"
        path.write_bytes(demo_db.read_bytes())
        url = f"sqlite:///{path}"
        store = SqliteStore(url)
    report = ingest_paths(township_lists, store)
    assert report.ok
    if request.param == "sqlite":
        store.close()
    return url


def _answer(store) -> list:
    return [(m["matter"]["name"], [h["agency"]["id"] for h in m["handlers"]])
            for m in who(store, QUESTION, TOWNSHIP, as_of="2025-06-01", limit=3)["matches"]]


def test_a_reader_during_a_held_load_sees_the_last_committed_state_at_once(loaded_url, tmp_path):
    with open_store(loaded_url, create=False) as s:
        counts, answer, summary = s.counts(), _answer(s), store_summary(s)
        lists = {lst["id"]: lst.get("status") for lst in s.nodes("SourceList")}
    with held_load(loaded_url, [newer_basic_list(tmp_path)], tmp_path / "holding") as load:
        # a new reader opens the store (opening writes nothing) and reads the state before the load
        with open_store(loaded_url, create=False) as s:
            assert s.counts() == counts
            assert _answer(s) == answer
            assert {lst["id"]: lst.get("status") for lst in s.nodes("SourceList")} == lists
        # the command line too; 25 s is below SQLite's 30 s busy timeout: a reader that waited for the lock fails
        r = subprocess.run([sys.executable, "-m", "quanze.cli", "summary", "--store", loaded_url, "--json"],
                           capture_output=True, text=True, timeout=25)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["counts"] == summary["counts"]
        assert load.poll() is None, "the load ended before the readers did: nothing was shown"
    with open_store(loaded_url, create=False) as s:  # killed mid-transaction: nothing of it was committed
        assert s.counts() == counts


def test_opening_for_reading_writes_nothing(tmp_path):
    path = tmp_path / "q.db"
    SqliteStore(f"sqlite:///{path}").close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with open_store(f"sqlite:///{path}", create=False) as s:
        assert s.counts()["Agency"] == 0 and s.data_version() == 0
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
