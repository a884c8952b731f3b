"""Running the audits: choose rules, a region and a minimum severity, set thresholds, and get one report.

``run_audit`` reads the graph once, runs each chosen check, and reports per rule how many cases it examined and how
many findings it made — a rule that found nothing says what it looked at, so "0 found" is never mistaken for "not
checked". The report's ``worst_severity`` is what ``quanze audit --fail-on LEVEL`` compares against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from quanze.api.audit.capacity import Facts
from quanze.api.audit.rules import RULE_IDS, SEVERITIES, Finding, Scope, registry, rule, severity_rank, thresholds_for
from quanze.graph.store import Store

from quanze.errors import Ambiguous, NotFound


@dataclass
class AuditReport:
    findings: list[Finding]
    rules: list[dict[str, Any]]  # {rule, examined, found, severity, title_zh, title_en, denominator_zh/en, notes}
    as_of: dt.date = field(default_factory=dt.date.today)
    region: dict[str, Any] | None = None
    severity: str | None = None
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)

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

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "rules": self.rules,
                "as_of": self.as_of.isoformat(), "region": self.region, "severity": self.severity,
                "worst_severity": self.worst_severity(), "thresholds": self.thresholds}


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise NotFound(f"日期「{value}」应写作 2025-06-01", f"date {value!r} must be written 2025-06-01") from e


def _region(facts: Facts, text: str | None) -> dict[str, Any] | None:
    """A county or township the store holds, by code or by exact name."""
    if not text:
        return None
    text = text.strip()
    if text in facts.regions:
        return facts.region(text)
    named = [c for c, r in facts.regions.items() if r.get("name") == text]
    if len(named) == 1:
        return facts.region(named[0])
    held = [f"{r['name']}（{c}）" for c, r in sorted(facts.regions.items())]
    if named:
        raise Ambiguous(f"地区「{text}」有{len(named)}个，请用区划代码", f"{len(named)} regions are named {text!r}; use "
                        "the code", [f"{facts.name(c)}（{c}）" for c in named])
    raise NotFound(f"存储中没有地区「{text}」；已有：{'、'.join(held[:10])}",
                   f"the store holds no region {text!r}; it holds: {', '.join(held[:10])}", held)


def _county_of(store: Store, text: str | None) -> str | None:
    """The county of the region asked for, when it names exactly one region the store holds: then only that county
    is read. Anything else (no region, a name several regions share, an unknown one) reads the whole store, and
    ``_region`` says what is wrong."""
    if not text:
        return None
    text = text.strip()
    by_code = store.node("Region", text)
    held = [by_code] if by_code else store.nodes("Region", name=text)
    if len(held) != 1:
        return None
    return str(held[0].get("county_code") or held[0]["code"])[:6]


def run_audit(store: Store, rules: Iterable[str] | None = None, region: str | None = None,
              severity: str | None = None, thresholds: dict[str, Any] | None = None,
              as_of: dt.date | str | None = None) -> AuditReport:
    """Run the chosen rules (default: all, in declaration order) over the store; never writes to it.

    ``region``: a county or township code (or held name) — findings in it and its townships, and what was examined
    there. ``severity``: the lowest level reported. ``thresholds``: ``{"near-duplicate": {"similarity": 0.9}}`` or
    ``{"near-duplicate.similarity": 0.9}``. ``as_of``: the date delegations are in force on (default today).
    """
    chosen = list(dict.fromkeys(rules)) if rules else list(RULE_IDS)
    for rid in chosen:
        rule(rid)  # an unknown id is an error listing the valid ones
    minimum = severity_rank(severity) if severity else 0
    limits = thresholds_for(thresholds)
    facts = Facts(store, _as_date(as_of), county=_county_of(store, region))
    where = _region(facts, region)
    scope = Scope(where["code"] if where else None)
    checks = registry()
    findings: list[Finding] = []
    summary = []
    for rid in chosen:
        decl = rule(rid)
        checked = checks[rid](facts, limits[rid], scope)
        kept = [f for f in checked.findings if severity_rank(f.severity) >= minimum
                and (scope.code is None or f.in_region(scope.code))]
        findings += sorted(kept, key=_order)
        summary.append({"rule": rid, "examined": checked.examined, "found": len(kept), "severity": decl.severity,
                        "title_zh": decl.title_zh, "title_en": decl.title_en, "denominator_zh": decl.denominator_zh,
                        "denominator_en": decl.denominator_en, "notes": checked.notes})
    return AuditReport(findings, summary, facts.as_of, where, severity,
                       {rid: limits[rid] for rid in chosen if limits[rid]})


def _order(f: Finding) -> tuple:
    return (-severity_rank(f.severity), str(f.region.get("code")), (f.matter or {}).get("name") or "",
            [a.get("name") or "" for a in f.agencies], f.message_zh)


__all__ = ["SEVERITIES", "AuditReport", "run_audit"]
