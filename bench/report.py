"""RESULTS.md, rendered from the results (``render``): setup, data, tables, and the generated prose."""

from __future__ import annotations

from collections.abc import Callable

from bench.figures import PHASES, STORE_NAMES, _disk, _disk_text, _done, _f, _get, _py_peak, _runs, _server_peak
from bench.reading import reading, to_fix
from bench.synthetic import county_code
from bench.workload import AS_OF


def render(results: dict) -> str:
    meta, tpl = results.get("meta", {}), results.get("template", {})
    m = meta.get("machine", {})
    runs = _runs(results)
    counties = meta.get("counties", [])
    stores = meta.get("stores", [])
    neo = meta.get("neo4j") or {}
    settings = neo.get("settings") or {}
    neo_version = next((r.get("neo4j_version") for r in results.get("runs", []) if r.get("neo4j_version")),
                       neo.get("version"))
    L: list[str] = []
    add = L.append
    add("# 性能基准 / Benchmarks")
    add("")
    add(f"由 `{meta.get('command', 'python -m bench.run')}` 生成，每次运行都会覆盖本文件；原始数字在 `results.json`。"
        "测量方法和解读见 [docs/benchmarks.md](../docs/benchmarks.md)。")
    add(f"Written by `{meta.get('command', 'python -m bench.run')}`; every run overwrites this file. Raw numbers: "
        "`results.json` beside it. Method and discussion: [docs/benchmarks.md](../docs/benchmarks.md).")
    add("")
    add("## 环境 / Setup")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| 日期 date | {meta.get('date', '?')} (the run took {_f(meta['elapsed_s'] / 60 if meta.get('elapsed_s') else None)} min) |")
    add(f"| 机器 machine | {m.get('nproc')} CPUs (`nproc`), {m.get('memory_gb')} GB RAM, {m.get('cpu', '?')}, {m.get('os', '?')} |")
    la0, la1 = m.get("loadavg_start"), meta.get("loadavg_end")
    add(f"| 负载 load average (1 min) | start {_f(la0[0] if la0 else None, 2)}, end {_f(la1[0] if la1 else None, 2)} — "
        "the machine is shared: wall times include waiting for a CPU, CPU times do not |")
    add(f"| Python | {m.get('python', '?')} |")
    if "neo4j" in stores:
        add(f"| Neo4j | {neo_version or '?'} via `scripts/neo4j` (embedded DBMS + Bolt on 127.0.0.1), Java: {m.get('java', '?')}; "
            f"heap {settings.get('QUANZE_NEO4J_HEAP')} (initial {settings.get('QUANZE_NEO4J_HEAP_INITIAL')}), "
            f"page cache {settings.get('QUANZE_NEO4J_PAGECACHE')}, transaction memory {settings.get('QUANZE_NEO4J_TX_MEMORY')} |")
    add(f"| SQLite | {sqlite_version()} (WAL, synchronous=FULL, as `graph/sqlite_store.py` opens it) |")
    add(f"| 代码 commit | {m.get('commit', '?')} |")
    add(f"| N（县数 counties） | {', '.join(str(c) for c in counties)}; stores: {', '.join(stores)}; seed {meta.get('seed')} |")
    add(f"| 预算 budgets | {_f(meta.get('budget_s'), 0)} s per store and N (then larger N are skipped); "
        f"{_f(meta.get('query_budget_s'), 0)} s per kind of query (then its remaining samples are skipped) |")
    add("")

    add("## 数据 / Data")
    add("")
    sizes = tpl.get("county_sizes", {})
    rel_parts = ", ".join(f"{k} {sizes[k]:,}" for k in ("LEADS", "COOPERATES_ON", "DELEGATES", "UNDERTAKES",
                                                         "RECALLED_TO", "BELONGS_TO", "UNIT_OF", "HANDLED",
                                                         "STATIONED_IN", "PART_OF") if sizes.get(k))
    add(f"每个合成县是演示县青岚县（990701）的克隆，使用虚构代码（{', '.join(tpl.get('example_counties', []))} …），"
        f"共 {_f(tpl.get('nodes'))} 个节点、{_f(tpl.get('relations'))} 条关系；事项大多在各县之间共享（真实情况也是如此），"
        f"{_f(tpl.get('specific_matters'))} 个为本县特有。每个县用一次 `apply` 写入；之后再从文件真实导入演示县（`ingest_paths`），"
        "所以查询时存储中有 N+1 个县。")
    add(f"Each synthetic county is a clone of the demo county 青岚县 (990701) under a fictional code "
        f"({', '.join(tpl.get('example_counties', []))} …): {_f(tpl.get('nodes'))} nodes "
        f"({sizes.get('Region', 0)} regions = 1 county + {tpl.get('townships')} townships, {sizes.get('Agency', 0)} agencies, "
        f"{sizes.get('Matter', 0)} matters of which {tpl.get('specific_matters')} county-specific, "
        f"{sizes.get('SourceList', 0)} lists) and {_f(tpl.get('relations'))} relations ({rel_parts}). Matters are "
        "shared across counties, as real ones largely are. One `apply` per county; then the demo's real files are "
        "ingested on top (`ingest_paths`), so the queries run on N + 1 counties. The demo has "
        f"{tpl.get('townships')} townships, more than the national mean of 13.9: 50 clones hold "
        f"{50 * (tpl.get('townships') or 0):,} townships, about 1.7 average provinces (docs/domain.md: 41,352 townships "
        "in 2,978 counties).")
    add("")
    add("| N | 县 counties held | 乡镇 townships | 节点 nodes | 关系 relations |")
    add("| ---: | ---: | ---: | ---: | ---: |")
    node_labels = ("Region", "Agency", "Matter", "SourceList")
    for n in counties:
        counts = next((r.get("counts_final") for (s, k), r in runs.items() if k == n and r.get("counts_final")), None)
        if counts:
            nodes = sum(v for k, v in counts.items() if k in node_labels)
            rels = sum(v for k, v in counts.items() if k not in node_labels)
            towns = (tpl.get("townships") or 0) * (n + 1)
            add(f"| {n} | {n + 1} | {towns:,} | {nodes:,} | {rels:,} |")
        else:
            add(f"| {n} | — | — | — | — |")
    add("")

    add("## 结果总览 / Headline")
    add("")
    add("Times are wall-clock; query columns are median / p95 in milliseconds over the fixed sets (who ×20, "
        "resolve ×200, paths ×20); memory is the peak RSS over all phases.")
    add("")
    add("| N | store | load N counties, s (ms/county) | ingest demo, s | who, ms | resolve, ms | paths, ms | "
        "audit 1 county, s | audit all, s | Python peak, MB | Neo4j server peak, MB | disk, MB |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in counties:
        for store in stores:
            r = runs.get((store, n))
            if r is None:
                continue
            if r.get("status") == "skipped":
                add(f"| {n} | {STORE_NAMES[store]} | skipped: {r.get('reason')} | | | | | | | | | |")
                continue
            ph = r.get("phases", {})

            def q(name: str, ph: dict = ph, r: dict = r) -> str:
                p = ph.get(name)
                if not p or not p.get("n"):
                    return "not run" if r.get("status") != "ok" else "—"
                return f"{_f(p.get('median_ms'))} / {_f(p.get('p95_ms'))}{_done(p)}"

            load = ph.get("load")
            load_txt = (f"{_f(load.get('apply_total_s'))} ({_f(_get(load, 'per_county.median_ms'), 0)})"
                        if load and "apply_total_s" in load else "did not finish")
            status = "" if r.get("status") == "ok" else f" **{r.get('status')}**"
            add(f"| {n} | {STORE_NAMES[store]}{status} | {load_txt} | {_f(_get(ph, 'ingest_demo.wall_s'))} | {q('who')} | "
                f"{q('resolve')} | {q('paths')} | {_f(_get(ph, 'audit_county.wall_s'))} | "
                f"{_f(_get(ph, 'audit_all.wall_s'))} | {_f(_py_peak(r), 0)} | {_f(_server_peak(r), 0)} | "
                f"{_f(_disk(r))} |")
    add("")

    for n in counties:
        cols = [(s, runs.get((s, n))) for s in stores if runs.get((s, n))]
        if not cols:
            continue
        add(f"## N = {n}: 逐项对比 / side by side")
        add("")
        add("| | " + " | ".join(STORE_NAMES[s] for s, _ in cols) + " |")
        add("| --- |" + " ---: |" * len(cols))

        def row(label: str, fn: Callable[[dict], str], cols: list = cols) -> None:
            add(f"| {label} | " + " | ".join((fn(r) if r.get("status") != "skipped" else "skipped")
                                              for _, r in cols) + " |")

        row("status (elapsed s)", lambda r: f"{r.get('status')} ({_f(r.get('elapsed_s'))})")
        row("open store, s (schema, indexes)", lambda r: _f(_get(r, "phases.open.wall_s"), 2))
        row("load: apply total, s", lambda r: _f(_get(r, "phases.load.apply_total_s"), 2))
        row("load: per county first / median / p95 / last, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.load.{k}"), 0) for k in
                                 ("per_county.first_ms", "per_county.median_ms", "per_county.p95_ms",
                                  "last_county_ms")))
        row("load: Python CPU / server CPU, s",
            lambda r: f"{_f(_get(r, 'phases.load.cpu_s'))} / {_f(_get(r, 'phases.load.server_cpu_s'))}")
        row("load: counts as expected", lambda r: _f(r.get("counts_as_expected")))
        row("ingest the demo's files, s: all / first pass",
            lambda r: f"{_f(_get(r, 'phases.ingest_demo.wall_s'), 2)} / {_f(_get(r, 'phases.ingest_demo.first_pass_s'), 2)}")
        row("ingest: files rejected in the first pass (then loaded with --region); all loaded",
            lambda r: f"{_f(_get(r, 'phases.ingest_demo.rejected_first'))} "
                      f"({', '.join(_get(r, 'phases.ingest_demo.rejected_codes') or []) or '—'}); "
                      f"{_f(_get(r, 'phases.ingest_demo.ok'))}")
        row("who ×20: first / median / p95, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.who.{k}")) for k in ("first_ms", "median_ms", "p95_ms"))
            + _done(_get(r, "phases.who")))
        row("who: same top answer as the demo county's own township",
            lambda r: f"{_f(_get(r, 'phases.who.same_as_demo'))}/{_f(_get(r, 'phases.who.n'))}")
        row("resolve ×200: median / p95 / max, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.resolve.{k}"), 2) for k in ("median_ms", "p95_ms", "max_ms"))
            + _done(_get(r, "phases.resolve")))
        row("resolve: rules that answered",
            lambda r: ", ".join(f"{k} {v}" for k, v in (_get(r, "phases.resolve.rules") or {}).items()) or "—")
        row("find_paths ×20: first / median / p95, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.paths.{k}")) for k in ("first_ms", "median_ms", "p95_ms"))
            + _done(_get(r, "phases.paths")))
        row("find_paths: no path within 6 hops",
            lambda r: _f(_get(r, "phases.paths.expected_exceptions")))
        row("audit one county (region filter), s (findings)",
            lambda r: f"{_f(_get(r, 'phases.audit_county.wall_s'), 2)} ({_f(_get(r, 'phases.audit_county.findings'))})")
        row("audit all, s (findings)",
            lambda r: f"{_f(_get(r, 'phases.audit_all.wall_s'), 2)} ({_f(_get(r, 'phases.audit_all.findings'))})")
        row("Python CPU in who / resolve / paths / audit county / audit all, s",
            lambda r: " / ".join(_f(_get(r, f"phases.{p}.cpu_s")) for p in
                                 ("who", "resolve", "paths", "audit_county", "audit_all")))
        row("errors (load/queries)",
            lambda r: _f(sum(_get(r, f"phases.{p}.errors") or 0 for p in ("who", "resolve", "paths"))))
        for p in PHASES:
            row(f"Python peak RSS in {p}, MB", lambda r, p=p: _f(_get(r, f"phases.{p}.py_peak_rss_mb"), 0))
        if any(s == "neo4j" for s, _ in cols):
            for p in PHASES:
                row(f"Neo4j server peak RSS in {p}, MB",
                    lambda r, p=p: _f(_get(r, f"phases.{p}.server_peak_rss_mb"), 0))
            row("Neo4j server CPU in who / resolve / paths / audit county / audit all, s",
                lambda r: " / ".join(_f(_get(r, f"phases.{p}.server_cpu_s")) for p in
                                     ("who", "resolve", "paths", "audit_county", "audit_all")))
        if meta.get("tracemalloc"):
            for p in PHASES:
                row(f"Python heap peak (tracemalloc) in {p}, MB",
                    lambda r, p=p: _f(_get(r, f"phases.{p}.py_heap_peak_mb"), 0))
        row("disk right after load, MB", lambda r: _disk_text(r.get("disk_after_load")))
        row("disk at the end of the run, MB", lambda r: _disk_text(r.get("disk_final")))
        row("disk at rest (SQLite closed / Neo4j stopped), MB", lambda r: _disk_text(r.get("disk_at_rest")))
        add("")

    unfinished = [r for r in results.get("runs", []) if r.get("status") != "ok"]
    partial = [(r, p) for r in results.get("runs", []) for p in ("who", "resolve", "paths")
               if _get(r, f"phases.{p}.budget_hit")]
    add("## 未完成 / Did not finish")
    add("")
    if not unfinished and not partial:
        add("Everything finished within its budget. 全部在预算内完成。")
    for r in unfinished:
        missing = [p for p in PHASES if p not in r.get("phases", {})]
        missing += [f"{p} (partly: {r['phases'][p].get('n')} samples)" for p in PHASES
                    if _get(r, f"phases.{p}.partial")]
        why = r.get("reason") or r.get("detail", "")[:300].replace("\n", " ")
        add(f"- {STORE_NAMES[r['store']]}, N = {r['n']}: **{r.get('status')}** — {why}"
            + (f"; not measured: {', '.join(missing)}" if missing and r.get("status") != "skipped" else ""))
    for r, p in partial:
        ph = r["phases"][p]
        add(f"- {STORE_NAMES[r['store']]}, N = {r['n']}: {p} ran {ph.get('done')} of {ph.get('planned')} samples "
            f"within the {_f(meta.get('query_budget_s'), 0)} s query budget (median {_f(ph.get('median_ms'))} ms).")
    add("")
    add("## 解读 / Reading")
    add("")
    L += reading(results)
    add("")
    add("## What to fix / 待改进")
    add("")
    L += to_fix(results)
    add("")
    add("## 如何测量 / How it was measured")
    add("")
    add("- One child process per store and N (so each has its own Python memory); fresh store each time: a new SQLite "
        "file, and for Neo4j `scripts/neo4j reset` + `start` in the benchmark's own home.")
    add("- Load: `Template.clone(k)` builds county k's `Batch` (not timed in *apply*), `store.apply(batch)` is timed.")
    add("- Questions are seeded and the same for both stores: `who` — 20 questions of `demo/questions.yaml` in random "
        "townships of random synthetic counties (jieba's dictionary is loaded before, untimed; the first call builds "
        "the matter index); `resolve` — 200 (matter, township) pairs, half asserted by some list, half random, with "
        "one `Resolver`; `find_paths` — 20 pairs of ids inside one county (department–township, team–department, "
        "dispatched unit–matter, office–institution), hop limit 6; `run_audit` for the first synthetic county "
        f"({county_code(0)}) and for everything, as of {meta.get('as_of', AS_OF.isoformat())}.")
    add("- Memory: peak RSS (VmHWM) of the Python process per phase, reset at each phase's start through "
        "`/proc/self/clear_refs`; the Neo4j server's the same way through `/proc/<pid>/clear_refs` (pid from "
        "`$QUANZE_NEO4J_HOME/neo4j.pid`). A JVM's RSS follows its heap, which grows towards `-Xmx` and is not given "
        "back quickly: it says what the server takes from the machine, not what the data needs.")
    add("- Disk: SQLite file + WAL (+ shm); Neo4j `data/databases/neo4j` (store files) and `data/transactions/neo4j` "
        "(transaction logs) — the total also counts the `system` database.")
    add("- No timed assertions anywhere: `tests/test_bench.py` only checks the generator's sizes.")
    add("")
    return "\n".join(L)


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version
