"""One store at one scale: ``run_one`` starts it in a child process of its own within ``--budget`` seconds and
collects what it finished; ``worker`` is that child (``python -m bench.run --worker …``): open a fresh store, (Neo4j:
the two loaders side by side on one county), load the scale's generated counties, ingest the demo's files, run the
questions, time ``quanze who`` from the shell, the HTTP API under 16 clients (``bench/load.py``) and the words-only
search, and record each phase as it ends."""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import REPO
from bench.load import CLIENTS
from bench.load import measure as load_measure
from bench.measure import Recorder, stats_ms, store_disk
from bench.neo4j_server import Neo4jServer
from bench.ratios import RATIO_COUNTY, batch_rows, per_row_load, shell_who, wipe
from bench.regions import counties_of, national_counties
from bench.synthetic import Generator, Template
from bench.workload import run_queries, run_who


HTTP_SECONDS = {"county": 20.0, "province": 30.0, "country": 30.0}


def worker(args: argparse.Namespace) -> int:
    import traceback

    try:
        return _lexical(args) if args.phase == "who-lexical" else _worker(args)
    except BaseException:
        result = Path(args.result)
        data = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
        data.update(status="error", error=traceback.format_exc())
        result.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        raise


def _inputs(args: argparse.Namespace) -> tuple[Template, dict[str, Any]]:
    with open(args.template, "rb") as f:
        template, plan = pickle.load(f)
    return template, plan


def _worker(args: argparse.Namespace) -> int:
    import datetime as _dt

    from quanze.demo import demo_path
    from quanze.graph.store import open_store
    from quanze.ingest.pipeline import ingest_paths

    template, plan = _inputs(args)
    scale = args.scale
    server_pid = int(Path(args.neo4j_home, "neo4j.pid").read_text().strip()) if args.store == "neo4j" else None
    rec = Recorder(Path(args.result), args.store, scale, server_pid, args.tracemalloc)
    location = args.location if args.store == "sqlite" else args.neo4j_home
    url = f"sqlite:///{args.location}" if args.store == "sqlite" else args.url
    rec.data["url"] = url

    with rec.phase("open"):
        store = open_store(url)
    if args.store == "neo4j":
        rows = store.run("CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS v, edition AS e")
        rec.data["neo4j_version"] = f"{rows[0]['v']} {rows[0]['e']}" if rows else None
        if any(store.counts().values()):
            raise SystemExit("the Neo4j database is not empty; the benchmark needs a fresh one")
        # the two loaders side by side, on the same county's rows, into the empty database; first a small county
        # once, untimed, so that neither pays the server's first planning of the statements
        gen = Generator(template, args.seed)
        counties = national_counties()
        store.apply(gen.county(min(counties, key=lambda c: len(c.townships))))
        wipe(store)
        county = next(c for c in counties if c.code == RATIO_COUNTY)
        batch = gen.county(county)
        nodes, rels = batch_rows(batch)
        with rec.phase("load_batched") as ph:
            t0 = time.perf_counter()
            store.apply(batch)
            s = time.perf_counter() - t0
            ph.update(county=f"{county.code} {county.name}", nodes=nodes, relations=rels, s=round(s, 3),
                      rows_per_s=round((nodes + rels) / s, 1))
        wipe(store)
        with rec.phase("load_per_row") as ph:
            ph.update(per_row_load(url, batch), county=f"{county.code} {county.name}")
        wipe(store)
        del batch, gen

    # -- the scale's counties, one apply each --------------------------------------------------------------------
    counties = counties_of(scale)
    if counties:
        gen = Generator(template, args.seed)
        with rec.phase("load") as ph:
            applies, generated, rels, nodes = [], 0.0, 0, 0
            for county in counties:
                t0 = time.perf_counter()
                batch = gen.county(county)
                t1 = time.perf_counter()
                store.apply(batch)
                applies.append(time.perf_counter() - t1)
                generated += t1 - t0
                n, r = batch_rows(batch)
                nodes, rels = nodes + n, rels + r
                del batch
                if len(applies) % 50 == 0:
                    ph["progress"] = {"counties": len(applies), "apply_s": round(sum(applies), 1)}
                    rec.data["phases"]["load"] = {"partial": True, **ph}
                    rec.flush()
            ph.pop("progress", None)
            total = sum(applies)
            ph.update(counties=len(counties), rows_nodes=nodes, rows_relations=rels,
                      apply_total_s=round(total, 3), generate_total_s=round(generated, 3),
                      relations_per_s=round(rels / total, 1), rows_per_s=round((rels + nodes) / total, 1),
                      per_county=stats_ms(applies))
        rec.data["counts_after_load"] = store.counts()
        rec.data["disk_after_load"] = store_disk(args.store, location)
        rec.flush()

    # -- the demo's real files (at county scale, the whole store) -------------------------------------------------
    with rec.phase("ingest_demo") as ph:
        report = ingest_paths([demo_path()], store)
        ph["written"] = sum(report.written.values())
        ph["files"] = len(report.files)
        ph["rejected"] = sum(1 for f in report.files if f.status == "rejected")
        ph["rejected_examples"] = [p.format().split("\n")[-1][:300] for f in report.files
                                   if f.status == "rejected" for p in f.errors[:1]][:3]
    rec.data["counts_final"] = store.counts()
    rec.flush()

    run_queries(store, plan, rec, args.query_budget, scale)

    # -- quanze who from the shell, then the same questions without the semantic model ------------------------------
    q = plan["shell"]
    with rec.phase("shell_who") as ph:
        ph.update(shell_who(url, q["q"], q["region"], runs=4))
    # -- the HTTP API under 16 clients (a server process of its own over the same store) ---------------------------
    with rec.phase("http") as ph:
        ph.update(load_measure(url, plan["who"], plan["page_agencies"], clients=CLIENTS,
                               seconds=HTTP_SECONDS[scale]))
    rec.data["disk_final"] = store_disk(args.store, location)
    store.close()
    with rec.phase("who_lexical_child") as ph:
        lexical = Path(args.result).with_suffix(".lexical.json")
        command = _command(args, "who-lexical") + ["--result", str(lexical), "--url", url]
        done = subprocess.run(command, cwd=REPO, env=dict(_env(), QUANZE_SEMANTIC="off"),
                              timeout=args.query_budget * 3)
        ph["status"] = done.returncode
        if lexical.exists():
            rec.data["phases"]["who_lexical"] = json.loads(lexical.read_text(encoding="utf-8"))["phases"]["who_lexical"]
    rec.data["status"] = "ok"
    rec.data["finished"] = _dt.datetime.now().isoformat(timespec="seconds")
    rec.flush()
    return 0


