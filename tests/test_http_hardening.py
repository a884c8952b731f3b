"""The HTTP server under hostile requests: every parameter capped at the door, suggestions that never scan the national
table, a time budget per request, trusted hosts, security headers on every response, no server paths for readers."""

from __future__ import annotations

import threading
import time

import pytest

from quanze import deadline
from quanze.api.http import create_app, public_url
from quanze.api.http.limits import MAX_PARAMETER_CHARS
from quanze.tests.helpers import local_client


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()["error"]
    assert body["code"] == code and has_chinese(body["zh"]) and body["en"], body
    return body


def text_parameters(client) -> list[tuple[str, str]]:
    """Every (path, query parameter) the OpenAPI declares: new endpoints and pages are covered without a list here."""
    out = []
    for path, ops in client.get("/openapi.json").json()["paths"].items():
        for p in (ops.get("get") or {}).get("parameters", []):
            if p.get("in") == "query":
                out.append((path, p["name"]))
    return out


def raw_get(app, path: str, query: bytes) -> tuple[int, dict]:
    """One GET straight into the ASGI application, with a query string no HTTP client library would send."""
    import asyncio
    import json

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000")], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


def test_the_probes_hundred_thousand_character_name_is_refused_at_once(demo_url):
    app = create_app(demo_url)
    start = time.perf_counter()
    status, body = raw_get(app, "/show", b"name=" + b"a" * 100_000)
    assert status == 400 and body["error"]["code"] == "parameter-too-long" and has_chinese(body["error"]["zh"])
    status, body = raw_get(app, "/show", b"&".join(b"x%d=1" % i for i in range(500)))
    assert status == 400 and body["error"]["code"] == "parameter-too-long"
    assert time.perf_counter() - start < 5  # nothing was looked up


def test_every_parameter_of_every_endpoint_is_capped_at_the_door(client):
    params = text_parameters(client)
    assert {("/show", "name"), ("/capacity", "in"), ("/who", "in"), ("/dispatch", "in"), ("/path", "from"),
            ("/view", "region")} <= set(params)
    for path, name in params:
        body = error(client.get(path, params={name: "a" * 5000}), 400, "parameter-too-long")
        assert body["problems"][0]["column"] == name and len(str(body)) < 2000, (path, name)


def test_every_text_parameter_is_capped_by_the_library_too(client):
    """Just under the door's cap, over the library's (200 characters): a located 400 in both languages, never a
    lookup of 500 characters."""
    for path, name in text_parameters(client):
        r = client.get(path, params={name: "测" * 500})
        assert r.status_code == 400, (path, name, r.status_code, r.text[:200])
        assert has_chinese(r.json()["error"]["zh"]) and r.json()["error"]["en"]
    assert error(client.get("/show", params={"name": "测" * (MAX_PARAMETER_CHARS + 1)}), 400, "parameter-too-long")


def test_a_long_name_is_answered_from_the_index_never_a_scan(client, monkeypatch):
    import difflib

    def scan(*_args, **_kwargs):
        raise AssertionError("difflib.get_close_matches scanned a whole table")

    monkeypatch.setattr(difflib, "get_close_matches", scan)
    for kind in ("auto", "region", "agency"):
        body = error(client.get("/show", params={"name": "城关" + "测" * 197, "kind": kind}), 404, "not-found")
        assert "城关" in body["zh"]
    body = error(client.get("/show", params={"name": "城关真", "kind": "region"}), 404, "not-found")
    assert "城关镇" in body["candidates"]


def test_suggestions_compare_a_bounded_number_of_names(monkeypatch):
    from quanze.graph import suggest
    from quanze.graph.regions import RegionDirectory

    compared = []
    real = suggest.difflib.SequenceMatcher

    def counting(*args, **kwargs):
        compared.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(suggest.difflib, "SequenceMatcher", counting)
    directory = RegionDirectory()
    for text in ("城关真", "街道" * 99, "青岚县城关镇" * 33):
        compared.clear()
        directory.nearest(text)
        assert len(compared) <= suggest.CANDIDATES, text
    assert directory.nearest("城关真")[:3] and all("城关" in n for n in directory.nearest("城关真"))


