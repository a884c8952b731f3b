"""``quanze dispatch``: 吹哨报到 — the departments that must come for a problem at a township."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import dispatch_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dispatch", help="吹哨报到：哪些部门必须到场 / dispatch plan: which departments must come",
                       description="针对乡镇的一个问题，列出必须到场的部门（分组）、各自事项、角色和职责，以及派驻该乡镇"
                                   "的机构。For a problem at a township: the departments that must come, grouped, with "
                                   "matters, roles and duties, plus the units stationed there.", epilog=options.EPILOG)
    options.asking(p, "问题描述", "the problem in words", "乡镇", "the township")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.who import dispatch

    with options.reading(args) as store:
        data = dispatch(store, args.text, args.region, as_of=args.as_of, **options.search_files(args))
    options.emit(args, data, dispatch_text)
    return 0