def _lexical(args: argparse.Namespace) -> int:
    """The who questions again in a process with QUANZE_SEMANTIC=off: words and synonyms only."""
    from quanze.graph.store import open_store

    _template, plan = _inputs(args)
    rec = Recorder(Path(args.result), args.store, args.scale, None, False)
    with open_store(args.url) as store:
        run_who(store, plan, rec, args.query_budget, name="who_lexical")
    rec.data["status"] = "ok"
    rec.flush()
    return 0


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))


def _command(args: argparse.Namespace, phase: str = "all") -> list[str]:
    command = [sys.executable, "-m", "bench.run", "--worker", "--phase", phase, "--store", args.store,
               "--scale", args.scale, "--template", str(args.template), "--seed", str(args.seed),
               "--query-budget", str(args.query_budget), "--neo4j-home", str(args.neo4j_home)]
    if args.tracemalloc:
        command.append("--tracemalloc")
    return command


def run_one(args: argparse.Namespace, store: str, server: Neo4jServer | None, template_file: Path,
            work: Path) -> dict[str, Any]:
    result_file = work / f"{store}-{args.scale}.json"
    location = work / f"bench-{args.scale}.db"
    child = argparse.Namespace(**{**vars(args), "store": store, "template": template_file})
    command = _command(child) + ["--result", str(result_file)]
    if store == "sqlite":
        command += ["--location", str(location)]
    else:
        assert server is not None
        print(f"starting a fresh Neo4j in {server.home} …", file=sys.stderr, flush=True)
        command += ["--url", server.fresh()]
    print(f"== {store}, {args.scale} (budget {args.budget:.0f} s)", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    status, detail = "ok", None
    try:
        done = subprocess.run(command, cwd=REPO, env=_env(), timeout=args.budget)
        if done.returncode != 0:
            status, detail = "error", f"the child exited with status {done.returncode}"
    except subprocess.TimeoutExpired:
        status, detail = "timeout", f"stopped after {args.budget:.0f} s (--budget)"
    run = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else \
        {"store": store, "phases": {}}
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
        run["disk_at_rest"] = store_disk("sqlite", str(location))
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(location) + suffix).unlink(missing_ok=True)
    elif server is not None:
        server.stop(delete=False)
        run["disk_at_rest"] = store_disk("neo4j", str(server.home))
    return run
