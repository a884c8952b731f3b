"""Answers as of a date: the current versions (today) against the historical path (a date before a replacement), on
both stores; and what ``quanze diff`` and ``quanze whatif`` cost.

    python bench/versions.py [--stores sqlite,neo4j] [--questions 20] [--out bench/VERSIONS_RESULTS.md]

The demo county is loaded into a fresh store of each kind (Neo4j: ``$QUANZE_NEO4J_URL``, emptied first — never a
database anyone else uses), then two new versions of township lists are loaded with effective dates (柏溪镇's basic
list and its recall list, effective 2026-03-01, ``--replace``), so that a date before them answers from replaced
versions (``api/versions.py``: the read-only view over the kept assertions) while today answers from the store
itself. Timed, each the same seeded questions on both paths: ``who`` (the demo's questions in 柏溪镇 and 樟湾镇), the
audit of the county, capacity; then ``diff`` of a county between two dates and a ``whatif`` of one delegation.
Reported per store: median, p95 and max in ms, and how many ran. No time is asserted anywhere: this is a command.
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
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: python bench/versions.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import stats_ms

TODAY = "2026-06-01"  # after the new versions took effect: the current versions answer
BEFORE = "2026-02-01"  # before: the replaced versions answer, through the view
TOWNSHIPS = ("柏溪镇", "樟湾镇")


def new_versions(folder: Path) -> list[Path]:
    """New versions of 柏溪镇's basic and recall lists, effective 2026-03-01: one item dropped, one reassigned."""
    from quanze.demo import demo_path

    src = demo_path() / "lists" / "townships"
    out = []
    for kind, edit in (("basic", lambda t: t.replace("做好村级应急队伍建设和应急物资储备,,,应急管理办公室",
                                                     "做好乡村公益性岗位管理,,,社会事务办公室")),
                       ("recall", lambda t: t.replace("县住建局,发现上报", "县交通运输局,发现上报", 1))):
        text = edit((src / f"t004_baixi_{kind}.csv").read_bytes().decode("gbk"))
        path = folder / f"baixi_{kind}_2026.csv"
        path.write_bytes(text.encode("gbk"))
        meta = (src / f"t004_baixi_{kind}.meta.yaml").read_text(encoding="utf-8").replace("2025", "2026")
        (folder / f"baixi_{kind}_2026.meta.yaml").write_text(meta + "effective: '2026-03-01'\n", encoding="utf-8")
        out.append(path)
    return out


def _open(kind: str, folder: Path) -> Any:
    from quanze.graph.sqlite_store import SqliteStore

    if kind == "sqlite":
        return SqliteStore(f"sqlite:///{folder / 'bench.db'}")
    from quanze.graph.neo4j_store import Neo4jStore

    url = os.environ.get("QUANZE_NEO4J_URL")
    if not url:
        return None
    store = Neo4jStore(url)
    store.run("MATCH (n) DETACH DELETE n", write=True)
    return store


def _timed(fn: Callable[[Any], Any], items: list[Any]) -> dict[str, Any]:
    samples = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        samples.append(time.perf_counter() - start)
    return stats_ms(samples)  # seconds in, milliseconds out


