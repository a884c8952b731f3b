"""The report's generated prose: what the numbers say (``reading``) and what they point at to fix (``to_fix``)."""

from __future__ import annotations

from typing import Any

from bench.figures import (STORE_NAMES, _disk, _done, _f, _get, _largest_common, _measured, _pct, _py_peak,
                           _ratio, _runs, _server_peak)


def reading(results: dict) -> list[str]:
    """Sentences read off the numbers, in Chinese and English (generated, so that they always match the tables)."""
    runs = _runs(results)
    counties = results.get("meta", {}).get("counties", [])
    out: list[str] = []
    n = _largest_common(results)
    if n is not None:
        s, j = runs[("sqlite", n)], runs[("neo4j", n)]

        def v(r: dict, p: str) -> Any:
            return _get(r, p)

        load_s, load_j = v(s, "phases.load.apply_total_s"), v(j, "phases.load.apply_total_s")
        pc_s, pc_j = v(s, "phases.load.per_county.median_ms"), v(j, "phases.load.per_county.median_ms")
        out.append(f"在 N = {n}（存储中 {n + 1} 个县）时 / At N = {n} ({n + 1} counties held):")
        out.append("")
        out.append(f"- 写入 {n} 个县：SQLite {_f(load_s)} 秒，Neo4j {_f(load_j)} 秒（{_ratio(load_j, load_s)}）；每县中位数 "
                   f"{_f(pc_s, 0)} 与 {_f(pc_j, 0)} 毫秒。 Loading {n} counties: SQLite {_f(load_s)} s, Neo4j "
                   f"{_f(load_j)} s ({_ratio(load_j, load_s)}); per county median {_f(pc_s, 0)} vs {_f(pc_j, 0)} ms; "
                   f"the Neo4j server spent {_f(v(j, 'phases.load.server_cpu_s'))} s of CPU on it.")
        meds = {p: (v(s, f"phases.{p}.median_ms"), v(j, f"phases.{p}.median_ms")) for p in ("who", "resolve", "paths")}
        out.append("- 查询中位数（SQLite / Neo4j）：问谁管 "
                   + "；".join(f"{zh} {_f(meds[p][0])} / {_f(meds[p][1])} 毫秒（{_ratio(meds[p][1], meds[p][0])}）"
                              for p, zh in (("who", "who"), ("resolve", "规则判定"), ("paths", "责任路径")))[4:]
                   + "。 Query medians (SQLite / Neo4j): "
                   + "; ".join(f"{p} {_f(meds[p][0])} / {_f(meds[p][1])} ms ({_ratio(meds[p][1], meds[p][0])})"
                               for p in ("who", "resolve", "paths")) + ".")
        a, b = v(s, "phases.audit_all.wall_s"), v(j, "phases.audit_all.wall_s")
        c, d = v(s, "phases.audit_county.wall_s"), v(j, "phases.audit_county.wall_s")
        out.append(f"- 审计全部 {n + 1} 个县：SQLite {_f(a)} 秒，Neo4j {_f(b)} 秒；只审计一个县仍需 {_f(c)} 与 {_f(d)} 秒"
                   f"（全量的 {_pct(c, a)} 与 {_pct(d, b)}，而不是 1/{n + 1}）。 Auditing all {n + 1} counties: SQLite "
                   f"{_f(a)} s, Neo4j {_f(b)} s; one county still takes {_f(c)} and {_f(d)} s ({_pct(c, a)} and "
                   f"{_pct(d, b)} of a full audit, not 1/{n + 1}: see What to fix).")
        out.append(f"- 内存峰值：SQLite 进程 {_f(_py_peak(s), 0)} MB；Neo4j 客户端 {_f(_py_peak(j), 0)} MB，另加服务器 "
                   f"{_f(_server_peak(j), 0)} MB。磁盘（静止时）：SQLite {_f(_disk(s))} MB，Neo4j {_f(_disk(j))} MB。 "
                   f"Peak memory: SQLite process {_f(_py_peak(s), 0)} MB; Neo4j client {_f(_py_peak(j), 0)} MB plus "
                   f"server {_f(_server_peak(j), 0)} MB. Disk at rest: SQLite {_f(_disk(s))} MB, Neo4j "
                   f"{_f(_disk(j))} MB.")
        out.append("")
    for store in ("sqlite", "neo4j"):
        done = [k for k in counties if _measured(runs.get((store, k)))]
        if len(done) < 2:
            continue
        lo, hi = runs[(store, done[0])], runs[(store, done[-1])]
        grow = (done[-1] + 1) / (done[0] + 1)
        parts = []
        for p, label in (("audit_all", "audit all"), ("ingest_demo", "ingest demo"), ("paths", "find_paths first"),
                         ("who", "who median"), ("resolve", "resolve median")):
            key = "first_ms" if p == "paths" else "median_ms" if p in ("who", "resolve") else "wall_s"
            a, b = _get(lo, f"phases.{p}.{key}"), _get(hi, f"phases.{p}.{key}")
            if a and b:
                parts.append(f"{label} {_ratio(b, a)}")
        out.append(f"- 随规模增长 / growth, {STORE_NAMES[store]}, N {done[0]} → {done[-1]} (data ×{grow:.0f}): "
                   + ", ".join(parts) + f"; Python peak {_f(_py_peak(lo), 0)} → {_f(_py_peak(hi), 0)} MB.")
    out.append("")
    out.append("读整张图的操作（审计、路径视图）随数据增长；按条查询的操作（规则判定）几乎不变。 Whatever reads the whole graph "
               "(audits, the paths view) grows with the data; what looks rows up (resolve) hardly moves.")
    if n is not None:
        j = runs[("neo4j", n)]
        queries = ("who", "resolve", "paths", "audit_county", "audit_all")
        client = sum(_get(j, f"phases.{p}.cpu_s") or 0 for p in queries)
        server = sum(_get(j, f"phases.{p}.server_cpu_s") or 0 for p in queries)
        wall = sum(_get(j, f"phases.{p}.wall_s") or 0 for p in queries)
        out.append(f"N = {n} 时 Neo4j 的查询阶段共用墙钟 {_f(wall)} 秒，其中 Python 客户端 CPU {_f(client)} 秒，服务器 CPU "
                   f"{_f(server)} 秒：差距{'主要在客户端（往返与解码记录）' if client > server else '主要在服务器'}。 "
                   f"At N = {n} Neo4j's query phases took {_f(wall)} s of wall time, {_f(client)} s of Python client "
                   f"CPU and {_f(server)} s of server CPU: the gap is "
                   f"{'mostly on the client (round trips, decoding records)' if client > server else 'mostly the server'}.")
    done = [k for k in counties if _measured(runs.get(("sqlite", k)))]
    if len(done) >= 2 and done[-1] >= 10:
        lo, hi = runs[("sqlite", done[-2])], runs[("sqlite", done[-1])]
        counties_more = done[-1] - done[-2]
        mem = ((_get(hi, "phases.audit_all.py_peak_rss_mb") or 0) - (_get(lo, "phases.audit_all.py_peak_rss_mb") or 0))
        secs = ((_get(hi, "phases.audit_all.wall_s") or 0) - (_get(lo, "phases.audit_all.wall_s") or 0))
        if mem > 0 and secs > 0:
            per_mb, per_s = mem / counties_more, secs / counties_more
            out.append("")
            out.append(f"粗略线性外推（SQLite，N = {done[-2]} → {done[-1]}）：全量审计每个县约 {per_mb:,.0f} MB、{per_s:.2f} 秒；"
                       f"全国 2,978 个县约 {per_mb * 2978 / 1024:,.0f} GB、{per_s * 2978 / 60:,.0f} 分钟——全国规模必须逐县审计和查询。 "
                       f"Rough linear extrapolation from N = {done[-2]} → {done[-1]} on SQLite: a full audit costs "
                       f"about {per_mb:,.0f} MB of Python memory and {per_s:.2f} s per county held; for the whole "
                       f"country (2,978 counties) about {per_mb * 2978 / 1024:,.0f} GB and "
                       f"{per_s * 2978 / 60:,.0f} min per audit, before anything superlinear — a national store must "
                       "be audited and queried county by county, never as one graph in memory.")
    if n is None:
        out.append("Not enough finished runs to compare the stores. 完成的运行不足以比较两种存储。")
    out.append("")
    out.append("墙钟时间受本机其他任务影响（见负载）；CPU 时间更稳定。 Wall times include other work on this shared "
               "machine (see the load average); CPU times are steadier.")
    return out


