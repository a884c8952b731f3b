"""One vocabulary of inputs (api/inputs.py): every accepted form of a date, a region, an agency and a choice gives the
same answer through every front end — the command line, the JSON API, the web pages and the graph views — and every
bad value the same error."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from quanze.api import inputs
from quanze.cli import main as quanze
from quanze.errors import Ambiguous, BadDate, BadValue, NotFound
from quanze.graph.sqlite_store import SqliteStore
from quanze.viz import build_view

QUESTION = "村里有人没批就盖房子"
DATES = ["2025-06-01", "2025/6/1", "2025.06.01", "2025年6月1日", "2025年6月1号", "20250601", " 2025-6-1 "]
REGIONS = ["城关镇", "990701001", "青岚县城关镇", "990701001000", " 城关镇 ", "城关镇\u200b"]
AGENCIES = ["漆园乡综合行政执法大队", "漆园乡/综合行政执法大队", "990701022/综合行政执法大队"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    """Exit status and the JSON the command printed (its answer, or its error)."""
    status = quanze([*argv, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out) if out.strip() else {}


def http(client: TestClient, path: str, **params: str) -> tuple[int, dict]:
    r = client.get(path, params=params)
    return r.status_code, r.json()


def page(web, path: str, **params: str) -> str:
    """A web page as a browser asks for it (api/web: HTML where the JSON API answers the same path otherwise)."""
    r = web.get(path, params=params, headers={"accept": "text/html"})
    assert r.status_code == 200, (path, params, r.text[-300:])
    return r.text


# --- accepted forms: the same answer everywhere ------------------------------------------------------------------

@pytest.mark.parametrize("form", DATES)
def test_every_date_form_reads_as_the_same_day_in_every_front_end(form, demo_url, client, demo_reader, web, capsys):
    assert inputs.date(form).isoformat() == "2025-06-01"
    status, answer = cli(capsys, "who", QUESTION, "--in", "城关镇", "--as-of", form, "--store", demo_url)
    assert status == 0 and answer["as_of"] == "2025-06-01"
    status, report = cli(capsys, "audit", "--rule", "dormant-delegation", "--as-of", form, "--store", demo_url)
    assert status == 0 and report["as_of"] == "2025-06-01"
    status, capacity = cli(capsys, "capacity", "--as-of", form, "--store", demo_url)
    assert status == 0 and capacity["as_of"] == "2025-06-01"
    for path in ("/who", "/dispatch"):
        status, body = http(client, path, q=QUESTION, **{"in": "城关镇", "as_of": form})
        assert status == 200 and body["as_of"] == "2025-06-01"
    assert http(client, "/audit", rule="dormant-delegation", as_of=form)[1]["as_of"] == "2025-06-01"
    assert http(client, "/capacity", as_of=form)[1]["as_of"] == "2025-06-01"
    for path in ("/audit", "/capacity", "/township/990701001"):  # the pages say the day they read
        assert '<span class="en">as of</span> 2025-06-01' in page(web, path, as_of=form), path
    view = build_view(demo_reader, matter=QUESTION, as_of=form)
    assert any("（2025-06-01，" in str(n.get("title")) for n in view.net.nodes)


@pytest.mark.parametrize("form", REGIONS)
def test_every_region_form_names_the_same_township_in_every_front_end(form, demo_url, client, demo_reader, web,
                                                                     capsys):
    assert inputs.held_region(demo_reader, form)["code"] == "990701001"
    status, answer = cli(capsys, "who", QUESTION, "--in", form, "--as-of", "2025-06-01", "--store", demo_url)
    assert status == 0 and answer["region"]["code"] == "990701001"
    status, report = cli(capsys, "audit", "--in", form, "--rule", "understaffed", "--store", demo_url)
    assert status == 0 and report["region"]["code"] == "990701001"
    status, shown = cli(capsys, "show", "region", form, "--store", demo_url)
    assert status == 0 and shown["code"] == "990701001"
    assert http(client, "/who", q=QUESTION, **{"in": form})[1]["region"]["code"] == "990701001"
    assert http(client, "/audit", rule="understaffed", **{"in": form})[1]["region"]["code"] == "990701001"
    assert http(client, "/show", name=form)[1]["code"] == "990701001"
    assert '<a href="/township/990701001">' in page(web, "/", q=QUESTION, **{"in": form})  # the ask page's answer
    assert '<h1>城关镇 <span class="code">990701001</span></h1>' in page(web, f"/township/{form}")
    assert build_view(demo_reader, region=form).home == "990701001"
    assert build_view(demo_reader, audit=form).subject == "城关镇"


@pytest.mark.parametrize("form", AGENCIES)
def test_a_township_unit_may_be_named_with_its_township_in_every_front_end(form, demo_url, client, demo_reader, capsys):
    unit = "990701022/综合行政执法大队"
    assert inputs.agency(demo_reader, form).id == unit
    status, paths = cli(capsys, "path", form, "县生态环境局", "--store", demo_url)
    assert status == 0 and paths["from"]["id"] == unit
    status, shown = cli(capsys, "show", "agency", form, "--store", demo_url)
    assert status == 0 and shown["id"] == unit
    assert http(client, "/path", **{"from": form, "to": "县生态环境局"})[1]["from"]["id"] == unit
    assert http(client, "/show", name=form, kind="agency")[1]["id"] == unit
    assert build_view(demo_reader, agency=form).focus == [f"Agency:{unit}"]
    assert f"Agency:{unit}" in build_view(demo_reader, path=(form, "县生态环境局")).focus


def test_a_bare_unit_name_is_ambiguous_until_its_township_is_given(demo_reader):
    with pytest.raises(Ambiguous):
        inputs.agency(demo_reader, "综合行政执法大队")
    assert inputs.agency(demo_reader, "综合行政执法大队", within="漆园乡").id == "990701022/综合行政执法大队"
    with pytest.raises(NotFound):  # a township that has no such unit is not read as one
        inputs.agency(demo_reader, "漆园乡不存在的办公室")


@pytest.mark.parametrize("given,wanted", [("high", "high"), ("高", "high"), ("Medium", "medium"), ("低", "low")])
def test_a_severity_is_read_in_either_language(given, wanted, demo_url, client, capsys):
    assert inputs.severity(given) == wanted
    status, report = cli(capsys, "audit", "--severity", given, "--store", demo_url)
    assert status == 0 and report["severity"] == wanted
    assert http(client, "/audit", severity=given)[1]["severity"] == wanted


def test_rules_and_relation_kinds_may_be_repeated_or_comma_separated(demo_url, client, capsys):
    both = ["understaffed", "idle-agency"]
    assert inputs.rule_ids(["understaffed,idle-agency"]) == inputs.rule_ids(both) == both
    status, report = cli(capsys, "audit", "--rule", "understaffed,idle-agency", "--store", demo_url)
    assert [r["rule"] for r in report["rules"]] == both
    r = client.get("/audit", params=[("rule", "understaffed"), ("rule", "idle-agency")])
    assert [x["rule"] for x in r.json()["rules"]] == both
    assert inputs.relation_kinds(["delegates, undertakes"]) == ["DELEGATES", "UNDERTAKES"]


# --- bad values: the same error everywhere -----------------------------------------------------------------------

BAD = [
    # (what, CLI arguments, HTTP path and parameters, the error class, its code, the field named)
    ("date", ["who", QUESTION, "--in", "城关镇", "--as-of", "去年五月"], ("/who", {"q": QUESTION, "in": "城关镇",
                                                                          "as_of": "去年五月"}),
     BadDate, "bad-date", "as_of"),
    ("severity", ["audit", "--severity", "urgent"], ("/audit", {"severity": "urgent"}), BadValue, "bad-parameter",
     "severity"),
    ("rule", ["audit", "--rule", "multi-leads"], ("/audit", {"rule": "multi-leads"}), BadValue, "bad-parameter",
     "rule"),
    ("limit", ["who", QUESTION, "--in", "城关镇", "--limit", "0"], ("/who", {"q": QUESTION, "in": "城关镇",
                                                                          "limit": "0"}),
     BadValue, "bad-parameter", "limit"),
    ("hops", ["path", "县住建局", "城关镇", "--max-hops", "many"], ("/path", {"from": "县住建局", "to": "城关镇",
                                                                            "max_hops": "many"}),
     BadValue, "bad-parameter", "max_hops"),
    ("via", ["path", "县住建局", "城关镇", "--via", "BOSSES"], ("/path", {"from": "县住建局", "to": "城关镇",
                                                                       "via": "BOSSES"}),
     BadValue, "bad-parameter", "via"),
    ("question", ["who", "违" * 201, "--in", "城关镇"], ("/who", {"q": "违" * 201, "in": "城关镇"}), BadValue,
     "bad-query", "q"),
]


@pytest.mark.parametrize("what,argv,request_,error,code,field", BAD, ids=[b[0] for b in BAD])
def test_a_bad_value_is_the_same_error_in_every_front_end(what, argv, request_, error, code, field, demo_url, client,
                                                          capsys):
    status, body = cli(capsys, *argv, "--store", demo_url)
    assert status == error.exit_status == 2
    assert body["code"] == code and body["field"] == field and body["message_zh"] and body["message_en"]
    status, answer = http(client, request_[0], **request_[1])
    assert status == 400 and answer["error"]["code"] == code
    assert answer["error"]["problems"][0]["column"] == field
    assert answer["error"]["zh"] == body["message_zh"]  # the same words, whoever asked


def test_a_bad_value_in_a_view_is_the_same_error(demo_reader):
    with pytest.raises(BadDate):
        build_view(demo_reader, matter=QUESTION, as_of="去年五月")
    with pytest.raises(BadValue) as e:
        build_view(demo_reader, region="城关镇", limit="0")
    assert e.value.field == "limit"
    with pytest.raises(BadValue):
        build_view(demo_reader, path=("县住建局", "城关镇"), via=["BOSSES"])


# --- a demo_reader that is not there -----------------------------------------------------------------------------------

def test_a_read_command_on_a_missing_store_says_so_and_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["who", QUESTION, "--in", "城关镇"], ["summary"], ["audit"], ["show", "region", "城关镇"]):
        assert quanze(argv) == 2
        err = capsys.readouterr().err
        assert "quanze demo" in err and "does not exist" in err
    assert not (tmp_path / "quanze.db").exists()


def test_an_empty_store_says_it_is_empty_rather_than_naming_every_township_in_china(tmp_path, capsys):
    demo_url = f"sqlite:///{tmp_path / 'empty.db'}"
    SqliteStore(demo_url).close()
    assert quanze(["who", QUESTION, "--in", "城关镇", "--store", demo_url]) == 2
    err = capsys.readouterr().err
    assert "还没有任何数据" in err and "holds nothing yet" in err


def test_accounts_roles_and_passwords_are_read_here_and_a_bad_password_is_never_repeated():
    assert inputs.account(" 张三 ") == "张三"
    assert [inputs.role(r) for r in ("editor", "Editor", "编辑", "管理员", "只读")] == [
        "editor", "editor", "editor", "admin", "reader"]
    for bad in ("", "有 空格", "x" * 65):
        with pytest.raises(BadValue) as e:
            inputs.account(bad)
        assert e.value.field == "name"
    with pytest.raises(BadValue) as e:
        inputs.role("boss")
    assert set(e.value.candidates) == {"reader", "editor", "admin"}
    assert inputs.password("eight ch") == "eight ch"
    for bad in ("seven!!", "x" * 257, None):
        with pytest.raises(BadValue) as e:
            inputs.password(bad)
        assert e.value.value is None and (bad is None or bad not in str(e.value))


def test_a_matter_is_read_by_id_code_or_whole_name(demo_reader):
    m = next(m for m in demo_reader.nodes("Matter") if m.get("code"))
    assert inputs.matter(demo_reader, m["id"])["id"] == m["id"]
    assert inputs.matter(demo_reader, m["code"])["id"] == m["id"]
    assert inputs.matter(demo_reader, f" {m['name']} ")["name"] == m["name"]
    with pytest.raises(NotFound):
        inputs.matter(demo_reader, "没有这个事项")
