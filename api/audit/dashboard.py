"""The audit as the web application's dashboard (``/audit`` in a browser) shows it: the report of ``run_audit`` with
its findings counted by rule and by township (for the charts), its repeated findings grouped (``AuditReport.groups``)
with each group's findings and their evidence rows, cut at ``limit`` findings per group (a group of 1,000 townships
shows its first ones and says how many more there are). Every value typed is read by ``api.inputs`` (through
``run_audit``), so the dashboard, ``quanze audit`` and the JSON API give the same findings.
"""

from __future__ import annotations

from typing import Any

from quanze.api.audit.rules import SEVERITIES, SEVERITY_ZH, severity_rank
from quanze.api.audit.run import run_audit
from quanze.api.browse import rows_limit
from quanze.graph.cache import by_version
from quanze.graph.store import Store

DEFAULT_PER_GROUP = 20  # findings a group shows before its "more" link
TOWNSHIPS_CHARTED = 30  # the chart by township shows the townships with the most findings


def audit_dashboard(store: Store, rules: Any = None, region: str | None = None, severity: str | None = None,
                    as_of: Any = None, limit: Any = None) -> dict[str, Any]:
    """The dashboard's data: ``report`` (``AuditReport.to_dict()`` without its findings list), ``by_rule`` (one row a
    rule: findings by severity), ``by_township`` (townships with findings, most first: ``{code, name, count,
    rules}``), ``groups`` (each with its first ``limit`` findings as dicts and ``more``), and the filters as read.
    Built once per data version and filters (a county's audit takes seconds at 1,000 townships)."""
    from quanze.api import inputs

    key = (tuple(rules) if isinstance(rules, (list, tuple)) else rules, region, severity,
           inputs.date(as_of).isoformat(), limit)
    return by_version(store, "audit_dashboard", key,
                      lambda: _dashboard(store, rules, region, severity, as_of, limit))


def _dashboard(store: Store, rules: Any, region: str | None, severity: str | None, as_of: Any,
               limit: Any) -> dict[str, Any]:
    report = run_audit(store, rules=rules, region=region, severity=severity, as_of=as_of)
    per_group = DEFAULT_PER_GROUP if limit in (None, "") else rows_limit(limit)
    names = {r["code"]: r.get("name") for r in store.nodes("Region")}
    findings = report.findings
    by_rule = []
    for r in report.rules:
        mine = report.of(r["rule"])
        by_rule.append({**r, "by_severity": {s: sum(1 for f in mine if f.severity == s) for s in SEVERITIES}})
    towns: dict[str, dict[str, Any]] = {}
    for f in findings:
        code = str(f.region.get("code") or "")
        for t in dict.fromkeys(f.townships or ([code] if len(code) == 9 else [])):
            row = towns.setdefault(t, {"code": t, "name": names.get(t) or t, "count": 0, "rules": {}})
            row["count"] += 1
            row["rules"][f.rule] = row["rules"].get(f.rule, 0) + 1
    by_township = sorted(towns.values(), key=lambda t: (-t["count"], t["code"]))
    groups = []
    for g in report.groups():
        held = [findings[i].to_dict() for i in g["findings"][:per_group]]
        groups.append({**g, "shown": held, "more": max(0, g["count"] - per_group)})
    summary = report.to_dict()
    summary.pop("findings")
    summary.pop("groups")
    return {"report": summary, "total": len(findings), "by_rule": by_rule, "by_township": by_township,
            "charted_townships": by_township[:TOWNSHIPS_CHARTED], "groups": groups, "limit": per_group,
            "severities": [{"key": s, "zh": SEVERITY_ZH[s], "rank": severity_rank(s)} for s in SEVERITIES]}


__all__ = ["audit_dashboard"]