def test_a_request_past_its_budget_is_cut_off_and_frees_the_server(demo_url, monkeypatch):
    from quanze.api.audit import overlaps

    def slow(facts, th, scope):  # a rule that would run for ever, checking its budget as long loops do
        while True:
            deadline.check()
            time.sleep(0.01)

    monkeypatch.setitem(overlaps.CHECKS, "multi-lead", slow)
    answers = {}
    with local_client(create_app(demo_url, request_seconds=2)) as c:
        c.get("/health")  # the store is open

        def ask():
            answers["audit"] = c.get("/audit", params={"rule": "multi-lead"})

        t = threading.Thread(target=ask)
        started = time.monotonic()
        t.start()
        time.sleep(0.2)
        answers["health"] = c.get("/health")
        t.join(30)
        elapsed = time.monotonic() - started
    error(answers["audit"], 503, "timed-out")
    assert answers["health"].status_code == 200
    assert elapsed < 15, elapsed  # cut off at its budget, not left to run


def test_a_route_that_never_checks_still_answers_at_its_budget(demo_url, monkeypatch):
    from quanze.api.audit import overlaps

    release = threading.Event()

    def stuck(facts, th, scope):
        release.wait(20)
        raise RuntimeError("released")

    monkeypatch.setitem(overlaps.CHECKS, "multi-lead", stuck)
    with local_client(create_app(demo_url, request_seconds=1), raise_server_exceptions=False) as c:
        error(c.get("/audit", params={"rule": "multi-lead"}), 503, "timed-out")
        release.set()


def test_only_loopback_hosts_are_answered_unless_allowed(demo_url, monkeypatch):
    from fastapi.testclient import TestClient

    app = create_app(demo_url)
    with TestClient(app, base_url="http://evil.example") as c:
        body = error(c.get("/health"), 400, "untrusted-host")
        assert "evil.example" in body["zh"] and "DNS" in body["en"]
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        with TestClient(app, base_url=f"http://{host}") as c:
            assert c.get("/health").status_code == 200, host
    with TestClient(create_app(demo_url, allowed_hosts=["quanze.bianban.local"]),
                    base_url="http://quanze.bianban.local") as c:
        assert c.get("/health").status_code == 200
    monkeypatch.setenv("QUANZE_ALLOWED_HOSTS", "intranet-host, other")
    with TestClient(create_app(demo_url), base_url="http://intranet-host:8000") as c:
        assert c.get("/health").status_code == 200


SECURITY = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy")


def test_security_headers_on_every_response(client):
    paths = [p for p, _ in text_parameters(client)] + ["/health", "/summary", "/docs", "/openapi.json", "/nowhere",
                                                        "/redoc"]
    responses = [client.get(p) for p in dict.fromkeys(paths)]
    responses.append(client.get("/show", params={"name": "a" * 5000}))
    responses.append(client.get("/view", params={"region": "城关镇"}))
    for r in responses:
        for h in SECURITY:
            assert h in r.headers, (r.url, h)
        assert r.headers["x-content-type-options"] == "nosniff"
        framed = "frame-ancestors 'self'" in r.headers["content-security-policy"]  # pages and views: by the pages
        assert framed or "frame-ancestors 'none'" in r.headers["content-security-policy"], r.url
        assert r.headers["x-frame-options"] == ("SAMEORIGIN" if framed else "DENY"), r.url
    view = responses[-1]
    assert view.status_code == 200 and "default-src 'none'" in view.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in view.headers["content-security-policy"]
    assert client.get("/health").headers["content-security-policy"].startswith("default-src 'none'")


def test_health_and_summary_show_no_server_path(client, demo_url):
    for path in ("/health", "/summary"):
        store = client.get(path).json()["store"]
        assert store == public_url(demo_url) and store.count("/") == 3, store  # sqlite:///demo.db
    assert public_url("sqlite:////srv/county/secret/quanze.db") == "sqlite:///quanze.db"