def bench_store(kind: str, questions: int) -> dict[str, Any] | None:
    from quanze.api import versions
    from quanze.api.accuracy import load_questions
    from quanze.api.audit import capacity_report, run_audit
    from quanze.api.diff import diff_county
    from quanze.api.whatif import whatif
    from quanze.api.who import who
    from quanze.demo import demo_path, demo_questions
    from quanze.ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="quanze-bench-versions-") as tmp:
        folder = Path(tmp)
        store = _open(kind, folder)
        if store is None:
            return None
        with store:
            start = time.perf_counter()
            assert ingest_paths([demo_path()], store).ok
            assert ingest_paths(new_versions(folder), store, replace=True).ok
            load_s = time.perf_counter() - start
            asked = [q for q in load_questions(demo_questions()) if q["township"] in TOWNSHIPS][:questions]
            out: dict[str, Any] = {"store": kind, "load_s": round(load_s, 2), "questions": len(asked)}
            for date in (TODAY, BEFORE):
                graph, old = versions.as_of(store, dt.date.fromisoformat(date))
                out[f"path_{date}"] = "view" if old else "store"
            who(store, "路边摆摊", "柏溪镇", as_of=TODAY)  # warm the search index once
            for label, date in (("today", TODAY), ("before", BEFORE)):
                first = time.perf_counter()
                who(store, asked[0]["q"], asked[0]["township"], as_of=date)
                out[f"who_first_{label}_ms"] = round((time.perf_counter() - first) * 1000, 1)
                out[f"who_{label}"] = _timed(lambda q: who(store, q["q"], q["township"], as_of=date, limit=3), asked)
                out[f"audit_{label}"] = _timed(lambda _: run_audit(store, region="青岚县", as_of=date), [0, 1, 2])
                out[f"capacity_{label}"] = _timed(lambda _: capacity_report(store, "青岚县", as_of=date), [0, 1, 2])
            out["diff_county"] = _timed(lambda _: diff_county(store, "青岚县", BEFORE, TODAY), [0, 1])
            proposal = {"changes": [{"delegate": {"from": "县住建局", "to": ["漆园乡"],
                                                  "matters": ["对建设工程质量安全的监督检查"]}}]}
            out["whatif"] = _timed(lambda _: whatif(store, proposal, as_of=TODAY), [0])
            return out


ROWS = (("who_today", "who，当前版本 today's versions (the store)"),
        ("who_before", "who，替换之前 before the replacement (the view)"),
        ("audit_today", "audit 一县 one county, today"), ("audit_before", "audit 一县 one county, before"),
        ("capacity_today", "capacity, today"), ("capacity_before", "capacity, before"),
        ("diff_county", "diff 一县两个日期 a county between two dates"), ("whatif", "whatif 一项下放 one delegation"))


def render(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = ["# 按日期回答的性能 / Answers as of a date: timings", "",
             "由 `python bench/versions.py` 生成，每次运行覆盖本文件。Written by `python bench/versions.py`; every run "
             "overwrites this file. Method: the module's docstring.", "",
             f"- 日期 date: {meta['date']}；机器 machine: {meta['machine']}；Python {meta['python']}",
             f"- 今天 today = {TODAY}（当前版本作答 the current versions answer），之前 before = {BEFORE}（被替换的版本通过视图作答 "
             "replaced versions answer through the view）", ""]
    stores = [r for r in results if r]
    lines.append("| 查询 query | " + " | ".join(f"{r['store']} 中位 median / p95 / max (ms), n" for r in stores) + " |")
    lines.append("| --- |" + " --- |" * len(stores))
    for key, label in ROWS:
        cells = []
        for r in stores:
            s = r.get(key) or {}
            cells.append(f"{s.get('median_ms', '—')} / {s.get('p95_ms', '—')} / {s.get('max_ms', '—')}, {s.get('n', 0)}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for r in stores:
        lines.append(f"- {r['store']}: 导入演示县和两份新版本 load of the demo and two new versions {r['load_s']} s；"
                     f"首个问题 first question today {r['who_first_today_ms']} ms, before {r['who_first_before_ms']} ms "
                     f"(the view is built then); today answered by the {r[f'path_{TODAY}']}, before by the "
                     f"{r[f'path_{BEFORE}']}")
    missing = [s for s, r in zip(meta["stores"], results) if not r]
    if missing:
        lines.append(f"- 未测 not measured: {', '.join(missing)} (QUANZE_NEO4J_URL not set)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stores", default="sqlite,neo4j")
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--out", default=str(Path(__file__).with_name("VERSIONS_RESULTS.md")))
    args = p.parse_args(argv)
    stores = args.stores.split(",")
    results = [bench_store(s, args.questions) for s in stores]
    meta = {"date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), "stores": stores,
            "machine": f"{os.cpu_count()} CPUs, {platform.platform()}", "python": platform.python_version()}
    Path(args.out).write_text(render(results, meta), encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False,
                                                              indent=2), encoding="utf-8")
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
