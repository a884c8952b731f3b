"""The HTTP API (api/http): every endpoint against the demo county, every error class as a JSON answer, downloads,
concurrent requests, the `quanze serve` defaults, and the same app over Neo4j."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quanze.api.audit import run_audit
from quanze.api.http import create_app, is_loopback, public_url
from quanze.tests.helpers import local_client
from quanze.api.who import who
from quanze.cli import build_parser, main
from quanze.errors import InputError

AS_OF = "2025-06-01"
QUESTION = "村里有人没批就盖房子"


def as_json(data):
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()["error"]
    assert body["code"] == code and has_chinese(body["zh"]) and body["en"] and isinstance(body["problems"], list)
    assert "Traceback" not in r.text
    return body


# --- endpoints ---------------------------------------------------------------------------------------------------

def test_health_names_the_store_and_its_data_version(client, demo_reader, search_mode):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": public_url(demo_reader.url), "backend": "SqliteStore",
                        "data_version": demo_reader.data_version(), "version": r.json()["version"], "search": search_mode}
    assert client.get("/who", params={"q": "占道经营", "in": "城关镇"}).json()["search"] == search_mode


def test_summary_counts_what_the_store_holds(client, demo_reader):
    data = client.get("/summary").json()
    assert data["counts"] == demo_reader.counts()
    assert data["counties"][0]["code"] == "990701" and data["counties"][0]["townships"] == 24


def test_who_answers_exactly_as_the_library_does(client, demo_reader):
    r = client.get("/who", params={"q": QUESTION, "in": "城关镇", "as_of": AS_OF, "limit": 2})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == as_json(who(demo_reader, QUESTION, "城关镇", as_of=AS_OF, limit=2))
    top = r.json()["matches"][0]
    assert top["matter"]["name"] == "对农村居民未经批准或者违反规划的规定建住宅的行政处罚" and top["handlers"]


def test_dispatch_groups_the_departments_that_must_come(client):
    data = client.get("/dispatch", params={"q": "占道经营", "in": "城关镇", "as_of": AS_OF}).json()
    assert data["region"]["code"] == "990701001" and data["groups"] and data["stationed_units"]


def test_path_between_a_department_and_a_township(client):
    data = client.get("/path", params={"from": "县住建局", "to": "城关镇", "all": "true"}).json()
    assert data["from"]["name"] == "青岚县住房和城乡建设局" and data["paths"]
    assert all(p["hops"] == data["paths"][0]["hops"] <= 6 for p in data["paths"])
    only = client.get("/path", params=[("from", "县住建局"), ("to", "城关镇"), ("via", "DELEGATES,undertakes"),
                                       ("via", "BELONGS_TO")]).json()
    assert only["via"] == ["DELEGATES", "UNDERTAKES", "BELONGS_TO"]
    assert {s["type"] for p in only["paths"] for s in p["steps"]} <= set(only["via"])


def test_show_a_region_an_agency_and_a_name_that_is_both(client):
    region = client.get("/show", params={"name": "城关镇"}).json()
    assert region["code"] == "990701001" and region["level"] == "township" and region["agencies"]
    agency = client.get("/show", params={"name": "县住建局"}).json()
    assert agency["name"] == "青岚县住房和城乡建设局" and "县住建局" in agency["short_names"]
    gov = client.get("/show", params={"name": "城关镇", "kind": "agency"}).json()
    assert gov["kind"] == "township_government"
    team = client.get("/show", params={"name": "综合行政执法大队", "in": "城关镇"}).json()
    assert team["region"]["code"] == "990701001"
    county = client.get("/show", params={"name": "青岚县", "kind": "region"}).json()
    assert len(county["townships"]) == 24


def test_audit_findings_as_audit_json_prints_them(client, demo_reader):
    r = client.get("/audit", params={"in": "城关镇", "severity": "medium", "as_of": AS_OF})
    assert r.status_code == 200
    assert r.json() == as_json(run_audit(demo_reader, region="城关镇", severity="medium", as_of=AS_OF).to_dict())
    only = client.get("/audit", params=[("rule", "multi-lead"), ("rule", "orphan-matter")]).json()
    assert [x["rule"] for x in only["rules"]] == ["multi-lead", "orphan-matter"] and only["findings"]
    assert {f["rule"] for f in only["findings"]} <= {"multi-lead", "orphan-matter"}


def test_the_audit_as_an_excel_download(client, demo_reader):
    from openpyxl import load_workbook

    r = client.get("/audit.xlsx", params={"in": "城关镇", "as_of": AS_OF})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"] == 'attachment; filename="quanze-audit-990701001-2025-06-01.xlsx"'
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "汇总"
    report = run_audit(demo_reader, region="城关镇", as_of=AS_OF)
    assert wb["汇总"].max_row == 1 + len(report.rules)
    assert sum(wb[s].max_row - 1 for s in wb.sheetnames[1:]) == len(report.findings) > 0


def test_the_findings_as_a_csv_download(client, demo_reader):
    r = client.get("/audit.csv", params={"rule": "multi-lead", "as_of": AS_OF})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.csv"', r.headers["content-disposition"])
    assert "all-2025-06-01" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    assert text.startswith("规则,严重程度")
    assert text.count("\r\nmulti-lead,") == len(run_audit(demo_reader, rules=["multi-lead"], as_of=AS_OF).findings) > 0


def test_capacity_for_the_county_of_a_region(client):
    whole = client.get("/capacity", params={"as_of": AS_OF}).json()
    assert len(whole["townships"]) == 24 and whole["totals"]["delegated_items"] > 0
    assert client.get("/capacity", params={"in": "城关镇", "as_of": AS_OF}).json() == whole


def test_every_endpoint_is_documented_in_chinese_and_english(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/who", "/dispatch", "/path", "/show", "/audit", "/audit.xlsx", "/audit.csv",
                                  "/capacity", "/capacity.xlsx", "/capacity.csv", "/summary", "/health", "/view"}
    for path, item in spec["paths"].items():
        op = item["get"]
        assert has_chinese(op["summary"]) and re.search("[a-z]{3}", op["summary"]), path
        assert has_chinese(op["description"]) and re.search("[a-z]{3}", op["description"]), path
        for p in op.get("parameters", []):
            assert has_chinese(p["description"]) and re.search("[a-z]{3}", p["description"]), (path, p["name"])


# --- errors ------------------------------------------------------------------------------------------------------

def test_an_empty_query_is_a_400(client):
    error(client.get("/who", params={"q": " ", "in": "城关镇"}), 400, "bad-query")
    error(client.get("/dispatch", params={"in": "城关镇"}), 400, "bad-query")


def test_an_unknown_region_is_a_404_with_the_nearest_names(client):
    body = error(client.get("/who", params={"q": QUESTION, "in": "城关真"}), 404, "not-found")
    assert "城关镇" in body["candidates"]
    error(client.get("/audit", params={"in": "火星镇"}), 404, "not-found")


def test_an_ambiguous_region_is_a_409_with_the_candidates(client):
    body = error(client.get("/who", params={"q": QUESTION, "in": "新城街道"}), 409, "ambiguous")
    assert len(body["candidates"]) > 1 and all("新城街道" in c for c in body["candidates"])
    body = error(client.get("/show", params={"name": "综合行政执法大队"}), 409, "ambiguous")
    assert len(body["candidates"]) == 24


def test_a_bad_date_is_a_400(client):
    for path in ("/who", "/audit", "/capacity", "/audit.xlsx"):
        body = error(client.get(path, params={"q": QUESTION, "in": "城关镇", "as_of": "去年某天"}), 400, "bad-date")
        assert "2025-06-01" in body["en"]


def test_an_unknown_relation_kind_is_a_400_listing_the_valid_ones(client):
    body = error(client.get("/path", params={"from": "县住建局", "to": "城关镇", "via": "LEADS,BOSSES"}), 400,
                 "bad-parameter")
    assert "BOSSES" in body["en"] and {"LEADS", "DELEGATES", "STATIONED_IN"} <= set(body["candidates"])


def test_no_path_is_a_404(client):
    body = error(client.get("/path", params={"from": "县住建局", "to": "城关镇", "via": "STATIONED_IN",
                                             "max_hops": 1}), 404, "no-path")
    assert "STATIONED_IN" in body["en"]


def test_unknown_things_are_404s(client):
    error(client.get("/path", params={"from": "没有这个机构", "to": "城关镇"}), 404, "not-found")
    error(client.get("/show", params={"name": "没有这个机构"}), 404, "not-found")
    error(client.get("/no-such-endpoint"), 404, "http-404")


def test_bad_parameters_are_400s_naming_the_parameter(client):
    body = error(client.get("/who", params={"q": QUESTION}), 400, "bad-parameter")
    assert body["problems"][0]["column"] == "in" and "in" in body["en"]
    body = error(client.get("/who", params={"q": QUESTION, "in": "城关镇", "limit": 0}), 400, "bad-parameter")
    assert body["problems"][0]["column"] == "limit" and body["problems"][0]["value"] == "0"
    error(client.get("/path", params={"from": "a", "to": "b", "max_hops": "many"}), 400, "bad-parameter")
    error(client.get("/show", params={"name": "城关镇", "kind": "person"}), 400, "bad-parameter")
    body = error(client.get("/audit", params={"rule": "no-such-rule"}), 400, "bad-parameter")
    assert "multi-lead" in body["candidates"]
    body = error(client.get("/audit.csv", params={"severity": "urgent"}), 400, "bad-parameter")
    assert body["candidates"] == ["low", "medium", "high"]


def test_a_store_that_cannot_be_opened_is_a_503_in_both_languages(tmp_path):
    with local_client(create_app("nosuchscheme://x")) as c:
        body = error(c.get("/health"), 503, "store-error")
        assert "nosuchscheme" in body["en"]
        error(c.get("/who", params={"q": QUESTION, "in": "城关镇"}), 503, "store-error")
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    with local_client(create_app(f"sqlite:///{blocked}/sub/q.db")) as c:  # a folder under a file
        error(c.get("/summary"), 503, "store-error")


def test_a_failing_store_query_is_a_503_and_a_bug_a_500_never_a_traceback(demo_url, monkeypatch):
    with local_client(create_app(demo_url), raise_server_exceptions=False) as c:
        s = c.app.state.quanze.get()
        monkeypatch.setattr(s, "counts", lambda: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error")))
        body = error(c.get("/summary"), 503, "store-error")
        assert "disk I/O error" in body["en"]
        monkeypatch.setattr(s, "counts", lambda: 1 / 0)
        body = error(c.get("/summary"), 500, "internal-error")
        assert "ZeroDivision" not in json.dumps(body)


# --- the store: one per app, concurrent requests -------------------------------------------------------------------

def test_the_store_is_opened_at_startup_and_closed_at_shutdown(demo_url):
    app = create_app(demo_url)
    holder = app.state.quanze
    assert holder.store is None
    with local_client(app) as c:
        opened = holder.store
        assert opened is not None
        c.get("/summary")
        c.get("/health")
        assert holder.store is opened  # one store for every request
    assert holder.store is None


def test_concurrent_requests_use_the_store_in_parallel_and_get_the_same_answers(demo_url, monkeypatch):
    requests = [("/who", {"q": q, "in": t, "as_of": AS_OF}) for q, t in
                [(QUESTION, "城关镇"), ("占道经营", "城关镇"), ("养狗扰民", "990701002"), ("垃圾乱倒", "城关镇")]]
    requests += [("/path", {"from": "县住建局", "to": "城关镇"}), ("/show", {"name": "县住建局"}),
                 ("/summary", {}), ("/audit", {"rule": "multi-lead", "as_of": AS_OF}),
                 ("/dispatch", {"q": "占道经营", "in": "城关镇", "as_of": AS_OF}), ("/health", {})]
    requests = (requests * 2)[:20]
    with local_client(create_app(demo_url)) as c:
        expected = {(path, json.dumps(params)): c.get(path, params=params).json() for path, params in requests}
        s = c.app.state.quanze.get()
        active, most, guard = [0], [0], threading.Lock()

        def watched(method):
            def call(*args, **kwargs):
                with guard:
                    active[0] += 1
                    most[0] = max(most[0], active[0])
                try:
                    time.sleep(0.005)  # long enough for another request to come in meanwhile
                    return method(*args, **kwargs)
                finally:
                    with guard:
                        active[0] -= 1
            return call

        for name in ("node", "nodes", "rels", "counts", "data_version"):
            monkeypatch.setattr(s, name, watched(getattr(s, name)))
        start = threading.Barrier(len(requests))

        def fire(request):
            path, params = request
            start.wait()
            r = c.get(path, params=params)
            return r.status_code, r.json(), (path, json.dumps(params))

        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(fire, requests))
    assert [status for status, _, _ in answers] == [200] * len(requests)
    for _, body, key in answers:
        assert body == expected[key], key
    assert most[0] > 1, "no two requests used the store at the same time: is something serialising them?"


# --- quanze serve --------------------------------------------------------------------------------------------------

def test_serve_binds_localhost_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.store) == ("127.0.0.1", 8000, None)


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
                                            ("127.0.0.5", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.10", False), ("example.org", False)])
def test_which_hosts_are_this_machine_only(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_runs_uvicorn_and_warns_in_both_languages_off_localhost(monkeypatch, capsys, demo_url):
    import uvicorn

    ran = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port: ran.append((app, host, port)))
    assert main(["serve", "--store", demo_url]) == 0
    assert ran[-1][1:] == ("127.0.0.1", 8000) and capsys.readouterr().err == ""
    assert main(["serve", "--store", demo_url, "--host", "0.0.0.0", "--port", "9001"]) == 0
    assert ran[-1][1:] == ("0.0.0.0", 9001)
    err = capsys.readouterr().err
    assert "警告" in err and "warning" in err and "0.0.0.0" in err and "--public-read" in err
    with local_client(ran[-1][0]) as c:  # beyond loopback reading is closed (tests/test_web.py tries it)
        assert c.get("/health").status_code == 401
    assert main(["serve", "--store", demo_url, "--host", "0.0.0.0", "--public-read"]) == 0
    with local_client(ran[-1][0]) as c:
        assert c.get("/health").json()["store"] == public_url(demo_url)


def test_serve_help_is_in_chinese_and_english(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "127.0.0.1" in out and "监听" in out and "HTTP API" in out


def test_store_urls_are_shown_without_credentials():
    assert public_url("bolt://neo4j:secret@db.local:7687") == "bolt://db.local:7687"
    assert public_url("sqlite:///q.db") == "sqlite:///q.db"


# --- Neo4j ---------------------------------------------------------------------------------------------------------

def test_the_api_answers_the_same_over_neo4j(full_demo_store, neo4j_store, neo4j_url):
    from quanze.graph.copy import copy_store

    copy_store(full_demo_store, neo4j_store)
    with local_client(create_app(neo4j_url)) as c:
        health = c.get("/health").json()
        assert health["backend"] == "Neo4jStore" and health["status"] == "ok"
        assert c.get("/summary").json()["counts"] == full_demo_store.counts()
        answer = c.get("/who", params={"q": QUESTION, "in": "城关镇", "as_of": AS_OF}).json()
        assert answer == as_json(who(full_demo_store, QUESTION, "城关镇", as_of=AS_OF, limit=3))
        assert c.get("/path", params={"from": "县住建局", "to": "城关镇"}).json()["paths"]
        error(c.get("/who", params={"q": QUESTION, "in": "新城街道"}), 409, "ambiguous")


def test_the_server_compares_questions_with_its_past_tickets(demo_url: str, tmp_path: Path, search_mode: str):
    past = tmp_path / "past.yaml"
    past.write_text("- {q: 饭馆的油烟管子正对着我家阳台, matter: 城区餐饮油烟治理}\n", encoding="utf-8")
    with local_client(create_app(demo_url, [past])) as c:
        answer = c.get("/who", params={"q": "饭馆油烟熏阳台", "in": "城关镇"}).json()
    assert answer["tickets"] == {"read": 1, "used": 1 if search_mode == "semantic" else 0, "unknown_matter": []}


def test_a_bad_ticket_file_stops_the_server_before_it_starts(demo_url: str, tmp_path: Path):
    past = tmp_path / "past.yaml"
    past.write_text("- {matter: 城区餐饮油烟治理}\n", encoding="utf-8")
    with pytest.raises(InputError):
        create_app(demo_url, [past])
