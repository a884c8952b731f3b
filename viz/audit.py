"""The view of a county's (or a township's) audit findings: each finding a triangle coloured by severity, joined to
the region, matter and agencies it names; a named matter or agency gets a thick border in the colour of the most
serious finding naming it. Findings are capped, most serious first; the page says how many were left out."""

from __future__ import annotations

from quanze.api.audit import run_audit
from quanze.api.audit.rules import SEVERITY_ZH, rule, severity_rank
from quanze.graph.store import Store
from quanze.viz.style import node_look
from quanze.viz.view import DEFAULT_LIMIT, SOURCES_SHOWN, GraphView, check_limit, source_text


def audit_view(store: Store, region: str | None = None, *, severity: str | None = None,
               limit: int = DEFAULT_LIMIT) -> GraphView:
    check_limit(limit)
    report = run_audit(store, region=region, severity=severity)
    view = GraphView(store, "audit", report.region["name"] if report.region else "全部地区 all regions")
    findings = sorted(report.findings, key=lambda f: -severity_rank(f.severity))  # stable: rule order within
    worst: dict[str, str] = {}
    for i, f in enumerate(findings[:limit]):
        decl = rule(f.rule)
        look = node_look(f"finding:{f.severity}")
        sources = [s for s in (source_text(s) for s in f.sources) if s]
        lines = [f"{decl.title_zh} {decl.title_en}（{f.rule}）",
                 f"严重程度 severity: {SEVERITY_ZH[f.severity]} {f.severity}", f.message_zh, f.message_en,
                 f"来源 sources: {'；'.join(sources[:SOURCES_SHOWN])}" + ("…" if len(sources) > SOURCES_SHOWN else "")
                 if sources else None]
        me = view.add(f"Finding:{i}", decl.title_zh, f"finding:{f.severity}", look, lines)
        named = [view.region(f.region["code"])] if f.region.get("code") else []
        named += [view.matter(f.matter["id"])] if f.matter else []
        named += [view.agency(a["id"]) for a in f.agencies]
        for node in named:
            view.link(me, node, "NAMES")
            if not node.startswith("Region:") and (node not in worst or
                                                   severity_rank(f.severity) > severity_rank(worst[node])):
                worst[node] = f.severity
    for node, level in worst.items():
        n = view.net.node_map[node]
        n.update(borderWidth=5, color={"background": n["color"], "border": node_look(f"finding:{level}").color})
    view.omitted = len(findings) - min(len(findings), limit)
    by_level = {lvl: sum(f.severity == lvl for f in findings) for lvl in ("high", "medium", "low")}
    view.note(f"共 {len(findings)} 条发现：" + "，".join(f"{SEVERITY_ZH[k]} {n}" for k, n in by_level.items())
              + (f"；显示最严重的 {limit} 条，另有 {view.omitted} 条未显示（--limit）" if view.omitted else "")
              + "；被点名的事项和机构加粗边框，颜色为最严重的发现",
              f"{len(findings)} findings: " + ", ".join(f"{k} {n}" for k, n in by_level.items())
              + (f"; the {limit} most serious shown, {view.omitted} more not (--limit)" if view.omitted else "")
              + "; matters and agencies a finding names get a thick border in its severity's colour")
    return view
