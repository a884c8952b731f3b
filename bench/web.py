"""The web workbench's server time on the demo county, both stores side by side: the ask page (median, p90) and the
township page.

    python bench/web.py [--stores sqlite,neo4j] [--questions 100] [--neo4j-url bolt://… [--replace]]
                        [--out bench/WEB_RESULTS.md]

The demo county is loaded into a temporary SQLite store and, for Neo4j, copied into a Neo4j server (``--neo4j-url``,
which must be empty unless ``--replace``; else the benchmark's own server in ``--neo4j-home``, reset before and
after: never point that at a home someone else uses). The web application (``create_app``, a state file of its own) answers through
FastAPI's TestClient, in-process: what is timed is the server's work for one request — the guard (session, form
token), ``who`` with the application's ticket files, the page's rendering — without a network. Measured:

- the ask page (``GET /?q=…&in=…``) for the first ``--questions`` questions of ``demo/questions.yaml``, once
  anonymous and once signed in as an editor (the answer card then has the confirm and reassign forms), after a
  warm-up that loads the model and builds the search index;
- the first question after a confirmation: the tickets file's stamp changed, so the search index is built again
  (``--confirmations`` times);
- the township page, first view of each township (its report is read, the audit and capacity of the county run)
  and then again (read once per data version and date).

No time is asserted anywhere (this is a command, not a test); the issue's target for the ask page is under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/web.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import REPO

TARGET_MS = 300


def stats(samples: list[float]) -> dict[str, Any]:
    """Median, p90 (nearest rank), max, in milliseconds."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p90_ms": round(p90 * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def timed(get: Any, path: str, **kwargs: Any) -> float:
    start = time.perf_counter()
    r = get(path, **kwargs)
    took = time.perf_counter() - start
    if r.status_code != 200:
        raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
    return took


def measure(url: str, questions: list[dict[str, Any]], confirmations: int, folder: Path) -> dict[str, Any]:
    from urllib.parse import urlencode

    from fastapi.testclient import TestClient

    from quanze.api import semantic
    from quanze.api.http import create_app
    from quanze.tests.web import PASSWORDS, add_accounts, csrf_of

    app = create_app(url, state=folder / f"bench-{abs(hash(url))}.state.db", public_read=True)
    add_accounts(app)
    out: dict[str, Any] = {"search": "semantic" if semantic.enabled() and semantic.installed() else "lexical"}
    with TestClient(app, base_url="http://127.0.0.1") as c:  # the app answers loopback names only
        pages = [f"/?{urlencode({'q': q['q'], 'in': q['township']})}" for q in questions]
        start = time.perf_counter()
        timed(c.get, pages[0])
        out["first_ask_ms"] = round((time.perf_counter() - start) * 1000, 1)  # model, index, caches
        for page in pages[1:5]:
            timed(c.get, page)
        out["ask_anonymous"] = stats([timed(c.get, page) for page in pages])
        c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": "editor",
                               "password": PASSWORDS["editor"]}, follow_redirects=False)
        out["ask_editor"] = stats([timed(c.get, page) for page in pages])
        after = []
        for i in range(confirmations):
            html = c.get(pages[i]).text
            token = csrf_of(html)
            matter = html.split('name="matter" value="', 1)[1].split('"', 1)[0]
            r = c.post("/confirm", data={"csrf": token, "q": questions[i]["q"], "in": questions[i]["township"],
                                         "matter": matter}, follow_redirects=False)
            if r.status_code != 303:
                raise RuntimeError(f"confirm: {r.status_code} {r.text[:300]}")
            after.append(timed(c.get, pages[i + 1]))
        out["ask_after_confirming"] = stats(after)
        towns = [f"/township/{t}" for t in sorted({q["township"] for q in questions})][:8]
        out["township_first"] = stats([timed(c.get, t) for t in towns])
        out["township_again"] = stats([timed(c.get, t) for t in towns])
    return out


def demo_store(folder: Path) -> str:
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths

    url = f"sqlite:///{folder / 'demo.db'}"
    with SqliteStore(url) as store:
        if not ingest_paths([demo_path()], store).ok:
            raise RuntimeError("the demo county did not load")
    return url


