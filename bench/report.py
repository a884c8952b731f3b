"""The report of one run (``render``) — a section of docs/benchmarks.md, one per scale, between markers that the next
run of that scale replaces (``write_section``): the command that reproduces it, machine, load and versions, the data,
both stores side by side, the ratios, and the targets met or missed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.targets import evaluate, get, py_peak_mb

STORE_NAMES = {"sqlite": "SQLite", "neo4j": "Neo4j"}
SCALE_NAMES = {"county": "县 county", "province": "省 province", "country": "全国 country"}


def f(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "**no**"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if 0 < abs(x) < 1 and digits < 3:  # shares and sub-millisecond times keep three decimals
            digits = 3
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def ratio(a: Any, b: Any) -> str:
    if not a or not b:
        return "—"
    r = a / b
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def markers(scale: str) -> tuple[str, str]:
    return f"<!-- quanze bench {scale}: start (generated; the next run of this scale replaces it) -->", \
        f"<!-- quanze bench {scale}: end -->"


def write_section(report: Path, scale: str, text: str) -> None:
    """Put the section of ``scale`` into the report file: in place of the last one, or at the end."""
    start, end = markers(scale)
    body = f"{start}\n{text.rstrip()}\n{end}"
    old = report.read_text(encoding="utf-8") if report.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    new = pattern.sub(lambda _m: body, old, count=1) if pattern.search(old) else old.rstrip() + "\n\n" + body + "\n"
    report.write_text(new if new.endswith("\n") else new + "\n", encoding="utf-8")


def _q(run: dict[str, Any], phase: str) -> str:
    p = get(run, f"phases.{phase}")
    if not p or not p.get("n"):
        return "—"
    done = "" if p.get("done", p.get("n")) == p.get("planned", p.get("n")) else f" ({p.get('done')}/{p.get('planned')})"
    return f"{f(p.get('median_ms'))} / {f(p.get('p95_ms'))} / {f(p.get('p99_ms'))}{done}"


def render(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    scale = meta.get("scale", "?")
    m = meta.get("machine", {})
    v = meta.get("versions", {})
    stores = [s for s in meta.get("stores", []) if s in results.get("runs", {})]
    runs = {s: results["runs"][s] for s in stores}
    data = results.get("data", {})
    L: list[str] = []
    add = L.append
    add(f"### {SCALE_NAMES.get(scale, scale)}: {meta.get('date', '?')}")
    add("")
    add(f"重现 / reproduce: `{meta.get('command')}` (took {f((meta.get('elapsed_s') or 0) / 60)} min). "
        f"Raw figures: `{meta.get('json')}`.")
    add("")
    la0, la1 = m.get("loadavg_start") or [None], meta.get("loadavg_end") or [None]
    phase_loads = [get(r, f"phases.{p}.loadavg") for r in runs.values() for p in (r.get("phases") or {})]
    phase_loads = [x for x in phase_loads if x is not None]
    add("| | |")
    add("| --- | --- |")
    add(f"| 机器 machine | {m.get('nproc')} CPUs, {m.get('memory_gb')} GB, {m.get('cpu', '?')}, {m.get('os', '?')} |")
    add(f"| 负载 load average (1 min) | start {f(la0[0], 2)}, end {f(la1[0], 2)}, during the phases "
        f"{f(min(phase_loads), 2) if phase_loads else '—'}–{f(max(phase_loads), 2) if phase_loads else '—'} "
        "(shared machine: wall times include waiting for a CPU) |")
    add(f"| 版本 versions | quanze {v.get('quanze')} at {v.get('commit')}; Python {v.get('python')}; SQLite "
        f"{v.get('sqlite')}; Neo4j {v.get('neo4j') or '—'} (Java {v.get('java') or '—'}; heap "
        f"{get(meta, 'neo4j_settings.QUANZE_NEO4J_HEAP') or '—'}, page cache "
        f"{get(meta, 'neo4j_settings.QUANZE_NEO4J_PAGECACHE') or '—'}); jieba {v.get('jieba')}; onnxruntime "
        f"{v.get('onnxruntime')}; semantic model {v.get('model')} |")
    add(f"| 数据 data | {data.get('what')}: {f(data.get('counties'))} counties, {f(data.get('townships'))} townships"
        + (f" (per county {data.get('townships_min')}–{data.get('townships_max')}, median {data.get('townships_median')})"
           if data.get("townships_max") else "") + " |")
    counts = next((r.get("counts_final") for r in runs.values() if r.get("counts_final")), None)
    if counts:
        labels = ("Region", "Agency", "Matter", "SourceList")
        add(f"| 存储中 held | {f(sum(counts.get(k, 0) for k in labels))} nodes (Matter {f(counts.get('Matter'))}), "
            f"{f(sum(v for k, v in counts.items() if k not in labels))} relations (LEADS {f(counts.get('LEADS'))}, "
            f"COOPERATES_ON {f(counts.get('COOPERATES_ON'))}, RECALLED_TO {f(counts.get('RECALLED_TO'))}, DELEGATES "
            f"{f(counts.get('DELEGATES'))}) |")
    gen = data.get("generated") or {}
    if gen.get("per_township_mean"):
        means = gen["per_township_mean"]
        add(f"| 每个乡镇 per township | basic {f(means.get('basic'))}, cooperation {f(means.get('cooperation'))}, "
            f"recall {f(means.get('recall'))} items (mean; national 117 / 99 / 124); local wordings "
            f"{f(gen.get('local_matters'))} matters |")
    add("")

    add("| | " + " | ".join(STORE_NAMES[s] for s in stores) + " |")
    add("| --- |" + " ---: |" * len(stores))

    def row(label: str, fn: Any, needs: str | None = None) -> None:
        """A row of the side-by-side table; left out when no store measured ``needs`` (a phase's figure)."""
        if needs and all(get(runs[s], f"phases.{needs}") is None for s in stores):
            return
        cells = []
        for s in stores:
            try:
                cells.append(fn(runs[s]))
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                cells.append("—")
        add(f"| {label} | " + " | ".join(cells) + " |")

    row("status (elapsed s)", lambda r: f"{r.get('status')} ({f(r.get('elapsed_s'))})")
    row("Neo4j loaders on one county's rows: batched / one row per transaction, rows/s",
        lambda r: f"{f(get(r, 'phases.load_batched.rows_per_s'), 0)} / {f(get(r, 'phases.load_per_row.rows_per_s'), 0)}",
        "load_batched.rows_per_s")
    row("load: counties, relations, s", lambda r: f"{f(get(r, 'phases.load.counties'))}, "
        f"{f(get(r, 'phases.load.rows_relations'))}, {f(get(r, 'phases.load.apply_total_s'))}", "load.counties")
    row("load: relations/s (per county median ms)", lambda r: f"{f(get(r, 'phases.load.relations_per_s'), 0)} "
        f"({f(get(r, 'phases.load.per_county.median_ms'), 0)})", "load.relations_per_s")
    row("load: Python CPU / server CPU, s", lambda r: f"{f(get(r, 'phases.load.cpu_s'))} / "
        f"{f(get(r, 'phases.load.server_cpu_s'))}", "load.cpu_s")
    row("ingest the demo's files, s", lambda r: f(get(r, "phases.ingest_demo.wall_s"), 2)
        + (f" ({get(r, 'phases.ingest_demo.rejected')} rejected)" if get(r, "phases.ingest_demo.rejected") else ""))
    row("who, ms: median / p95 / p99", lambda r: _q(r, "who"))
    row("who, first question, ms", lambda r: f(get(r, "phases.who.first_ms")))
    row("who words only (QUANZE_SEMANTIC=off), ms", lambda r: _q(r, "who_lexical"), "who_lexical.median_ms")
    row("who lead top-1, semantic / words only", lambda r: f"{f(get(r, 'phases.who.accuracy.lead_top1'), 3)} / "
        f"{f(get(r, 'phases.who_lexical.accuracy.lead_top1'), 3)}", "who.accuracy.lead_top1")
    row("resolve, ms: median / p95 / p99", lambda r: _q(r, "resolve"))
    row("resolve: rules that answered", lambda r: ", ".join(f"{k} {n}" for k, n in
                                                             (get(r, "phases.resolve.rules") or {}).items()) or "—")
    row("find_paths, ms: median / p95 / p99", lambda r: _q(r, "paths"))
    row("find_paths, first, ms", lambda r: f(get(r, "phases.paths.first_ms")))
    row("audit one county, s (findings)", lambda r: "; ".join(
        f"{e['county']} {f(e['s'], 2)} ({f(e['findings'])})" for e in get(r, "phases.audit_county.counties") or []))
    row("audit everything held, s (findings)", lambda r: f"{f(get(r, 'phases.audit_all.wall_s'), 2)} "
        f"({f(get(r, 'phases.audit_all.findings'))})", "audit_all.wall_s")
    row("quanze who from the shell, s: first / median (max)", lambda r: f"{f(get(r, 'phases.shell_who.first_s'), 2)}"
        f" / {f(get(r, 'phases.shell_who.median_s'), 2)} ({f(get(r, 'phases.shell_who.max_s'), 2)}); "
        f"peak {f(get(r, 'phases.shell_who.children_peak_rss_mb'), 0)} MB")
    for what in ("who", "page", "all"):
        row(f"HTTP, 16 clients, {what}: requests/s; p50 / p99 ms; errors",
            lambda r, w=what: f"{f(get(r, f'phases.http.{w}.per_s'))}; {f(get(r, f'phases.http.{w}.p50_ms'))} / "
                              f"{f(get(r, f'phases.http.{w}.p99_ms'))}; {f(get(r, f'phases.http.{w}.errors'))}",
            f"http.{what}.per_s")
    row("errors in queries", lambda r: f(sum(get(r, f"phases.{p}.errors") or 0 for p in ("who", "resolve", "paths"))))
    row("Python peak RSS, MB (phase)", lambda r: f"{f(py_peak_mb(r), 0)} ({_peak_phase(r)})")
    row("Neo4j server peak RSS, MB", lambda r: f(max((p.get("server_peak_rss_mb") or 0) for p in
                                                      r["phases"].values() if isinstance(p, dict)) or None, 0),
        "open.server_peak_rss_mb")
    row("disk at rest, MB", lambda r: _disk(r.get("disk_at_rest")))
    add("")

    ratios = results.get("ratios") or {}
    if ratios:
        add("| 对比 ratio | | |")
        add("| --- | ---: | --- |")
        for key, label, note in RATIO_ROWS:
            if ratios.get(key) is not None:
                add(f"| {label} | {ratio(ratios[key], 1)} | {note(results)} |")
        add("")

    rows = evaluate(results)
    if rows:
        add("| 目标 target | store | bound | measured | met |")
        add("| --- | --- | --- | ---: | --- |")
        for t in rows:
            met = "—" if t["met"] is None else ("yes 达到" if t["met"] else "**no 未达到**")
            add(f"| {t['zh']} / {t['en']} | {STORE_NAMES[t['store']]} | {t['bound']} | "
                f"{f(t['value'], 2)} {t['unit'] if t['value'] is not None else 'not measured'} | {met} |")
        add("")
    failed = [(s, r) for s, r in runs.items() if r.get("status") != "ok"]
    for s, r in failed:
        add(f"- {STORE_NAMES[s]}: **{r.get('status')}** — {(r.get('detail') or '')[:400]}")
    return "\n".join(L) + "\n"


def _peak_phase(run: dict[str, Any]) -> str:
    best = max(((p.get("py_peak_rss_mb") or 0, name) for name, p in (run.get("phases") or {}).items()
                if isinstance(p, dict)), default=(0, "—"))
    return best[1]


def _disk(d: dict[str, Any] | None) -> str:
    if not d:
        return "—"
    if "db_mb" in d:
        return f"{f(d['total_mb'])} (db {f(d['db_mb'])} + WAL {f(d['wal_mb'])})"
    return f"{f(d['total_mb'])} (store {f(d['store_mb'])} + tx logs {f(d['tx_logs_mb'])})"


def _note(path: str, fmt: str) -> Any:
    def note(results: dict[str, Any]) -> str:
        try:
            return fmt.format(**{k: f(get(results, p)) for k, p in (x.split("=") for x in path.split(","))})
        except (KeyError, ValueError):
            return ""
    return note


RATIO_ROWS = (
    ("batched_vs_per_row", "Neo4j 批量写入 / 逐行事务 batched load vs one row per transaction",
     _note("b=runs.neo4j.phases.load_batched.rows_per_s,p=runs.neo4j.phases.load_per_row.rows_per_s,"
           "c=runs.neo4j.phases.load_batched.county", "{b} vs {p} rows/s, the rows of {c}")),
    ("scan_vs_who_sqlite", "翻表格 / who（SQLite）opening and searching every spreadsheet vs who",
     _note("s=ratios.scan.median_s,n=ratios.scan.files,w=runs.sqlite.phases.who.median_ms",
           "{s} s to open the county's {n} files and search every cell, vs who {w} ms")),
    ("scan_vs_who_neo4j", "翻表格 / who（Neo4j）opening and searching every spreadsheet vs who",
     _note("s=ratios.scan.median_s,w=runs.neo4j.phases.who.median_ms", "{s} s vs who {w} ms")),
    ("neo4j_vs_sqlite_who", "Neo4j / 嵌入式 who p50, Neo4j vs embedded",
     _note("n=runs.neo4j.phases.who.median_ms,s=runs.sqlite.phases.who.median_ms", "{n} vs {s} ms")),
    ("neo4j_vs_sqlite_resolve", "Neo4j / 嵌入式 resolve p50",
     _note("n=runs.neo4j.phases.resolve.median_ms,s=runs.sqlite.phases.resolve.median_ms", "{n} vs {s} ms")),
    ("neo4j_vs_sqlite_audit", "Neo4j / 嵌入式 audit of one county",
     _note("n=runs.neo4j.phases.audit_county.wall_s,s=runs.sqlite.phases.audit_county.wall_s", "{n} vs {s} s")),
    ("neo4j_vs_sqlite_load", "嵌入式 / Neo4j load rate, embedded vs Neo4j",
     _note("s=runs.sqlite.phases.load.relations_per_s,n=runs.neo4j.phases.load.relations_per_s",
           "{s} vs {n} relations/s")),
    ("semantic_vs_words_sqlite", "语义 / 仅字词 who p50 with the model vs words only (SQLite)",
     _note("a=runs.sqlite.phases.who.median_ms,b=runs.sqlite.phases.who_lexical.median_ms,"
           "x=runs.sqlite.phases.who.accuracy.lead_top1,y=runs.sqlite.phases.who_lexical.accuracy.lead_top1",
           "{a} vs {b} ms; lead top-1 {x} vs {y}")),
    ("semantic_vs_words_neo4j", "语义 / 仅字词 who p50 with the model vs words only (Neo4j)",
     _note("a=runs.neo4j.phases.who.median_ms,b=runs.neo4j.phases.who_lexical.median_ms", "{a} vs {b} ms")),
    ("shell_vs_process_sqlite", "命令行 / 常驻进程 quanze who from the shell vs in a running process (SQLite)",
     _note("a=runs.sqlite.phases.shell_who.median_s,b=runs.sqlite.phases.who.median_ms", "{a} s vs {b} ms")),
)


def compute_ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios of one run, from its figures (and the spreadsheet scan the orchestrator timed)."""
    r = results.setdefault("ratios", {})
    g = lambda p: get(results, p)  # noqa: E731

    def div(a: Any, b: Any) -> float | None:
        return round(a / b, 2) if a and b else None

    r["batched_vs_per_row"] = div(g("runs.neo4j.phases.load_batched.rows_per_s"),
                                  g("runs.neo4j.phases.load_per_row.rows_per_s"))
    scan = (g("ratios.scan.median_s") or 0) * 1000
    for s in ("sqlite", "neo4j"):
        r[f"scan_vs_who_{s}"] = div(scan, g(f"runs.{s}.phases.who.median_ms"))
        r[f"semantic_vs_words_{s}"] = div(g(f"runs.{s}.phases.who.median_ms"),
                                          g(f"runs.{s}.phases.who_lexical.median_ms"))
        r[f"shell_vs_process_{s}"] = div((g(f"runs.{s}.phases.shell_who.median_s") or 0) * 1000,
                                         g(f"runs.{s}.phases.who.median_ms"))
    r["neo4j_vs_sqlite_who"] = div(g("runs.neo4j.phases.who.median_ms"), g("runs.sqlite.phases.who.median_ms"))
    r["neo4j_vs_sqlite_resolve"] = div(g("runs.neo4j.phases.resolve.median_ms"),
                                       g("runs.sqlite.phases.resolve.median_ms"))
    r["neo4j_vs_sqlite_audit"] = div(g("runs.neo4j.phases.audit_county.wall_s"),
                                     g("runs.sqlite.phases.audit_county.wall_s"))
    r["neo4j_vs_sqlite_load"] = div(g("runs.sqlite.phases.load.relations_per_s"),
                                    g("runs.neo4j.phases.load.relations_per_s"))
    return r
