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


@pytest.fixture(autouse=True)
def _no_index_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search indexes are built in the test, never read from a file an earlier test or run left in the user's
    cache (api/index_cache.py has tests of its own that turn it on)."""
    monkeypatch.setenv("QUANZE_INDEX_CACHE", "off")


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


@pytest.fixture(params=["sqlite", "neo4j"], ids=["sqlite", "neo4j"])
def demo_structure_in_any_store(request: pytest.FixtureRequest, demo_store):
    """The demo county's structure (no lists) in the embedded store, or copied into Neo4j."""
    if request.param == "sqlite":
        return demo_store
    from quanze.graph.copy import copy_store

    neo4j = request.getfixturevalue("neo4j_store")
    copy_store(demo_store, neo4j)
    return neo4j


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


@pytest.fixture
def model_copy(semantic_model, tmp_path: Path) -> Path:
    """A model folder of the test's own (links to the installed files), so its vector cache starts empty."""
    from quanze.api import semantic

    folder = tmp_path / "model"
    folder.mkdir()
    for name in (semantic.MODEL.onnx, semantic.MODEL.tokenizer):
        (folder / name).symlink_to(semantic.model_dir() / name)
    yield folder
    semantic._caches.pop(folder, None)


@pytest.fixture
def by_meaning(monkeypatch) -> None:
    """Search with the semantic model, whatever an earlier test left (the answer's options and the effect of a
    confirmed ticket need it): skipped locally without the model, failed in CI."""
    from quanze.api import semantic
    from quanze.tests.helpers import use_search_mode

    use_search_mode("semantic", monkeypatch)
    yield
    semantic.embedder.cache_clear()


@pytest.fixture
def by_words(monkeypatch) -> None:
    """Search with words and synonyms only, and leave no trace of it for the next test."""
    from quanze.api import semantic
    from quanze.tests.helpers import use_search_mode

    use_search_mode("lexical", monkeypatch)
    yield
    semantic.embedder.cache_clear()


@pytest.fixture(params=["lexical", "semantic"])
def search_mode(request, monkeypatch) -> str:
    """Run the test with words and synonyms only, then with the semantic model."""
    from quanze.api import semantic
    from quanze.tests.helpers import use_search_mode

    use_search_mode(request.param, monkeypatch)
    yield request.param
    semantic.embedder.cache_clear()


# --- the web application ---
# api/web: an application over a store with an account of each role (quanze.tests.web), as a TestClient (`web`,
# `make_web`) or served by uvicorn for a real browser (`served`, `browser_page`: Debian's Chromium driven by
# Playwright; without Chromium the browser tests are skipped locally and fail in CI, as the Neo4j tests do).


@pytest.fixture
def make_web(tmp_path: Path):
    """Make web applications (``quanze.tests.web.WebClient``) over a store URL, each with a state file of its own in
    the test's folder and the accounts ``reader``, ``editor``, ``admin``."""
    from quanze.api.http import create_app
    from quanze.tests.helpers import local_client
    from quanze.tests.web import WebClient, add_accounts

    opened: list = []

    def make(store_url: str, *, public_read: bool = True, tickets=(), state: Path | None = None, **client):
        app = create_app(store_url, tickets, state=state or tmp_path / f"web{len(opened)}.state.db",
                         public_read=public_read)
        add_accounts(app)
        c = local_client(app, **client)
        c.__enter__()
        opened.append(c)
        return WebClient(app, c)

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def web(demo_url: str, make_web):
    """The web application over the module's read-only copy of the demo county (confirming a ticket writes to the
    application's own tickets file, never to the store), reading open, nobody signed in."""
    return make_web(demo_url)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (scripts/browser finds or installs it): the browser tests of the graph views and of the web
    workbench are skipped locally without it and fail in CI."""
    import os
    import shutil

    from quanze.tests.helpers import unavailable

    path = os.environ.get("QUANZE_CHROMIUM", "").strip() or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), "")
    if not path or not os.access(path, os.X_OK):
        unavailable("no Chromium, so the pages are not tried in a browser",
                    "run `export QUANZE_CHROMIUM=$(scripts/browser | tail -n 1)` (as root it installs Debian's chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """Chromium, headless, driven by Playwright for the session."""
    from playwright.sync_api import sync_playwright

    from quanze.tests.web import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def served():
    """Serve web applications with uvicorn on 127.0.0.1 (``quanze.tests.web.Served``): ``served(app).url``."""
    from quanze.tests.web import Served

    running: list = []

    def serve(app):
        s = Served(app)
        running.append(s)
        return s

    yield serve
    for s in running:
        s.stop()


@pytest.fixture
def browser_page(browser):
    """A fresh browser context and page that lets no request leave 127.0.0.1: every request is routed, one to any
    other host is aborted and recorded, and the test fails at its end if there was one."""
    from urllib.parse import urlsplit

    context = browser.new_context(locale="zh-CN")
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1":
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside = outside  # what the guard stopped, for a test that checks on the way
    yield page
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside}"
