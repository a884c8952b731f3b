"""Speed and memory of the two stores, measured side by side in one run.

    python -m bench.run [--counties 1,10,50] [--stores sqlite,neo4j] [--out bench/RESULTS.md]
    python bench/run.py …                       (the same, from the repo root)
    python -m bench.run --render-only           (rewrite RESULTS.md from bench/results.json)

For each N and each store, a fresh store is filled with N synthetic counties (``bench/synthetic.py``: the demo county
cloned under fictional codes, one ``apply`` per county as real ingests do), the demo's real files are ingested on top
(``ingest_paths``), and a fixed, seeded set of questions is timed: ``who`` ×20, ``Resolver.resolve`` ×200,
``find_paths`` ×20, ``run_audit`` for one county and for all. Each (store, N) runs in a child process of its own, so
that its Python memory is its own; a child that exceeds ``--budget`` seconds is stopped, what it finished is kept,
and larger N are not tried for that store. Each kind of query stops after ``--query-budget`` seconds (the table says
how many of the planned samples ran).

Measured per phase: wall time, the Python process's CPU time and peak RSS (VmHWM, reset at the start of each phase
through /proc/self/clear_refs; ``--tracemalloc`` adds the Python heap's peak, at a cost in speed), and for Neo4j the
server's CPU time and peak RSS (from /proc/<pid>/{stat,status}; pid in ``$QUANZE_NEO4J_HOME/neo4j.pid``). Disk: the
SQLite file with its WAL, the Neo4j data directory (store files and transaction logs apart).

Neo4j: the benchmark runs its own server with ``scripts/neo4j`` in ``--neo4j-home`` (default /tmp/bench-neo4j), which
it resets (stops and deletes) before each N, stops after each run to measure the disk at rest, and resets at the end
(``--keep``: stops only) — never point it at a home someone else uses. The
JVM gets ``QUANZE_NEO4J_HEAP`` (default here 2g) and ``QUANZE_NEO4J_PAGECACHE`` (default here 512m) unless set.

Writes ``--out`` (Markdown, overwritten) and ``--json`` (raw numbers; default: results.json beside --out). No
assertion is made about any time: this is a command, not a test.

This module is the command line and the orchestration; the rest is in ``bench/``: ``synthetic.py`` (the counties),
``workload.py`` (the questions and their timed phases), ``measure.py`` (CPU, RSS, disk), ``child.py`` (one store at
one N, in a child process), ``neo4j_server.py`` (the benchmark's own Neo4j), ``report.py`` (RESULTS.md), with
``figures.py`` (reading and formatting the numbers) and ``reading.py`` (the generated prose).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import shutil
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
from bench.report import render
from bench.synthetic import Template, county_code, county_name
from bench.workload import AS_OF

DEFAULT_COUNTIES = "1,10,50"
DEFAULT_STORES = "sqlite,neo4j"


def machine() -> dict[str, Any]:
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True)
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    # tracked files changed in the working tree (other engineers' work in progress is measured too)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    changed = [line[3:] for line in dirty.stdout.splitlines() if line.strip()]
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 2 ** 20, 1), "cpu": cpu,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "java": (java.stderr.splitlines() or ["?"])[0] if java.returncode == 0 else "not found",
            "commit": git.stdout.strip() + (f" + uncommitted changes to {', '.join(changed[:6])}"
                                            + (" …" if len(changed) > 6 else "") if changed else ""),
            "loadavg_start": os.getloadavg()}


def orchestrate(args: argparse.Namespace) -> int:
    counties = sorted({int(c) for c in args.counties.split(",") if c.strip()})
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = set(stores) - {"sqlite", "neo4j"}
    if unknown or not stores or not counties or min(counties) < 1:
        raise SystemExit(f"--stores takes sqlite,neo4j and --counties positive numbers (got {args.stores!r}, "
                         f"{args.counties!r})")
    out = Path(args.out)
    json_out = Path(args.json) if args.json else out.with_name("results.json")
    home = Path(args.neo4j_home).resolve()
    if "neo4j" in stores and home in (REPO / ".neo4j", REPO):
        raise SystemExit(f"--neo4j-home {home} is the development server's home: the benchmark deletes the data of "
                         "its home; give it one of its own")
    started = time.time()
    results: dict[str, Any] = {
        "meta": {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                 "counties": counties, "stores": stores, "seed": args.seed, "budget_s": args.budget,
                 "query_budget_s": args.query_budget, "tracemalloc": args.tracemalloc,
                 "as_of": AS_OF.isoformat(),
                 "command": " ".join(["python -m bench.run"] + sys.argv[1:])},
        "runs": []}
    print("building the template (the demo county, ingested once) …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    template = Template.from_demo()
    results["template"] = {**template.summary(), "county_sizes": template.county_sizes(),
                           "build_s": round(time.perf_counter() - t0, 2),
                           "example_counties": [f"{county_code(k)} {county_name(k)}县" for k in range(3)]}
    server = Neo4jServer(home) if "neo4j" in stores else None
    if server:
        results["meta"]["neo4j"] = {"version": server.version(), "home": str(home), "settings": server.settings()}
    work = Path(tempfile.mkdtemp(prefix="quanze-bench-"))
    template_file = work / "template.pickle"
    with open(template_file, "wb") as f:
        pickle.dump(template, f)
    given_up: dict[str, str] = {}
    try:
        for n in counties:
            for store in stores:
                if store in given_up:
                    results["runs"].append({"store": store, "n": n, "status": "skipped",
                                            "reason": given_up[store]})
                    continue
                run = run_one(args, store, n, server, template_file, work)
                results["runs"].append(run)
                if run["status"] != "ok":
                    given_up[store] = f"N={n} did not finish ({run['status']})"
                _write(results, out, json_out, started)
    finally:
        if server:
            server.stop(delete=not args.keep)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["meta"]["loadavg_end"] = os.getloadavg()
    _write(results, out, json_out, started)
    print(f"wrote {out} and {json_out}", file=sys.stderr)
    return 0


def _write(results: dict[str, Any], out: Path, json_out: Path, started: float) -> None:
    results["meta"]["elapsed_s"] = round(time.time() - started, 1)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    out.write_text(render(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--counties", default=DEFAULT_COUNTIES, help=f"comma-separated N (default {DEFAULT_COUNTIES})")
    p.add_argument("--stores", default=DEFAULT_STORES, help=f"comma-separated (default {DEFAULT_STORES})")
    p.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"), help="Markdown report (overwritten)")
    p.add_argument("--json", default=None, help="raw numbers (default: results.json beside --out)")
    p.add_argument("--budget", type=float, default=600, help="seconds for one store at one N (default 600)")
    p.add_argument("--query-budget", type=float, default=120,
                   help="seconds for one kind of query; the rest of its samples are skipped (default 120)")
    p.add_argument("--seed", type=int, default=7, help="seed of the question sets (default 7)")
    p.add_argument("--neo4j-home", default=os.environ.get("QUANZE_BENCH_NEO4J_HOME", "/tmp/bench-neo4j"),
                   help="the benchmark's own Neo4j home; its data is deleted (default /tmp/bench-neo4j)")
    p.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap's peak (slower)")
    p.add_argument("--keep", action="store_true", help="keep the temporary stores and the Neo4j data")
    p.add_argument("--render-only", action="store_true", help="rewrite --out from --json, measure nothing")
    # the child process
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--template", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--location", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.render_only:
        json_in = Path(args.json) if args.json else Path(args.out).with_name("results.json")
        Path(args.out).write_text(render(json.loads(json_in.read_text(encoding="utf-8"))), encoding="utf-8")
        return 0
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
