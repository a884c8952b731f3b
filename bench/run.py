"""Speed and memory at a county's, a province's and the country's scale, both stores side by side in one run.

    quanze bench --scale county|province|country [--stores sqlite,neo4j] [--out FILE] [--report FILE]
    python -m bench.run --scale …               (the same, from the repo root)
    python -m bench.run --render-only --out F   (rewrite the report's section from the JSON of a run)

Scales (``bench/regions.py``): ``county`` — the demo county ingested from its files; ``province`` — 浙江省's 90 real
counties and 1,387 townships, ``country`` — all 2,978 counties and 41,352 townships, generated over the real region
table (``bench/synthetic.py``), the demo's files ingested on top. Per store, in a child process of its own (its memory
is its own; ``--budget`` seconds at most): open a fresh store; on Neo4j the batched and the one-row-per-transaction
loader side by side on one county's rows (``bench/ratios.py``); load the scale; ingest the demo's files; ``who``,
``resolve``, audits and ``find_paths`` over fixed, seeded questions (``bench/workload.py``); ``quanze who`` from the
shell; ``quanze serve`` under 16 concurrent clients (``bench/load.py``); the ``who`` questions again without the
semantic model. The orchestrator also times what an official does
today — open every spreadsheet of the county and search it — and computes the ratios.

Measured per phase (``bench/measure.py``): wall time, the Python process's CPU time and peak RSS, and for Neo4j the
server's CPU and peak RSS; disk. Writes ``--out`` (JSON: machine, versions, figures, ratios, targets) and the section
of this scale in ``--report`` (docs/benchmarks.md, between markers the next run of that scale replaces), with the
command that reproduces it. No time is asserted anywhere: this is a command, not a test.

Neo4j: the benchmark runs its own server with ``scripts/neo4j`` in ``--neo4j-home`` (default /tmp/bench-neo4j), which
it resets before each run and at the end (``--keep``: stops only) — never point it at a home someone else uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import REPO
from bench.child import run_one, worker
from bench.neo4j_server import Neo4jServer
from bench.ratios import scan_timing
from bench.regions import counties_of, describe
from bench.report import compute_ratios, render, write_section
from bench.synthetic import Generator, Template, sizes
from bench.workload import AS_OF, plan_questions

BUDGETS = {"county": 900, "province": 2 * 3600, "country": 12 * 3600}  # seconds for one store at one scale
SCAN_QUESTIONS = 3


def default_out(scale: str) -> Path:
    return REPO / "bench" / "results" / f"{scale}.json"


def versions(server: Neo4jServer | None) -> dict[str, Any]:
    from quanze import __version__
    from quanze.api import semantic

    def module_version(name: str) -> str | None:
        try:
            from importlib.metadata import version

            return version(name)
        except Exception:  # noqa: BLE001 — a version is information, not a requirement
            return None

    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    changed = [line[3:] for line in dirty.stdout.splitlines() if line.strip()]
    java = subprocess.run(["java", "-version"], capture_output=True, text=True) if shutil.which("java") else None
    return {"quanze": __version__,
            "commit": git.stdout.strip() + (f" + uncommitted changes to {', '.join(changed[:6])}"
                                            + (" …" if len(changed) > 6 else "") if changed else ""),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "neo4j": server.version() if server else None,
            "java": (java.stderr.splitlines() or ["?"])[0] if java and java.returncode == 0 else None,
            "jieba": module_version("jieba"), "onnxruntime": module_version("onnxruntime"),
            "neo4j_driver": module_version("neo4j"),
            "model": f"{semantic.MODEL.name} ({'installed' if semantic.installed() else 'not installed'}, "
                     f"{'on' if semantic.enabled() else 'off'})"}


def machine() -> dict[str, Any]:
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 2 ** 20, 1), "cpu": cpu,
            "os": f"{platform.system()} {platform.release()}", "loadavg_start": os.getloadavg()}


def command_line(args: argparse.Namespace) -> str:
    parts = ["quanze bench", "--scale", args.scale, "--stores", ",".join(args.stores)]
    if args.seed != 7:
        parts += ["--seed", str(args.seed)]
    return " ".join(parts)


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark at ``args.scale`` on ``args.stores``; write ``args.out`` and the report's section."""
    scale, stores = args.scale, list(args.stores)
    out = Path(args.out) if args.out else default_out(scale)
    # a variable of the benchmark's own (the package reads QUANZE_* settings in quanze/settings.py only)
    args.neo4j_home = args.neo4j_home or os.environ.get("QUANZE_BENCH_NEO4J_HOME", "/tmp/bench-neo4j")
    home = Path(args.neo4j_home).resolve()
    if "neo4j" in stores and home in (REPO / ".neo4j", REPO):
        raise SystemExit(f"--neo4j-home {home} is the development server's home: the benchmark deletes the data of "
                         "its home; give it one of its own")
    args.budget = args.budget or BUDGETS[scale]
    started = time.time()
    server = Neo4jServer(home, scale) if "neo4j" in stores else None
    results: dict[str, Any] = {
        "meta": {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "scale": scale,
                 "stores": stores, "seed": args.seed, "budget_s": args.budget, "query_budget_s": args.query_budget,
                 "as_of": AS_OF.isoformat(), "command": command_line(args), "json": _shown(out),
                 "machine": machine(), "versions": versions(server),
                 "neo4j_settings": server.settings() if server else None},
        "data": describe(scale), "runs": {}}
    print(f"building the template (the demo county, ingested once) and the questions for {scale} …", file=sys.stderr,
          flush=True)
    template = Template.from_demo()
    plan = plan_questions(scale, template, args.seed)
    if scale == "province":  # the generated sizes (a province is generated in a minute; the country is not)
        results["data"]["generated"] = sizes(Generator(template, args.seed), counties_of(scale))
    work = Path(tempfile.mkdtemp(prefix="quanze-bench-"))
    template_file = work / "inputs.pickle"
    with open(template_file, "wb") as fh:
        pickle.dump((template, plan), fh)
    del template
    try:
        from quanze.demo import demo_path

        results.setdefault("ratios", {})["scan"] = scan_timing(
            demo_path(), [q["q"] for q in plan["who"][:SCAN_QUESTIONS]])
        for store in stores:
            results["runs"][store] = run_one(args, store, server, template_file, work)
            _write(results, out, args.report, started)
    finally:
        if server:
            server.stop(delete=not args.keep)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["meta"]["loadavg_end"] = os.getloadavg()
    _write(results, out, args.report, started)
    print(f"wrote {out}" + (f" and the {scale} section of {args.report}" if args.report else ""), file=sys.stderr)
    return results


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def _write(results: dict[str, Any], out: Path, report: str | None, started: float) -> None:
    results["meta"]["elapsed_s"] = round(time.time() - started, 1)
    compute_ratios(results)
    from bench.targets import evaluate

    results["targets"] = evaluate(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    if report:
        write_section(Path(report), results["meta"]["scale"], render(results))


def main(argv: list[str] | None = None) -> int:
    from quanze.cli.bench import add_options

    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(p)
    p.add_argument("--render-only", action="store_true", help="rewrite --report's section from --out, measure nothing")
    # the child process
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--phase", default="all", help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    p.add_argument("--template", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--location", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.report is None:
        args.report = str(REPO / "docs" / "benchmarks.md")
    if args.render_only:
        out = Path(args.out) if args.out else default_out(args.scale)
        results = json.loads(out.read_text(encoding="utf-8"))
        write_section(Path(args.report), results["meta"]["scale"], render(results))
        return 0
    run_bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
