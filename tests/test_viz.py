"""Graph views (viz/): each view against the demo county's store, the limit, offline pages, escaping of hostile
names, `quanze view`, HTTP `/view`, and the pages rendered by a real headless Chromium with name resolution off.

The browser tests need Chromium: `export QUANZE_CHROMIUM=$(scripts/browser)` (scripts/test does it). Without one they
are skipped locally and fail in CI (env CI set), as the Neo4j tests do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from quanze.api.audit import run_audit
from quanze.api.paths import find_paths
from quanze.api.resolve import delegation_in_force
from quanze.cli import main
from quanze.graph.matters import norm_matter_name
from quanze.errors import BadValue
from quanze.graph.schema import ASSIGNMENT_TYPES, SCHEMA
from quanze.graph.store import Batch
from quanze.viz import (agency_view, audit_view, build_view, matter_view, path_view, region_view, render_html,
                        write_html)
from quanze.viz.style import rel_look

TOWNSHIP = "990701001"  # 城关镇
EVIL = '</script><script>document.documentElement.dataset.pwned="1"</script><img src=x onerror="document.' \
       'documentElement.dataset.pwned=2">"\'&amp;\u2028<!--'


def edges_of(view) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for e in view.net.edges:
        out.setdefault((e["from"], e["to"]), []).append(e)
    return out


def has_edge(view, source: str, target: str, rel_type: str) -> dict:
    word = rel_look(rel_type).zh
    found = [e for e in edges_of(view).get((source, target), []) if e["label"].startswith(word)]
    assert found, f"no {rel_type} ({word}) edge {source} → {target}"
    return found[0]


def matters_in(view) -> set[str]:
    return {n.split(":", 1)[1] for n in view.node_ids("Matter")}


# --- the views against the store ----------------------------------------------------------------------------------

def test_township_view_shows_its_bodies_stationed_units_and_every_matter(demo_reader):
    view = region_view(demo_reader, "城关镇", limit=10_000)
    assert view.kind == "township" and view.focus == [f"Region:{TOWNSHIP}"] and view.omitted == 0
    agencies = {a["id"] for a in demo_reader.nodes("Agency", region=TOWNSHIP)}
    assert agencies <= {n.split(":", 1)[1] for n in view.node_ids("Agency")}
    for a in agencies:  # every body hangs from its parent in the township, or else from the township
        up = [e for e in view.net.edges if e["from"] == f"Agency:{a}" and e["label"] in ("隶属", "属于")]
        assert len(up) == 1, a
    for r in demo_reader.rels("STATIONED_IN", target=TOWNSHIP):
        has_edge(view, f"Agency:{r.source}", f"Region:{TOWNSHIP}", "STATIONED_IN")
        for parent in demo_reader.rels("UNIT_OF", source=r.source):
            has_edge(view, f"Agency:{r.source}", f"Agency:{parent.target}", "UNIT_OF")
    has_edge(view, f"Region:{TOWNSHIP}", "Region:990701", "PART_OF")
    expected = set()
    for t in (*ASSIGNMENT_TYPES, "DELEGATES", "UNDERTAKES"):
        for r in demo_reader.rels(t, region=TOWNSHIP):
            has_edge(view, f"Agency:{r.source}", f"Matter:{r.target}", t)
            expected.add(r.target)
    for r in demo_reader.rels("RECALLED_TO", region=TOWNSHIP):
        has_edge(view, f"Matter:{r.source}", f"Agency:{r.target}", "RECALLED_TO")
        has_edge(view, f"Region:{TOWNSHIP}", f"Matter:{r.source}", "RECALLED_TO")
        expected.add(r.source)
    assert matters_in(view) == expected
    assert f"涉及 {len(expected)} 项事项" in view.notes[0][0]


def test_the_limit_keeps_every_group_and_says_what_was_left_out(demo_reader):
    full = region_view(demo_reader, "城关镇", limit=10_000)
    view = region_view(demo_reader, "城关镇", limit=10)
    total = len(matters_in(full))
    assert len(matters_in(view)) == 10 and view.omitted == total - 10 > 0
    recalled = {r.source for r in demo_reader.rels("RECALLED_TO", region=TOWNSHIP)}
    delegated = {r.target for r in demo_reader.rels("DELEGATES", region=TOWNSHIP)}
    assert matters_in(view) & recalled and matters_in(view) & (delegated - recalled)  # each group takes its turn
    zh, en = view.notes[0]
    assert f"另有 {total - 10} 项未显示" in zh and f"{total - 10} more not shown" in en and "--limit" in en
    html = render_html(view)
    assert f"另有 {total - 10} 项未显示" in html and f"{total - 10} more not shown" in html
    with pytest.raises(BadValue, match="limit") as e:
        region_view(demo_reader, "城关镇", limit=0)
    assert e.value.field == "limit"


def test_county_view_shows_townships_departments_and_where_units_are_stationed(demo_reader):
    view = region_view(demo_reader, "青岚县", limit=5)
    assert view.kind == "county" and len(matters_in(view)) == 5 and view.omitted > 0
    for t in demo_reader.nodes("Region", county_code="990701"):
        has_edge(view, f"Region:{t['code']}", "Region:990701", "PART_OF")
    for unit in demo_reader.nodes("Agency", region="990701", kind="dispatched_unit"):
        for r in demo_reader.rels("STATIONED_IN", source=unit["id"]):
            has_edge(view, f"Agency:{unit['id']}", f"Region:{r.target}", "STATIONED_IN")
    unit_of = Counter(e["label"] for e in view.net.edges if e["label"].startswith("隶属"))
    assert unit_of and set(unit_of) == {"隶属"}, "a relation drawn twice would read 隶属 ×2"


def test_agency_view_shows_units_and_matters_by_role_merged_across_townships(demo_reader):
    view = agency_view(demo_reader, "县住建局", limit=10_000)
    dept = "990701/青岚县住房和城乡建设局"
    assert view.subject == "青岚县住房和城乡建设局" and view.focus == [f"Agency:{dept}"]
    for r in demo_reader.rels("UNIT_OF", target=dept):
        has_edge(view, f"Agency:{r.source}", f"Agency:{dept}", "UNIT_OF")
    expected = set()
    for t in (*ASSIGNMENT_TYPES, "DELEGATES", "UNDERTAKES"):
        by_matter = Counter(r.target for r in demo_reader.rels(t, source=dept))
        for matter, n in by_matter.items():
            edge = has_edge(view, f"Agency:{dept}", f"Matter:{matter}", t)
            assert edge["label"] == rel_look(t).zh + (f" ×{n}" if n > 1 else "")
        expected |= set(by_matter)
    recalled = Counter(r.source for r in demo_reader.rels("RECALLED_TO", target=dept))
    for matter, n in recalled.items():
        assert has_edge(view, f"Matter:{matter}", f"Agency:{dept}", "RECALLED_TO")["label"].endswith(
            f"×{n}" if n > 1 else "收回")
    assert matters_in(view) == expected | set(recalled)
    delegations = demo_reader.rels("DELEGATES", source=dept)
    if delegations:  # the tooltip of a merged edge names the townships
        r = delegations[0]
        title = has_edge(view, f"Agency:{dept}", f"Matter:{r.target}", "DELEGATES")["title"]
        assert demo_reader.node("Region", r.props["region"])["name"] in title and "来源 sources" in title


def _patterned_matter(demo_reader) -> str:
    """The demo matter delegated to the most townships and also recalled somewhere."""
    delegated = Counter(r.target for r in demo_reader.rels("DELEGATES"))
    recalled = {r.source for r in demo_reader.rels("RECALLED_TO")}
    return max((m for m in delegated if m in recalled), key=lambda m: (delegated[m], m))


def test_matter_view_shows_who_handles_it_in_each_township(demo_reader):
    matter = _patterned_matter(demo_reader)
    view = matter_view(demo_reader, matter)
    me = f"Matter:{matter}"
    assert view.focus == [me] and view.subject == demo_reader.node("Matter", matter)["name"]
    delegations = demo_reader.rels("DELEGATES", target=matter)
    for r in delegations:
        edge = has_edge(view, f"Region:{r.props['region']}", me, "UNDERTAKES")
        assert r.props["document"] in edge["title"]
    for dept, n in Counter(r.source for r in delegations).items():
        assert has_edge(view, f"Agency:{dept}", me, "DELEGATES")["label"] == "下放" + (f" ×{n}" if n > 1 else "")
    for r in demo_reader.rels("RECALLED_TO", source=matter):
        has_edge(view, f"Region:{r.props['region']}", me, "RECALLED_TO")
        has_edge(view, me, f"Agency:{r.target}", "RECALLED_TO")
    township = view.net.node_map[f"Region:{delegations[0].props['region']}"]
    assert "谁负责 who handles" in township["title"]
    in_force = {r.props["region"] for r in delegations if delegation_in_force(r, dt.date.today())}
    assert any(f"{len(in_force)} 个乡镇承接下放" in zh for zh, _ in view.notes)
    one = matter_view(demo_reader, matter, within="城关镇")
    assert one.node_ids("Region") == [f"Region:{TOWNSHIP}"]


def test_a_lapsed_delegation_reads_as_lapsed(demo_reader):
    lapsed = [r for r in demo_reader.rels("DELEGATES") if r.props.get("recalled")]
    if not lapsed:
        pytest.skip("the demo has no recalled delegation")
    r = lapsed[0]
    edge = [e for e in edges_of(matter_view(demo_reader, r.target))[(f"Region:{r.props['region']}", f"Matter:{r.target}")]
            if e["label"].startswith("承接")][0]
    assert edge["label"].startswith("承接·已失效") and edge["dashes"] is True


def test_a_matter_is_found_by_words_and_the_runners_up_are_named(demo_reader):
    view = matter_view(demo_reader, "村里有人没批就盖房子")
    assert view.node_ids("Matter") and any("其他可能" in zh for zh, _ in view.notes)
    with pytest.raises(Exception) as e:
        matter_view(demo_reader, "   ")
    assert type(e.value).__name__ == "BadQuery"


def test_path_view_draws_every_shortest_path_in_its_real_direction(demo_reader):
    view = path_view(demo_reader, "县住建局", "城关镇")
    data = find_paths(demo_reader, "县住建局", "城关镇", all_shortest=True, limit=10)
    for end in (data["from"], data["to"]):
        assert f"{end['label']}:{end['id']}" in view.focus
    for path in data["paths"]:
        for n in path["nodes"]:
            assert view.has(f"{n['label']}:{n['id']}")
        for step in path["steps"]:
            kind = SCHEMA.relation(step["type"])
            has_edge(view, f"{kind.source}:{step['from']}", f"{kind.target}:{step['to']}", step["type"])
    assert f"{len(data['paths'])} 条最短路径" in view.notes[0][0]


def test_path_view_follows_only_the_relation_kinds_asked_and_the_hop_limit(demo_reader):
    via = ["DELEGATES", "UNDERTAKES"]
    data = find_paths(demo_reader, "县住建局", "990701002/综合行政执法大队", via=via, all_shortest=True, limit=10)
    view = build_view(demo_reader, path=("县住建局", "990701002/综合行政执法大队"), via=via)
    kinds = {e["label"].split(" ")[0] for e in view.net.edges}
    assert kinds <= {rel_look(t).zh for t in via} and len(view.net.edges) >= data["paths"][0]["hops"]
    with pytest.raises(Exception) as e:
        build_view(demo_reader, path=("县住建局", "990701002/综合行政执法大队"), via=via, max_hops=1)
    assert type(e.value).__name__ == "NoPath"


def test_the_matter_view_judges_who_handles_it_as_of_the_date_given(demo_reader):
    matter = _patterned_matter(demo_reader)
    delegations = demo_reader.rels("DELEGATES", target=matter)
    first = min(r.props["effective"] for r in delegations if r.props.get("effective"))
    before = build_view(demo_reader, matter=matter, as_of=first - dt.timedelta(days=1))
    after = build_view(demo_reader, matter=matter, as_of=first)
    # before the first delegation took effect no township undertakes it: every delegation reads as not yet in force,
    # drawn dashed, and none as lapsed (nothing was recalled before it began)
    assert not any("个乡镇承接下放" in zh for zh, _ in before.notes)
    assert any("个乡镇的下放尚未生效" in zh for zh, _ in before.notes)
    assert not any("已失效" in zh for zh, _ in before.notes)
    pending = [e for es in edges_of(before).values() for e in es if e["label"].startswith("承接·未生效")]
    assert pending and all(e["dashes"] is True for e in pending)
    assert any("个乡镇承接下放" in zh for zh, _ in after.notes)


def test_audit_view_names_what_each_finding_names_coloured_by_severity(demo_reader):
    report = run_audit(demo_reader, region="青岚县")
    view = audit_view(demo_reader, "青岚县", limit=10_000)
    findings = view.node_ids("Finding")
    assert len(findings) == len(report.findings) and view.omitted == 0
    high = [f for f in report.findings if f.severity == "high"]
    assert high and len(audit_view(demo_reader, "青岚县", limit=len(high)).node_ids("Finding")) == len(high)
    named = {f"Agency:{a['id']}" for f in report.findings for a in f.agencies}
    named |= {f"Matter:{f.matter['id']}" for f in report.findings if f.matter}
    for node in named:
        n = view.net.node_map[node]
        assert n["borderWidth"] == 5 and n["color"]["border"] in ("#d62728", "#ff9f1c", "#f4d35e")
    limited = audit_view(demo_reader, "青岚县", limit=3)
    assert limited.omitted == len(report.findings) - 3 and "--limit" in limited.notes[0][1]


# --- the page: offline and escaped ----------------------------------------------------------------------------------

EXTERNAL = [re.compile(p, re.I) for p in (r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
                                          r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""",
                                          r"""url\(\s*["']?\s*(?:https?:)?//""")]


