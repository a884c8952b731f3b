"""``quanze whatif``: try a proposed change on a copy of the graph and see which answers and findings it changes."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import whatif_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("whatif", help="假如这样改：先试一试下放、收回、调人、合并、更名 / try a change first",
                       description="把方案（YAML 或 XLSX，格式见 docs/formats.md §7：下放、收回、调动人员或执法人员、合并或更名"
                                   "机构）用在图谱的临时副本上，报告哪些“谁负责”的回答会变、哪些审计发现会出现或消失；存储不会被改动。"
                                   "Apply a proposal (YAML or XLSX, docs/formats.md §7: delegate, recall, move staff or "
                                   "certified enforcers, merge or rename agencies) to a temporary copy of the graph and "
                                   "report which who answers change and which audit findings appear or disappear; the "
                                   "store is never written.", epilog=options.EPILOG)
    p.add_argument("proposal", metavar="FILE", help="方案文件（.yaml 或 .xlsx）/ the proposal (.yaml or .xlsx)")
    options.within(p, "县（默认方案中的 county）", "the county (default: the proposal's county)", dest="region")
    options.as_of(p)
    p.add_argument("--questions", metavar="FILE",
                   help="用问题集比较回答（默认比较受影响的事项）/ compare who on a question set (default: the matters "
                        "the change touches)")
    options.json_or_xlsx(p)
    options.store(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.whatif import read_proposal, whatif, write_xlsx

    proposal = read_proposal(args.proposal)
    with options.reading(args) as store:
        data = whatif(store, proposal, county=args.region, as_of=args.as_of, questions=args.questions)
    options.emit_or_export(args, data, whatif_text, write_xlsx)
    return 0
