"""``quanze summary``: what the store holds."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import summary_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="存储中有什么 / what the store holds",
                       description="按类别统计节点和关系。Counts of nodes and relations by kind.", epilog=options.EPILOG)
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.describe import store_summary

    with options.reading(args) as store:
        options.emit(args, store_summary(store), summary_text)
    return 0
