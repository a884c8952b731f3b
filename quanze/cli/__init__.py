"""The ``quanze`` command: one module per command, its parser beside its code, each a thin shell over the library
(``api``, ``ingest``, ``viz``); text answers are rendered in ``text.py``, shared options declared in ``options.py``.

Exit status, by the error's class (``quanze/errors.py``): 0 success; 1 some input was rejected, no path, or a finding
at ``--fail-on`` level; 2 a usage error, a bad value, a name that does not resolve, or a store that cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from quanze import __version__
from quanze.cli import (accuracy, audit, backup, bench, capacity, demo, diff, dispatch, export_neo4j, ingest, model,
                        path, restore, schema, serve, show, summary, tickets, upgrade, users, view, whatif, who)
from quanze.cli.options import EPILOG
from quanze.errors import QuanzeError

# in the order ``quanze --help`` lists them
COMMANDS = (ingest, who, dispatch, path, accuracy, audit, capacity, diff, whatif, show, demo, summary, export_neo4j,
            backup, restore, upgrade, tickets, model, schema, serve, users, view, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quanze",
        description="权责：县乡两级“谁负责什么”的知识图谱。quanze: who is responsible for what between a county and "
                    "its townships.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"quanze {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令 commands")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except BrokenPipeError:  # `quanze … | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except QuanzeError as e:
        if getattr(args, "json", False):
            print(json.dumps(e.to_dict(), ensure_ascii=False, indent=2))
        else:
            print(f"错误：{e.message_zh}\nerror: {e.message_en}", file=sys.stderr)
        return e.exit_status
    except OSError as e:  # an output file that cannot be written (--out, --xlsx, --csv into a missing place …)
        where = e.filename or ""
        print(f"错误：无法写入或读取文件 {where}：{e.strerror}\nerror: cannot write or read {where}: {e.strerror}",
              file=sys.stderr)
        return 2
