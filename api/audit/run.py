"""Running the audits: choose rules, a region and a minimum severity, set thresholds, and get one report.

``run_audit`` reads the graph once, runs each chosen check, and reports per rule how many cases it examined and how
many findings it made — a rule that found nothing says what it looked at, so "0 found" is never mistaken for "not
checked". The report's ``worst_severity`` is what ``quanze audit --fail-on LEVEL`` compares against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from quanze import deadline
from quanze.api import inputs, versions
from quanze.api.audit.facts import Facts
from quanze.api.audit.rules import RULE_IDS, SEVERITIES, Finding, Scope, registry, rule, severity_rank, thresholds_for
from quanze.graph.lookup import county_code
from quanze.graph.regions import Region
from quanze.graph.store import Store


@dataclass
class AuditReport:
    findings: list[Finding]
    rules: list[dict[str, Any]]  # {rule, examined, found, severity, title_zh, title_en, denominator_zh/en, notes}
    as_of: dt.date = field(default_factory=dt.date.today)
    region: dict[str, Any] | None = None
    severity: str | None = None
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the list versions it read that are not the current ones (docs/domain.md §4.10); empty: the current versions
    versions: list[dict[str, Any]] = field(default_factory=list)

    def worst_severity(self) -> str | None:
        """The most serious level among the findings, or None when there are none."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=severity_rank)

    def fails(self, level: str) -> bool:
        """True when some finding is at ``level`` or above: the exit status of ``--fail-on LEVEL``."""
        worst = self.worst_severity()
        return worst is not None and severity_rank(worst) >= severity_rank(level)

    def of(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule_id]

    def groups(self) -> list[dict[str, Any]]:
        """Repeated findings as one group each: the same rule about the same matter (or, for rules about places and
        bodies, with no matter) in several places — ``dormant-delegation × 24 townships`` rather than 24 lines. In
        rule order, then by size; each group says its places (every township a finding covers) and which findings
        it holds (their positions in ``findings``). A finding alone is a group of one."""
        order = {r["rule"]: i for i, r in enumerate(self.rules)}
        found: dict[tuple, dict[str, Any]] = {}
        for i, f in enumerate(self.findings):
            key = (f.rule, (f.matter or {}).get("id"))
            g = found.get(key)
            if g is None:
                decl = rule(f.rule)
                g = found[key] = {"rule": f.rule, "severity": f.severity, "title_zh": decl.title_zh,
                                  "title_en": decl.title_en, "matter": f.matter, "findings": [], "places": {},
                                  "townships": {}}
            g["findings"].append(i)
            g["places"][f.region.get("code")] = f.region.get("name")
            if severity_rank(f.severity) > severity_rank(g["severity"]):
                g["severity"] = f.severity
            for code in f.townships or ([f.region.get("code")] if len(str(f.region.get("code") or "")) == 9 else []):
                g["townships"][code] = True
        out = []
        for g in found.values():
            n, places, towns = len(g["findings"]), len(g["places"]), len(g["townships"])
            one = n == 1
            out.append({**g, "count": n,
                        "places": [{"code": c, "name": name} for c, name in g["places"].items()],
                        "townships": list(g["townships"]),
                        "summary_zh": g["title_zh"] if one else f"{g['title_zh']} × " + (f"{n} 个乡镇" if n == towns > 1 else f"{n} 条" + (
                            f"，涉及 {towns} 个乡镇" if towns > 1 else f"，涉及 {places} 个地区" if places > 1 else "")),
                        "summary_en": g["title_en"] if one else f"{g['rule']} × " + (f"{n} townships" if n == towns > 1 else f"{n}" + (
                            f" in {towns} townships" if towns > 1 else f" in {places} places" if places > 1 else ""))})
        out.sort(key=lambda g: (order.get(g["rule"], 99), -g["count"], g["findings"][0]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "rules": self.rules,
                "as_of": self.as_of.isoformat(), "region": self.region, "severity": self.severity,
                "worst_severity": self.worst_severity(), "thresholds": self.thresholds, "versions": self.versions,
                "groups": self.groups()}


def _county_to_read(held: dict[str, Any] | None) -> str | None:
    """A region asked for: only its county is read (the findings are the same as from the whole store)."""
    return county_code(Region.from_props(held)) if held else None


def run_audit(store: Store, rules: Iterable[str] | None = None, region: str | None = None,
              severity: str | None = None, thresholds: dict[str, Any] | None = None,
              as_of: dt.date | str | None = None, facts: Facts | None = None) -> AuditReport:
    """Run the chosen rules (default: all, in declaration order) over the store; never writes to it.

    Every value is read by ``api.inputs``. ``region``: a county or township the store holds, by code or name — findings
    in it and its townships, and what was examined there. ``severity``: the lowest level reported. ``thresholds``:
    ``{"near-duplicate": {"similarity": 0.9}}`` or ``{"near-duplicate.similarity": 0.9}``. ``as_of``: the date
    delegations and list versions are in force on (default today): the audit reads the graph of that date.
    ``facts``: the graph as already read for the region's county (or for everything) on that date, to reuse (the web
    application's township pages read a county once). Without ``region`` (and ``facts``) the store is audited county
    by county (``audit_counties``) and the reports are joined: the findings are those of an audit of everything at
    once, and only one county's graph is in memory at a time.
    """
    if region is None and facts is None:
        date = inputs.date(as_of)
        graph, _ = versions.as_of(store, date)
        return _joined(audit_counties(store, rules, severity, thresholds, date),
                       [v for v in versions.region_versions(graph, None) if not v["current"]])
    chosen, minimum, limits = _choices(rules, severity, thresholds)
    held = inputs.held_region(store, region) if region else None
    date = inputs.date(as_of)
    county = _county_to_read(held)
    graph, _ = versions.as_of(store, date)
    if facts is None or facts.as_of != date or facts.county != county:
        facts = Facts(graph, date, county=county)
    where = facts.region(held["code"]) if held else None
    return _run(facts, chosen, minimum, limits, where, severity, graph)


def audit_counties(store: Store, rules: Iterable[str] | None = None, severity: str | None = None,
                   thresholds: dict[str, Any] | None = None,
                   as_of: dt.date | str | None = None) -> Iterator[AuditReport]:
    """The audit of everything the store holds (as of the date), one county at a time, in code order: each
    county's graph is read, checked and let go before the next (a national store is never read whole). Every rule
    looks within one county, so the findings are those of one audit of everything; ``run_audit`` joins them, the
    exports stream them."""
    chosen, minimum, limits = _choices(rules, severity, thresholds)
    date = inputs.date(as_of)
    graph, _ = versions.as_of(store, date)
    counties = sorted(r["code"] for r in graph.nodes("Region", level="county"))
    if not counties:  # nothing held: one report, every rule having examined what there is
        yield _run(Facts(graph, date), chosen, minimum, limits, None, severity, graph)
    for county in counties:
        yield _run(Facts(graph, date, county=county), chosen, minimum, limits, None, severity, graph)


def _choices(rules: Iterable[str] | None, severity: str | None,
             thresholds: dict[str, Any] | None) -> tuple[list[str], int, dict[str, dict[str, Any]]]:
    chosen = inputs.rule_ids(rules) or list(RULE_IDS)
    level = inputs.severity(severity)
    return chosen, severity_rank(level) if level else 0, thresholds_for(thresholds)


def _run(facts: Facts, chosen: list[str], minimum: int, limits: dict[str, dict[str, Any]],
         where: dict[str, Any] | None, severity: str | None, graph: Store) -> AuditReport:
    """The chosen rules over ``facts``; ``graph``: the store (or its view of the date) open now, which names the list
    versions used — facts handed in may have been read through a store since closed (a cache outlives its store)."""
    scope = Scope(where["code"] if where else None)
    checks = registry()
    findings: list[Finding] = []
    summary = []
    for rid in chosen:
        deadline.check()  # an HTTP request's time budget (quanze/deadline.py); nothing on the command line
        decl = rule(rid)
        checked = checks[rid](facts, limits[rid], scope)
        kept = [f for f in checked.findings if severity_rank(f.severity) >= minimum
                and (scope.code is None or f.in_region(scope.code))]
        findings += sorted(kept, key=_order)
        summary.append({"rule": rid, "examined": checked.examined, "found": len(kept), "severity": decl.severity,
                        "title_zh": decl.title_zh, "title_en": decl.title_en, "denominator_zh": decl.denominator_zh,
                        "denominator_en": decl.denominator_en, "notes": checked.notes})
    return AuditReport(findings, summary, facts.as_of, where, inputs.severity(severity),
                       {rid: limits[rid] for rid in chosen if limits[rid]},
                       [v for v in versions.region_versions(graph, facts.county) if not v["current"]])


def finding_key(f: Finding) -> tuple:
    """What one finding is about, whatever its wording or rows: rule, region, matter and agencies. Two audits that
    report the same key report the same finding (``quanze audit --since``, ``quanze whatif``)."""
    return (f.rule, str(f.region.get("code")), (f.matter or {}).get("id"),
            tuple(sorted(str(a.get("id")) for a in f.agencies)))


def compare_findings(before: AuditReport, after: AuditReport) -> dict[str, list[dict[str, Any]]]:
    """Findings of ``after`` that ``before`` did not report (``new``), those of ``before`` that ``after`` no longer
    reports (``resolved``), by ``finding_key``, each as ``Finding.to_dict()``; and those both report in other words
    (``changed``: ``{"before", "after"}``, e.g. a township that cannot undertake more items than before)."""
    old = {finding_key(f): f for f in before.findings}
    new = {finding_key(f): f for f in after.findings}
    return {"new": [new[k].to_dict() for k in new if k not in old],
            "resolved": [old[k].to_dict() for k in old if k not in new],
            "changed": [{"before": old[k].to_dict(), "after": new[k].to_dict()} for k in new
                        if k in old and old[k].message_zh != new[k].message_zh]}


def audit_since(store: Store, since: dt.date | str, **options: Any) -> tuple[AuditReport, dict[str, Any]]:
    """The audit now (or as of ``options["as_of"]``) and what changed since the audit as of ``since``: the findings
    that are new and those resolved since then (docs/domain.md §5)."""
    now = run_audit(store, **options)
    then = run_audit(store, **{**options, "as_of": inputs.date(since, "since")})
    return now, {"since": then.as_of.isoformat(), **compare_findings(then, now),
                 "versions_then": then.versions}


def _joined(reports: Iterable[AuditReport], used: list[dict[str, Any]]) -> AuditReport:
    """The reports of the counties as one: per rule, the findings of every county in the order one audit sorts
    them, what was examined added up, the notes one after another; ``used``: the list versions read that are not
    the current ones."""
    reports = list(reports)
    first = reports[0]
    summary = [dict(r, examined=sum(rep.rules[i]["examined"] for rep in reports),
                    found=sum(rep.rules[i]["found"] for rep in reports),
                    notes=[n for rep in reports for n in rep.rules[i]["notes"]]) for i, r in enumerate(first.rules)]
    findings = [f for r in summary for f in sorted((f for rep in reports for f in rep.of(r["rule"])), key=_order)]
    return AuditReport(findings, summary, first.as_of, None, first.severity, first.thresholds, used)


def _order(f: Finding) -> tuple:
    return (-severity_rank(f.severity), str(f.region.get("code")), (f.matter or {}).get("name") or "",
            [a.get("name") or "" for a in f.agencies], f.message_zh)


__all__ = ["SEVERITIES", "AuditReport", "audit_counties", "audit_since", "compare_findings", "finding_key", "run_audit"]
