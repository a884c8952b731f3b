"""One (store, N): ``run_one`` starts it in a child process of its own within ``--budget`` seconds and collects
what it finished; ``worker`` is that child (``python -m bench.run --worker …``): open a fresh store, load N synthetic
counties and the demo's files, run the questions, and record each phase as it ends."""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import REPO
from bench.measure import Recorder, stats_ms, store_disk
from bench.neo4j_server import Neo4jServer
from bench.synthetic import DEMO_CODE, Template
from bench.workload import plan_questions, run_queries


def worker(args: argparse.Namespace) -> int:
    import traceback

    try:
        return _worker(args)
    except BaseException:
        result = Path(args.result)
        data = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
        data.update(status="error", error=traceback.format_exc())
        result.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        raise


def _worker(args: argparse.Namespace) -> int:
    import datetime as _dt

    from quanze.demo import demo_path
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import ingest_paths

    with open(args.template, "rb") as f:
        t: Template = pickle.load(f)
    n = args.n
    server_pid = int(Path(args.neo4j_home, "neo4j.pid").read_text().strip()) if args.store == "neo4j" else None
    rec = Recorder(Path(args.result), args.store, n, server_pid, args.tracemalloc)
    plan = plan_questions(t, n, args.seed)
    location = args.location if args.store == "sqlite" else args.neo4j_home
    url = f"sqlite:///{args.location}" if args.store == "sqlite" else args.url

    with rec.phase("open") as ph:
        store = open_store(url)
    if args.store == "neo4j":
        rows = store.run("CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS v, edition AS e")
        rec.data["neo4j_version"] = f"{rows[0]['v']} {rows[0]['e']}" if rows else None
        if any(store.counts().values()):
            raise SystemExit("the Neo4j database is not empty; the benchmark needs a fresh one")

    # -- load N counties, one apply each -------------------------------------------------------------------------
    with rec.phase("load") as ph:
        applies, generated = [], 0.0
        for k in range(n):
            t0 = time.perf_counter()
            batch = t.clone(k)
            t1 = time.perf_counter()
            store.apply(batch)
            applies.append(time.perf_counter() - t1)
            generated += t1 - t0
            del batch
        ph["apply_total_s"] = round(sum(applies), 3)
        ph["generate_total_s"] = round(generated, 3)
        ph["per_county"] = stats_ms(applies)
        ph["last_county_ms"] = round(applies[-1] * 1000, 1)
    counts = store.counts()
    rec.data["counts_after_load"] = counts
    rec.data["counts_as_expected"] = counts == t.expected_counts(n)
    rec.data["disk_after_load"] = store_disk(args.store, location)
    rec.flush()

    # -- the demo's real files on top ----------------------------------------------------------------------------
    with rec.phase("ingest_demo") as ph:
        t0 = time.perf_counter()
        report = ingest_paths([demo_path()], store)
        ph["first_pass_s"] = round(time.perf_counter() - t0, 3)
        ph["written"] = sum(report.written.values())
        rejected = [f for f in report.files if f.status == "rejected"]
        ph["rejected_first"] = len(rejected)
        ph["rejected_codes"] = sorted({p.code for f in rejected for p in f.errors})
        ph["rejected_examples"] = [p.format().split("\n")[-1][:300] for f in rejected[:2] for p in f.errors[:1]]
        # A township list that names its township only by name (临江镇) is ambiguous once the store holds another
        # county with a township of that name; the user then loads it with --region. So does the benchmark.
        towns: dict[str, list[str]] = {}
        for f in rejected:
            match = re.match(r"t(\d{3})_", Path(f.file).name)
            towns.setdefault(match.group(1) if match else "", []).append(f.file)
        ok = not rejected or "" not in towns
        for num, files in sorted(towns.items()):
            if num:
                again = ingest_paths(files, store, region=DEMO_CODE + num)
                ok = ok and again.ok
                ph["written"] += sum(again.written.values())
        ph["ok"] = ok
    rec.data["counts_final"] = store.counts()
    rec.flush()

    run_queries(store, plan, rec, args.query_budget)

    rec.data["disk_final"] = store_disk(args.store, location)
    store.close()
    rec.data["status"] = "ok"
    rec.data["finished"] = _dt.datetime.now().isoformat(timespec="seconds")
    rec.flush()
    return 0


def run_one(args: argparse.Namespace, store: str, n: int, server: Neo4jServer | None, template_file: Path,
            work: Path) -> dict[str, Any]:
    result_file = work / f"{store}-{n}.json"
    command = [sys.executable, "-m", "bench.run", "--worker", "--store", store, "--n", str(n),
               "--template", str(template_file), "--result", str(result_file), "--seed", str(args.seed),
               "--query-budget", str(args.query_budget), "--neo4j-home", args.neo4j_home]
    if args.tracemalloc:
        command.append("--tracemalloc")
    if store == "sqlite":
        command += ["--location", str(work / f"bench-{n}.db")]
    else:
        assert server is not None
        print(f"starting a fresh Neo4j in {server.home} …", file=sys.stderr, flush=True)
        command += ["--url", server.fresh()]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    print(f"== {store}, N={n} (budget {args.budget:.0f} s)", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    status, detail = "ok", None
    try:
        done = subprocess.run(command, cwd=REPO, env=env, timeout=args.budget)
        if done.returncode != 0:
            status, detail = "error", f"the child exited with status {done.returncode}"
    except subprocess.TimeoutExpired:
        status, detail = "timeout", f"stopped after {args.budget:.0f} s (--budget)"
    run = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else \
        {"store": store, "n": n, "phases": {}}
    if run.get("error"):
        detail = f"{detail}: {run['error'][-1500:]}"
    run["status"] = status if status != "ok" or run.get("status") == "ok" else "error"
    run["elapsed_s"] = round(time.perf_counter() - t0, 1)
    if detail:
        run["detail"] = detail
        print(detail, file=sys.stderr)
    # at rest: the child closed SQLite (its WAL checkpointed into the file); Neo4j is stopped (a checkpoint writes
    # the store files; Community has no db.checkpoint() to do it while running)
    if store == "sqlite":
        run["disk_at_rest"] = store_disk("sqlite", str(work / f"bench-{n}.db"))
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(work / f"bench-{n}.db") + suffix).unlink(missing_ok=True)
    elif server is not None:
        server.stop(delete=False)
        run["disk_at_rest"] = store_disk("neo4j", str(server.home))
    return run