def assert_offline(html: str) -> None:
    for pattern in EXTERNAL:
        found = pattern.search(html)
        assert not found, f"external resource: {html[max(0, found.start() - 80):found.end() + 80]!r}"
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp, "no Content-Security-Policy"
    policy = unescape(csp.group(1))
    assert "default-src 'none'" in policy and "'sha256-" in policy
    assert "unsafe" not in policy.split("script-src")[1].split(";")[0]  # only our own scripts run
    assert "bootstrap" not in html.lower()  # pyvis's own template links it from a CDN


@pytest.fixture(scope="module")
def pages(demo_reader, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, Path]]:
    out = tmp_path_factory.mktemp("pages")
    views = {"township": region_view(demo_reader, "城关镇"), "agency": agency_view(demo_reader, "县住建局"),
             "matter": matter_view(demo_reader, _patterned_matter(demo_reader)), "path": path_view(demo_reader, "县住建局", "城关镇"),
             "audit": audit_view(demo_reader, "青岚县"), "county": region_view(demo_reader, "青岚县")}
    return {k: (v, write_html(v, out / f"{k}.html")) for k, v in views.items()}


@pytest.mark.parametrize("kind", ["township", "agency", "matter", "path", "audit", "county"])
def test_every_page_is_self_contained(pages, kind):
    view, path = pages[kind]
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert_offline(html)
    assert "vis.Network" in html and "vis-network" in html  # the library is in the page itself
    assert f"{view.title_zh.split(' · ')[0]}" in html and VIEW_WORDS[view.kind] in html  # bilingual heading
    assert "图例 Legend" in html
    data = page_data(html)
    assert len(data["nodes"]) == len(view.net.nodes) and len(data["edges"]) == len(view.net.edges)
    assert all(isinstance(n["title"], str) and n["title"] for n in data["nodes"])


