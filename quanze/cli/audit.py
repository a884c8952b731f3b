"""``quanze audit``: the audit rules over the store, as text, JSON, CSV or XLSX; ``--fail-on`` for list pipelines."""

from __future__ import annotations

import argparse
import json

from quanze.cli import options
from quanze.cli.text import audit_text


def register(sub: argparse._SubParsersAction) -> None:
    from quanze.api.audit.rules import SEVERITIES

    p = sub.add_parser("audit", help="审计重叠与空白 / audit overlaps and gaps",
                       description="按 docs/domain.md §5 的审计规则检查多头、冲突、重复、悬空、无权、接不住、空转、缺编等问题，"
                                   "附证据行和各规则的检查数。Run the audit rules of docs/domain.md §5 (overlaps and gaps) "
                                   "with evidence rows and per-rule denominators.", epilog=options.EPILOG)
    p.add_argument("--rule", action="append", metavar="ID",
                   help="只运行这些规则（可重复，或用逗号分隔）/ only these rules (repeatable or comma-separated)")
    options.within(p, "只看此县或乡镇", "only this county or township", dest="region")
    p.add_argument("--severity", metavar="LEVEL", help="最低严重程度：low、medium、high（或 低、中、高）/ lowest "
                                                       "severity reported: " + ", ".join(SEVERITIES))
    p.add_argument("--fail-on", metavar="LEVEL",
                   help="有此级别或更高的发现时退出码为1，用于清单维护流水线 / exit 1 when a finding at this level "
                        "or above exists")
    options.as_of(p, "判断下放是否有效的日期（默认今天）", "date delegations are in force on (default today)")
    p.add_argument("--threshold", action="append", default=[], metavar="RULE.NAME=VALUE",
                   help="调整阈值，如 near-duplicate.similarity=0.9 / set a threshold")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    out.add_argument("--csv", metavar="FILE", help="导出 CSV（UTF-8 带 BOM）/ export CSV (UTF-8 with BOM)")
    out.add_argument("--xlsx", metavar="FILE", help="导出 Excel 报告 / export an Excel report")
    options.store(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api import inputs
    from quanze.api.audit import run_audit, write_csv, write_xlsx

    fail_on = inputs.severity(args.fail_on, "fail_on")
    with options.reading(args) as store:
        report = run_audit(store, rules=args.rule, region=args.region, severity=args.severity,
                           thresholds=inputs.thresholds(args.threshold), as_of=args.as_of)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif args.csv or args.xlsx:
        path = write_csv(report, args.csv) if args.csv else write_xlsx(report, args.xlsx)
        print(f"已导出 {len(report.findings)} 条发现到 {path} / exported {len(report.findings)} findings to {path}")
    else:
        print(audit_text(report))
    return 1 if fail_on and report.fails(fail_on) else 0
