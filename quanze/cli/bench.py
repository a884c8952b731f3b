"""``quanze bench``: speed and memory at a county's, a province's and the country's scale, both stores side by side.

The command is a thin shell over the benchmark's library, ``bench/`` in the source checkout (``bench/run.py``): it is
not part of an installed package, since it needs the repository's scripts (a Neo4j of its own) and writes the
repository's docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quanze.cli import options

SCALES = ("county", "province", "country")


def checkout() -> Path | None:
    """The source checkout this package runs from (an editable install), when it has ``bench/``."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "bench" / "run.py").is_file() else None


def add_options(p: argparse.ArgumentParser) -> None:
    """The options of ``quanze bench`` (``python -m bench.run`` takes the same)."""
    p.add_argument("--scale", choices=SCALES, default="county",
                   help="county 演示县；province 浙江省（90 个县、1,387 个乡镇）；country 全国（2,978 个县、41,352 个乡镇）/ "
                        "the demo county, a province (浙江省: 90 counties, 1,387 townships) or the whole country "
                        "(default county)")
    p.add_argument("--stores", default="sqlite,neo4j", type=_stores, metavar="LIST",
                   help="逗号分隔，默认两者 / comma-separated, default both: sqlite,neo4j")
    p.add_argument("--out", metavar="FILE", help="结果 JSON（机器、版本、数字、比值、目标）/ the results as JSON: "
                                                 "machine, versions, figures, ratios, targets (default "
                                                 "bench/results/SCALE.json)")
    p.add_argument("--report", metavar="FILE", help="把报告写入此 Markdown 文件中该规模的一节（默认 docs/benchmarks.md；"
                                                    "空字符串则不写）/ the Markdown file whose section of this scale "
                                                    "is rewritten (default docs/benchmarks.md; '' for none)")
    p.add_argument("--budget", type=float, metavar="S",
                   help="每个存储最多秒数 / seconds for one store (default: county 900, province 7200, country 43200)")
    p.add_argument("--query-budget", type=float, default=300, metavar="S",
                   help="每类查询最多秒数 / seconds for one kind of query (default 300)")
    p.add_argument("--seed", type=int, default=7, help="生成数据和问题的随机种子 / seed of the data and questions "
                                                       "(default 7)")
    p.add_argument("--neo4j-home", metavar="DIR",
                   help="基准自己的 Neo4j 目录，其中数据会被删除 / the benchmark's own Neo4j home, whose data is "
                        "deleted (default $QUANZE_BENCH_NEO4J_HOME or /tmp/bench-neo4j)")
    p.add_argument("--tracemalloc", action="store_true",
                   help="同时测 Python 堆峰值（更慢）/ also the Python heap's peak (slower)")
    p.add_argument("--keep", action="store_true", help="保留临时存储 / keep the temporary stores")


def _stores(text: str) -> list[str]:
    stores = [s.strip() for s in text.split(",") if s.strip()]
    if not stores or set(stores) - {"sqlite", "neo4j"}:
        raise argparse.ArgumentTypeError(f"sqlite,neo4j, not {text!r}")
    return list(dict.fromkeys(stores))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="性能基准：县、省、全国规模 / benchmarks at county, province and country scale",
                       description="在演示县、一个省（浙江省）或全国的规模上并列测量嵌入式存储和 Neo4j：写入、导入、who、规则"
                                   "判定、审计、路径、命令行 who、与逐行写入和翻表格的比值；结果写成 JSON，报告写入 "
                                   "docs/benchmarks.md。只能在源码检出中运行。Measure the embedded store and Neo4j side by "
                                   "side at the demo county's, a province's or the country's scale: loading, ingest, "
                                   "who, resolve, audits, paths, who from the shell, ratios against a one-row-per-"
                                   "transaction loader and against searching the spreadsheets; JSON results and the "
                                   "report in docs/benchmarks.md. Runs from a source checkout only.",
                       epilog=options.EPILOG)
    add_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.errors import BadValue

    root = checkout()
    if root is None:
        raise BadValue("基准测试（bench/）只在源码检出中：在仓库里用 pip install -e . 安装后再运行",
                       "the benchmark (bench/) lives in the source checkout: run it from the repository after "
                       "pip install -e .")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench.run import run_bench

    if args.report is None:
        args.report = str(root / "docs" / "benchmarks.md")
    results = run_bench(args)
    bad = [t for t in results.get("targets", []) if t["met"] is False]
    failed = [s for s, r in results["runs"].items() if r.get("status") != "ok"]
    print(f"{args.scale}: " + ", ".join(f"{s} {r.get('status')}" for s, r in results["runs"].items())
          + f"; targets missed {len(bad)} of {sum(t['met'] is not None for t in results.get('targets', []))}"
          + (f"; report: {args.report}" if args.report else ""))
    return 1 if failed else 0
