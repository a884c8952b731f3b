"""``quanze users``: the web application's accounts — add, list, remove, reset a password, make an API token.

Passwords are read from the terminal without echo (twice, to catch a typo) or, with ``--password-stdin``, as one
line from standard input (for scripts); never from the command line, where other users could read them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from quanze.cli import options
from quanze.cli.text import users_text
from quanze.errors import BadValue


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="网页应用的账号：添加、列出、删除、重设密码、API 令牌 / the web application's accounts",
                       description="管理网页应用（quanze serve、quanze demo）的账号。角色：reader 只读、editor 编辑（可确认派单）、"
                                   "admin 管理员（可管理账号、查看写入日志）。账号存放在状态文件中（--state，默认在存储旁："
                                   "quanze.db → quanze.state.db，或 $QUANZE_STATE）。Manage the web application's accounts. "
                                   "Roles: reader, editor (confirms tickets), admin (manages accounts, reads the write "
                                   "log). Accounts live in the state file (--state; default beside the store, or "
                                   "$QUANZE_STATE).", epilog=options.EPILOG)
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="操作 actions", required=True,
                               help="add | list | remove | reset | token")
    add = actions.add_parser("add", help="添加账号 / add an account")
    add.add_argument("name", metavar="NAME", help="账号名 / the account's name")
    add.add_argument("--role", default="reader", metavar="ROLE",
                     help="reader 只读（默认）| editor 编辑 | admin 管理员 / the role (default reader)")
    _password_option(add)
    listing = actions.add_parser("list", help="列出账号 / list the accounts")
    options.as_json(listing)
    remove = actions.add_parser("remove", help="删除账号（及其会话和令牌）/ remove an account with its sessions and token")
    remove.add_argument("name", metavar="NAME")
    reset = actions.add_parser("reset", help="重设密码（结束该账号的所有会话）/ a new password (ends the account's sessions)")
    reset.add_argument("name", metavar="NAME")
    _password_option(reset)
    token = actions.add_parser("token", help="生成 API 令牌（只显示一次，替换旧令牌）/ a new API token, shown once, replacing "
                                            "the old one")
    token.add_argument("name", metavar="NAME")
    for q in (add, listing, remove, reset, token):
        options.store(q)
        state_option(q)
    p.set_defaults(run=run)


def state_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--state", metavar="FILE",
                   help="网页应用的状态文件（默认在存储旁：quanze.db → quanze.state.db，或 $QUANZE_STATE）/ the web "
                        "application's state file (default beside the store, or $QUANZE_STATE)")


def _password_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读一行作为密码（供脚本使用）/ read the password as one line from standard input")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise BadValue("没有终端可以读密码：请用 --password-stdin", "no terminal to read the password from: use "
                       "--password-stdin", field="password")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再输入一次 again: ") != first:
        raise BadValue("两次输入的密码不一样", "the two passwords differ", field="password")
    return first


def actor() -> str:
    """Who made a change from the command line, as the write log names them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run(args: argparse.Namespace) -> int:
    from quanze.api.web import Accounts, State, state_path

    state = State(state_path(args.store, args.state))
    try:
        accounts = Accounts(state)
        if args.action == "add":
            user = accounts.add(args.name, args.role, _password(args), by=actor())
            print(f"已添加 added: {user['name']}（{user['role']}）→ {state.path}")
        elif args.action == "list":
            users = accounts.users()
            if args.json:
                print(json.dumps({"state": str(state.path), "users": users}, ensure_ascii=False, indent=2))
            else:
                print(users_text(users, str(state.path)))
        elif args.action == "remove":
            accounts.remove(args.name, by=actor())
            print(f"已删除 removed: {args.name}")
        elif args.action == "reset":
            accounts.reset(args.name, _password(args), by=actor())
            print(f"已重设密码 password reset: {args.name}（其会话已结束 its sessions ended）")
        elif args.action == "token":
            token = accounts.token(args.name, by=actor())
            print(token)
            print("这个令牌只显示这一次；请求时带上 Authorization: Bearer <令牌>。旧令牌已作废。\nThis token is shown this "
                  "once; send it as Authorization: Bearer <token>. Any earlier token no longer works.", file=sys.stderr)
    finally:
        state.close()
    return 0