VIEW_WORDS = {"township": "township view", "county": "county view", "agency": "agency view", "matter": "matter view",
              "path": "responsibility path", "audit": "audit findings"}


def page_data(html: str) -> dict:
    start = html.index('<script type="application/json" id="quanze-data">') + len(
        '<script type="application/json" id="quanze-data">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.fixture
def hostile_store(full_demo_store):
    """The demo county plus a matter and an office whose names and sources are markup, quotes and script."""
    batch = Batch()
    batch.add_node("Matter", {"id": "name:evil", "name": EVIL, "norm_name": norm_matter_name(EVIL),
                              "category": "行政处罚", "legal_basis": EVIL})
    batch.add_node("Agency", {"id": f"{TOWNSHIP}/{EVIL}", "name": EVIL, "kind": "township_office",
                              "region": TOWNSHIP, "plaques": [EVIL], "file": EVIL})
    batch.add_rel("LEADS", f"{TOWNSHIP}/{EVIL}", "name:evil", {"id": "leads:evil", "region": TOWNSHIP, "duty": EVIL,
                                                                "list_kind": "basic", "file": EVIL, "sheet": EVIL,
                                                                "row": 7})
    full_demo_store.apply(batch)
    return full_demo_store


def test_hostile_names_stay_text(hostile_store, pages):
    clean = pages["path"][1].read_text(encoding="utf-8").lower()
    for view in (region_view(hostile_store, "城关镇", limit=10_000), matter_view(hostile_store, "name:evil")):
        html = render_html(view)
        for tag in ("<script", "</script", "<img", "<style", "</style"):  # no element came out of a name
            assert html.lower().count(tag) == clean.count(tag), tag
        assert "<img src=x" not in html and "<!--" not in html
        data = page_data(html)
        assert any(n["title"].startswith(EVIL) for n in data["nodes"])  # the JSON gives the name back exactly
        assert any(EVIL in (e.get("title") or "") for e in data["edges"])
        assert_offline(html)
    assert "&lt;/script&gt;&lt;script&gt;" in html  # the matter view's heading: escaped markup
    assert 'aria-label="&lt;/script&gt;' in html and "&#34;" in html


# --- the command and the endpoint -----------------------------------------------------------------------------------

def test_quanze_view_writes_the_page_and_prints_its_path(demo_url, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out" / "chengguan.html"
    assert main(["view", "--region", "城关镇", "--store", demo_url, "--out", str(out), "--limit", "5"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert_offline(html)
    assert "城关镇" in html and "另有" in html
    monkeypatch.chdir(tmp_path)
    assert main(["view", "--path", "县住建局", "城关镇", "--store", demo_url]) == 0
    name = capsys.readouterr().out.strip()
    assert name.startswith("quanze-view-path-") and name.endswith(".html") and (tmp_path / name).is_file()
    for args in (["--agency", "县住建局"], ["--matter", "占道经营", "--in", "城关镇"], ["--audit", "青岚县"],
                 ["--matter", "占道经营", "--as-of", "2025-06-01"], ["--path", "县住建局", "城关镇", "--via", "BELONGS_TO,PART_OF,LEADS"]):
        assert main(["view", *args, "--store", demo_url, "--out", str(tmp_path / "x.html")]) == 0
        assert capsys.readouterr().out.strip() == str(tmp_path / "x.html")


def test_quanze_view_errors_and_help(demo_url, capsys):
    assert main(["view", "--region", "不存在镇", "--store", demo_url]) == 2
    err = capsys.readouterr().err
    assert "错误" in err and "error:" in err
    assert main(["view", "--agency", "综合行政执法大队", "--store", demo_url]) == 2  # 24 townships have one
    assert "--in" in capsys.readouterr().err
    assert main(["view", "--region", "城关镇", "--limit", "0", "--store", demo_url]) == 2
    with pytest.raises(SystemExit) as e:
        main(["view", "--region", "城关镇", "--agency", "县住建局"])
    assert e.value.code == 2
    with pytest.raises(SystemExit):
        main(["view", "--help"])
    out = capsys.readouterr().out
    assert "无需联网" in out and "needs no network" in out


@pytest.mark.parametrize("params", [{"region": "城关镇"}, {"agency": "县住建局"}, {"matter": "占道经营", "in": "城关镇"},
                                    {"matter": "占道经营", "as_of": "2025-06-01"},
                                    {"from": "县住建局", "to": "城关镇"}, {"from": "县住建局", "to": "城关镇", "max_hops": 4},
                                    {"audit": "青岚县", "limit": 5}])
def test_http_view_returns_the_page(client, params):
    r = client.get("/view", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html") and r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert_offline(r.text)
    assert page_data(r.text)["nodes"]


@pytest.mark.parametrize("params, status, code", [
    ({}, 400, "bad-parameter"), ({"region": "城关镇", "agency": "县住建局"}, 400, "bad-parameter"),
    ({"from": "县住建局"}, 400, "bad-parameter"), ({"region": "城关镇", "limit": 0}, 400, "bad-parameter"),
    ({"region": "不存在镇"}, 404, "not-found"), ({"agency": "综合行政执法大队"}, 409, "ambiguous"),
    ({"from": "县住建局", "to": "城关镇", "via": "NOPE"}, 400, "bad-parameter"),
    ({"matter": "占道经营", "as_of": "someday"}, 400, "bad-date"),
])
def test_http_view_errors_are_json_like_every_endpoint(client, params, status, code):
    r = client.get("/view", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()["error"]
    assert body["code"] == code and body["zh"] and body["en"] and "Traceback" not in r.text


# --- in a real browser ------------------------------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000")


@pytest.fixture(scope="session")
def chromium(chromium_path: str) -> str:
    """Chromium (tests/conftest.py's ``chromium_path``: skipped locally without it, failed in CI)."""
    return chromium_path


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        self.attrs.setdefault(tag, dict(attrs))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        self._in_h1 = self._in_h1 and tag != "h1"

    def handle_data(self, data):
        if self._in_h1:
            self.h1.append(data)


def render(chromium: str, page: Path, profile: Path) -> _Dom:
    """Load a page from disk in headless Chromium with every host name unresolvable; the DOM after drawing."""
    r = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and "<body" in r.stdout, r.stderr[-3000:]
    dom = _Dom()
    dom.feed(r.stdout)
    return dom


@pytest.mark.parametrize("kind", ["township", "agency", "matter", "path", "audit"])
def test_the_page_renders_offline_in_chromium(chromium, pages, kind, tmp_path):
    view, path = pages[kind]
    dom = render(chromium, path, tmp_path / "profile")
    body, root = dom.attrs["body"], dom.attrs["html"]
    assert body.get("data-drawn") == "true" and body.get("data-canvas") == "1", body
    assert body.get("data-nodes") == str(len(view.net.nodes)) and body.get("data-edges") == str(len(view.net.edges))
    assert body.get("data-stabilized") == "true" and "data-errors" not in root, root
    assert body.get("data-resources") == "0", body  # the page loaded nothing besides itself
    assert "data-blocked" not in root, root  # and asked for nothing the policy had to block


def test_the_browser_check_would_see_an_external_request(chromium, pages, tmp_path):
    """The negative control: a page that does ask for something outside is caught."""
    _view, path = pages["path"]
    leaky = tmp_path / "leaky.html"
    leaky.write_text(path.read_text(encoding="utf-8").replace(
        "</body>", '<img src="https://example.invalid/pixel.png" alt=""></body>'), encoding="utf-8")
    dom = render(chromium, leaky, tmp_path / "profile")
    assert "example.invalid" in (dom.attrs["html"].get("data-blocked") or "")
    assert dom.attrs["body"].get("data-drawn") == "true"


def test_hostile_names_do_not_run_in_chromium(chromium, hostile_store, tmp_path):
    view = matter_view(hostile_store, "name:evil")
    dom = render(chromium, write_html(view, tmp_path / "evil.html"), tmp_path / "profile")
    assert "data-pwned" not in dom.attrs["html"] and "data-errors" not in dom.attrs["html"], dom.attrs["html"]
    assert dom.attrs["body"].get("data-drawn") == "true"
    assert dom.attrs["body"].get("data-nodes") == str(len(view.net.nodes))
    assert EVIL.replace("\u2028", "") in "".join(dom.h1).replace("\u2028", "")  # shown as text, whole
    assert "img" not in dom.attrs  # no element came out of a name
