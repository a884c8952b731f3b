"""``quanze demo``: load the demo county, answer an example question, run the audit."""

from __future__ import annotations

import argparse
import json

from quanze.cli import options
from quanze.cli.text import ingest_text, summary_text, who_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="导入内置示例县（青岚县）并打印摘要 / load the bundled demo county and print a summary",
                       description="把随包附带的示例县（虚构的青岚县，区划代码 990701）导入存储，并打印摘要、一个示例问题的"
                                   "回答和审计结果。Load the demo county shipped with the package (fictional 青岚县, code "
                                   "990701) and print a summary, an example answer and the audit.",
                       epilog=options.EPILOG)
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.demo import DEMO_QUESTION, DEMO_TOWNSHIP, load_demo
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import terminal_progress

    with open_store(args.store) as store:
        demo = load_demo(store, progress=None if args.json else terminal_progress())
    if args.json:
        print(json.dumps(demo.to_dict(), ensure_ascii=False, indent=2, default=str))
        return 0 if demo.report.ok else 1
    print(ingest_text(demo.report))
    print()
    print(summary_text(demo.summary))
    if demo.example:
        print(f"\n示例 example: quanze who \"{DEMO_QUESTION}\" --in {DEMO_TOWNSHIP}")
        print(who_text(demo.example))
    if demo.report.ok:
        print("\n审计 audit (quanze audit): " + "，".join(f"{k} {v}" for k, v in demo.findings.items() if v)
              + f"；共 {demo.total_findings} 条发现 findings")
    return 0 if demo.report.ok else 1
