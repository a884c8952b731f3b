"""The web workbench's pages on a store of about 1,000 townships: each page's server time, first view and again.

    python bench/pages.py [--counties 42] [--out bench/PAGES_RESULTS.md]

The store is the embedded one: ``--counties`` clones of the demo county (``bench/synthetic.py``: 24 townships each,
so 42 clones hold 1,008 townships) written with one ``apply`` each, then the demo county itself ingested from its
files. The web application (``create_app``, a state file of its own, an editor signed in) answers through FastAPI's
TestClient, in-process: what is timed is the server's work for one request (the guard, the page's query, the
rendering), without a network. Each page is asked for twice: the first view (nothing cached for it yet), then the
same page again (what is read once per data version is cached). No time is asserted: this is a command, not a test;
the issue's target is under 1 s for every page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/pages.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import REPO

TARGET_MS = 1000


def pages(store: Any) -> list[tuple[str, str]]:
    """(what, path) for every page, with subjects picked from the store (the demo county's own)."""
    from urllib.parse import quote, urlencode

    lists = sorted((s for s in store.nodes("SourceList") if s.get("kind") == "delegation" and s.get("region") ==
                    "990701"), key=lambda s: s["id"])
    old = sorted((s for s in store.nodes("SourceList") if s.get("status") == "replaced"), key=lambda s: s["id"])
    out = [("ask 问", "/?" + urlencode({"q": "楼下饭馆油烟太大", "in": "990701001"})),
           ("townships 乡镇列表", "/township"),
           ("township 乡镇", "/township/990701001"),
           ("agency 机构（县部门）", "/agency/" + quote("990701/青岚县农业农村局")),
           ("agency 机构（乡镇单位）", "/agency/" + quote("990701004/综合行政执法大队")),
           ("matter 事项（全部县）", "/matter/code:990101001000"),
           ("matter 事项（一县）", "/matter/code:990101001000?in=990701"),
           ("list 清单", "/list/" + quote(lists[0]["id"])),
           ("audit 审计（全部）", "/audit?as_of=2025-06-01"),
           ("audit 审计（一县）", "/audit?in=990701&as_of=2025-06-01"),
           ("capacity 承接能力（全部）", "/capacity?as_of=2025-06-01"),
           ("capacity 承接能力（一县）", "/capacity?in=990701&as_of=2025-06-01"),
           ("path 路径", "/path?" + urlencode({"from": "综合行政执法大队", "to": "青岚县市场监督管理局",
                                                     "in": "990701001"})),
           ("upload 上传（表单）", "/upload")]
    if old:
        out.append(("list 清单（旧版本）", "/list/" + quote(old[0]["id"])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=42)
    parser.add_argument("--out", default=str(REPO / "bench" / "PAGES_RESULTS.md"))
    args = parser.parse_args(argv)

    from bench.synthetic import Template
    from quanze.api.http import create_app
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths
    from quanze.tests.helpers import local_client
    from quanze.tests.web import PASSWORDS, add_accounts

    work = Path(tempfile.mkdtemp(prefix="quanze-pages-"))
    url = f"sqlite:///{work / 'pages.db'}"
    t0 = time.perf_counter()
    template = Template.from_demo()
    with SqliteStore(url) as store:
        for k in range(args.counties):
            store.apply(template.clone(k))
        report = ingest_paths([demo_path()], store)
        assert report.ok
        townships = sum(1 for r in store.nodes("Region") if r.get("level") == "township")
        subjects = pages(store)
    built = time.perf_counter() - t0
    print(f"store: {townships} townships, built in {built:.0f} s", file=sys.stderr, flush=True)
    app = create_app(url, state=work / "pages.state.db", request_seconds=600)
    add_accounts(app)
    rows = []
    with local_client(app) as client:
        token = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"csrf": token, "name": "editor", "password": PASSWORDS["editor"], "next": "/"})
        for what, path in subjects:
            times, sizes, status = [], [], None
            for _ in range(2):
                t = time.perf_counter()
                r = client.get(path, headers={"accept": "text/html"})
                times.append((time.perf_counter() - t) * 1000)
                sizes.append(len(r.content))
                status = r.status_code
            rows.append({"page": what, "path": path, "status": status, "first_ms": round(times[0]),
                         "again_ms": round(times[1]), "kb": round(sizes[1] / 1024)})
            print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    meta = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "counties": args.counties + 1,
            "townships": townships, "build_s": round(built), "machine": f"{platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}", "loadavg": os.getloadavg()}
    lines = [f"# 网页在约 {townships} 个乡镇的存储上 · The pages on a store of {townships} townships", "",
             f"{meta['date']} · {meta['counties']} 个县 counties（{args.counties} 个克隆 + 演示县 clones + the demo）· "
             f"SQLite · {meta['machine']} · load {meta['loadavg'][0]:.1f}", "",
             "| 页面 page | 地址 path | 状态 status | 首次 first, ms | 再次 again, ms | KB |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        flag = " ⚠" if max(r["first_ms"], r["again_ms"]) > TARGET_MS else ""
        lines.append(f"| {r['page']}{flag} | `{r['path'][:70]}` | {r['status']} | {r['first_ms']:,} | "
                     f"{r['again_ms']:,} | {r['kb']:,} |")
    out = Path(args.out)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "pages": rows}, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
