"""``quanze tickets``: record a confirmed ticket, or check ticket files."""

from __future__ import annotations

import argparse
from pathlib import Path

from quanze.cli import options
from quanze.cli.text import tickets_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tickets", help="历史工单：登记一条、检查文件 / past tickets: record one, check files",
                       description="add：把确认过的一条工单（诉求内容，加事项或承办单位）追加到 CSV 文件（默认 ./tickets.csv），"
                                   "供 who/dispatch/serve 的 --tickets 使用；事项或单位必须是库中有的。check：读取工单文件，报告"
                                   "条数和库中找不到的事项或单位。add appends a confirmed ticket (the words, and the matter "
                                   "or the handling body) to a CSV file (default ./tickets.csv) for --tickets; the matter or "
                                   "body must be in the store. check reads ticket files and reports how many there are and "
                                   "which name a matter or body the store does not hold.", epilog=options.EPILOG)
    p.add_argument("action", choices=["add", "check"], help="add 登记 / record one; check 检查 / check files")
    p.add_argument("items", nargs="+", metavar="TEXT|FILE", help="add：诉求内容 / the words; check：工单文件 / files")
    p.add_argument("--matter", default="", metavar="MATTER", help="事项名称或编码 / the matter's name or code")
    p.add_argument("--agency", default="", metavar="BODY", help="承办单位 / the body that handled it")
    p.add_argument("--by", default=None, metavar="NAME", help="登记人（默认当前系统用户）/ who confirmed it (default: the "
                                                              "system user)")
    p.add_argument("--file", default="tickets.csv", metavar="FILE", help="add 写入的文件（默认 tickets.csv）/ the file "
                                                                         "add writes (default tickets.csv)")
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.tickets import check_tickets, record_ticket

    with options.reading(args) as store:
        if args.action == "add":
            by = args.by if args.by is not None else _system_user()
            t = record_ticket(store, Path(args.file), " ".join(args.items), matter=args.matter, agency=args.agency,
                              by=by)
            data = {"added": {"text": t.text, "matter": t.matter, "agency": t.agency}, "file": args.file}
            options.emit(args, data, lambda d: f"已登记 recorded → {d['file']}: {d['added']['text']} → "
                                               f"{d['added']['matter'] or d['added']['agency']}")
            return 0
        data = check_tickets(store, [Path(f) for f in args.items])
    options.emit(args, data, tickets_text)
    return 0 if not data["unknown"] else 1


def _system_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return ""
