"""``quanze capacity``: delegated items against certified enforcers, cases and staff, per township."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import capacity_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("capacity", help="承接能力：下放事项、执法人员、案件、编制 / capacity views",
                       description="每个乡镇的下放事项数、持证执法人员数、案件数，编制与实有，人均事项，配合事项与县中位数。"
                                   "Per township: delegated items vs certified enforcers vs cases; staffing quota vs "
                                   "actual; items per staff; cooperation items vs the county median.",
                       epilog=options.EPILOG)
    options.within(p, "县（或其乡镇）", "the county (or one of its townships)", dest="region")
    options.as_of(p)
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.audit import capacity_report

    with options.reading(args) as store:
        data = capacity_report(store, args.region, as_of=args.as_of)
    options.emit(args, data, capacity_text)
    return 0
