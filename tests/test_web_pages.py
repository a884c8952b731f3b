"""The web workbench, part 2, through FastAPI's TestClient: the agency, matter and list pages, the audit dashboard
with its groups and downloads, the capacity page, the path page and the upload page; every page checked against
what the library says (``api.browse``, ``run_audit``, ``capacity_report``, ``find_paths``, ``ingest_paths``), on both
stores.

What only a browser shows (charts drawn, a graph laid out, nothing leaving 127.0.0.1) is in
tests/test_web_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest

from quanze.api.resolve import Resolver, delegation_state, rule_label
from quanze.api.web.site import agency_url, list_url, matter_url
from quanze.tests.web import text_of

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVIL = '<img src=x onerror="document.documentElement.dataset.pwned=1">'


def page_text(web, path: str, status: int = 200, **params) -> str:
    r = web.get(path, params=params or None, headers={"accept": "text/html"})
    assert r.status_code == status, (path, r.status_code, r.text[-800:])
    return r.text


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", text_of(html))


def department_with_delegations(reader) -> str:
    """A county department that delegates matters and has units stationed in townships (the demo has several)."""
    delegating = {r.source for r in reader.rels("DELEGATES")}
    stationed = {u.target for r in reader.rels("STATIONED_IN") for u in reader.rels("UNIT_OF", source=r.source)}
    return sorted(delegating & stationed)[0]


# --- 机构 the agency page --------------------------------------------------------------------------------------------

def test_the_agency_page_shows_where_it_sits_its_staffing_and_its_matters_by_role_with_rows(web, demo_reader):
    agency_id = department_with_delegations(demo_reader)
    props = demo_reader.node("Agency", agency_id)
    html = page_text(web, agency_url(agency_id))
    text = squeeze(html)
    assert f"<h1>{props['name']}</h1>" in html
    for plaque in props.get("plaques") or []:
        assert plaque in text
    for r in demo_reader.rels("UNIT_OF", target=agency_id):  # its units, linked
        assert f'href="{agency_url(r.source)}"' in html
    stationed = [(u.source, s.target) for u in demo_reader.rels("UNIT_OF", target=agency_id)
                 for s in demo_reader.rels("STATIONED_IN", source=u.source)]
    assert stationed
    for _unit, town in stationed:  # where each is stationed, by name and linked
        name = demo_reader.node("Region", town)["name"]
        assert f'<a href="/township/{town}">{name}</a>' in html
    if props.get("admin_quota") is not None:
        assert f"<td>{props['admin_quota']}</td>" in html
    # every role: the number of distinct matters the store holds for it, each delegated matter linked, rows shown
    for type_, zh in (("LEADS", "牵头"), ("DELEGATES", "下放"), ("UNDERTAKES", "承接")):
        matters = {r.target for r in demo_reader.rels(type_, source=agency_id)}
        assert re.search(rf"<summary>{zh} <span class=\"en\">[a-z ]+</span>：{len(matters)} 项", html), type_
    delegated = demo_reader.rels("DELEGATES", source=agency_id)
    first = sorted(delegated, key=lambda r: demo_reader.node("Matter", r.target)["name"])[0]
    assert matter_url(first.target, props["region"]).replace("&", "&amp;") in html
    assert f"{first.props['file']}" in text and f"第{first.props['row']}行" in text
    assert f'src="/view?agency={quote(agency_id, safe="")}"' in html  # its graph view, framed


def test_a_townships_unit_is_named_with_its_township_and_links_it(web, demo_reader):
    unit = demo_reader.nodes("Agency", region="990701004", kind="enforcement_team")[0]
    label = Resolver(demo_reader).agency(unit["id"])["label"]
    html = page_text(web, agency_url(unit["id"]))
    assert f"<h1>{label}</h1>" in html and label.startswith("柏溪镇")
    assert '<a href="/township/990701004">柏溪镇</a>' in html
    undertaken = {r.target for r in demo_reader.rels("UNDERTAKES", source=unit["id"])}
    assert re.search(rf"<summary>承接 <span class=\"en\">undertakes</span>：{len(undertaken)} 项", html)


def test_a_long_role_is_cut_with_a_more_link_that_shows_the_rest(web, demo_reader):
    agency_id = department_with_delegations(demo_reader)
    delegated = {r.target for r in demo_reader.rels("DELEGATES", source=agency_id)}
    assert len(delegated) > 3
    html = page_text(web, agency_url(agency_id), limit="3")
    section = html.split('id="role-delegates"')[1].split("</details>")[0]
    assert section.count("<tr><td>") == 3 and f"还有 {len(delegated) - 3} 项" in section
    assert "limit=30" in section
    full = page_text(web, agency_url(agency_id), limit="1000").split('id="role-delegates"')[1].split("</details>")[0]
    assert full.count("<tr><td>") == len(delegated) and "还有" not in full


@pytest.mark.parametrize("path, params, status, words", [
    ("/agency/990701/没有这个局", {}, 404, "找不到"),
    ("/agency/990701/青岚县农业农村局", {"limit": "0"}, 400, "limit"),
    ("/matter/没有这个事项", {}, 404, "库中没有事项"),
    ("/matter/code:990101001000", {"as_of": "someday"}, 400, "无法识别的日期"),
    ("/matter/code:990101001000", {"in": "不存在县"}, 404, "找不到"),
    ("/list/no-such-list", {}, 404, "库中没有清单"),
    ("/list/no-such-list", {"offset": "-1"}, 404, "库中没有清单"),
])
def test_a_page_that_cannot_be_shown_says_why_in_both_languages(web, path, params, status, words):
    html = page_text(web, path, status, **params)
    assert words in html and 'class="en"' in html


# --- 事项 the matter page ------------------------------------------------------------------------------------------

def delegated_matter(reader) -> tuple[str, dt.date]:
    """A matter delegated to every township with an effective date (so that a day before it, it is pending)."""
    by_matter: dict[str, set[str]] = {}
    for r in reader.rels("DELEGATES"):
        if r.props.get("effective") and not r.props.get("recalled"):
            by_matter.setdefault(r.target, set()).add(r.props["region"])
    matter = sorted(m for m, towns in by_matter.items() if len(towns) >= 10)[0]
    effective = min(r.props["effective"] for r in reader.rels("DELEGATES", target=matter))
    return matter, effective


def test_the_matter_page_gives_who_handles_it_in_each_township_as_the_rules_do(web, demo_reader):
    matter, effective = delegated_matter(demo_reader)
    resolver = Resolver(demo_reader)
    today = dt.date.today()
    html = page_text(web, matter_url(matter))
    rows = re.findall(r'<tr(?: class="gap")?><th scope="row">(.*?)</tr>', html, re.S)
    townships = sorted(demo_reader.nodes("Region", level="township"), key=lambda t: t["code"])
    assert len(rows) == len(townships) == 24
    for row, town in zip(rows, townships):
        res = resolver.resolve([matter], town, today)
        assert f'<a href="/township/{town["code"]}">{town["name"]}</a>' in row
        text = squeeze(row)
        assert rule_label(res.rule) in text
        for h in res.handlers:
            assert h.agency["label"] in text, (town["name"], h.agency["label"])
            assert f'href="{agency_url(h.agency["id"])}"' in row
        mine = [r for r in demo_reader.rels("DELEGATES", target=matter) if r.props["region"] == town["code"]]
        for r in mine:
            assert {"in_force": "有效", "pending": "尚未生效", "lapsed": "已收回"}[delegation_state(r, today)] in text
            assert f"第{r.props['row']}行" in text
    # the day before the delegation took effect, nobody has it delegated yet
    before = (effective - dt.timedelta(days=1)).isoformat()
    earlier = squeeze(page_text(web, matter_url(matter), as_of=before))
    assert "尚未生效" in earlier and f"截至 as of {before}" in earlier


def test_the_matter_page_embeds_its_graph_view_and_links_from_the_ask_page(web, demo_reader):
    matter, _ = delegated_matter(demo_reader)
    html = page_text(web, matter_url(matter))
    assert re.search(r'<iframe class="graph"[^>]+src="/view\?matter=' + re.escape(quote(matter, safe="")), html)
    assert web.get(re.search(r'src="(/view\?[^"]+)"', html).group(1).replace("&amp;", "&")).status_code == 200
    name = demo_reader.node("Matter", matter)["name"]
    answer = page_text(web, "/", q=name, **{"in": "城关镇"})
    assert f'href="{matter_url(matter, "990701001")}"'.replace("?in=", "?in=") in answer.replace("&amp;", "&")
    assert 'href="/list/' in answer and 'href="/agency/' in answer  # its sources and bodies are linked


# --- 清单 the list page --------------------------------------------------------------------------------------------

def delegation_list(reader) -> dict:
    return sorted((s for s in reader.nodes("SourceList", kind="delegation") if s.get("status") == "current"),
                  key=lambda s: s["id"])[0]


def test_the_list_page_shows_its_record_and_every_row_it_asserted_with_file_sheet_and_row(web, demo_reader):
    record = delegation_list(demo_reader)
    said = demo_reader.rels("DELEGATES", list_id=record["id"]) + demo_reader.rels("UNDERTAKES", list_id=record["id"])
    html = page_text(web, list_url(record["id"]), limit="100000")
    text = squeeze(html)
    assert f"<h1>{record['title']}</h1>" in html
    for field in ("document", "file", "version"):
        if record.get(field):
            assert str(record[field]) in text, field
    assert f"清单所作的断言 What the list asserts ：{len(said)}" in text
    assert html.count('<td class="where">') == len(said)
    first = min(said, key=lambda r: r.props["row"])
    assert f"{record['file']}[{first.props['sheet']}] 第{first.props['row']}行" in text
    town = demo_reader.node("Region", first.props["region"])["name"]
    assert f'<a href="/township/{first.props["region"]}">{town}</a>' in html  # a region by name, never a bare code


def test_a_long_list_is_paged(web, demo_reader):
    record = delegation_list(demo_reader)
    html = page_text(web, list_url(record["id"]), limit="10", offset="10")
    assert html.count('<td class="where">') == 10
    assert "第 11–20 条" in html and "offset=0" in html and "offset=20" in html


def test_a_replaced_list_shows_what_it_asserted_and_its_versions_link_each_other(make_web, full_demo_store,
                                                                                tmp_path):
    from quanze.ingest.pipeline import ingest_paths

    old = sorted((s for s in full_demo_store.nodes("SourceList", kind="basic")), key=lambda s: s["id"])[0]
    rows = full_demo_store.rels("LEADS", list_id=old["id"])
    town = full_demo_store.node("Region", old["region"])["name"]
    newer = tmp_path / "newer.csv"
    newer.write_text("序号,履职事项,类别,依据,责任主体\n1,新增的一项基本职责,党的建设,,党政办公室\n", encoding="utf-8")
    report = ingest_paths([newer], full_demo_store, kind="basic", region=town, version="2099年版", replace=True)
    assert report.ok, [p.message_zh for f in report.files for p in f.problems]
    replaced = full_demo_store.node("SourceList", old["id"])
    assert replaced["status"] == "replaced"
    web = make_web(full_demo_store.url)
    html = page_text(web, list_url(old["id"]), limit="100000")
    text = squeeze(html)
    assert "已被替换 replaced" in text and f'href="{list_url(replaced["replaced_by"])}"' in html
    assert f"这一版本当时所作的断言 What this version asserted ：{len(rows)}" in text
    current = page_text(web, list_url(replaced["replaced_by"]))
    assert f'href="{list_url(old["id"])}"' in current and "（本页 this page ）" in squeeze(current)
    assert "新增的一项基本职责" in current
    row = re.search(r'<td class="where">newer.csv 第2行.*?</tr>', current, re.S).group(0)
    assert f'href="{agency_url("990701001/党政办公室")}">城关镇党政办公室</a>' in row  # who the row names, labelled


# --- every new page: offline, escaped, its headers, on both stores ---------------------------------------------------

AUDIT_PAGES = ["/audit", "/audit?rule=dormant-delegation&in=青岚县&as_of=2025-06-01", "/capacity",
               "/capacity?in=城关镇", "/path?from=城关镇综合行政执法大队&to=青岚县市场监督管理局"]
BROWSE_PAGES = ["/agency/990701/青岚县农业农村局", "/agency/990701004/综合行政执法大队", "/matter/code:990101001000",
                "/matter/code:990101001000?in=柏溪镇"]


def test_the_new_pages_are_offline_escaped_html_under_the_pages_policy(web, demo_reader):
    paths = BROWSE_PAGES + [list_url(delegation_list(demo_reader)["id"])] + AUDIT_PAGES
    for path in paths:
        r = web.get(path, headers={"accept": "text/html"})
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert re.search(r"script-src ([^;]*)", csp).group(1).strip() == "'self'" and "default-src 'none'" in csp
        for attrs in SCRIPT.findall(r.text):  # scripts from the application's files; data a browser never runs
            assert re.search(r'src="/static/[^"]+\.js"', attrs) or 'type="application/json"' in attrs, attrs
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', r.text), path
        for label in re.findall(r"<label[^>]*>(.*?)</label>", r.text, re.S):
            assert re.search(r"[\u4e00-\u9fff]", label) and re.search(r"[A-Za-z]", label), label
        for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", r.text, re.S):  # Chinese first, English alongside
            assert re.search(r"[\u4e00-\u9fff]", heading) and 'class="en"' in heading, heading


def test_a_hostile_name_is_shown_as_text_on_every_page_that_names_it(make_web, full_demo_store, tmp_path):
    from quanze.ingest.pipeline import ingest_paths

    tiny = tmp_path / "evil.csv"
    tiny.write_text("单位名称,机构类别,所在乡镇,上级单位,管理方式\n\"" + EVIL.replace('"', '""')
                    + "\",派驻机构,城关镇,青岚县市场监督管理局,派驻\n", encoding="utf-8")
    assert ingest_paths([tiny], full_demo_store, region="青岚县").ok
    evil = next(a for a in full_demo_store.nodes("Agency") if a["name"] == EVIL)
    unknown = EVIL.replace("pwned=1", "pwned=2")  # a list row naming a body nobody has: the audit's dangling reference
    named = tmp_path / "named.csv"
    named.write_text("序号,履职事项,类别,依据,责任主体\n1,新增的一项基本职责,党的建设,,\"" + unknown.replace('"', '""')
                     + "\"\n", encoding="utf-8")
    assert ingest_paths([named], full_demo_store, kind="basic", region="城关镇", supplement=True).ok
    web = make_web(full_demo_store.url)
    for path in (agency_url(evil["id"]), "/agency/990701/青岚县市场监督管理局", list_url(evil["list_id"]),
                 "/audit?in=城关镇"):
        html = page_text(web, path)
        assert EVIL not in html and unknown not in html and "&lt;img src=x onerror=" in html, path


def test_the_new_pages_show_the_same_on_neo4j(neo4j_store, demo_reader, demo_url, make_web):
    from quanze.graph.copy import copy_store

    copy_store(demo_reader, neo4j_store)
    embedded, graph = make_web(demo_url), make_web(neo4j_store.url)
    strip = re.compile(r'name="csrf" value="[^"]+"')
    for path in BROWSE_PAGES + [list_url(delegation_list(demo_reader)["id"])] + AUDIT_PAGES:
        a, b = (web.get(path, headers={"accept": "text/html"}) for web in (embedded, graph))
        assert a.status_code == b.status_code == 200, path
        assert strip.sub("", a.text) == strip.sub("", b.text), path


# --- the audit dashboard ------------------------------------------------------------------------------------------

def chart_data(html: str, name: str) -> dict:
    import json

    raw = re.search(rf'<script type="application/json" id="{name}-chart-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def test_the_audit_dashboard_groups_repeated_findings_and_charts_what_the_audit_found(web, demo_reader):
    from quanze.api.audit import run_audit

    report = run_audit(demo_reader, as_of="2025-06-01")
    html = page_text(web, "/audit", as_of="2025-06-01")
    text = squeeze(html)
    assert f"共 {len(report.findings)} 项发现" in text
    # one group for the 24 dormant townships, not 24 lines; every one of its findings behind it as evidence
    section = html.split('id="rule-dormant-delegation"')[1].split("<h3")[0]
    assert section.count('<li class="sev-') == 1 and "dormant-delegation × 24 townships" in section
    assert section.count('<div class="finding">') == 20 and "还有 4 条" in section  # 20 a group, then "more"
    assert len(report.of("dormant-delegation")) == 24
    more = re.search(r'href="(/audit\?[^"#]*limit=200[^"#]*)#rule-dormant-delegation"', section).group(1)
    assert page_text(web, more.replace("&amp;", "&")).split('id="rule-dormant-delegation"')[1].split("<h3")[0] \
        .count('<div class="finding">') == 24
    # the charts' data are the audit's counts, by rule and severity, and by township
    data = chart_data(html, "audit")
    assert {r["rule"]: sum(r["by_severity"].values()) for r in data["by_rule"]} == \
        {r["rule"]: r["found"] for r in report.rules}
    counts = {}
    for f in report.findings:
        code = str(f.region["code"])
        for t in set(f.townships or ([code] if len(code) == 9 else [])):
            counts[t] = counts.get(t, 0) + 1
    assert {t["code"]: t["count"] for t in data["by_township"]} == counts
    town = data["by_township"][0]
    assert town["name"] == demo_reader.node("Region", town["code"])["name"]  # by name, never a bare code
    assert f'<a href="/township/{town["code"]}">{town["name"]}</a>' in html
    # drill-down: a finding's evidence rows, linked to their lists
    first = report.findings[0]
    assert f'href="{list_url(first.sources[0]["list"])}"' in html
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    assert web.get("/static/vendor/echarts/echarts.min.js").status_code == 200
    assert web.get("/static/web/charts.js").status_code == 200


def test_the_audit_filters_are_the_libraries_and_the_same_address_still_answers_json(web, demo_reader):
    from quanze.api.audit import run_audit

    expected = run_audit(demo_reader, rules=["cannot-undertake"], region="漆园乡", as_of="2025-06-01")
    html = page_text(web, "/audit", rule="cannot-undertake", **{"in": "漆园乡"}, as_of="2025-06-01")
    assert html.count('<div class="finding">') == len(expected.findings) == 1
    assert expected.findings[0].message_zh in html
    assert '<option value="cannot-undertake" selected>' in html
    # the downloads carry the same filters, and the API's downloads answer them
    xlsx = re.search(r'href="(/audit\.xlsx\?[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "rule=cannot-undertake" in xlsx and "as_of=2025-06-01" in xlsx
    r = web.get(xlsx)
    assert r.status_code == 200 and r.content.startswith(b"PK")
    csv_text = web.get(xlsx.replace("/audit.xlsx", "/audit.csv")).content.decode("utf-8-sig")
    assert expected.findings[0].message_zh in csv_text and len(csv_text.strip().splitlines()) == 2
    # JSON to whoever does not ask for a page: the API's answer, with the groups
    data = web.get("/audit", params={"rule": "dormant-delegation"}).json()
    assert len(data["findings"]) == 24 and data["groups"][0]["count"] == 24
    bad = page_text(web, "/audit", 400, severity="bad")
    assert "未知的严重程度" in bad and "<html" in bad
    assert web.get("/audit", params={"severity": "bad"}).json()["error"]["code"] == "bad-parameter"


# --- the upload page ----------------------------------------------------------------------------------------------

SMALLER = "序号,履职事项,类别,依据,责任主体\n1,新增的一项基本职责,党的建设,,党政办公室\n"


def basic_list_of(store) -> tuple[dict, str]:
    """The first township basic list of the demo and its township's name."""
    old = sorted((s for s in store.nodes("SourceList", kind="basic") if s["status"] == "current"),
                 key=lambda s: s["id"])[0]
    return old, store.node("Region", old["region"])["name"]


