"""The ``quanze`` command. Each subcommand is a thin shell over the library; help is in Chinese and English.

Exit status: 0 success; 1 some input was rejected (or, for later commands, a finding at --fail-on level); 2 a usage
error, a name that does not resolve, or a store that cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

from quanze import __version__
from quanze.errors import QuanzeError

EPILOG = "存储地址默认为 ./quanze.db，或环境变量 QUANZE_STORE。The store defaults to ./quanze.db or $QUANZE_STORE."


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="URL",
                   help="存储地址 store URL: sqlite:///path.db (默认 default ./quanze.db 或 or $QUANZE_STORE)")


def _tickets_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tickets", action="append", default=[], metavar="FILE",
                   help="历史工单（XLSX/CSV：诉求内容、事项；或问题集 YAML），需要语义模型 / past tickets (XLSX/CSV with "
                        "诉求内容 and 事项 columns, or a question-set YAML); needs the semantic model")


def _json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON instead of text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quanze",
        description="权责：县乡两级“谁负责什么”的知识图谱。quanze: who is responsible for what between a county and "
                    "its townships.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"quanze {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令 commands")

    p = sub.add_parser("ingest", help="导入机构编制和清单文件 / load structure and list files",
                       description="导入文件或文件夹（YAML、XLSX、CSV）。有错误的文件整份不导入，存储保持原样。"
                                   "Load files or folders (YAML, XLSX, CSV). A file with any error loads nothing; "
                                   "the store stays as it was.", epilog=EPILOG)
    p.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹 / files or folders")
    _store_arg(p)
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入 / validate only, write nothing")
    p.add_argument("--region", metavar="REGION",
                   help="文件所属的县或乡镇（名称或区划代码），优先于文件本身 / the county or township the files are for "
                        "(overrides what the files say)")
    p.add_argument("--kind", choices=["power", "basic", "cooperation", "recall", "delegation", "activity"],
                   help="清单类型，优先于文件本身 / the list kind (overrides what the files say)")
    p.add_argument("--owner", metavar="AGENCY", help="清单所属机构（部门权责清单）/ the body whose list it is")
    p.add_argument("--version", dest="list_version", metavar="VERSION", help="清单版本或年度 / the list's version or "
                                                                             "year")
    p.add_argument("--strict", action="store_true",
                   help="无法解析的机构或乡镇名称视为错误 / names that do not resolve are errors, not warnings")
    p.add_argument("--partial", action="store_true",
                   help="导入清单中可用的行，记录被拒绝的行及其内容 / load a list's good rows and record the rejected ones")
    _json_arg(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("path", help="两个机构、地区或事项之间的责任路径 / responsibility paths between two things",
                       description="查找两个节点（机构、乡镇、事项、部门）之间的最短责任路径。Shortest responsibility "
                                   "paths between two nodes (agency, township, matter, department).", epilog=EPILOG)
    p.add_argument("source", metavar="FROM", help="起点：名称、简称、区划代码或事项名称 / start: a name, code or matter")
    p.add_argument("target", metavar="TO", help="终点 / end")
    _path_args(p)
    p.add_argument("--all", action="store_true", help="列出所有最短路径 / list every shortest path")
    p.add_argument("--in", dest="within", metavar="REGION", help="在此县或乡镇内解析名称 / resolve names within this "
                                                                 "region")
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_path)

    p = sub.add_parser("who", help="这件事在这里谁负责 / who handles this, here",
                       description="用群众或工作人员的话描述一件事，给出负责的机构、角色、依据、下放链条和来源行。"
                                   "Describe a matter in a citizen's or an official's words; get the responsible "
                                   "agencies with role, legal basis, delegation chain and source rows.", epilog=EPILOG)
    p.add_argument("text", metavar="TEXT", help="描述，如“村里有人没批就盖房子” / the words, e.g. 占道经营")
    p.add_argument("--in", dest="region", required=True, metavar="REGION", help="乡镇（或县）名称或区划代码 / the "
                                                                               "township (or county)")
    p.add_argument("--as-of", metavar="DATE", help="按此日期判断下放和收回是否有效（默认今天）/ date for delegations "
                                                   "and recalls (default today)")
    p.add_argument("--limit", type=int, default=3, metavar="N", help="显示前N个事项（默认3）/ show the top N matters")
    p.add_argument("--synonyms", action="append", default=[], metavar="FILE",
                   help="补充同义词表（YAML）/ an extra synonym file (YAML)")
    _tickets_arg(p)
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_who)

    p = sub.add_parser("dispatch", help="吹哨报到：哪些部门必须到场 / dispatch plan: which departments must come",
                       description="针对乡镇的一个问题，列出必须到场的部门（分组）、各自事项、角色和职责，以及派驻该乡镇"
                                   "的机构。For a problem at a township: the departments that must come, grouped, with "
                                   "matters, roles and duties, plus the units stationed there.", epilog=EPILOG)
    p.add_argument("text", metavar="TEXT", help="问题描述 / the problem in words")
    p.add_argument("--in", dest="region", required=True, metavar="REGION", help="乡镇名称或区划代码 / the township")
    p.add_argument("--as-of", metavar="DATE", help="日期（默认今天）/ date (default today)")
    p.add_argument("--synonyms", action="append", default=[], metavar="FILE",
                   help="补充同义词表（YAML）/ an extra synonym file (YAML)")
    _tickets_arg(p)
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_dispatch)

    p = sub.add_parser("accuracy", help="用问题集衡量“谁负责”的准确率 / measure who-handles-this accuracy",
                       description="对问题集（默认示例县的 demo/questions.yaml）逐题提问，报告事项和牵头机构的 top-1、"
                                   "top-3 准确率。Ask every question of a question set (default: the demo county's) "
                                   "and report top-1 and top-3 accuracy for the matter and the lead agency.",
                       epilog=EPILOG)
    p.add_argument("--questions", metavar="FILE", help="问题集 YAML / question set (default demo/questions.yaml)")
    p.add_argument("--split", choices=["all", "dev", "held-out"], default="all",
                   help="只用开发集或留出集（按事项哈希划分，见 docs/accuracy.md）/ only the development or the held-out "
                        "half (see docs/accuracy.md)")
    p.add_argument("--as-of", metavar="DATE", help="日期（默认今天）/ date (default today)")
    p.add_argument("--misses", type=int, default=0, metavar="N",
                   help="列出前N道牵头机构没排第一的题（默认不列：留出集的题读过就不再是留出集）/ list the first N questions "
                        "whose lead is not first (default none: a held-out question once read is held out no more)")
    _tickets_arg(p)
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_accuracy)

    p = sub.add_parser("audit", help="审计重叠与空白 / audit overlaps and gaps",
                       description="按 DOMAIN.md 的审计规则检查多头、冲突、重复、悬空、无权、接不住、空转、缺编等问题，附证据行"
                                   "和各规则的检查数。Run the audit rules (overlaps and gaps) with evidence rows and "
                                   "per-rule denominators.", epilog=EPILOG)
    p.add_argument("--rule", action="append", metavar="ID", help="只运行这些规则（可重复）/ only these rules (repeatable)")
    p.add_argument("--in", dest="region", metavar="REGION", help="只看此县或乡镇 / only this county or township")
    p.add_argument("--severity", choices=["low", "medium", "high"], help="最低严重程度 / lowest severity reported")
    p.add_argument("--fail-on", choices=["low", "medium", "high"],
                   help="有此级别或更高的发现时退出码为1，用于清单维护流水线 / exit 1 when a finding at this level "
                        "or above exists")
    p.add_argument("--as-of", metavar="DATE", help="判断下放是否有效的日期（默认今天）/ date delegations are in force on")
    p.add_argument("--threshold", action="append", default=[], metavar="RULE.NAME=VALUE",
                   help="调整阈值，如 near-duplicate.similarity=0.9 / set a threshold")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    out.add_argument("--csv", metavar="FILE", help="导出 CSV（UTF-8 带 BOM）/ export CSV (UTF-8 with BOM)")
    out.add_argument("--xlsx", metavar="FILE", help="导出 Excel 报告 / export an Excel report")
    _store_arg(p)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("capacity", help="承接能力：下放事项、执法人员、案件、编制 / capacity views",
                       description="每个乡镇的下放事项数、持证执法人员数、案件数，编制与实有，人均事项，配合事项与县中位数。"
                                   "Per township: delegated items vs certified enforcers vs cases; staffing quota vs "
                                   "actual; items per staff; cooperation items vs the county median.", epilog=EPILOG)
    p.add_argument("--in", dest="region", metavar="COUNTY", help="县名称或代码 / the county")
    p.add_argument("--as-of", metavar="DATE", help="日期（默认今天）/ date (default today)")
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_capacity)

    p = sub.add_parser("show", help="查看图谱中某个机构或地区 / show what the graph knows about an agency or region",
                       description="查看机构或地区的信息及其来源。Show an agency or a region, with sources.",
                       epilog=EPILOG)
    p.add_argument("what", choices=["agency", "region"], help="agency 机构 | region 地区")
    p.add_argument("name", metavar="NAME", help="名称、简称、挂牌或代码 / name, short name, plaque or code")
    p.add_argument("--in", dest="within", metavar="REGION", help="在此县或乡镇内查找 / look within this county or "
                                                                 "township")
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("demo", help="导入内置示例县（青岚县）并打印摘要 / load the bundled demo county and print a summary",
                       description="把随包附带的示例县（虚构的青岚县，区划代码 990701）导入存储，并打印摘要。"
                                   "Load the demo county shipped with the package (fictional 青岚县, code 990701) "
                                   "and print a summary.", epilog=EPILOG)
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("summary", help="存储中有什么 / what the store holds",
                       description="按类别统计节点和关系。Counts of nodes and relations by kind.", epilog=EPILOG)
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("export-neo4j", help="把嵌入式存储复制到 Neo4j / copy the embedded store into Neo4j",
                       description="把一个存储（默认 ./quanze.db）的全部节点和关系一次性写入 Neo4j（一个事务，失败则不留"
                                   "任何部分）。用户名密码取自 QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD。Copy every node and "
                                   "relation of a store into Neo4j in one transaction; credentials from "
                                   "QUANZE_NEO4J_USER / QUANZE_NEO4J_PASSWORD.", epilog=EPILOG)
    p.add_argument("--to", required=True, metavar="URL", help="Neo4j 地址 / the Neo4j URL, e.g. bolt://127.0.0.1:7687")
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_export_neo4j)

    p = sub.add_parser("tickets", help="历史工单：登记一条、检查文件 / past tickets: record one, check files",
                       description="add：把确认过的一条工单（诉求内容，加事项或承办单位）追加到 CSV 文件（默认 ./tickets.csv），"
                                   "供 who/dispatch/serve 的 --tickets 使用；事项或单位必须是库中有的。check：读取工单文件，报告"
                                   "条数和库中找不到的事项或单位。add appends a confirmed ticket (the words, and the matter "
                                   "or the handling body) to a CSV file (default ./tickets.csv) for --tickets; the matter or "
                                   "body must be in the store. check reads ticket files and reports how many there are and "
                                   "which name a matter or body the store does not hold.", epilog=EPILOG)
    p.add_argument("action", choices=["add", "check"], help="add 登记 / record one; check 检查 / check files")
    p.add_argument("items", nargs="+", metavar="TEXT|FILE", help="add：诉求内容 / the words; check：工单文件 / files")
    p.add_argument("--matter", default="", metavar="MATTER", help="事项名称或编码 / the matter's name or code")
    p.add_argument("--agency", default="", metavar="BODY", help="承办单位 / the body that handled it")
    p.add_argument("--file", default="tickets.csv", metavar="FILE", help="add 写入的文件（默认 tickets.csv）/ the file "
                                                                         "add writes (default tickets.csv)")
    _store_arg(p)
    _json_arg(p)
    p.set_defaults(func=cmd_tickets)

    p = sub.add_parser("model", help="语义检索模型：下载、查看 / the semantic search model: fetch, status",
                       description="“谁负责”可用一个中文句向量模型（bge-small-zh-v1.5，ONNX）按意思检索事项。"
                                   "fetch 从 Maven Central 下载一次（或用 --jar 指定拷来的文件），校验 SHA-256 后解压到 "
                                   "~/.cache/quanze/models（或 $QUANZE_MODEL_DIR）；之后完全离线。没有模型时按字词和同义词检索。"
                                   "who can rank matters by meaning with a Chinese sentence-embedding model "
                                   "(bge-small-zh-v1.5, ONNX). fetch downloads it once from Maven Central (or takes a "
                                   "copy with --jar), checks its SHA-256 and unpacks it under ~/.cache/quanze/models (or "
                                   "$QUANZE_MODEL_DIR); everything after that is offline. Without it, search uses words "
                                   "and synonyms only.")
    p.add_argument("action", choices=["fetch", "status"], help="fetch 下载并安装 / download and install; status 查看 / "
                                                                "show what is installed")
    p.add_argument("--jar", metavar="FILE", help="用本地的模型 jar，不下载 / install from a local copy of the jar")
    p.add_argument("--repo", metavar="URL", default=None,
                   help="Maven 仓库地址（默认 Maven Central）/ a Maven repository (default Maven Central)")
    _json_arg(p)
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("schema", help="打印图谱模式文档 / print the graph schema document",
                       description="打印由模式声明生成的 docs/schema.md。Print docs/schema.md as generated from the "
                                   "schema declaration.")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("serve", help="启动 HTTP 接口 / run the HTTP API",
                       description="启动 HTTP 接口（FastAPI，uvicorn），提供 who、dispatch、path、show、audit、capacity、"
                                   "summary、health；接口文档在 /docs。默认只监听本机 127.0.0.1：监听其他地址会让网络上的"
                                   "任何人都能查询图谱。Run the HTTP API (FastAPI on uvicorn): who, dispatch, path, show, "
                                   "audit, capacity, summary, health; docs at /docs. Binds 127.0.0.1 by default: any "
                                   "other address lets anyone on the network query the graph.", epilog=EPILOG)
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="监听地址（默认 127.0.0.1，仅本机可访问）/ address to listen on (default 127.0.0.1, this "
                        "machine only)")
    p.add_argument("--port", type=int, default=8000, metavar="PORT", help="端口（默认8000）/ port (default 8000)")
    _tickets_arg(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("view", help="交互式图谱视图（离线 HTML）/ an interactive graph view (offline HTML)",
                       description="把乡镇、机构、事项、两者之间的责任路径或审计发现画成可在浏览器中探索的交互式图谱（悬停看"
                                   "详情和来源行，点击突出相邻节点），写成一个无需联网的 HTML 文件，并打印文件路径。"
                                   "Draw a township, an agency, a matter, the responsibility paths between two things "
                                   "or audit findings as an interactive graph to explore in a browser (hover for "
                                   "details and source rows, click to highlight neighbours), written as one HTML file "
                                   "that needs no network; prints the file's path.", epilog=EPILOG)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--region", metavar="NAME", help="乡镇（或县）：机构、派驻机构、事项 / a township (or county): its "
                                                       "bodies, stationed units and matters")
    what.add_argument("--agency", metavar="NAME", help="机构：上级、下属、派驻、按角色的事项 / an agency: parent, units, "
                                                       "where they are stationed, its matters by role")
    what.add_argument("--matter", metavar="TEXT", help="事项（名称、编码或描述）：各乡镇由谁负责 / a matter (name, code or "
                                                       "words): who handles it in each township")
    what.add_argument("--path", nargs=2, metavar=("FROM", "TO"), help="两者之间的最短责任路径 / the shortest "
                                                                      "responsibility paths between two things")
    what.add_argument("--audit", metavar="REGION", help="此县或乡镇的审计发现 / the audit findings of this county or "
                                                        "township")
    p.add_argument("--in", dest="within", metavar="REGION", help="在此县或乡镇内解析名称；与 --matter 同用时只看其乡镇 / "
                                                                 "resolve names within this region; with --matter, "
                                                                 "only its townships")
    _path_args(p)
    p.add_argument("--as-of", metavar="DATE", help="事项视图按此日期判断谁负责（默认今天）/ the date the matter view "
                                                   "judges who handles it (default today)")
    p.add_argument("--limit", type=int, default=60, metavar="N", help="最多显示的事项或发现数（默认60），页面注明未显示的"
                                                                      "数量 / at most N matters or findings (default "
                                                                      "60); the page says how many more there are")
    p.add_argument("--out", metavar="FILE.html", help="输出文件（默认当前目录下的 quanze-view-….html）/ the file to "
                                                      "write (default quanze-view-….html here)")
    _store_arg(p)
    p.set_defaults(func=cmd_view)
    return parser


def _emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text(data))


def cmd_ingest(args: argparse.Namespace) -> int:
    from quanze.cli_text import ingest_text
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import ingest_paths, terminal_progress

    with open_store(args.store) as store:
        report = ingest_paths(args.paths, store, dry_run=args.dry_run, region=args.region, kind=args.kind,
                              owner=args.owner, version=args.list_version, strict=args.strict, partial=args.partial,
                              progress=None if args.json else terminal_progress())
    _emit(args, report.to_dict(), lambda _d: ingest_text(report))
    return 0 if report.ok else 1


def _path_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--via", action="append", metavar="KINDS",
                   help="只经过这些关系类型（逗号分隔，可重复）/ only through these relation kinds (comma-separated)")
    p.add_argument("--max-hops", type=int, default=6, metavar="N", help="最多跳数（默认6）/ hop limit (default 6)")


def cmd_path(args: argparse.Namespace) -> int:
    from quanze.api.paths import find_paths
    from quanze.cli_text import paths_text
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        data = find_paths(store, args.source, args.target, via=args.via, max_hops=args.max_hops,
                          all_shortest=args.all, within=args.within)
    _emit(args, data, paths_text)
    return 0


def cmd_who(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.api.who import who
    from quanze.cli_text import who_text
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        data = who(store, args.text, args.region, as_of=args.as_of, limit=args.limit,
                   synonym_files=[Path(f) for f in args.synonyms], ticket_files=[Path(f) for f in args.tickets])
    _emit(args, data, who_text)
    return 0


def cmd_dispatch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.api.who import dispatch
    from quanze.cli_text import dispatch_text
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        data = dispatch(store, args.text, args.region, as_of=args.as_of,
                        synonym_files=[Path(f) for f in args.synonyms],
                        ticket_files=[Path(f) for f in args.tickets])
    _emit(args, data, dispatch_text)
    return 0


def cmd_accuracy(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.api.accuracy import evaluate, load_questions
    from quanze.api.who import parse_as_of
    from quanze.cli_text import accuracy_text
    from quanze.demo import demo_questions
    from quanze.graph.store import open_store

    questions = load_questions(Path(args.questions) if args.questions else demo_questions())
    with open_store(args.store) as store:
        data = evaluate(store, questions, as_of=parse_as_of(args.as_of), split=args.split,
                        ticket_files=[Path(f) for f in args.tickets])
    if not args.json:
        data["misses"] = data["misses"][:max(args.misses, 0)]
    _emit(args, data, accuracy_text)
    return 0


def _thresholds(pairs: list[str]) -> dict[str, Any]:
    from quanze.errors import NotFound

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise NotFound(f"阈值应写作 规则.名称=值，而不是「{pair}」", f"a threshold is RULE.NAME=VALUE, not {pair!r}")
        try:
            out[key.strip()] = float(value) if any(c in value for c in ".e") else int(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def cmd_audit(args: argparse.Namespace) -> int:
    from quanze.api.audit import audit_text, run_audit, write_csv, write_xlsx
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        report = run_audit(store, rules=args.rule, region=args.region, severity=args.severity,
                           thresholds=_thresholds(args.threshold), as_of=args.as_of)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif args.csv or args.xlsx:
        path = write_csv(report, args.csv) if args.csv else write_xlsx(report, args.xlsx)
        print(f"已导出 {len(report.findings)} 条发现到 {path} / exported {len(report.findings)} findings to {path}")
    else:
        print(audit_text(report))
    return 1 if args.fail_on and report.fails(args.fail_on) else 0


def cmd_capacity(args: argparse.Namespace) -> int:
    from quanze.api.audit import capacity_report
    from quanze.api.who import parse_as_of
    from quanze.cli_text import capacity_text
    from quanze.graph.lookup import find_region
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        county = None
        if args.region:
            r = find_region(store, args.region)
            county = r.code if r.level == "county" else r.county_code
        data = capacity_report(store, county, as_of=parse_as_of(args.as_of))
    _emit(args, data, capacity_text)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from quanze.api.describe import describe_agency, describe_region
    from quanze.cli_text import agency_text, region_text
    from quanze.graph.lookup import find_agency, find_region
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        if args.what == "agency":
            data = describe_agency(store, find_agency(store, args.name, args.within))
            _emit(args, data, agency_text)
        else:
            county = None
            if args.within:
                r = find_region(store, args.within)
                county = r.code if r.level == "county" else r.county_code
            data = describe_region(store, find_region(store, args.name, county))
            _emit(args, data, region_text)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from quanze.cli_text import ingest_text, summary_text
    from quanze.demo import demo_path
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import ingest_paths, terminal_progress

    from quanze.api.audit import run_audit
    from quanze.api.describe import store_summary
    from quanze.api.who import who
    from quanze.cli_text import who_text

    with open_store(args.store) as store:
        report = ingest_paths([demo_path()], store, progress=None if args.json else terminal_progress())
        summary = store_summary(store)
        example = who(store, DEMO_QUESTION, DEMO_TOWNSHIP, limit=1) if report.ok else None
        audit = run_audit(store) if report.ok else None
    findings = {r["rule"]: r["found"] for r in audit.rules} if audit else {}
    if args.json:
        print(json.dumps({"ingest": report.to_dict(), "summary": summary, "example": example,
                          "audit": findings}, ensure_ascii=False, indent=2, default=str))
        return 0 if report.ok else 1
    print(ingest_text(report))
    print()
    print(summary_text(summary))
    if example:
        print(f"\n示例 example: quanze who \"{DEMO_QUESTION}\" --in {DEMO_TOWNSHIP}")
        print(who_text(example))
    if audit:
        print("\n审计 audit (quanze audit): " + "，".join(f"{k} {v}" for k, v in findings.items() if v)
              + f"；共 {len(audit.findings)} 条发现 findings")
    return 0 if report.ok else 1


DEMO_QUESTION = "村里有人没批就盖房子"
DEMO_TOWNSHIP = "城关镇"


def cmd_summary(args: argparse.Namespace) -> int:
    from quanze.api.describe import store_summary
    from quanze.cli_text import summary_text
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        _emit(args, store_summary(store), summary_text)
    return 0


def cmd_export_neo4j(args: argparse.Namespace) -> int:
    from quanze.errors import StoreError
    from quanze.graph.copy import copy_store
    from quanze.graph.store import open_store

    if not args.to.split("://", 1)[0].startswith(("bolt", "neo4j")):
        raise StoreError(f"--to 应为 Neo4j 地址（bolt:// 或 neo4j://），而不是「{args.to}」",
                         f"--to must be a Neo4j URL (bolt:// or neo4j://), not {args.to!r}")
    with open_store(args.store) as source, open_store(args.to) as target:
        counts = copy_store(source, target)
    _emit(args, {"from": source.url, "to": target.url, "copied": counts},
          lambda d: f"已复制 copied {d['from']} → {d['to']}: " + ", ".join(f"{k} {v}" for k, v in d["copied"].items()
                                                                          if v))
    return 0


def cmd_tickets(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.api.tickets import record_ticket
    from quanze.api.who import matter_index
    from quanze.graph.store import open_store

    with open_store(args.store) as store:
        if args.action == "add":
            t = record_ticket(store, Path(args.file), " ".join(args.items), matter=args.matter, agency=args.agency)
            data = {"added": {"text": t.text, "matter": t.matter, "agency": t.agency}, "file": args.file}
            _emit(args, data, lambda d: f"已登记 recorded → {d['file']}: {d['added']['text']} → "
                                        f"{d['added']['matter'] or d['added']['agency']}")
            return 0
        index = matter_index(store, (), [Path(f) for f in args.items])
        data = {"files": args.items, "read": index.tickets_read, "usable": len(index.tickets),
                "unknown": [{"text": t.text, "matter": t.matter, "agency": t.agency, "source": t.source}
                            for t in index.tickets_unknown]}
    _emit(args, data, _tickets_text)
    return 0 if not data["unknown"] else 1


def _tickets_text(d: dict[str, Any]) -> str:
    lines = [f"工单 tickets: 读取 read {d['read']}，可用 usable {d['usable']}，库中找不到 unknown {len(d['unknown'])}"]
    lines += [f"  ✗ {u['source']}: {u['matter'] or u['agency']}（{u['text'][:30]}）" for u in d["unknown"][:50]]
    return "\n".join(lines)


def cmd_model(args: argparse.Namespace) -> int:
    from pathlib import Path

    from quanze.api import semantic

    if args.action == "fetch" and (args.jar or not semantic.installed() or args.repo):
        semantic.fetch(jar=Path(args.jar) if args.jar else None, repo=args.repo or semantic.MAVEN_CENTRAL)
    _emit(args, semantic.status(), _model_text)
    return 0


def _model_text(d: dict[str, Any]) -> str:
    state = ("已安装 installed" if d["installed"] else "未安装 not installed (quanze model fetch)") + (
        "" if d["enabled"] else "；已关闭 turned off (QUANZE_SEMANTIC)")
    return (f"语义模型 semantic model {d['model']}: {state}\n  目录 folder: {d['folder']}\n"
            f"  来源 source: {d['source'] or d['maven']}\n  SHA-256: {d['sha256']}")


def cmd_schema(args: argparse.Namespace) -> int:
    from quanze.graph.schema_doc import schema_markdown

    sys.stdout.write(schema_markdown())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from quanze.api.http import create_app, is_loopback

    if not is_loopback(args.host):
        print(f"警告：监听 {args.host} 会让网络上的其他人无需登录即可查询图谱；只在可信网络中这样做，或改用默认的 127.0.0.1。\n"
              f"warning: listening on {args.host} lets others on the network query the graph without logging in; do "
              f"this only on a trusted network, or keep the default 127.0.0.1.", file=sys.stderr)
    from pathlib import Path

    uvicorn.run(create_app(args.store, [Path(f) for f in args.tickets]), host=args.host, port=args.port)
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    from quanze.graph.store import open_store
    from quanze.api.who import parse_as_of
    from quanze.viz import build_view, file_name, write_html

    with open_store(args.store) as store:
        view = build_view(store, region=args.region, agency=args.agency, matter=args.matter,
                          path=tuple(args.path) if args.path else None, audit=args.audit, within=args.within,
                          limit=args.limit, as_of=parse_as_of(args.as_of) if args.as_of else None,
                          via=args.via, max_hops=args.max_hops)
    print(write_html(view, args.out or file_name(view)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `quanze … | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except QuanzeError as e:
        if getattr(args, "json", False):
            print(json.dumps(e.to_dict(), ensure_ascii=False, indent=2))
        else:
            print(f"错误：{e.message_zh}\nerror: {e.message_en}", file=sys.stderr)
        return 1 if type(e).__name__ == "NoPath" else 2
    except OSError as e:  # an output file that cannot be written (--out, --xlsx, --csv into a missing place …)
        where = e.filename or ""
        print(f"错误：无法写入或读取文件 {where}：{e.strerror}\nerror: cannot write or read {where}: {e.strerror}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
