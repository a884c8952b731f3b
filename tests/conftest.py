"""Shared fixtures: a fresh embedded store per test, and the demo county loaded once and copied per test."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quanze.demo import demo_path
from quanze.graph.sqlite_store import SqliteStore
from quanze.ingest.pipeline import ingest_paths


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(f"sqlite:///{tmp_path / 'test.db'}")
    yield s
    s.close()


def _load_once(tmp_path_factory: pytest.TempPathFactory, name: str, source: Path) -> Path:
    path = tmp_path_factory.mktemp(name) / f"{name}.db"
    with SqliteStore(f"sqlite:///{path}") as s:
        report = ingest_paths([source], s)
        assert report.ok, [p.format() for f in report.files for p in f.errors]
    return path


def _copy_of(db: Path, tmp_path: Path):
    path = tmp_path / db.name
    shutil.copy(db, path)
    return SqliteStore(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load_once(tmp_path_factory, "structure", demo_path() / "structure")


@pytest.fixture(scope="session")
def full_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load_once(tmp_path_factory, "demo", demo_path())


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path):
    """The demo county's agency structure only (no lists), in a store of the test's own: tests add lists to it."""
    s = _copy_of(demo_db, tmp_path)
    yield s
    s.close()


@pytest.fixture
def full_demo_store(full_demo_db: Path, tmp_path: Path):
    """The whole demo county — structure, lists, delegations, activity — in a store of the test's own."""
    s = _copy_of(full_demo_db, tmp_path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo_url(full_demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One copy of the whole demo county for a test module whose tests only read it (its URL)."""
    path = tmp_path_factory.mktemp("demo-read") / "demo.db"
    shutil.copy(full_demo_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def demo_reader(demo_url: str):
    """The module's read-only copy of the demo county, opened."""
    s = SqliteStore(demo_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(demo_url: str):
    """The HTTP API over the module's read-only copy of the demo county."""
    from quanze.api.http import create_app
    from quanze.tests.helpers import local_client

    with local_client(create_app(demo_url)) as c:
        yield c


def write_xlsx(path: Path, rows: list[list], title: str | None = None, sheet: str = "Sheet1") -> Path:
    """A small workbook as county offices make them: an optional title row above the header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def xlsx():
    return write_xlsx


# Runs a load in a child process with SqliteStore's row writer wrapped: the first relation row it would write announces
# itself (the marker file) and waits to be killed — mid-transaction, after the load has deleted and written nodes.
# The production write path has no hook for this.
_HOLD_MID_LOAD = """
import runpy, sys, time
from pathlib import Path
from quanze.graph import sqlite_store
marker, rest = sys.argv[1], sys.argv[2:]
upsert = sqlite_store.SqliteStore._upsert
def holding(self, table, *args, **kwargs):
    if table.startswith("rel_"):
        Path(marker).write_text("holding", encoding="utf-8")
        time.sleep(60)
    return upsert(self, table, *args, **kwargs)
sqlite_store.SqliteStore._upsert = holding
if rest[0] == "-m":
    sys.argv = [rest[1], *rest[2:]]
    runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *rest[2:]]
    exec(compile(rest[1], "<load>", "exec"), {"__name__": "__main__"})
"""


def kill_mid_load(args: list[str], marker: Path, timeout: float = 60) -> None:
    """Run ``python args…`` (``-m module …`` or ``-c code …``) holding its load mid-transaction, wait until it holds,
    SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_MID_LOAD, str(marker), *args], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the load never reached its transaction"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


@pytest.fixture
def killed_load():
    return kill_mid_load


# --- Neo4j ---
# Fixtures for the Neo4j store (graph/neo4j_store.py). The server: `export QUANZE_NEO4J_URL=$(scripts/neo4j start)`.
# Without QUANZE_NEO4J_URL the Neo4j tests are skipped locally and fail in CI (env CI set).


@pytest.fixture(scope="session")
def neo4j_url() -> str:
    import os

    value = os.environ.get("QUANZE_NEO4J_URL", "").strip()
    if not value:
        how = "start one with `export QUANZE_NEO4J_URL=$(scripts/neo4j start | tail -n 1)`"
        if os.environ.get("CI"):
            pytest.fail(f"QUANZE_NEO4J_URL is not set in CI: the Neo4j store tests need a server; {how}",
                        pytrace=False)
        pytest.skip(f"QUANZE_NEO4J_URL is not set, so the Neo4j store is not tested; {how}")
    return value


@pytest.fixture
def neo4j_store(neo4j_url: str):
    """A Neo4jStore on the test server, emptied before the test (the database is the tests' own)."""
    from quanze.graph.neo4j_store import Neo4jStore

    s = Neo4jStore(neo4j_url)
    s.run("MATCH (n) DETACH DELETE n", write=True)
    yield s
    s.close()


@pytest.fixture(params=["sqlite", "neo4j"], ids=["sqlite", "neo4j"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty store of each kind: the behaviour tests run against both."""
    if request.param == "neo4j":
        yield request.getfixturevalue("neo4j_store")
        return
    s = SqliteStore(f"sqlite:///{tmp_path / 'any.db'}")
    yield s
    s.close()


# --- the semantic model ---
# api/semantic.py's model, installed by `quanze model fetch` (scripts/test does it). Without it the semantic tests are
# skipped locally and fail in CI; `search_mode` runs a test once per mode, the model's absence failing likewise.


@pytest.fixture(scope="session")
def semantic_model():
    """The installed model (api/semantic.py), loaded once for the session."""
    from quanze.api import semantic
    from quanze.tests.helpers import require_model

    require_model()
    return semantic.Embedder(semantic.model_dir())


@pytest.fixture(params=["lexical", "semantic"])
def search_mode(request, monkeypatch) -> str:
    """Run the test with words and synonyms only, then with the semantic model."""
    from quanze.api import semantic
    from quanze.tests.helpers import use_search_mode

    use_search_mode(request.param, monkeypatch)
    yield request.param
    semantic.embedder.cache_clear()