def upload(web, files: dict[str, bytes], token_from: str = "/upload", status: int = 200, **fields):
    data = {"csrf": web.token(token_from), **fields}
    r = web.post("/upload", data=data, files=[("files", (name, body)) for name, body in files.items()],
                 headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == status, (r.status_code, squeeze(r.text)[-1500:])
    return r.text


def store_state(store) -> tuple:
    return (sorted((s["id"], s["status"]) for s in store.nodes("SourceList")), len(store.rels("LEADS")))


def test_only_an_editor_may_upload(make_web, full_demo_store):
    web = make_web(full_demo_store.url)
    r = web.get("/upload", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")  # not signed in: the login page
    web.sign_in("reader")
    assert web.get("/upload", headers={"accept": "text/html"}).status_code == 403
    before = store_state(full_demo_store)
    upload(web, {"a.csv": SMALLER.encode()}, token_from="/", status=403)  # a reader's POST, with its token
    assert store_state(full_demo_store) == before
    assert '/upload"' not in web.get("/", headers={"accept": "text/html"}).text  # not in a reader's navigation
    assert any(line["action"] == "upload" and line["result"].startswith("refused")
               for line in web.site.state.log_lines())


def test_an_upload_without_its_form_token_is_refused(make_web, full_demo_store):
    web = make_web(full_demo_store.url)
    web.sign_in("editor")
    before = store_state(full_demo_store)
    r = web.post("/upload", data={"action": "preview"}, files=[("files", ("a.csv", SMALLER.encode()))],
                 headers={"accept": "text/html"})
    assert r.status_code == 403 and "表单缺少本页的校验码" in r.text
    r = web.post("/upload", data={"csrf": "0" * 64}, files=[("files", ("a.csv", SMALLER.encode()))])
    assert r.status_code == 403
    assert store_state(full_demo_store) == before


def test_an_upload_that_drops_duties_shows_them_writes_nothing_and_loads_only_when_confirmed(make_web,
                                                                                           full_demo_store):
    old, town = basic_list_of(full_demo_store)
    rows = full_demo_store.rels("LEADS", list_id=old["id"])
    web = make_web(full_demo_store.url)
    web.sign_in("editor")
    assert 'href="/upload"' in web.get("/", headers={"accept": "text/html"}).text
    before = store_state(full_demo_store)
    given = {"kind": "basic", "region": town, "version": "2099年版"}
    html = upload(web, {"newer.csv": SMALLER.encode()}, action="preview", **given)
    text = squeeze(html)
    assert store_state(full_demo_store) == before  # the preview wrote nothing
    removes = int(re.search(r'<strong id="removes">(\d+)</strong>', html).group(1))
    orphans = int(re.search(r'<strong id="orphans">(\d+)</strong>', html).group(1))
    assert removes >= len(rows) - 1 > 0 and orphans > 0
    assert "替换现行版本" in text and f'href="{list_url(old["id"])}"' in html
    assert "将无人牵头的职责" in text and 'name="confirm" type="checkbox"' in html
    gone = rows[0]
    assert full_demo_store.node("Matter", gone.target)["name"] in text  # a duty it drops, by name
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html).group(1)
    # loading without ticking the box: refused, nothing written
    html = upload(web, {"newer.csv": SMALLER.encode()}, status=409, action="load", fingerprint=fingerprint, **given)
    assert "需要勾选确认" in html and store_state(full_demo_store) == before
    # other files than those previewed: refused, nothing written
    other = SMALLER.replace("新增的一项基本职责", "另一项").encode()
    html = upload(web, {"newer.csv": other}, status=409, action="load", fingerprint=fingerprint, confirm="yes",
                  **given)
    assert "自预览以来有变化" in html and store_state(full_demo_store) == before
    # the same files, confirmed: loaded
    html = upload(web, {"newer.csv": SMALLER.encode()}, action="load", fingerprint=fingerprint, confirm="yes",
                  **given)
    assert "已装载" in html
    assert full_demo_store.node("SourceList", old["id"])["status"] == "replaced"
    assert store_state(full_demo_store) != before
    log = web.site.state.log_lines()
    assert [line["action"] for line in log[:4]] == ["upload", "upload", "upload", "upload-preview"]
    assert log[0]["result"] == "ok" and log[0]["detail"]["files"][0]["name"] == "newer.csv"
    assert log[1]["result"] == "refused: changed" and log[2]["result"] == "refused: unconfirmed"


def test_an_upload_with_problems_is_located_and_cannot_be_loaded(make_web, full_demo_store):
    web = make_web(full_demo_store.url)
    web.sign_in("editor")
    before = store_state(full_demo_store)
    html = upload(web, {"broken.csv": "甲,乙\n1,2\n".encode(), "<img src=x onerror=alert(1)>.csv": b"\xff\xfe\x00"},
                  action="preview")
    assert store_state(full_demo_store) == before
    assert "有文件不能装载" in html and 'id="do-load"' not in html
    assert "<img src=x onerror=alert(1)>" not in html and "&lt;img src=x onerror=alert(1)&gt;.csv" in html
    assert 'class="level-error"' in html


def test_an_upload_over_its_size_cap_is_refused_unread(make_web, full_demo_store, monkeypatch):
    from quanze.api.web import site

    monkeypatch.setitem(site.UPLOAD_FORMS, "/upload", 100_000)
    web = make_web(full_demo_store.url)
    web.sign_in("editor")
    before = store_state(full_demo_store)
    html = upload(web, {"big.csv": SMALLER.encode() * 2_000}, status=400, action="preview")
    assert "表单过大" in html and store_state(full_demo_store) == before


def test_two_versions_of_a_list_are_compared_from_the_list_page(make_web, full_demo_store, tmp_path):
    from quanze.api.diff import diff_lists
    from quanze.ingest.pipeline import ingest_paths

    old, town = basic_list_of(full_demo_store)
    newer = tmp_path / "newer.csv"
    newer.write_text(SMALLER, encoding="utf-8")
    assert ingest_paths([newer], full_demo_store, kind="basic", region=town, version="2099年版", replace=True).ok
    new_id = full_demo_store.node("SourceList", old["id"])["replaced_by"]
    web = make_web(full_demo_store.url)
    html = page_text(web, list_url(old["id"]))
    link = re.search(r'href="(/diff\?[^"]+)"', html).group(1).replace("&amp;", "&")
    page = page_text(web, link)
    expected = diff_lists(full_demo_store, old["id"], new_id)
    removed = expected["changes"]["matters_removed"]
    assert removed and f"删除事项 matters removed ：{len(removed)}" in squeeze(page)
    assert removed[0]["matter"]["name"] in page and "新增的一项基本职责" in page
    assert page_text(web, "/diff", 400, **{"from": old["id"]})
    assert "没有编号为" in page_text(web, "/diff", 404, **{"from": old["id"], "to": "no-such-list"})


# --- the capacity page --------------------------------------------------------------------------------------------

def test_the_capacity_page_shows_capacity_reports_figures_with_charts_and_downloads(web, demo_reader):
    from openpyxl import load_workbook

    from quanze.api.audit import capacity_report

    report = capacity_report(demo_reader, None, as_of="2025-06-01")
    html = page_text(web, "/capacity", as_of="2025-06-01")
    town = max(report["townships"], key=lambda t: t["delegated_items"])
    row = re.search(rf'<tr><th scope="row"><a href="/township/{town["code"]}">{town["name"]}</a></th>(.*?)</tr>',
                    html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:3] == [str(town["delegated_items"]), str(town["certified_enforcers"]),
                                                        str(town["cases_on_delegated"])]
    data = chart_data(html, "capacity")
    assert data["townships"][0]["code"] == town["code"] and data["median"] == report["cooperation"][0]["median"]
    assert {t["code"]: t["count"] for t in data["cooperation"]} == \
        {t["code"]: t["items"] for t in report["cooperation"][0]["townships"]}
    assert f"中位数 <span class=\"en\">median</span> {report['cooperation'][0]['median']}" in html
    short = page_text(web, "/capacity", limit="3")
    section = short.split('id="townships"')[1].split("</section>")[0]
    assert section.count('<tr><th scope="row"><a href="/township/') == 3 and "显示更多" in section
    xlsx = re.search(r'href="(/capacity\.xlsx\?[^"]*)"', html).group(1).replace("&amp;", "&")
    r = web.get(xlsx)
    assert r.status_code == 200
    import io
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["承接能力", "编制", "配合负担"]
    assert wb["承接能力"].max_row == len(report["townships"]) + 1
    csv_text = web.get(xlsx.replace("/capacity.xlsx", "/capacity.csv")).content.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == len(report["townships"]) + 1 and town["name"] in csv_text
    assert web.get("/capacity", params={"as_of": "2025-06-01"}).json()["totals"] == report["totals"]


def test_capacity_exports_neutralise_formulas():
    from quanze.api.audit.export import capacity_tables

    report = {"townships": [{"code": "990701001", "name": "=HYPERLINK(\"x\")", "delegated_items": 1}],
              "staffing": [], "cooperation": []}
    (_, _, rows), *_ = capacity_tables(report)
    assert rows[0][1] == "'=HYPERLINK(\"x\")"


# --- the path page ------------------------------------------------------------------------------------------------

def test_the_path_page_lists_each_step_with_names_and_draws_the_path(web, demo_reader):
    from quanze.api.paths import find_paths

    source, target = "城关镇综合行政执法大队", "青岚县市场监督管理局"
    expected = find_paths(demo_reader, source, target, all_shortest=True)
    html = page_text(web, "/path", **{"from": source, "to": target})
    section = html.split('id="paths"')[1].split("</section>")[0]
    text = squeeze(section)
    assert section.count('<ol class="path">') == min(len(expected["paths"]), 20)
    assert section.count("<li>") == sum(p["hops"] for p in expected["paths"][:20])
    assert "城关镇综合行政执法大队" in text and "承接 undertakes" in text
    first = expected["paths"][0]["steps"][0]
    assert f"{first['file']} 第{first['row']}行" in text
    # a step's region by name, never a bare code (codes only inside links)
    assert not re.search(r"(?<![/\d])\d{9}(?![\d/])", re.sub(r'href="[^"]*"', "", section))
    assert f'src="/view?from={quote(source)}&amp;to={quote(target)}"' in html
    assert web.get("/path", params={"from": source, "to": target}).json()["paths"]  # JSON for everyone else
    found = web.get("/path/suggest", params={"q": "城关"}).json()
    assert {"value": "城关镇", "kind": "region", "label": "地区 region"} in found
    assert any(f["kind"] == "agency" for f in found)
    assert page_text(web, "/path").count('<ol class="path">') == 0  # the form alone
    assert "找不到" in page_text(web, "/path", 404, **{"from": "没有这个单位xyz", "to": target})


def test_with_several_counties_the_audit_and_capacity_pages_ask_for_one(make_web, full_demo_store):
    from quanze.graph.store import Batch

    batch = Batch()
    batch.add_node("Region", {"code": "990702", "name": "另一县", "level": "county"})
    full_demo_store.apply(batch)
    web = make_web(full_demo_store.url)
    for page in ("/audit", "/capacity"):
        html = page_text(web, page, as_of="2025-06-01")
        assert "选择县" in html and f'href="{page}?as_of=2025-06-01&amp;in=990701"' in html, page
        assert 'id="charts"' not in html
        assert 'id="charts"' in page_text(web, page, **{"in": "990701"}), page
    assert web.get("/audit").json()["findings"]  # the JSON API still audits the whole store