def neo4j_copy(sqlite_url: str, neo4j_url: str, replace: bool) -> str:
    """The demo copied into the Neo4j server; a server that holds anything is emptied first only with
    ``--replace``."""
    from quanze.graph.copy import copy_store
    from quanze.graph.neo4j_store import Neo4jStore
    from quanze.graph.sqlite_store import SqliteStore

    with SqliteStore(sqlite_url) as source, Neo4jStore(neo4j_url) as target:
        if any(target.counts().values()):
            if not replace:
                sys.exit(f"{neo4j_url} holds data: --replace empties it first (never point this at real data)")
            target.run("MATCH (n) DETACH DELETE n", write=True)
        copy_store(source, target)
    return neo4j_url


def render(results: dict[str, Any]) -> str:
    rows = [("ask_anonymous", "问 ask page, nobody signed in"), ("ask_editor", "问 ask page, an editor signed in"),
            ("ask_after_confirming", "问 the first ask after a confirmation (index rebuilt)"),
            ("township_first", "乡镇 township page, first view"), ("township_again", "乡镇 township page, again")]
    m = results["machine"]
    lines = [f"# 网页工作台的服务器耗时 · Web workbench server time ({results['date']})", "",
             f"`python bench/web.py` on {m['cpu'] or m['machine']} ({m['cores']} cores), Python {m['python']}; "
             f"demo county, {results['questions']} questions of demo/questions.yaml; in-process (TestClient), so "
             f"no network. Target for the ask page: under {TARGET_MS} ms.", "",
             "| store | search | what | n | median ms | p90 ms | max ms |", "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for store, r in results["stores"].items():
        lines.append(f"| {store} | {r['search']} | first question after start (model, index) | 1 | "
                     f"{r['first_ask_ms']} | | |")
        for key, label in rows:
            s = r[key]
            lines.append(f"| {store} | {r['search']} | {label} | {s['n']} | {s.get('median_ms', '')} | "
                         f"{s.get('p90_ms', '')} | {s.get('max_ms', '')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", default="sqlite,neo4j")
    p.add_argument("--questions", type=int, default=100)
    p.add_argument("--confirmations", type=int, default=5)
    p.add_argument("--neo4j-url", default="")
    p.add_argument("--neo4j-home", default=os.environ.get("QUANZE_BENCH_NEO4J_HOME", "/tmp/bench-neo4j-web"))
    p.add_argument("--replace", action="store_true", help="empty the --neo4j-url server first when it holds data")
    p.add_argument("--out", default=str(REPO / "bench" / "WEB_RESULTS.md"))
    args = p.parse_args(argv)

    import yaml

    questions = yaml.safe_load((REPO / "demo" / "questions.yaml").read_text(encoding="utf-8"))[:args.questions]
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    results: dict[str, Any] = {"date": dt.date.today().isoformat(), "questions": len(questions), "stores": {},
                               "machine": {"machine": platform.machine(), "python": platform.python_version(),
                                           "cores": os.cpu_count(), "cpu": _cpu()}}
    server = None
    with tempfile.TemporaryDirectory(prefix="quanze-bench-web-") as tmp:
        folder = Path(tmp)
        url = demo_store(folder)
        try:
            for store in stores:
                if store == "sqlite":
                    target = url
                else:
                    neo4j_url = args.neo4j_url
                    if not neo4j_url:
                        from bench.neo4j_server import Neo4jServer

                        home = Path(args.neo4j_home)
                        if home.resolve() == (REPO / ".neo4j").resolve():
                            sys.exit("--neo4j-home must not be the development server's home")
                        server = Neo4jServer(home)
                        neo4j_url = server.fresh()
                    target = neo4j_copy(url, neo4j_url, args.replace or server is not None)
                print(f"measuring {store} …", file=sys.stderr)
                results["stores"][store] = measure(target, questions, args.confirmations, folder)
        finally:
            if server is not None:
                server.stop(delete=True)
    text = render(results)
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                                                    encoding="utf-8")
    print(text)
    return 0


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
