"""Sixteen threads asking at once get the answers one thread asking one question at a time gets — on both stores,
with the caches cold (the threads' first questions build the search index together) — and the HTTP API answers them
in parallel, with no lock around the store. Nothing here times anything: speed is measured in bench/ (bench/load.py)."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from quanze.api import who as who_module
from quanze.api.audit import run_audit
from quanze.api.paths import find_paths
from quanze.api.who import dispatch, who
from quanze.demo import demo_questions
from quanze.graph import cache
from quanze.graph.copy import copy_store

THREADS = 16
AS_OF = "2025-06-01"


@pytest.fixture(params=["sqlite", "neo4j"], ids=["sqlite", "neo4j"])
def demo_any(request: pytest.FixtureRequest, full_demo_store):
    """The whole demo county in the embedded store, or copied into Neo4j."""
    if request.param == "sqlite":
        return full_demo_store
    neo4j = request.getfixturevalue("neo4j_store")
    copy_store(full_demo_store, neo4j)
    return neo4j


def _questions(n: int) -> list[dict[str, Any]]:
    questions = yaml.safe_load(demo_questions().read_text(encoding="utf-8"))
    return questions[::max(1, len(questions) // n)][:n]


def _work(store) -> list[Callable[[], Any]]:
    """What the threads do: who, dispatch, a path, a township's audit — each as a call giving comparable JSON."""
    calls: list[Callable[[], Any]] = []
    for i, q in enumerate(_questions(2 * THREADS)):
        calls.append(lambda q=q: who(store, q["q"], q["township"], as_of=AS_OF))
        if i % 4 == 1:
            calls.append(lambda q=q: dispatch(store, q["q"], q["township"], as_of=AS_OF))
        if i % 8 == 2:
            calls.append(lambda q=q: run_audit(store, region=q["township"], as_of=AS_OF).to_dict())
        if i % 8 == 5:
            calls.append(lambda q=q: find_paths(store, "县住建局", q["township"]))
    return calls


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Every call on one of THREADS threads, all threads starting together."""
    start = threading.Barrier(THREADS)
    chunks = [calls[i::THREADS] for i in range(THREADS)]

    def run(mine: list[Callable[[], Any]]) -> list[Any]:
        start.wait()
        return [c() for c in mine]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, chunks))
    out: list[Any] = [None] * len(calls)
    for i, got in enumerate(results):
        for j, answer in enumerate(got):
            out[i + j * THREADS] = answer
    return out


def _plain(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def test_sixteen_threads_at_once_get_what_one_thread_gets(demo_any, monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    real = who_module.MatterIndex

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(threading.get_ident())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(who_module, "MatterIndex", Counted)
    cache.clear()  # cold: the threads' first questions meet an empty cache together
    calls = _work(demo_any)
    together = _at_once(calls)
    assert len(built) == 1  # the index was built once, the other threads waited for it
    alone = [c() for c in calls]
    assert [_plain(a) for a in together] == [_plain(a) for a in alone]
    assert all(a["matches"] for a in alone if isinstance(a, dict) and "matches" in a)


def test_the_embedded_store_gives_each_thread_its_own_connection(full_demo_store) -> None:
    store = full_demo_store
    held = threading.Event()
    done = threading.Event()
    seen: dict[str, Any] = {}

    def writer() -> None:  # a load holding its transaction on its own connection
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute("DELETE FROM node_agency")
        seen["writer"] = id(store._db)
        held.set()
        done.wait(30)
        store._db.execute("ROLLBACK")

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(30)
    try:
        seen["reader"] = id(store._db)
        assert len(store.nodes("Agency")) > 300  # the committed state: not blocked, not the other thread's half
    finally:
        done.set()
        thread.join(30)
    assert seen["reader"] != seen["writer"]
    store.close()
    with pytest.raises(Exception):
        store.nodes("Agency")


def test_a_cached_value_is_built_once_however_many_threads_ask_for_it(full_demo_store) -> None:
    builds = []

    def build() -> object:
        builds.append(1)
        time.sleep(0.2)
        return object()

    start = threading.Barrier(THREADS)

    def ask(_: int) -> object:
        start.wait()
        return cache.by_version(full_demo_store, "test-once", "k", build)

    with ThreadPoolExecutor(THREADS) as pool:
        values = list(pool.map(ask, range(THREADS)))
    assert len(builds) == 1 and all(v is values[0] for v in values)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_http_api_answers_sixteen_clients_at_once_as_it_answers_one(demo_url: str) -> None:
    import httpx
    import uvicorn

    from quanze.api.http import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(demo_url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        requests = [("/who", {"q": q["q"], "in": q["township"], "as_of": AS_OF}) for q in _questions(2 * THREADS)]
        requests += [("/show", {"name": q["township"]}) for q in _questions(4)]
        requests += [("/view", {"region": q["township"]}) for q in _questions(2)]

        def get(request: tuple[str, dict]) -> tuple[int, str]:
            with httpx.Client(base_url=base, timeout=120) as c:
                r = c.get(request[0], params=request[1])
                return r.status_code, r.text

        cache.clear()
        with ThreadPoolExecutor(THREADS) as pool:
            together = list(pool.map(get, requests))
        alone = [get(r) for r in requests]
        assert [status for status, _ in together] == [200] * len(requests)
        assert together == alone
    finally:
        server.should_exit = True
        thread.join(30)