def to_fix(results: dict) -> list[str]:
    """The problems the numbers point at, each with the evidence from this run (an item whose problem this run did
    not show is left out: re-running after a fix drops it)."""
    runs = _runs(results)
    n = _largest_common(results)
    s, j = (runs.get(("sqlite", n)), runs.get(("neo4j", n))) if n is not None else (None, None)
    counties = results.get("meta", {}).get("counties", [])
    top_s = max((k for k in counties if _measured(runs.get(("sqlite", k)))), default=None)
    rs = runs.get(("sqlite", top_s)) if top_s else None

    def ev(text: str | None) -> str:
        return f" **Evidence:** {text}" if text else " (not measured in this run)"

    def cpu(r: dict | None, p: str) -> str:
        return (f"the Python client used {_f(_get(r, f'phases.{p}.cpu_s'))} s of CPU, the server "
                f"{_f(_get(r, f'phases.{p}.server_cpu_s'))} s") if r else ""

    items: list[str] = []
    if j:
        items.append(
            "**`find_paths` on Neo4j still makes several round trips per question**: since session 2 the routes "
            "come from one Cypher `allShortestPaths` query (no whole-graph view), but finding each end by name, the "
            "relations of each step and the display names are further Bolt calls. Fetch the step relations and "
            "names with the routes in one query. Neo4j 路径查询已改为 Cypher，但两端查找、每步关系和显示名称仍各自往返。"
            + ev(f"at N = {n}, find_paths median {_f(_get(j, 'phases.paths.median_ms'))} ms / p95 "
                 f"{_f(_get(j, 'phases.paths.p95_ms'))} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.paths.median_ms'))} ms on SQLite{_done(_get(j, 'phases.paths'))}; "
                 f"{cpu(j, 'paths')}."))
        items.append(
            "**`who` on Neo4j waits on the resolver's round trips and on each township's first question**: the "
            "matter index, the county's power matters and the same-item groups are cached by `data_version()` "
            "(since session 3), and candidates come from the cjk full-text index in one query; what remains is the "
            "township's own relations on its first question (cached after) and resolving every match shown, one "
            "Bolt call per rule (see the resolver item). Neo4j 上 who 的索引和县级部门事项已按数据版本缓存；剩下的是每个乡镇"
            "第一次提问时读它的关系，以及逐条规则判定的往返。"
            + ev(f"at N = {n}, who median {_f(_get(j, 'phases.who.median_ms'))} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.who.median_ms'))} ms on SQLite; resolve median "
                 f"{_f(_get(j, 'phases.resolve.median_ms'))} ms against {_f(_get(s, 'phases.resolve.median_ms'))} ms."))
    if rs:
        a, b = _get(rs, "phases.audit_county.wall_s"), _get(rs, "phases.audit_all.wall_s")
        text = (f"SQLite, N = {top_s}: one county {_f(a, 1)} s against {_f(b, 1)} s for all {top_s + 1} "
                f"({_pct(a, b)}), Python peak {_f(_get(rs, 'phases.audit_all.py_peak_rss_mb'), 0)} MB")
        if j:
            text += (f"; Neo4j, N = {n}: {_f(_get(j, 'phases.audit_county.wall_s'), 1)} s / "
                     f"{_f(_get(j, 'phases.audit_all.wall_s'), 1)} s, of which {cpu(j, 'audit_all')} (decoding "
                     "every record in Python)")
        if a is not None and b and a > 0.25 * b:
            items.append(
                "**Audits read the whole graph even for one county**: `Facts` (api/audit/capacity.py) loads every "
                "region, agency, matter, list and relation, then the rules filter by region. Read only the region's "
                "relations (`region` is indexed in both stores) and the nodes they name; run a national audit county "
                "by county, so memory stays that of one county. 按县审计也读取整张图；应只读该地区的关系，全国审计逐县进行。"
                + ev(text + "."))
        else:
            items.append(
                "**An audit of everything still reads everything**: one county's audit reads only that county "
                "(since session 2), but `quanze audit` without `--in` loads the whole store into one `Facts`. Run a "
                "national audit county by county and merge the reports. 全量审计仍一次读入整个存储；应逐县运行再汇总。"
                + ev(text + "."))
        items.append(
            "**On SQLite, the first `find_paths` after a load builds the whole graph as networkx, in memory** (it is "
            "then cached until the next write). Paths of interest are almost always inside one county: build the "
            "view of the endpoints' counties (plus the matters they share), or search breadth-first with indexed "
            "queries up to the hop limit, as Neo4j now does in Cypher. SQLite 上加载后的第一次路径查询把整张图放进内存；应限定在相关县。"
            + ev(f"SQLite, N = {top_s}: the first find_paths call took {_f(_get(rs, 'phases.paths.first_ms'))} ms "
                 f"(building the view), later ones {_f(_get(rs, 'phases.paths.median_ms'))} ms median; Python peak "
                 f"in that phase {_f(_get(rs, 'phases.paths.py_peak_rss_mb'), 0)} MB against "
                 f"{_f(_get(rs, 'phases.resolve.py_peak_rss_mb'), 0)} MB while resolving."))
    parts = []
    for st in ("sqlite", "neo4j"):
        done = [k for k in counties if _measured(runs.get((st, k)))]
        if len(done) >= 2:
            a = _get(runs[(st, done[0])], "phases.ingest_demo.wall_s")
            b = _get(runs[(st, done[-1])], "phases.ingest_demo.wall_s")
            parts.append(f"{STORE_NAMES[st]} {_f(a, 1)} s at N = {done[0]} → {_f(b, 1)} s at N = {done[-1]}")
    if parts:
        items.append(
            "**Ingest still reads more than the county it loads**: since session 2 agencies are read per county "
            "(structures and lists), but `ListBuilder` still reads every region and every coded matter of the store "
            "(to join a name-only row to the coded matter of the same name): look matters up by `norm_name` "
            "(indexed) for the names the load uses. 导入仍读取全库地区和有编码的事项；应按名称只查本次用到的。"
            + ev("ingesting the same demo files into a store holding N other counties: " + "; ".join(parts) + "."))
    if s and j:
        items.append(
            "**`Resolver.resolve` still makes several store round trips per answer**: since session 2 the "
            "assertions come in one call per relation type (`Store.rels_any`), but each handler's agency, the units "
            "a department has stationed in the township and each cited list are further calls. Free on SQLite, a "
            "Bolt round trip each on Neo4j. Reading the handlers' agencies and lists in one call each was tried in "
            "session 3 and gained nothing measurable on the demo (who median 143 ms either way): profile the four "
            "`rels_any` calls and the records they decode first. 规则判定的机构、派驻单位、清单仍逐个往返；会话 3 试过把机构和清单"
            "合并为一次读取，没有可测的收益，应先剖析四次 rels_any 及其解码。"
            + ev(f"at N = {n}, resolve median {_f(_get(j, 'phases.resolve.median_ms'), 1)} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.resolve.median_ms'), 1)} ms on SQLite, nearly flat in N on both stores: "
                 "the cost is round trips, not data."))
        per_j = _get(j, "phases.load.per_county.median_ms")
        per_s = _get(s, "phases.load.per_county.median_ms")
        items.append(
            "**Neo4j loads are several times slower per county**, and the first load after a start is slower "
            "still (query planning, JIT). Acceptable for loads that come a few a day; for a national initial load, "
            "measure before optimising (PROFILE the relation `MERGE`, which dominates, and try larger "
            "`QUANZE_NEO4J_BATCH`). Neo4j 每县写入慢数倍；全国首次导入前应先剖析 MERGE 语句。"
            + ev(f"at N = {n}: {_f(_get(j, 'phases.load.apply_total_s'))} s on Neo4j against "
                 f"{_f(_get(s, 'phases.load.apply_total_s'))} s on SQLite; per county median {_f(per_j, 0)} ms "
                 f"against {_f(per_s, 0)} ms, first county {_f(_get(j, 'phases.load.per_county.first_ms'), 0)} ms; "
                 f"at these rates all 2,978 counties take about {_f(per_j * 2978 / 3.6e6 if per_j else None)} h "
                 f"on Neo4j and {_f(per_s * 2978 / 3.6e6 if per_s else None)} h on SQLite."))
    hit = [(r, _get(r, "phases.ingest_demo.rejected_first")) for r in results.get("runs", [])
           if _get(r, "phases.ingest_demo.rejected_first")]
    if hit:
        r, k = hit[0]
        items.append(
            "**A list that names its township only by name cannot be loaded once the store holds another county "
            "with a township of that name** (the national table alone has ten 临江镇 and 88 城关镇): the "
            "demo's CSV township lists say 临江镇, which is unique in the demo but ambiguous in a provincial store. "
            "Resolve a bare township name within the county the same load declares or the list's owner/title "
            "names, before the whole store. 清单只写乡镇名时，多县入库后会因重名而导入失败。"
            + ev(f"{STORE_NAMES[r['store']]}, N = {r['n']}: {k} of the demo's files were rejected "
                 f"({', '.join(_get(r, 'phases.ingest_demo.rejected_codes') or [])}), e.g. "
                 f"“{(_get(r, 'phases.ingest_demo.rejected_examples') or [''])[0][:160]}…”; the benchmark loads "
                 "them again with `--region`."))
    differ = [(r, _get(r, "phases.who.differ_from_demo")) for r in results.get("runs", [])
              if _get(r, "phases.who.differ_from_demo")]
    if differ:
        r, d = differ[-1]
        items.append(
            "**`who` gives a cloned township another answer than the identical demo township**: with many counties "
            "held, another county's own wording of an item can outrank this county's and then resolve to nobody "
            "here. Rank (or filter) hits by whether a list of the township's county asserts them. "
            "多县入库后，同样的问题在克隆乡镇和演示乡镇得到不同答案。"
            + ev(f"{STORE_NAMES[r['store']]}, N = {r['n']}: {_get(r, 'phases.who.same_as_demo')} of "
                 f"{_get(r, 'phases.who.n')} the same; e.g. “{d[0]['q']}”: clone "
                 f"{d[0]['clone'][:2] if d[0]['clone'] else None}, demo {d[0]['demo'][:2] if d[0]['demo'] else None}."))
    if not items:
        return ["Nothing to compare in this run. 本次运行没有可比较的数据。"]
    out = [f"{i}. {text}" for i, text in enumerate(items, 1)]
    out.append("")
    out.append("Profiles and what was fixed since the first run: docs/benchmarks.md. 剖析结果和已修复的项见 docs/benchmarks.md。")
    return out
