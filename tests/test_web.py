"""The web workbench (api/web) through FastAPI's TestClient: every page and route, every role, the form tokens, the
sign-in throttle, reading open and closed, the write log, the confirmed-tickets file, the offline API docs and their
vendored files, ``quanze users``, ``quanze serve`` and ``quanze demo``; the pages' data on Neo4j too.

What only a browser shows (scripts, the keyboard, nothing leaving 127.0.0.1, markup that must not run) is in
tests/test_web_browser.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from quanze.api.demo import EXAMPLE_QUESTIONS
from quanze.api.resolve import delegation_state
from quanze.api.web.accounts import FREE_FAILURES, delay
from quanze.api.who import who
from quanze.cli import main
from quanze.tests.helpers import local_client
from quanze.tests.web import CHEAP, PASSWORDS, csrf_of, text_of

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "api" / "web" / "static" / "vendor"
CLARIFIED = ("饭馆油烟熏得人受不了", "城关镇")  # the demo's example with options (EXAMPLE_QUESTIONS checks it below)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def option_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'class="option" href="([^"]+)"', html)]


def card_heading(html: str) -> str:
    found = re.search(r'id="card-heading">([^<]+)', html)
    assert found, "no answer card"
    return found.group(1).strip()


def tickets_rows(web) -> list[list[str]]:
    path = web.site.state.tickets_path
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def log_lines(web) -> list[dict]:
    return web.site.state.log_lines(1000)


# --- every page: offline, no in-line script, its headers ------------------------------------------------------------

PAGES = ["/", "/?q=村里有人没批就盖房子&in=城关镇", "/?q=饭馆油烟熏得人受不了&in=城关镇", "/township", "/township/990701001",
         "/login", "/docs", "/redoc", "/admin/log", "/admin/users", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_offline_escaped_html_under_a_strict_policy(web, path):
    web.sign_in("admin")
    r = web.get(path, headers={"accept": "text/html"})
    assert r.status_code == (404 if path == "/no-such-page" else 200), r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    scripts = re.search(r"script-src ([^;]*)", csp).group(1)
    assert scripts.strip() == "'self'" and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    for attrs in SCRIPT.findall(r.text):  # every script is a file of this application: no in-line script
        assert re.search(r'src="/static/[^"]+\.js"', attrs), attrs
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', r.text), "a page refers to another origin"
    for label in re.findall(r"<label[^>]*>(.*?)</label>", r.text, re.S):  # Chinese first, English alongside
        assert re.search(r"[\u4e00-\u9fff]", label) and re.search(r"[A-Za-z]", label), label


def test_the_navigation_shows_each_role_what_it_may_open(web):
    assert "/admin/log" not in web.get("/").text
    web.sign_in("editor")
    html = web.get("/").text
    assert "/admin/log" not in html and "editor · 编辑 editor" in html
    web.sign_in("admin")
    html = web.get("/").text
    assert 'href="/admin/log"' in html and 'href="/admin/users"' in html


def test_the_json_api_keeps_its_answers_and_the_view_its_own_policy(web):
    r = web.get("/who", params={"q": "占道经营", "in": "城关镇"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["matches"]
    r = web.get("/who", params={"q": "", "in": "城关镇"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad-query"
    r = web.get("/nope")  # not a browser: JSON, as before
    assert r.status_code == 404 and r.json()["error"]["code"] == "http-404"
    r = web.get("/view", params={"region": "城关镇"})
    assert r.status_code == 200 and "script-src 'sha256-" in r.headers["content-security-policy"]


# --- 问 Ask -----------------------------------------------------------------------------------------------------

def test_the_ask_page_offers_every_region_the_store_holds_and_remembers_the_last(web, demo_reader):
    html = web.get("/").text
    assert 'autofocus' in html and 'list="regions"' in html
    values = re.findall(r'<option value="([^"]+)" label="([^"]+)"', html)
    assert {v for v, _ in values} == {r["name"] for r in demo_reader.nodes("Region")}
    assert all(label.split(" ")[0].isdigit() for _, label in values)  # the code beside each name
    r = web.get("/", params={"q": "占道经营", "in": "990701004"})
    assert r.status_code == 200 and "quanze_in=990701004" in r.headers["set-cookie"]
    assert "SameSite=Strict" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert 'id="in" name="in" type="text" list="regions" value="柏溪镇"' in web.get("/").text


def test_an_answer_card_names_the_lead_by_its_label_with_rule_basis_chain_and_sources(web, demo_reader):
    q, town = "村里的河道有人倒垃圾", "柏溪镇"
    answer = who(demo_reader, q, town, limit=5)
    top = answer["matches"][0]
    lead = next(h for h in top["handlers"] if h["role"] == "lead")
    assert lead["agency"]["label"] != lead["agency"]["name"]  # a township's unit: qualified by its township
    html = web.get("/", params={"q": q, "in": town}).text
    assert card_heading(html) == top["matter"]["name"]
    shown = re.search(r'<span class="label">(.*?)</span>', html, re.S).group(1)
    assert text_of(shown).strip() == lead["agency"]["label"] == "柏溪镇综合行政执法大队"
    from quanze.api.web.site import agency_url

    assert f'href="{agency_url(lead["agency"]["id"])}"' in shown  # linked to its page, which links its township
    page = text_of(html)
    from quanze.api.resolve import rule_label

    assert rule_label(top["rule"]) in page
    if lead.get("legal_basis"):
        assert lead["legal_basis"] in page
    d = lead["delegation"]
    assert d and d["document"] in page and d["effective"] in page and d["mode"] in page
    assert d["department"]["label"] in page and d["note_zh"] in page
    s = lead["sources"][0]
    assert f"{s['file']}[{s['sheet']}] 第{s['row']}行" in page
    guide = next(h for h in top["handlers"] if h["role"] == "guide")
    assert "指导监督 guide" in page and guide["agency"]["label"] in page


def test_an_entrusted_power_says_the_township_acts_in_the_departments_name(web, demo_reader):
    today = dt.date.today()
    r = next(r for r in demo_reader.rels("DELEGATES") if r.props.get("mode") == "委托"
             and delegation_state(r, today) == "in_force")
    town = r.props["region"]
    name = demo_reader.node("Matter", r.target)["name"]
    html = web.get("/", params={"q": name, "in": town}).text
    assert card_heading(html) == name
    assert "委托：乡镇以县级部门的名义实施" in html and "entrusted (委托)" in html


def test_a_department_power_lists_the_unit_stationed_there_as_on_site_contact(web, demo_reader):
    answer = who(demo_reader, "对食品生产经营活动的监督检查", "城关镇")
    contacts = [h["agency"]["label"] for h in answer["matches"][0]["handlers"] if h["role"] == "contact"]
    assert contacts, "the demo's food inspection has a market supervision unit stationed in 城关镇"
    page = text_of(web.get("/", params={"q": "对食品生产经营活动的监督检查", "in": "城关镇"}).text)
    assert "现场联系 on-site contact" in page and all(c in page for c in contacts)


def test_close_candidates_with_different_leads_become_options_and_choosing_one_answers_for_it(web, demo_reader,
                                                                                             by_meaning):
    q, town = CLARIFIED
    expected = who(demo_reader, q, town, limit=5)["clarify"]
    assert 2 <= len(expected) <= 4
    html = web.get("/", params={"q": q, "in": town}).text
    assert "您指的是哪一种？" in html and "Which one do you mean?" in html
    links = option_links(html)
    assert len(links) == len(expected)
    for link, option in zip(links, expected):
        assert f"matter={option['matter']['id'].replace(':', '%3A')}" in link
        assert option["lead"]["label"] in html and option["matter"]["name"] in html
    chosen = expected[1]
    r = web.get(links[1])
    assert r.status_code == 200 and card_heading(r.text) == chosen["matter"]["name"]
    assert "您指的是哪一种" not in r.text and "按您选的事项回答" in r.text
    assert chosen["lead"]["label"] in text_of(re.search(r'<span class="label">(.*?)</span>', r.text, re.S).group(1))


def test_when_nobody_handles_it_there_is_nothing_to_confirm_and_the_closest_are_shown(web, demo_reader):
    web.sign_in("editor")
    q, town = "城区餐饮油烟治理", "临江镇"  # a town-centre matter: nobody in a rural township
    answer = who(demo_reader, q, town, limit=5)
    assert answer.get("nobody") and answer["closest_with_handlers"]
    html = web.get("/", params={"q": q, "in": town}).text
    assert answer["nobody"]["zh"] in html and "没有可确认的派单" in html
    assert 'id="confirm"' not in html
    for m in answer["closest_with_handlers"]:
        assert m["matter"]["name"] in html


@pytest.mark.parametrize("params, status, words", [
    ({"q": "占道经营", "in": ""}, 400, "地区名称为空"),
    ({"q": "", "in": "城关镇"}, 400, "查询为空"),
    ({"q": "占道经营", "in": "不存在镇"}, 404, "找不到"),
    ({"q": "字" * 201, "in": "城关镇"}, 400, "查询过长"),
    ({"q": "占道经营", "in": "城关镇", "matter": "没有这个事项"}, 404, "库中没有事项"),
    ({"q": "占道经营", "in": "城关镇", "as_of": "someday"}, 400, "无法识别的日期"),
])
def test_a_question_that_cannot_be_answered_says_why_in_both_languages(web, params, status, words):
    r = web.get("/", params=params)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert words in r.text and 'role="alert"' in r.text and "Traceback" not in r.text
    assert re.search(r'<p class="en" lang="en">[A-Za-z]', r.text)


# --- 确认派单 and 改派 -------------------------------------------------------------------------------------------

def test_only_editors_see_the_confirm_button(web):
    q, town = CLARIFIED
    html = web.get("/", params={"q": q, "in": town}).text
    assert 'id="confirm"' not in html and "确认派单需要编辑权限" in html and "/login?next=" in html
    web.sign_in("reader")
    html = web.get("/", params={"q": q, "in": town}).text
    assert 'id="confirm"' not in html and "确认派单需要编辑权限" in html and 'id="target"' not in html
    web.sign_in("editor")
    html = web.get("/", params={"q": q, "in": town}).text
    assert 'id="confirm"' in html and 'id="target"' in html


def test_a_confirmation_is_recorded_with_who_and_when_logged_and_redirected(web, demo_reader, by_meaning):
    web.sign_in("editor")
    q, town = CLARIFIED
    chosen = who(demo_reader, q, town, limit=5)["clarify"][1]["matter"]
    r = web.send("/confirm", {"q": q, "in": "990701001", "matter": chosen["id"]})
    assert r.status_code == 303 and r.headers["location"].startswith("/?")
    page = web.get(r.headers["location"]).text
    assert "已确认派单并登记" in page and chosen["name"] in page
    rows = tickets_rows(web)
    assert rows[0] == ["诉求内容", "事项", "承办单位", "登记时间", "登记人"]
    words, matter, agency, when, by = rows[1]
    held = demo_reader.node("Matter", chosen["id"])
    assert (words, matter, agency, by) == (q, held.get("code") or held["name"], "", "editor")
    assert abs(dt.datetime.fromisoformat(when) - dt.datetime.now()) < dt.timedelta(minutes=5)
    line = log_lines(web)[0]
    assert (line["user"], line["action"], line["target"], line["result"]) == ("editor", "confirm", q, "ok")
    assert line["detail"]["name"] == chosen["name"] and line["client"]
    # every who the application answers reads the file now, the JSON API's too
    assert web.get("/who", params={"q": q, "in": town}).json()["tickets"]["read"] == 1


def test_a_confirmed_answer_comes_first_the_next_time_without_a_restart(web, demo_reader, by_meaning):
    web.sign_in("editor")
    q, town = CLARIFIED
    before = who(demo_reader, q, town, limit=5)
    second = before["clarify"][1]["matter"]
    assert before["matches"][0]["matter"]["id"] != second["id"]
    assert card_heading(web.get("/", params={"q": q, "in": town}).text) != second["name"]
    assert web.send("/confirm", {"q": q, "in": town, "matter": second["id"]}).status_code == 303
    html = web.get("/", params={"q": q, "in": town}).text
    assert card_heading(html) == second["name"]
    assert "相似工单 similar ticket" in html and "参考历史工单 1 条" in html


def test_readers_and_strangers_cannot_confirm_and_the_refusal_is_logged(web):
    q, town = CLARIFIED
    r = web.send("/confirm", {"q": q, "in": town, "matter": "x"})
    assert r.status_code == 401 and "请先登录" in r.text and "sign in first" in r.text
    web.sign_in("reader")
    r = web.send("/confirm", {"q": q, "in": town, "matter": "x"})
    assert r.status_code == 403 and "需要编辑 editor权限" in r.text and "needs the editor role" in r.text
    assert not web.site.state.tickets_path.exists()
    refused = [(line["user"], line["result"]) for line in log_lines(web) if line["action"] == "confirm"]
    assert refused == [("reader", "refused: forbidden"), (None, "refused: sign-in-needed")]


@pytest.mark.parametrize("how", ["none", "another session's", "a visitor's", "header of another site"])
def test_a_form_without_its_token_is_refused_with_403(web, make_web, demo_url, how):
    web.sign_in("editor")
    data = {"q": "占道经营", "in": "城关镇", "matter": "x"}
    headers = {}
    if how == "another session's":
        other = make_web(demo_url, state=web.site.state.path)
        other.sign_in("editor")
        data["csrf"] = other.token("/")
    elif how == "a visitor's":
        data["csrf"] = make_web(demo_url, state=web.site.state.path).token()
    elif how == "header of another site":
        data["csrf"] = web.token("/")
        headers["origin"] = "http://elsewhere.example"
    r = web.post("/confirm", data=data, headers=headers, follow_redirects=False)
    assert r.status_code == 403, r.text[:300]
    assert "表单缺少本页的校验码" in r.text and "was refused" in r.text
    assert log_lines(web)[0]["result"] == "refused: csrf-rejected"
    assert not web.site.state.tickets_path.exists()


def test_every_post_needs_the_token_the_login_form_too(web):
    assert web.post("/login", data={"name": "editor", "password": PASSWORDS["editor"]}).status_code == 403
    assert web.post("/logout").status_code == 403
    assert web.post("/admin/users", data={"action": "add"}).status_code == 403
    r = web.post("/confirm", json={"q": "x"})  # JSON without the header: refused alike
    assert r.status_code == 403


def test_a_form_too_large_is_refused(web):
    web.sign_in("editor")
    r = web.post("/confirm", data={"csrf": web.token("/"), "q": "x" * 70_000}, follow_redirects=False)
    assert r.status_code == 400 and "表单过大" in r.text


@pytest.mark.parametrize("typed, column, expected", [
    ("城关镇综合行政执法大队", "agency", "城关镇综合行政执法大队"),
    ("综合行政执法大队", "agency", "城关镇综合行政执法大队"),  # a bare unit name: the township asked about settles it
    ("城区占道经营治理", "matter", None),
])
def test_reassigning_records_the_matter_or_body_typed(web, demo_reader, typed, column, expected):
    web.sign_in("editor")
    r = web.send("/confirm", {"q": "门口有人摆摊", "in": "城关镇", "target": typed})
    assert r.status_code == 303, r.text[:500]
    words, matter, agency, _when, by = tickets_rows(web)[1]
    assert words == "门口有人摆摊" and by == "editor"
    if column == "agency":
        assert (matter, agency) == ("", expected)
    else:
        held = demo_reader.nodes("Matter", name=typed)[0]
        assert (matter, agency) == (held.get("code") or held["name"], "")
    assert log_lines(web)[0]["action"] == "reassign"


def test_reassigning_to_something_unknown_says_so_and_records_nothing(web):
    web.sign_in("editor")
    r = web.send("/confirm", {"q": "门口有人摆摊", "in": "城关镇", "target": "火星管理局"})
    assert r.status_code == 404 and "既不是库中的事项" in r.text and "neither a matter" in r.text
    assert "<details class=\"reassign\" open>" in r.text and 'value="火星管理局"' in r.text
    assert not web.site.state.tickets_path.exists()
    assert log_lines(web)[0]["result"] == "error: not-found"


def test_the_reassign_box_is_offered_matter_names_and_agency_labels(web):
    found = web.get("/ask/suggest", params={"q": "城关镇 执法"}).json()
    assert {"value": "城关镇综合行政执法大队", "kind": "agency", "label": "机构 body"} in found
    matters = web.get("/ask/suggest", params={"q": "占道经营"}).json()
    assert matters and all("占道经营" in m["value"] for m in matters) and {m["kind"] for m in matters} == {"matter"}
    assert web.get("/ask/suggest", params={"q": "  "}).json() == []


def test_an_old_tickets_file_is_read_and_given_the_recorder_column(web, demo_reader):
    path = web.site.state.tickets_path
    path.write_text("\ufeff诉求内容,事项,承办单位,登记时间\n饭馆油烟,城区餐饮油烟治理,,2025-01-02T03:04:05\n", encoding="utf-8")
    assert web.get("/who", params={"q": "饭馆油烟", "in": "城关镇"}).json()["tickets"]["read"] == 1
    web.sign_in("editor")
    assert web.send("/confirm", {"q": "门口有人摆摊", "in": "城关镇", "target": "城区占道经营治理"}).status_code == 303
    rows = tickets_rows(web)
    assert rows[0][-1] == "登记人" and rows[1] == ["饭馆油烟", "城区餐饮油烟治理", "", "2025-01-02T03:04:05", ""]
    assert rows[2][0] == "门口有人摆摊" and rows[2][-1] == "editor"


# --- the township page --------------------------------------------------------------------------------------------

def test_the_township_page_shows_units_staffing_lists_delegations_findings_and_the_graph(web, demo_reader):
    from quanze.api.audit import capacity_report, run_audit

    code = "990701001"
    r = web.get(f"/township/{code}")
    assert r.status_code == 200
    html, page = r.text, text_of(r.text)
    for unit in demo_reader.nodes("Agency", region=code):
        assert unit["name"] in page
        for plaque in unit.get("plaques") or []:
            assert plaque in page
    for rel in demo_reader.rels("STATIONED_IN", target=code):
        assert demo_reader.node("Agency", rel.source)["name"] in page
    row = next(t for t in capacity_report(demo_reader, code)["townships"] if t["code"] == code)
    assert f"{row['staff_quota']} / {row['staff_actual']}" in page
    assert re.search(rf"持证执法人员 <span class=\"en\">Certified enforcers</span></dt><dd>{row['certified_enforcers']}<",
                     html)
    today = dt.date.today()
    states = [delegation_state(rel, today) for rel in demo_reader.rels("DELEGATES", region=code)]
    for state, (zh, _en) in {"in_force": ("有效", ""), "pending": ("尚未生效", ""), "lapsed": ("已收回", "")}.items():
        assert f"{zh} <span class=\"en\">" in html and re.search(rf"{zh} <span class=\"en\">[^<]+</span>：{states.count(state)}<",
                                                                  html), state
    for lst in demo_reader.nodes("SourceList", region=code):
        assert lst["title"] in page and (lst.get("version") or "—") in page
    assert "青岚县赋予乡镇（街道）县级行政权力事项清单（第一批）" in page  # the county's delegation batches too
    findings = run_audit(demo_reader, region=code).findings
    assert f"审计发现 <span class=\"en\">Audit findings</span>：{len(findings)}<" in html
    assert all(f.message_zh in page for f in findings)
    assert f'src="/view?region={code}"' in html and 'sandbox="allow-scripts"' in html


def test_the_township_page_takes_a_name_and_refuses_a_county_or_an_unknown_place(web):
    assert web.get("/township/城关镇").status_code == 200
    r = web.get("/township/990701")
    assert r.status_code == 400 and "是县" in r.text and "城关镇" in r.text  # the townships are the candidates
    r = web.get("/township/不存在镇")
    assert r.status_code == 404 and "找不到" in r.text and r.headers["content-type"].startswith("text/html")
    index = web.get("/township").text
    assert index.count('href="/township/990701') == 24


def test_answers_link_their_township(web):
    html = web.get("/", params={"q": "村里有人没批就盖房子", "in": "城关镇"}).text
    assert 'href="/township/990701001"' in html


# --- accounts, sessions, the throttle, reading closed ---------------------------------------------------------------

def test_signing_in_sets_a_strict_http_only_session_cookie_and_signing_out_ends_it(web):
    r = web.sign_in("editor")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("quanze_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert "editor · 编辑 editor" in web.get("/").text
    r = web.post("/logout", data={"csrf": web.token("/")}, follow_redirects=False)
    assert r.status_code == 303 and "Max-Age=0" in r.headers["set-cookie"]
    assert "登录 <span class=\"en\">Sign in</span>" in web.get("/").text
    assert web.site.state.row("SELECT COUNT(*) AS n FROM sessions")["n"] == 0


def test_over_tls_the_cookies_are_secure(demo_url, make_web):
    web = make_web(demo_url, base_url="https://127.0.0.1")
    r = web.sign_in("editor")
    assert "Secure" in r.headers["set-cookie"]


def test_after_signing_in_the_browser_goes_where_it_was_going_and_never_elsewhere(web):
    for target, landing in (("/township/990701001", "/township/990701001"), ("//elsewhere.example/x", "/"),
                            ("https://elsewhere.example/", "/")):
        r = web.post("/login", data={"csrf": web.token(), "name": "reader", "password": PASSWORDS["reader"],
                                     "next": target}, follow_redirects=False)
        assert r.headers["location"] == landing


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(web):
    for name, password in (("editor", "wrong-password"), ("nobody-here", "wrong-password")):
        r = web.post("/login", data={"csrf": web.token(), "name": name, "password": password})
        assert r.status_code == 401 and "账号或密码不对" in r.text and "wrong account name or password" in r.text
        assert password not in r.text
    assert [(line["target"], line["result"]) for line in log_lines(web)[:2]] == [("nobody-here", "failed"),
                                                                                  ("editor", "failed")]


def test_failures_are_slowed_down_per_account_and_per_address_with_a_growing_wait(web):
    now = [1_000_000.0]
    web.site.state.clock = lambda: now[0]

    def attempt(name, password="wrong-password"):
        return web.post("/login", data={"csrf": web.token(), "name": name, "password": password},
                        follow_redirects=False)

    for _ in range(FREE_FAILURES + 1):
        assert attempt("editor").status_code == 401
    r = attempt("editor", PASSWORDS["editor"])  # even the right password waits its turn
    assert r.status_code == 429 and r.headers["retry-after"] == str(delay(FREE_FAILURES + 1))
    assert "请 1 秒后再试" in r.text and "try again in 1 s" in r.text
    assert attempt("admin", PASSWORDS["admin"]).status_code == 429  # the address waits too
    now[0] += delay(FREE_FAILURES + 1)
    assert attempt("editor").status_code == 401
    r = attempt("editor")
    assert r.status_code == 429 and r.headers["retry-after"] == str(delay(FREE_FAILURES + 2)) == "2"
    now[0] += 2
    assert attempt("editor", PASSWORDS["editor"]).status_code == 303
    failures = {f["key"]: f for f in web.site.accounts.failures()}
    assert "account:editor" not in failures  # a success clears the account's count
    assert failures["client:testclient"]["total"] == FREE_FAILURES + 2
    results = [line["result"] for line in log_lines(web) if line["action"] == "login"]
    assert results.count("failed") == FREE_FAILURES + 2 and results.count("refused: too-many-attempts") == 3


def test_the_wait_grows_and_is_capped(web):
    waits = [delay(n) for n in range(1, 20)]
    assert waits[:FREE_FAILURES] == [0] * FREE_FAILURES and waits[FREE_FAILURES] == 1
    assert all(b >= a for a, b in zip(waits, waits[1:])) and max(waits) == 900


def test_a_session_ends_when_unused_and_after_a_password_reset(web):
    now = [2_000_000.0]
    web.site.state.clock = lambda: now[0]
    web.sign_in("editor")
    now[0] += 3600
    assert "editor · 编辑" in web.get("/").text
    now[0] += 13 * 3600
    assert "editor · 编辑" not in web.get("/").text
    web.sign_in("editor")
    web.site.accounts.reset("editor", "another-password", by="test")
    assert "editor · 编辑" not in web.get("/").text


def test_with_reading_closed_pages_ask_for_a_sign_in_and_the_api_answers_401(demo_url, make_web):
    web = make_web(demo_url, public_read=False)
    r = web.get("/?q=占道经营&in=城关镇", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2F%3Fq%3D")
    for path in ("/who?q=占道经营&in=城关镇", "/openapi.json", "/health", "/view?region=城关镇"):
        r = web.get(path)
        assert r.status_code == 401 and r.json()["error"]["code"] == "sign-in-needed", path
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert web.get("/docs", follow_redirects=False).status_code == 303
    assert web.get("/login").status_code == 200 and web.get("/static/web/web.css").status_code == 200
    assert "本站阅读也需要登录" in web.get("/login").text
    web.sign_in("reader")
    assert web.get("/?q=占道经营&in=城关镇").status_code == 200
    assert web.get("/who", params={"q": "占道经营", "in": "城关镇"}).status_code == 200


def test_an_api_token_reads_and_is_kept_only_as_its_digest(demo_url, make_web):
    web = make_web(demo_url, public_read=False)
    token = web.site.accounts.token("reader", by="test")
    r = web.client.get("/who", params={"q": "占道经营", "in": "城关镇"}, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["matches"]
    stored = [row["digest"] for row in web.site.state.rows("SELECT digest FROM tokens")]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in web.site.state.path.read_bytes().decode(
        "latin-1")
    r = web.client.get("/who", params={"q": "占道经营", "in": "城关镇"}, headers={"authorization": "Bearer qz_nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "sign-in-needed"
    assert web.site.accounts.token("reader", by="test") != token
    assert web.client.get("/summary", headers={"authorization": f"Bearer {token}"}).status_code == 401  # replaced


def test_a_token_writes_without_a_form_token_but_only_for_an_editor(web, demo_reader):
    q, town = CLARIFIED
    matter = who(demo_reader, q, town)["matches"][0]["matter"]["id"]
    reader = web.site.accounts.token("reader", by="test")
    editor = web.site.accounts.token("editor", by="test")
    data = {"q": q, "in": town, "matter": matter}
    assert web.client.post("/confirm", data=data, headers={"authorization": f"Bearer {reader}"}).status_code == 403
    r = web.client.post("/confirm", data=data, headers={"authorization": f"Bearer {editor}"}, follow_redirects=False)
    assert r.status_code == 303 and tickets_rows(web)[1][-1] == "editor"


def test_the_application_hashes_passwords_with_argon2id_at_todays_cost(web):
    from argon2 import PasswordHasher

    web.site.accounts.hasher = PasswordHasher()
    web.site.accounts.add("新同事", "reader", "a-long-password", by="test")
    stored = web.site.state.row("SELECT password FROM users WHERE name = '新同事'")["password"]
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored and "a-long-password" not in stored
    web.sign_in("新同事", "a-long-password")
    # a hash made with weaker parameters is replaced at the next sign-in
    assert web.site.state.row("SELECT password FROM users WHERE name = 'editor'")["password"].startswith(
        "$argon2id$v=19$m=8,")
    web.sign_in("editor")
    assert "m=65536,t=3" in web.site.state.row("SELECT password FROM users WHERE name = 'editor'")["password"]


def test_passwords_and_tokens_are_never_logged_echoed_or_rendered(web, caplog):
    caplog.set_level("DEBUG")
    web.sign_in("admin")
    secret = "totally-secret-password"
    for action in ("add", "reset"):
        r = web.send("/admin/users", {"action": action, "name": "临时", "role": "reader", "password": secret},
                     token_from="/admin/users")
        assert r.status_code == 303
    token = web.site.accounts.token("临时", by="admin")
    web.post("/login", data={"csrf": web.token(), "name": "临时", "password": secret + "x"})
    r = web.send("/admin/users", {"action": "add", "name": "短", "role": "reader", "password": "short"},
                 token_from="/admin/users")
    assert r.status_code == 400 and "密码应为 8–256 个字符" in r.text and ">short<" not in r.text
    everything = (json.dumps(log_lines(web), ensure_ascii=False) + web.get("/admin/log").text
                  + web.get("/admin/users").text + caplog.text)
    for s in (secret, token, "short", PASSWORDS["admin"]):
        assert s not in everything


def test_admin_pages_are_for_admins(web):
    r = web.get("/admin/log", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fadmin%2Flog")
    web.sign_in("editor")
    r = web.get("/admin/log")
    assert r.status_code == 403 and "需要管理员 admin权限" in r.text
    web.sign_in("admin")
    html = web.get("/admin/log").text
    assert "写入日志" in html and "refused: forbidden" in html and "read-log" in html
    assert "client:testclient" not in html or "登录失败计数" in html


def test_admins_manage_accounts_on_their_page_and_the_last_admin_stays(web):
    web.sign_in("admin")

    def change(**data):
        return web.send("/admin/users", data, token_from="/admin/users")

    assert change(action="add", name="张三", role="editor", password="zhangsan-pass").status_code == 303
    assert web.site.accounts.get("张三")["role"] == "editor"
    assert change(action="role", name="张三", role="管理员").status_code == 303
    assert web.site.accounts.get("张三")["role"] == "admin"
    assert change(action="reset", name="张三", password="another-pass").status_code == 303
    assert change(action="remove", name="张三").status_code == 303 and web.site.accounts.get("张三") is None
    r = change(action="add", name="reader", role="reader", password="whatever-pass")
    assert r.status_code == 400 and "已存在" in r.text
    r = change(action="role", name="admin", role="reader")
    assert r.status_code == 400 and "最后一个管理员" in r.text and web.site.accounts.get("admin")["role"] == "admin"
    r = change(action="add", name="x", role="boss", password="whatever-pass")
    assert r.status_code == 400 and "未知的角色" in r.text
    actions = [(line["action"], line["result"]) for line in log_lines(web) if line["action"].startswith("user-")]
    assert ("user-add", "ok") in actions and ("user-role", "error: bad-parameter") in actions
    web.sign_in("editor")
    assert change(action="remove", name="reader").status_code == 403 and web.site.accounts.get("reader")


# --- the API docs, offline ----------------------------------------------------------------------------------------

def test_the_api_docs_come_from_the_applications_own_files(web):
    for path, files in (("/docs", ["/static/vendor/swagger_ui/swagger-ui-bundle.js",
                                   "/static/vendor/swagger_ui/swagger-ui.css", "/static/web/swagger.js"]),
                        ("/redoc", ["/static/vendor/redoc/redoc.standalone.js", "/static/web/redoc.js"])):
        r = web.get(path)
        assert r.status_code == 200 and 'data-openapi="/openapi.json"' in r.text
        assert "'unsafe-inline'" not in re.search(r"script-src ([^;]*)", r.headers["content-security-policy"]).group(1)
        for f in files:
            assert f'"{f}"' in r.text
            served = web.get(f)
            assert served.status_code == 200 and len(served.content) > 300
    assert web.get("/openapi.json").json()["info"]["title"].startswith("quanze")
    assert web.get("/docs/oauth2-redirect").status_code == 404  # FastAPI's own docs routes are off


def vendor_table() -> dict[str, tuple[int, str]]:
    text = (VENDOR / "VENDOR.md").read_text(encoding="utf-8")
    return {m.group(1): (int(m.group(2).replace(",", "")), m.group(3))
            for m in re.finditer(r"^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$", text, re.MULTILINE)}


def test_the_vendored_files_are_the_ones_recorded_with_their_versions_and_licences():
    table = vendor_table()
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file() and p.name != "VENDOR.md"}
    assert set(table) == on_disk
    for name, (size, digest) in table.items():
        data = (VENDOR / name).read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == digest, name
    text = (VENDOR / "VENDOR.md").read_text(encoding="utf-8")
    for folder in ("swagger_ui", "redoc", "echarts"):
        package = json.loads((VENDOR / folder / "package.json").read_text(encoding="utf-8"))
        assert f"| {package['version']} | {package['license']}" in text and (VENDOR / folder / "LICENSE").is_file()


# --- quanze users, serve, demo ------------------------------------------------------------------------------------

def users(state: Path, *args: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *args, "--state", str(state)])


def test_quanze_users_adds_lists_resets_removes_and_makes_tokens(tmp_path, monkeypatch, capsys):
    state = tmp_path / "s.state.db"
    assert users(state, "add", "王五", "--role", "editor", "--password-stdin", stdin="wangwu-password\n",
                 monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert "王五" in out and "wangwu-password" not in out
    with sqlite3.connect(state) as db:
        stored = db.execute("SELECT role, password FROM users WHERE name = '王五'").fetchone()
    assert stored[0] == "editor" and stored[1].startswith("$argon2id$")
    assert users(state, "list") == 0 and "王五  编辑 editor" in capsys.readouterr().out
    assert users(state, "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)["users"][0]["name"] == "王五"
    assert users(state, "token", "王五") == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("qz_") and "只显示这一次" in captured.err
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT digest FROM tokens").fetchone()[0] == hashlib.sha256(token.encode()).hexdigest()
        log = db.execute("SELECT user, action, detail FROM write_log").fetchall()
    assert [a for _u, a, _d in log] == ["user-add", "user-token"] and all(u.startswith("cli") for u, _a, _d in log)
    assert token not in json.dumps(log, ensure_ascii=False)
    assert users(state, "reset", "王五", "--password-stdin", stdin="new-password-1\n", monkeypatch=monkeypatch) == 0
    assert users(state, "remove", "王五") == 0 and users(state, "list") == 0
    assert "还没有账号" in capsys.readouterr().out


@pytest.mark.parametrize("args, stdin, words", [
    (["add", "x", "--role", "boss", "--password-stdin"], "long-enough-1\n", "未知的角色"),
    (["add", "x", "--password-stdin"], "short\n", "密码应为"),
    (["add", "x"], None, "--password-stdin"),  # no terminal to ask on
    (["remove", "nobody"], None, "没有账号"),
    (["add", "has space", "--password-stdin"], "long-enough-1\n", "不能含空格"),
])
def test_quanze_users_says_what_is_wrong_in_both_languages(tmp_path, monkeypatch, capsys, args, stdin, words):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
    assert main(["users", *args, "--state", str(tmp_path / "s.db")]) == 2
    err = capsys.readouterr().err
    assert words in err and "error:" in err and "short\n" not in err


def test_the_state_file_sits_beside_an_embedded_store_unless_told(tmp_path, monkeypatch):
    from quanze.api.web import state_path

    monkeypatch.delenv("QUANZE_STATE", raising=False)
    assert state_path(f"sqlite:///{tmp_path / 'quanze.db'}") == tmp_path / "quanze.state.db"
    assert state_path("bolt://127.0.0.1:7687") == Path("quanze.state.db")
    assert state_path("bolt://127.0.0.1:7687", tmp_path / "given.db") == tmp_path / "given.db"
    monkeypatch.setenv("QUANZE_STATE", str(tmp_path / "env.db"))
    assert state_path(f"sqlite:///{tmp_path / 'quanze.db'}") == tmp_path / "env.db"
    from quanze.api.web import State

    s = State(tmp_path / "new" / "x.state.db")
    assert s.tickets_path == tmp_path / "new" / "x.state.tickets.csv" and not s.path.exists()  # made when used
    s.secret()
    assert (s.path.stat().st_mode & 0o777) == 0o600
    s.close()


def test_a_state_file_that_cannot_be_made_is_a_503_saying_where(tmp_path, demo_url):
    from quanze.api.http import create_app

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    with local_client(create_app(demo_url, state=blocked / "sub" / "s.db")) as c:
        assert c.get("/who", params={"q": "占道经营", "in": "城关镇"}).status_code == 200  # reading needs no state
        r = c.get("/login", headers={"accept": "text/html"})
        assert r.status_code == 503 and "无法打开网页应用的状态文件" in r.text and "--state" in r.text


@pytest.mark.parametrize("host, flag, public, words", [
    ("127.0.0.1", None, True, None), ("0.0.0.0", None, False, "阅读需要登录"),
    ("0.0.0.0", "--public-read", True, "无需登录即可阅读"), ("127.0.0.1", "--no-public-read", False, None),
])
def test_quanze_serve_closes_reading_beyond_loopback_unless_told(demo_url, tmp_path, monkeypatch, capsys, host, flag,
                                                                 public, words):
    import uvicorn

    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    args = ["serve", "--store", demo_url, "--host", host, "--state", str(tmp_path / "s.db")] + ([flag] if flag else [])
    assert main(args) == 0
    assert ran["host"] == host and ran["app"].state.site.public_read is public
    err = capsys.readouterr().err
    assert (words in err and "--public-read" in err) if words else not err


def test_quanze_demo_serves_with_a_new_demo_password_each_run(tmp_path, monkeypatch, capsys):
    import uvicorn

    from quanze.api.web import Accounts, State

    ran = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.append((app, kw)))
    store = f"sqlite:///{tmp_path / 'quanze.db'}"
    passwords = []
    for _ in range(2):
        assert main(["demo", "--store", store]) == 0
        out = capsys.readouterr().out
        url = re.search(r"网页工作台 web workbench: (http://127\.0\.0\.1:\d+/)", out).group(1)
        login = re.search(r"演示账号 demo login: demo / (\S+)（", out)
        passwords.append(login.group(1))
        for q, where in EXAMPLE_QUESTIONS:
            assert q in out and f"{url}?q=" in out and where in out
    app, kw = ran[-1]
    assert kw["host"] == "127.0.0.1" and url.endswith(f":{kw['port']}/") and app.state.site.public_read
    assert passwords[0] != passwords[1]
    state = State(tmp_path / "quanze.state.db")
    accounts = Accounts(state)
    assert accounts.get("demo")["role"] == "editor"
    assert accounts.sign_in("demo", passwords[1], "test")
    with pytest.raises(Exception):
        accounts.sign_in("demo", passwords[0], "test")
    state.close()
    assert main(["demo", "--store", store, "--no-serve"]) == 0 and len(ran) == 2
    assert "网页工作台" not in capsys.readouterr().out


def test_the_demo_takes_the_next_free_port(monkeypatch):
    import socket

    from quanze.cli.demo import free_port

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert free_port("127.0.0.1", port) > port


def test_the_demos_example_questions_give_sensible_answers(demo_reader, by_meaning):
    answers = [who(demo_reader, q, where, limit=5) for q, where in EXAMPLE_QUESTIONS]
    for answer in answers:
        assert not answer.get("nobody")
        assert any(h["role"] == "lead" for h in answer["matches"][0]["handlers"])
    assert any(a["clarify"] for a in answers), "one example shows the options"
    assert CLARIFIED in EXAMPLE_QUESTIONS


# --- the pages' data on Neo4j ---------------------------------------------------------------------------------------

@pytest.fixture
def neo4j_demo(neo4j_store, demo_reader):
    from quanze.graph.copy import copy_store

    copy_store(demo_reader, neo4j_store)
    return neo4j_store


def test_the_pages_show_the_same_on_neo4j(neo4j_demo, demo_url, make_web, by_words):
    # by words: the same words on both stores; the model's part is tested above
    embedded, graph = make_web(demo_url), make_web(neo4j_demo.url)
    for path in ("/township/990701001", "/township/990701014", "/?q=饭馆油烟熏得人受不了&in=城关镇",
                 "/?q=村里的河道有人倒垃圾&in=柏溪镇", "/?q=城区餐饮油烟治理&in=临江镇"):
        a, b = embedded.get(path), graph.get(path)
        assert a.status_code == b.status_code == 200, (path, a.text[-600:], b.text[-600:])
        strip = re.compile(r'name="csrf" value="[^"]+"|截至 <span class="en">as of</span> \S+')
        assert strip.sub("", a.text) == strip.sub("", b.text), path
    graph.sign_in("editor")
    q, town = CLARIFIED
    matter = re.search(r'name="matter" value="([^"]+)"', graph.get("/", params={"q": q, "in": town}).text).group(1)
    assert graph.send("/confirm", {"q": q, "in": town, "matter": matter}).status_code == 303
    assert tickets_rows(graph)[1][-1] == "editor"
