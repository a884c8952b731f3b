"""``quanze audit``: the audit rules over the store, as text, JSON, CSV or XLSX; ``--fail-on`` for list pipelines."""

from __future__ import annotations

import argparse
import json

from quanze.cli import options
from quanze.cli.text import audit_text, since_text


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
    options.as_of(p, "按此日期有效的清单版本和下放审计（默认今天）", "the date whose list versions and delegations are "
                                                               "audited (default today)")
    p.add_argument("--since", metavar="DATE",
                   help="与该日期的审计比较：哪些发现是新的，哪些已解决 / compare with the audit as of this date: which "
                        "findings are new and which were resolved")
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
    from quanze.api.audit.run import audit_since

    fail_on = inputs.severity(args.fail_on, "fail_on")
    chosen = dict(rules=args.rule, region=args.region, severity=args.severity,
                  thresholds=inputs.thresholds(args.threshold), as_of=args.as_of)
    since = None
    with options.reading(args) as store:
        if args.since:
            report, since = audit_since(store, args.since, **chosen)
        else:
            report = run_audit(store, **chosen)
    if args.json:
        print(json.dumps({**report.to_dict(), **({"since": since} if since else {})}, ensure_ascii=False, indent=2,
                         default=str))
    elif args.csv or args.xlsx:
        path = write_csv(report, args.csv) if args.csv else write_xlsx(report, args.xlsx)
        print(f"已导出 {len(report.findings)} 条发现到 {path} / exported {len(report.findings)} findings to {path}")
    else:
        print(audit_text(report) + (since_text(since) if since else ""))
    return 1 if fail_on and report.fails(fail_on) else 0
