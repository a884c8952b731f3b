"""``quanze schema``: the schema document, generated from the schema declaration."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="打印图谱模式文档 / print the graph schema document",
                       description="打印由模式声明生成的 docs/schema.md。Print docs/schema.md as generated from the "
                                   "schema declaration.")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.graph.schema_doc import schema_markdown

    sys.stdout.write(schema_markdown())
    return 0
