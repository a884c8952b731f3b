"""Matter search timings: building the index for N matters, and answering the demo's questions.

    python bench/search.py [--matters 5000] [--store sqlite:///demo.db]

Without --store the demo county is loaded into a temporary store first. The demo's 507 matters are repeated, with
the name and code of each copy changed (another township's or department's wording of the same item), until there
are N of them: the index then holds N distinct names with a realistic vocabulary. Reports jieba's one-off start, the
build time, the synonym table's one-off compile (first query), and per-query times over the demo's 258 questions.
The targets: build under ~2 s for 5,000 matters, queries in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# variants a county's many lists give the same item: qualifiers before and after the name
_BEFORE = ["", "乡镇", "县级", "街道", "城区", "农村", "开发区", "景区", "工业园区", "库区", "山区", "集镇"]
_AFTER = ["", "（试行）", "（委托）", "（下放）", "（部分）", "（属地）", "（配合）", "（一般程序）", "（简易程序）",
          "（首次）", "（变更）", "（延续）"]


def matters_of(store_url: str | None) -> list[dict]:
    from quanze.graph.store import open_store

    if store_url:
        with open_store(store_url) as store:
            return store.nodes("Matter")
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory() as tmp:
        with SqliteStore(f"sqlite:///{Path(tmp) / 'demo.db'}") as store:
            ingest_paths([demo_path()], store)
            return store.nodes("Matter")


def scaled(matters: list[dict], n: int) -> list[dict]:
    """``n`` matters: the originals, then renamed copies (a qualifier before or after the name, a new code)."""
    out = list(matters)
    k = 0
    while len(out) < n:
        k += 1
        before, after = _BEFORE[k % len(_BEFORE)], _AFTER[(k // len(_BEFORE)) % len(_AFTER)]
        for m in matters:
            if len(out) >= n:
                break
            name = f"{before}{m['name']}{after}"
            code = f"{m['code']}{k:03d}" if m.get("code") else None
            out.append({**m, "id": f"bench:{k}:{m['id']}", "name": name, "code": code, "norm_name": None})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", type=int, default=5000)
    p.add_argument("--store", help="a store holding matters (default: the demo county, loaded now)")
    args = p.parse_args(argv)

    from quanze.api.accuracy import load_questions
    from quanze.api.search import MatterIndex, load_synonyms
    from quanze.api.search_index import tokenizer
    from quanze.demo import demo_questions

    t = time.perf_counter()
    tokenizer()
    jieba_s = time.perf_counter() - t
    base = matters_of(args.store)
    docs = scaled(base, args.matters)
    synonyms = load_synonyms()
    t = time.perf_counter()
    index = MatterIndex(docs, synonyms)
    build_s = time.perf_counter() - t
    questions = [q["q"] for q in load_questions(demo_questions())]
    t = time.perf_counter()
    index.search(questions[0])
    first_ms = (time.perf_counter() - t) * 1000
    times = []
    for q in questions:
        t = time.perf_counter()
        index.search(q, limit=20)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"jieba start (once a process):  {jieba_s:.2f} s")
    print(f"index build, {len(docs)} matters:  {build_s:.2f} s  ({len(synonyms)} synonym words)")
    print(f"first query (compiles the synonyms' gap patterns): {first_ms:.1f} ms")
    p95 = times[int(0.95 * len(times)) - 1]
    print(f"{len(times)} questions: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
