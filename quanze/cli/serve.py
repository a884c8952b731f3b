"""``quanze serve``: the HTTP API on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quanze.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动 HTTP 接口 / run the HTTP API",
                       description="启动 HTTP 接口（FastAPI，uvicorn），提供 who、dispatch、path、show、audit、capacity、"
                                   "summary、health；接口文档在 /docs。默认只监听本机 127.0.0.1：监听其他地址会让网络上的"
                                   "任何人都能查询图谱。Run the HTTP API (FastAPI on uvicorn): who, dispatch, path, show, "
                                   "audit, capacity, summary, health; docs at /docs. Binds 127.0.0.1 by default: any "
                                   "other address lets anyone on the network query the graph.", epilog=options.EPILOG)
    options.store(p)
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="监听地址（默认 127.0.0.1，仅本机可访问）/ address to listen on (default 127.0.0.1, this "
                        "machine only)")
    p.add_argument("--port", type=int, default=8000, metavar="PORT", help="端口（默认8000）/ port (default 8000)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="除本机名称外还接受的主机名（可重复；防 DNS 重绑定，另见 QUANZE_ALLOWED_HOSTS）/ a host name to "
                        "accept besides the loopback names (repeatable; against DNS rebinding)")
    options.tickets(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from quanze.api.http import create_app, is_loopback

    if not is_loopback(args.host):
        print(f"警告：监听 {args.host} 会让网络上的其他人无需登录即可查询图谱；只在可信网络中这样做，或改用默认的 127.0.0.1。\n"
              f"warning: listening on {args.host} lets others on the network query the graph without logging in; do "
              f"this only on a trusted network, or keep the default 127.0.0.1.", file=sys.stderr)
    hosts = [*args.allow_host, *([] if args.host in ("0.0.0.0", "::") else [args.host])]
    uvicorn.run(create_app(args.store, [Path(f) for f in args.tickets], allowed_hosts=hosts), host=args.host,
                port=args.port)
    return 0
