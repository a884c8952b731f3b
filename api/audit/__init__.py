"""Audits of overlaps and gaps (重叠与空白) in who is responsible for what, as docs/domain.md §5 defines them.

    run_audit(store, rules=None, region=None, severity=None, thresholds=None, as_of=None) -> AuditReport
    report.findings, report.rules ([{rule, examined, found, …}]), report.worst_severity(), report.to_dict()
    write_xlsx / write_csv          exports, formula injection neutralised (safe_cell)
    capacity_report(store, …)       delegated items vs enforcers vs cases, staffing by kind, cooperation load

Modules: ``rules`` (the rules as data, severities, thresholds, Finding), ``overlaps`` and ``gaps`` (the checks),
``facts`` (the graph read once), ``capacity`` (capacity views), ``run``, ``export``.
"""

from quanze.api.audit.capacity import capacity_report, cooperation_load, staffing_by_kind, township_capacity
from quanze.api.audit.facts import Facts
from quanze.api.audit.export import (safe_cell, write_capacity_csv, write_capacity_xlsx, write_csv,
                                     write_xlsx)
from quanze.api.audit.rules import RULE_IDS, RULES, SEVERITIES, Finding, RuleDecl, rule
from quanze.api.audit.run import AuditReport, run_audit

__all__ = [
    "RULES", "RULE_IDS", "SEVERITIES", "AuditReport", "Facts", "Finding", "RuleDecl", "capacity_report",
    "cooperation_load", "rule", "run_audit", "safe_cell", "staffing_by_kind", "township_capacity", "write_capacity_csv", "write_capacity_xlsx", "write_csv",
    "write_xlsx",
]
