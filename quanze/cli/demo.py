"""``quanze demo``: load the demo county, answer an example question, run the audit, then start the web workbench
on 127.0.0.1 with an editor account for the demo (``--no-serve``: print only)."""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import sys
from urllib.parse import urlencode

from quanze.cli import options
from quanze.cli.text import ingest_text, serving_text, summary_text, who_text
from quanze.cli.users import actor, state_option

DEMO_ACCOUNT = "demo"
PORTS_TRIED = 20  # from --port on, the first free one


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="导入内置示例县（青岚县）并启动网页工作台 / load the bundled demo county and start the "
                                    "web workbench",
                       description="把随包附带的示例县（虚构的青岚县，区划代码 990701）导入存储，打印摘要、一个示例问题的回答和审计"
                                   "结果，然后在 127.0.0.1 上启动网页工作台（端口 8000，被占用时用下一个空闲端口），打印地址、演示"
                                   "账号（编辑，随机密码，只显示一次）和三个示例问题。--no-serve 只打印不启动。Load the demo "
                                   "county shipped with the package (fictional 青岚县, code 990701), print a summary, an "
                                   "example answer and the audit, then start the web workbench on 127.0.0.1 (port 8000, "
                                   "or the next free one), printing its address, a demo login (an editor, with a random "
                                   "password shown once) and three example questions. --no-serve only prints.",
                       epilog=options.EPILOG)
    options.store(p)
    options.as_json(p)
    p.add_argument("--no-serve", dest="serve", action="store_false",
                   help="只导入并打印，不启动网页工作台 / load and print only, do not start the web workbench")
    p.add_argument("--port", type=int, default=8000, metavar="PORT",
                   help="从这个端口起找空闲端口（默认8000）/ the first port to try (default 8000)")
    state_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.demo import DEMO_QUESTION, DEMO_TOWNSHIP, load_demo
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import terminal_progress

    with open_store(args.store) as store:
        demo = load_demo(store, progress=None if args.json else terminal_progress())
    if args.json:
        print(json.dumps(demo.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(ingest_text(demo.report))
        print()
        print(summary_text(demo.summary))
        if demo.example:
            print(f"\n示例 example: quanze who \"{DEMO_QUESTION}\" --in {DEMO_TOWNSHIP}")
            print(who_text(demo.example))
        if demo.report.ok:
            print("\n审计 audit (quanze audit): " + "，".join(f"{k} {v}" for k, v in demo.findings.items() if v)
                  + f"；共 {demo.total_findings} 条发现 findings")
    if not demo.report.ok:
        return 1
    if args.serve:
        serve(args)
    return 0


def serve(args: argparse.Namespace) -> None:
    """The web workbench over the demo store on 127.0.0.1: a demo editor account with a new random password (a
    fixed, documented one would stay a known password in the state file, which a later ``quanze serve`` of the same
    store uses), printed once with the address and the example questions."""
    import uvicorn

    from quanze.api.demo import EXAMPLE_QUESTIONS
    from quanze.api.http import create_app
    from quanze.api.web import Accounts, State, state_path

    host = "127.0.0.1"
    port = free_port(host, args.port)
    password = secrets.token_urlsafe(12)
    state = State(state_path(args.store, args.state))
    try:
        accounts = Accounts(state)
        if accounts.get(DEMO_ACCOUNT) is None:
            accounts.add(DEMO_ACCOUNT, "editor", password, by=actor())
        else:
            accounts.set_role(DEMO_ACCOUNT, "editor", by=actor())
            accounts.reset(DEMO_ACCOUNT, password, by=actor())
    finally:
        state.close()
    url = f"http://{host}:{port}/"
    examples = [(q, where, url + "?" + urlencode({"q": q, "in": where})) for q, where in EXAMPLE_QUESTIONS]
    out = sys.stderr if args.json else sys.stdout  # --json: standard output holds the JSON only
    print(file=out)
    print(serving_text(url, (DEMO_ACCOUNT, password), examples, public_read=True), file=out, flush=True)
    uvicorn.run(create_app(args.store, state=args.state, public_read=True, warm=True), host=host, port=port)


def free_port(host: str, first: int) -> int:
    """The first port from ``first`` on that nothing listens on."""
    for port in range(first, first + PORTS_TRIED):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {first}–{first + PORTS_TRIED - 1}")
