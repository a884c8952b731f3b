"""``quanze serve``: the JSON API and the web workbench on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quanze.cli import options
from quanze.cli.users import state_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动网页工作台和 HTTP 接口 / run the web workbench and the HTTP API",
                       description="启动网页工作台（提问、确认派单、乡镇页）和 HTTP 接口（FastAPI，uvicorn）：who、dispatch、path、"
                                   "show、audit、capacity、summary、health；接口文档在 /docs。默认只监听本机 127.0.0.1，阅读无需"
                                   "登录；监听其他地址时阅读默认需要登录（--public-read 可改）。写入（确认派单）需要编辑账号"
                                   "（quanze users add）。Run the web workbench (ask, confirm, township pages) and the HTTP "
                                   "API (FastAPI on uvicorn); docs at /docs. Binds 127.0.0.1 by default, where reading "
                                   "needs no account; on any other address reading needs one unless --public-read. "
                                   "Writes (confirming tickets) need an editor account (quanze users add).",
                       epilog=options.EPILOG)
    options.store(p)
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="监听地址（默认 127.0.0.1，仅本机可访问）/ address to listen on (default 127.0.0.1, this "
                        "machine only)")
    p.add_argument("--port", type=int, default=8000, metavar="PORT", help="端口（默认8000）/ port (default 8000)")
    p.add_argument("--public-read", action=argparse.BooleanOptionalAction, default=None,
                   help="不登录也能阅读（默认：监听 127.0.0.1 时可以，监听其他地址时不可以）/ reading without an account "
                        "(default: yes on 127.0.0.1, no on any other address)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="除本机名称外还接受的主机名（可重复；防 DNS 重绑定，另见 QUANZE_ALLOWED_HOSTS）/ a host name to "
                        "accept besides the loopback names (repeatable; against DNS rebinding)")
    options.tickets(p)
    state_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from quanze.api.http import create_app, is_loopback

    public_read = is_loopback(args.host) if args.public_read is None else args.public_read
    if not is_loopback(args.host):
        if public_read:
            print(f"警告：监听 {args.host} 且 --public-read：网络上的任何人无需登录即可阅读图谱；写入仍需编辑账号。\n"
                  f"warning: listening on {args.host} with --public-read: anyone on the network can read the graph "
                  f"without an account; writes still need an editor account.", file=sys.stderr)
        else:
            print(f"警告：监听 {args.host}，网络上的其他人可以访问网页工作台和接口；阅读需要登录（账号用 quanze users add "
                  f"建立），除非加 --public-read。\nwarning: listening on {args.host}, the workbench and the API are "
                  f"reachable from the network; reading needs an account (quanze users add makes one) unless "
                  f"--public-read.", file=sys.stderr)
    hosts = [*args.allow_host, *([] if args.host in ("0.0.0.0", "::") else [args.host])]
    app = create_app(args.store, [Path(f) for f in args.tickets], state=args.state, public_read=public_read,
                     warm=True, allowed_hosts=hosts)
    uvicorn.run(app, host=args.host, port=args.port)
    return 0
