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
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import pickle
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # ``python bench/run.py``
    sys.path.insert(0, str(REPO))

from bench.synthetic import DEMO_CODE, DEMO_NAME, Template, county_code, county_name

AS_OF = dt.date(2025, 6, 1)
DEFAULT_COUNTIES = "1,10,50"
DEFAULT_STORES = "sqlite,neo4j"
NEO4J_DEFAULTS = {"QUANZE_NEO4J_HEAP": "2g", "QUANZE_NEO4J_PAGECACHE": "512m"}
SAMPLES = {"who": 20, "resolve": 200, "paths": 20}


# ==================================================================================================================
# measuring
# ==================================================================================================================

def _status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM of a process, in kB."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


def _reset_peak(pid: int | str = "self") -> bool:
    """Reset a process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of another process, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


def _dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                pass
    return total


def stats_ms(samples: list[float]) -> dict[str, Any]:
    """Median, p95 (nearest rank), mean, min, max of seconds, in milliseconds."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"n": len(samples), "first_ms": round(samples[0] * 1000, 2),
            "median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "min_ms": round(ordered[0] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "total_s": round(sum(ordered), 3)}


class Recorder:
    """Phases of one (store, N) run, written to a JSON file after each phase so that a stopped run keeps them."""

    def __init__(self, path: Path, store: str, n: int, server_pid: int | None, use_tracemalloc: bool):
        self.path = path
        self.server_pid = server_pid
        self.tracemalloc = use_tracemalloc
        self.data: dict[str, Any] = {"store": store, "n": n, "status": "running", "phases": {},
                                     "started": dt.datetime.now().isoformat(timespec="seconds")}
        self.peak_resettable = _reset_peak()
        self.data["py_peak_per_phase"] = self.peak_resettable
        if use_tracemalloc:
            import tracemalloc

            tracemalloc.start()
        self.flush()

    def partial(self, name: str) -> Callable[[list[float]], None]:
        """Samples of a phase as they come, so that a run stopped in the middle of it keeps them."""
        def keep(times: list[float]) -> None:
            self.data["phases"][name] = {"partial": True, "planned": None, **stats_ms(times)}
            self.flush()
        return keep

    def flush(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        tmp.replace(self.path)

    @contextmanager
    def phase(self, name: str) -> Iterator[dict[str, Any]]:
        out: dict[str, Any] = {}
        _reset_peak()
        if self.server_pid:
            out["server_peak_reset"] = _reset_peak(self.server_pid)
        if self.tracemalloc:
            import tracemalloc

            tracemalloc.reset_peak()
        server_cpu0 = _cpu_seconds(self.server_pid) if self.server_pid else None
        cpu0, t0 = time.process_time(), time.perf_counter()
        print(f"  [{self.data['store']} N={self.data['n']}] {name} …", file=sys.stderr, flush=True)
        try:
            yield out
        finally:
            out["wall_s"] = round(time.perf_counter() - t0, 3)
            out["cpu_s"] = round(time.process_time() - cpu0, 3)
            me = _status()
            out["py_rss_mb"] = _mb(me.get("VmRSS"))
            out["py_peak_rss_mb"] = _mb(me.get("VmHWM")) if self.peak_resettable else \
                round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            if self.tracemalloc:
                import tracemalloc

                out["py_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2 ** 20, 1)
            if self.server_pid:
                server = _status(self.server_pid)
                cpu1 = _cpu_seconds(self.server_pid)
                out["server_rss_mb"] = _mb(server.get("VmRSS"))
                out["server_peak_rss_mb"] = _mb(server.get("VmHWM"))
                out["server_cpu_s"] = round(cpu1 - server_cpu0, 2) if cpu1 is not None and server_cpu0 is not None \
                    else None
            out["loadavg"] = os.getloadavg()[0]
            self.data["phases"][name] = out
            print(f"  [{self.data['store']} N={self.data['n']}] {name}: {out['wall_s']:.2f} s", file=sys.stderr,
                  flush=True)
            self.flush()


def timed(fn: Callable[[Any], Any], items: list[Any], budget: float,
          expected: tuple[type[BaseException], ...] = (),
          progress: Callable[[list[float]], None] | None = None) -> tuple[list[float], list[Any], dict[str, Any]]:
    """Run ``fn`` over ``items`` one by one, timing each; stop starting new ones once ``budget`` seconds are spent.
    An ``expected`` exception (no path between two nodes) is a valid answer; any other is counted as an error."""
    times: list[float] = []
    answers: list[Any] = []
    errors: list[str] = []
    outcomes = {"expected_exceptions": 0}
    start = time.perf_counter()
    for item in items:
        if times and time.perf_counter() - start > budget:
            break
        t0 = time.perf_counter()
        try:
            answers.append(fn(item))
        except expected:
            outcomes["expected_exceptions"] += 1
            answers.append(None)
        except Exception as e:  # recorded; the run goes on
            errors.append(f"{type(e).__name__}: {e}"[:300])
            answers.append(None)
        times.append(time.perf_counter() - t0)
        if progress:
            progress(times)
    outcomes.update({"planned": len(items), "done": len(times), "budget_hit": len(times) < len(items),
                     "errors": len(errors), "error_examples": errors[:3]})
    return times, answers, outcomes


# ==================================================================================================================
# the questions (seeded; the same for every store)
# ==================================================================================================================

def plan_questions(t: Template, n: int, seed: int) -> dict[str, list]:
    import yaml

    from quanze.demo import demo_questions

    rng = random.Random(f"{seed}/{n}")
    townships = sorted(r["code"] for r in t.nodes["Region"] if r.get("level") == "township")
    code_of = {r["name"]: r["code"] for r in t.nodes["Region"] if r.get("level") == "township"}
    questions = [q for q in yaml.safe_load(demo_questions().read_text(encoding="utf-8")) if q["township"] in code_of]
    who = []
    for q in rng.sample(questions, min(SAMPLES["who"], len(questions))):
        k = rng.randrange(n)
        who.append({"q": q["q"], "region": Template.rekey(code_of[q["township"]], k), "rule": q.get("rule"), "k": k})

    asserted = []
    for type_ in ("LEADS", "COOPERATES_ON", "DELEGATES", "RECALLED_TO"):
        for r in t.rels.get(type_, []):
            region = r.props.get("region") or ""
            if len(region) == 9:
                asserted.append((r.source if type_ == "RECALLED_TO" else r.target, region))
    asserted.sort()
    matters = [m["id"] for m in t.nodes["Matter"]]
    resolve = []
    for i in range(SAMPLES["resolve"]):
        k = rng.randrange(n)
        # half: a (matter, township) pair some list asserts; half: any matter in any township (often a gap)
        mid, town = rng.choice(asserted) if i % 2 == 0 else (rng.choice(matters), rng.choice(townships))
        resolve.append({"matter": t.matter_id_in(mid, k), "township": Template.rekey(town, k), "k": k})

    agencies = [a for a in t.nodes["Agency"] if a.get("kind") != "unresolved"]
    by_kind: dict[str, list[str]] = {}
    for a in agencies:
        by_kind.setdefault(a["kind"], []).append(a["id"])
    paths = []
    for i in range(SAMPLES["paths"]):
        k = rng.randrange(n)
        if i % 4 == 0:  # a county department and a township: which of its duties reach there
            a, b = rng.choice(by_kind["county_department"]), rng.choice(townships)
        elif i % 4 == 1:  # a township's enforcement team and a county department
            a, b = rng.choice(by_kind["enforcement_team"]), rng.choice(by_kind["county_department"])
        elif i % 4 == 2:  # a dispatched unit and a matter
            a, b = rng.choice(by_kind["dispatched_unit"]), rng.choice(matters)
        else:  # two township units
            a, b = rng.choice(by_kind["township_office"]), rng.choice(by_kind["township_institution"])
        paths.append({"from": Template.rekey(a, k), "to": t.matter_id_in(b, k) if b in set(matters)
                      else Template.rekey(b, k), "k": k})
    return {"who": who, "resolve": resolve, "paths": paths}


# ==================================================================================================================
# one (store, N): the child process
# ==================================================================================================================

def _warm_search() -> None:
    """Load jieba's dictionary and the shipped synonyms once, untimed: a process pays that once, whatever the store."""
    try:
        from quanze.api.search_index import tokenizer

        tokenizer()
    except Exception:  # only a warm-up: the timed calls would load it anyway
        pass
    try:
        from quanze.api.search import shipped_synonyms

        shipped_synonyms()
    except Exception:  # only a warm-up
        pass


def _answer_key(answer: dict | None, k: int | None) -> Any:
    """The top answer of ``who`` as the demo county would word it: matter, rule and handlers."""
    if not answer or not answer.get("matches"):
        return None
    top = answer["matches"][0]

    def demo(text: Any) -> Any:
        if k is None or not isinstance(text, str):
            return text
        return text.replace(county_code(k), DEMO_CODE).replace(county_name(k), DEMO_NAME).replace(
            f"（{DEMO_NAME}）", "")

    return [demo(top["matter"]["name"]), top["rule"],
            sorted((h["role"], demo(h["agency"]["id"])) for h in top["handlers"])]


def store_disk(store_kind: str, location: str) -> dict[str, Any]:
    if store_kind == "sqlite":
        path = Path(location)
        sizes = {s: (Path(str(path) + s).stat().st_size if Path(str(path) + s).exists() else 0)
                 for s in ("", "-wal", "-shm")}
        return {"db_mb": round(sizes[""] / 2 ** 20, 1), "wal_mb": round(sizes["-wal"] / 2 ** 20, 1),
                "total_mb": round(sum(sizes.values()) / 2 ** 20, 1)}
    data = Path(location) / "dbms" / "data"
    store_mb = _dir_size(data / "databases" / "neo4j") / 2 ** 20
    tx_mb = _dir_size(data / "transactions" / "neo4j") / 2 ** 20
    return {"store_mb": round(store_mb, 1), "tx_logs_mb": round(tx_mb, 1),
            "total_mb": round(_dir_size(data) / 2 ** 20, 1)}


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

    from quanze.api.audit.run import run_audit
    from quanze.api.paths import NoPath, find_paths
    from quanze.api.resolve import Resolver
    from quanze.api.who import who
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

    _warm_search()
    # -- who ×20 ---------------------------------------------------------------------------------------------------
    with rec.phase("who") as ph:
        times, answers, outcome = timed(lambda q: who(store, q["q"], q["region"], as_of=AS_OF), plan["who"],
                                        args.query_budget, progress=rec.partial("who"))
        ph.update(stats_ms(times), **outcome)
    # untimed: the same question in the demo county's township (ingested from its files) should get the same answer
    same, differ = 0, []
    for q, a in zip(plan["who"], answers):
        demo_region = DEMO_CODE + q["region"][len(DEMO_CODE):]
        b = who(store, q["q"], demo_region, as_of=AS_OF)
        if _answer_key(a, q["k"]) == _answer_key(b, None):
            same += 1
        else:
            differ.append({"q": q["q"], "clone": _answer_key(a, q["k"]), "demo": _answer_key(b, None)})
    rec.data["phases"]["who"]["same_as_demo"] = same
    rec.data["phases"]["who"]["differ_from_demo"] = differ[:5]
    rec.flush()

    # -- Resolver.resolve ×200 -------------------------------------------------------------------------------------
    townships = {c: store.node("Region", c) for c in {p["township"] for p in plan["resolve"]}}
    with rec.phase("resolve") as ph:
        resolver = Resolver(store)
        times, answers, outcome = timed(
            lambda p: resolver.resolve([p["matter"]], townships[p["township"]], AS_OF), plan["resolve"],
            args.query_budget)
        ph.update(stats_ms(times), **outcome)
        rules: dict[str, int] = {}
        for a in answers:
            if a is not None:
                rules[a.rule or "nobody"] = rules.get(a.rule or "nobody", 0) + 1
        ph["rules"] = dict(sorted(rules.items()))

    # -- audits ----------------------------------------------------------------------------------------------------
    with rec.phase("audit_county") as ph:
        report = run_audit(store, region=county_code(0), as_of=AS_OF)
        ph["findings"] = len(report.findings)
    with rec.phase("audit_all") as ph:
        report = run_audit(store, as_of=AS_OF)
        ph["findings"] = len(report.findings)
        del report

    # -- find_paths ×20 --------------------------------------------------------------------------------------------
    with rec.phase("paths") as ph:
        times, answers, outcome = timed(lambda p: find_paths(store, p["from"], p["to"]), plan["paths"],
                                        args.query_budget, expected=(NoPath,), progress=rec.partial("paths"))
        ph.update(stats_ms(times), **outcome)
        ph["hops"] = [a["paths"][0]["hops"] if a else None for a in answers]

    rec.data["disk_final"] = store_disk(args.store, location)
    store.close()
    rec.data["status"] = "ok"
    rec.data["finished"] = _dt.datetime.now().isoformat(timespec="seconds")
    rec.flush()
    return 0


# ==================================================================================================================
# the orchestrator
# ==================================================================================================================

class Neo4jServer:
    """The benchmark's own server, in a home of its own, reset before each N."""

    def __init__(self, home: Path):
        self.home = home
        self.env = dict(os.environ, QUANZE_NEO4J_HOME=str(home))
        for k, v in NEO4J_DEFAULTS.items():
            self.env.setdefault(k, v)
        self.script = REPO / "scripts" / "neo4j"

    def settings(self) -> dict[str, str]:
        keys = ("QUANZE_NEO4J_HEAP", "QUANZE_NEO4J_HEAP_INITIAL", "QUANZE_NEO4J_PAGECACHE", "QUANZE_NEO4J_TX_MEMORY")
        defaults = {"QUANZE_NEO4J_HEAP_INITIAL": "256m", "QUANZE_NEO4J_TX_MEMORY": "512m"}
        return {k: self.env.get(k) or defaults.get(k, "") for k in keys}

    def _run(self, command: str) -> str:
        done = subprocess.run([str(self.script), command], env=self.env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"scripts/neo4j {command} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout.strip()

    def fresh(self) -> str:
        """Stop, delete the data, start: a new empty database. Returns the Bolt URL."""
        self._run("reset")
        return self._run("start").splitlines()[-1]

    def stop(self, delete: bool) -> None:
        try:
            self._run("reset" if delete else "stop")
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print(f"warning: {e}", file=sys.stderr)

    def version(self) -> str:
        pom = (REPO / "scripts" / "neo4j-launcher" / "pom.xml").read_text(encoding="utf-8")
        start = pom.find("<neo4j.version>")
        return pom[start + len("<neo4j.version>"):pom.find("</neo4j.version>")] if start >= 0 else "?"


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


def _write(results: dict[str, Any], out: Path, json_out: Path, started: float) -> None:
    results["meta"]["elapsed_s"] = round(time.time() - started, 1)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    out.write_text(render(results), encoding="utf-8")


# ==================================================================================================================
# the report
# ==================================================================================================================

PHASES = ("load", "ingest_demo", "who", "resolve", "paths", "audit_county", "audit_all")
STORE_NAMES = {"sqlite": "SQLite", "neo4j": "Neo4j"}


def _get(d: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def _f(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "**no**"
    if isinstance(x, float):
        if digits == 0 or abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _s(ms: Any) -> Any:
    return None if ms is None else ms / 1000


def _done(ph: dict | None) -> str:
    if ph and ph.get("partial"):
        return f" (only {ph.get('n')} before the run was stopped)"
    if not ph or "planned" not in ph:
        return ""
    return "" if ph.get("done") == ph.get("planned") else f" ({ph.get('done')}/{ph.get('planned')} in budget)"


def _ratio(a: Any, b: Any) -> str:
    if not a or not b:
        return "—"
    r = a / b
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def _pct(part: Any, whole: Any) -> str:
    return f"{100 * part / whole:.0f}%" if part and whole else "—"


def _runs(results: dict) -> dict[tuple[str, int], dict]:
    return {(r["store"], r["n"]): r for r in results.get("runs", [])}


def _py_peak(run: dict) -> float | None:
    peaks = [_get(run, f"phases.{p}.py_peak_rss_mb") for p in PHASES]
    peaks = [p for p in peaks if p is not None]
    return max(peaks) if peaks else None


def _server_peak(run: dict) -> float | None:
    peaks = [_get(run, f"phases.{p}.server_peak_rss_mb") for p in ("open",) + PHASES]
    peaks = [p for p in peaks if p is not None]
    return max(peaks) if peaks else None


def _disk(run: dict) -> float | None:
    return _get(run, "disk_at_rest.total_mb") or _get(run, "disk_final.total_mb")


def render(results: dict) -> str:
    meta, tpl = results.get("meta", {}), results.get("template", {})
    m = meta.get("machine", {})
    runs = _runs(results)
    counties = meta.get("counties", [])
    stores = meta.get("stores", [])
    neo = meta.get("neo4j") or {}
    settings = neo.get("settings") or {}
    neo_version = next((r.get("neo4j_version") for r in results.get("runs", []) if r.get("neo4j_version")),
                       neo.get("version"))
    L: list[str] = []
    add = L.append
    add("# 性能基准 / Benchmarks")
    add("")
    add(f"由 `{meta.get('command', 'python -m bench.run')}` 生成，每次运行都会覆盖本文件；原始数字在 `results.json`。"
        "测量方法和解读见 [docs/benchmarks.md](../docs/benchmarks.md)。")
    add(f"Written by `{meta.get('command', 'python -m bench.run')}`; every run overwrites this file. Raw numbers: "
        "`results.json` beside it. Method and discussion: [docs/benchmarks.md](../docs/benchmarks.md).")
    add("")
    add("## 环境 / Setup")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| 日期 date | {meta.get('date', '?')} (the run took {_f(meta['elapsed_s'] / 60 if meta.get('elapsed_s') else None)} min) |")
    add(f"| 机器 machine | {m.get('nproc')} CPUs (`nproc`), {m.get('memory_gb')} GB RAM, {m.get('cpu', '?')}, {m.get('os', '?')} |")
    la0, la1 = m.get("loadavg_start"), meta.get("loadavg_end")
    add(f"| 负载 load average (1 min) | start {_f(la0[0] if la0 else None, 2)}, end {_f(la1[0] if la1 else None, 2)} — "
        "the machine is shared: wall times include waiting for a CPU, CPU times do not |")
    add(f"| Python | {m.get('python', '?')} |")
    if "neo4j" in stores:
        add(f"| Neo4j | {neo_version or '?'} via `scripts/neo4j` (embedded DBMS + Bolt on 127.0.0.1), Java: {m.get('java', '?')}; "
            f"heap {settings.get('QUANZE_NEO4J_HEAP')} (initial {settings.get('QUANZE_NEO4J_HEAP_INITIAL')}), "
            f"page cache {settings.get('QUANZE_NEO4J_PAGECACHE')}, transaction memory {settings.get('QUANZE_NEO4J_TX_MEMORY')} |")
    add(f"| SQLite | {sqlite_version()} (WAL, synchronous=FULL, as `graph/sqlite_store.py` opens it) |")
    add(f"| 代码 commit | {m.get('commit', '?')} |")
    add(f"| N（县数 counties） | {', '.join(str(c) for c in counties)}; stores: {', '.join(stores)}; seed {meta.get('seed')} |")
    add(f"| 预算 budgets | {_f(meta.get('budget_s'), 0)} s per store and N (then larger N are skipped); "
        f"{_f(meta.get('query_budget_s'), 0)} s per kind of query (then its remaining samples are skipped) |")
    add("")

    add("## 数据 / Data")
    add("")
    sizes = tpl.get("county_sizes", {})
    rel_parts = ", ".join(f"{k} {sizes[k]:,}" for k in ("LEADS", "COOPERATES_ON", "DELEGATES", "UNDERTAKES",
                                                         "RECALLED_TO", "BELONGS_TO", "UNIT_OF", "HANDLED",
                                                         "STATIONED_IN", "PART_OF") if sizes.get(k))
    add(f"每个合成县是演示县青岚县（990701）的克隆，使用虚构代码（{', '.join(tpl.get('example_counties', []))} …），"
        f"共 {_f(tpl.get('nodes'))} 个节点、{_f(tpl.get('relations'))} 条关系；事项大多在各县之间共享（真实情况也是如此），"
        f"{_f(tpl.get('specific_matters'))} 个为本县特有。每个县用一次 `apply` 写入；之后再从文件真实导入演示县（`ingest_paths`），"
        "所以查询时存储中有 N+1 个县。")
    add(f"Each synthetic county is a clone of the demo county 青岚县 (990701) under a fictional code "
        f"({', '.join(tpl.get('example_counties', []))} …): {_f(tpl.get('nodes'))} nodes "
        f"({sizes.get('Region', 0)} regions = 1 county + {tpl.get('townships')} townships, {sizes.get('Agency', 0)} agencies, "
        f"{sizes.get('Matter', 0)} matters of which {tpl.get('specific_matters')} county-specific, "
        f"{sizes.get('SourceList', 0)} lists) and {_f(tpl.get('relations'))} relations ({rel_parts}). Matters are "
        "shared across counties, as real ones largely are. One `apply` per county; then the demo's real files are "
        "ingested on top (`ingest_paths`), so the queries run on N + 1 counties. The demo has "
        f"{tpl.get('townships')} townships, more than the national mean of 13.9: 50 clones hold "
        f"{50 * (tpl.get('townships') or 0):,} townships, about 1.7 average provinces (DOMAIN.md: 41,352 townships "
        "in 2,978 counties).")
    add("")
    add("| N | 县 counties held | 乡镇 townships | 节点 nodes | 关系 relations |")
    add("| ---: | ---: | ---: | ---: | ---: |")
    node_labels = ("Region", "Agency", "Matter", "SourceList")
    for n in counties:
        counts = next((r.get("counts_final") for (s, k), r in runs.items() if k == n and r.get("counts_final")), None)
        if counts:
            nodes = sum(v for k, v in counts.items() if k in node_labels)
            rels = sum(v for k, v in counts.items() if k not in node_labels)
            towns = (tpl.get("townships") or 0) * (n + 1)
            add(f"| {n} | {n + 1} | {towns:,} | {nodes:,} | {rels:,} |")
        else:
            add(f"| {n} | — | — | — | — |")
    add("")

    add("## 结果总览 / Headline")
    add("")
    add("Times are wall-clock; query columns are median / p95 in milliseconds over the fixed sets (who ×20, "
        "resolve ×200, paths ×20); memory is the peak RSS over all phases.")
    add("")
    add("| N | store | load N counties, s (ms/county) | ingest demo, s | who, ms | resolve, ms | paths, ms | "
        "audit 1 county, s | audit all, s | Python peak, MB | Neo4j server peak, MB | disk, MB |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in counties:
        for store in stores:
            r = runs.get((store, n))
            if r is None:
                continue
            if r.get("status") == "skipped":
                add(f"| {n} | {STORE_NAMES[store]} | skipped: {r.get('reason')} | | | | | | | | | |")
                continue
            ph = r.get("phases", {})

            def q(name: str, ph: dict = ph, r: dict = r) -> str:
                p = ph.get(name)
                if not p or not p.get("n"):
                    return "not run" if r.get("status") != "ok" else "—"
                return f"{_f(p.get('median_ms'))} / {_f(p.get('p95_ms'))}{_done(p)}"

            load = ph.get("load")
            load_txt = (f"{_f(load.get('apply_total_s'))} ({_f(_get(load, 'per_county.median_ms'), 0)})"
                        if load and "apply_total_s" in load else "did not finish")
            status = "" if r.get("status") == "ok" else f" **{r.get('status')}**"
            add(f"| {n} | {STORE_NAMES[store]}{status} | {load_txt} | {_f(_get(ph, 'ingest_demo.wall_s'))} | {q('who')} | "
                f"{q('resolve')} | {q('paths')} | {_f(_get(ph, 'audit_county.wall_s'))} | "
                f"{_f(_get(ph, 'audit_all.wall_s'))} | {_f(_py_peak(r), 0)} | {_f(_server_peak(r), 0)} | "
                f"{_f(_disk(r))} |")
    add("")

    for n in counties:
        cols = [(s, runs.get((s, n))) for s in stores if runs.get((s, n))]
        if not cols:
            continue
        add(f"## N = {n}: 逐项对比 / side by side")
        add("")
        add("| | " + " | ".join(STORE_NAMES[s] for s, _ in cols) + " |")
        add("| --- |" + " ---: |" * len(cols))

        def row(label: str, fn: Callable[[dict], str], cols: list = cols) -> None:
            add(f"| {label} | " + " | ".join((fn(r) if r.get("status") != "skipped" else "skipped")
                                              for _, r in cols) + " |")

        row("status (elapsed s)", lambda r: f"{r.get('status')} ({_f(r.get('elapsed_s'))})")
        row("open store, s (schema, indexes)", lambda r: _f(_get(r, "phases.open.wall_s"), 2))
        row("load: apply total, s", lambda r: _f(_get(r, "phases.load.apply_total_s"), 2))
        row("load: per county first / median / p95 / last, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.load.{k}"), 0) for k in
                                 ("per_county.first_ms", "per_county.median_ms", "per_county.p95_ms",
                                  "last_county_ms")))
        row("load: Python CPU / server CPU, s",
            lambda r: f"{_f(_get(r, 'phases.load.cpu_s'))} / {_f(_get(r, 'phases.load.server_cpu_s'))}")
        row("load: counts as expected", lambda r: _f(r.get("counts_as_expected")))
        row("ingest the demo's files, s: all / first pass",
            lambda r: f"{_f(_get(r, 'phases.ingest_demo.wall_s'), 2)} / {_f(_get(r, 'phases.ingest_demo.first_pass_s'), 2)}")
        row("ingest: files rejected in the first pass (then loaded with --region); all loaded",
            lambda r: f"{_f(_get(r, 'phases.ingest_demo.rejected_first'))} "
                      f"({', '.join(_get(r, 'phases.ingest_demo.rejected_codes') or []) or '—'}); "
                      f"{_f(_get(r, 'phases.ingest_demo.ok'))}")
        row("who ×20: first / median / p95, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.who.{k}")) for k in ("first_ms", "median_ms", "p95_ms"))
            + _done(_get(r, "phases.who")))
        row("who: same top answer as the demo county's own township",
            lambda r: f"{_f(_get(r, 'phases.who.same_as_demo'))}/{_f(_get(r, 'phases.who.n'))}")
        row("resolve ×200: median / p95 / max, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.resolve.{k}"), 2) for k in ("median_ms", "p95_ms", "max_ms"))
            + _done(_get(r, "phases.resolve")))
        row("resolve: rules that answered",
            lambda r: ", ".join(f"{k} {v}" for k, v in (_get(r, "phases.resolve.rules") or {}).items()) or "—")
        row("find_paths ×20: first / median / p95, ms",
            lambda r: " / ".join(_f(_get(r, f"phases.paths.{k}")) for k in ("first_ms", "median_ms", "p95_ms"))
            + _done(_get(r, "phases.paths")))
        row("find_paths: no path within 6 hops",
            lambda r: _f(_get(r, "phases.paths.expected_exceptions")))
        row("audit one county (region filter), s (findings)",
            lambda r: f"{_f(_get(r, 'phases.audit_county.wall_s'), 2)} ({_f(_get(r, 'phases.audit_county.findings'))})")
        row("audit all, s (findings)",
            lambda r: f"{_f(_get(r, 'phases.audit_all.wall_s'), 2)} ({_f(_get(r, 'phases.audit_all.findings'))})")
        row("Python CPU in who / resolve / paths / audit county / audit all, s",
            lambda r: " / ".join(_f(_get(r, f"phases.{p}.cpu_s")) for p in
                                 ("who", "resolve", "paths", "audit_county", "audit_all")))
        row("errors (load/queries)",
            lambda r: _f(sum(_get(r, f"phases.{p}.errors") or 0 for p in ("who", "resolve", "paths"))))
        for p in PHASES:
            row(f"Python peak RSS in {p}, MB", lambda r, p=p: _f(_get(r, f"phases.{p}.py_peak_rss_mb"), 0))
        if any(s == "neo4j" for s, _ in cols):
            for p in PHASES:
                row(f"Neo4j server peak RSS in {p}, MB",
                    lambda r, p=p: _f(_get(r, f"phases.{p}.server_peak_rss_mb"), 0))
            row("Neo4j server CPU in who / resolve / paths / audit county / audit all, s",
                lambda r: " / ".join(_f(_get(r, f"phases.{p}.server_cpu_s")) for p in
                                     ("who", "resolve", "paths", "audit_county", "audit_all")))
        if meta.get("tracemalloc"):
            for p in PHASES:
                row(f"Python heap peak (tracemalloc) in {p}, MB",
                    lambda r, p=p: _f(_get(r, f"phases.{p}.py_heap_peak_mb"), 0))
        row("disk right after load, MB", lambda r: _disk_text(r.get("disk_after_load")))
        row("disk at the end of the run, MB", lambda r: _disk_text(r.get("disk_final")))
        row("disk at rest (SQLite closed / Neo4j stopped), MB", lambda r: _disk_text(r.get("disk_at_rest")))
        add("")

    unfinished = [r for r in results.get("runs", []) if r.get("status") != "ok"]
    partial = [(r, p) for r in results.get("runs", []) for p in ("who", "resolve", "paths")
               if _get(r, f"phases.{p}.budget_hit")]
    add("## 未完成 / Did not finish")
    add("")
    if not unfinished and not partial:
        add("Everything finished within its budget. 全部在预算内完成。")
    for r in unfinished:
        missing = [p for p in PHASES if p not in r.get("phases", {})]
        missing += [f"{p} (partly: {r['phases'][p].get('n')} samples)" for p in PHASES
                    if _get(r, f"phases.{p}.partial")]
        why = r.get("reason") or r.get("detail", "")[:300].replace("\n", " ")
        add(f"- {STORE_NAMES[r['store']]}, N = {r['n']}: **{r.get('status')}** — {why}"
            + (f"; not measured: {', '.join(missing)}" if missing and r.get("status") != "skipped" else ""))
    for r, p in partial:
        ph = r["phases"][p]
        add(f"- {STORE_NAMES[r['store']]}, N = {r['n']}: {p} ran {ph.get('done')} of {ph.get('planned')} samples "
            f"within the {_f(meta.get('query_budget_s'), 0)} s query budget (median {_f(ph.get('median_ms'))} ms).")
    add("")
    add("## 解读 / Reading")
    add("")
    L += reading(results)
    add("")
    add("## What to fix / 待改进")
    add("")
    L += to_fix(results)
    add("")
    add("## 如何测量 / How it was measured")
    add("")
    add("- One child process per store and N (so each has its own Python memory); fresh store each time: a new SQLite "
        "file, and for Neo4j `scripts/neo4j reset` + `start` in the benchmark's own home.")
    add("- Load: `Template.clone(k)` builds county k's `Batch` (not timed in *apply*), `store.apply(batch)` is timed.")
    add("- Questions are seeded and the same for both stores: `who` — 20 questions of `demo/questions.yaml` in random "
        "townships of random synthetic counties (jieba's dictionary is loaded before, untimed; the first call builds "
        "the matter index); `resolve` — 200 (matter, township) pairs, half asserted by some list, half random, with "
        "one `Resolver`; `find_paths` — 20 pairs of ids inside one county (department–township, team–department, "
        "dispatched unit–matter, office–institution), hop limit 6; `run_audit` for the first synthetic county "
        f"({county_code(0)}) and for everything, as of {meta.get('as_of', AS_OF.isoformat())}.")
    add("- Memory: peak RSS (VmHWM) of the Python process per phase, reset at each phase's start through "
        "`/proc/self/clear_refs`; the Neo4j server's the same way through `/proc/<pid>/clear_refs` (pid from "
        "`$QUANZE_NEO4J_HOME/neo4j.pid`). A JVM's RSS follows its heap, which grows towards `-Xmx` and is not given "
        "back quickly: it says what the server takes from the machine, not what the data needs.")
    add("- Disk: SQLite file + WAL (+ shm); Neo4j `data/databases/neo4j` (store files) and `data/transactions/neo4j` "
        "(transaction logs) — the total also counts the `system` database.")
    add("- No timed assertions anywhere: `tests/test_bench.py` only checks the generator's sizes.")
    add("")
    return "\n".join(L)


def _disk_text(d: dict | None) -> str:
    if not d:
        return "—"
    if "db_mb" in d:
        return f"{_f(d['total_mb'])} (db {_f(d['db_mb'])} + WAL {_f(d['wal_mb'])})"
    return f"{_f(d['total_mb'])} (store {_f(d['store_mb'])} + tx logs {_f(d['tx_logs_mb'])})"


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _measured(run: dict | None) -> bool:
    """A run that got through its load (a run stopped later, in its queries, still compares)."""
    return bool(run) and run.get("status") in ("ok", "timeout") and _get(run, "phases.load.apply_total_s") is not None


def _largest_common(results: dict) -> int | None:
    runs = _runs(results)
    both = [n for n in results.get("meta", {}).get("counties", [])
            if all(_measured(runs.get((s, n))) for s in ("sqlite", "neo4j"))]
    return max(both) if both else None


def reading(results: dict) -> list[str]:
    """Sentences read off the numbers, in Chinese and English (generated, so that they always match the tables)."""
    runs = _runs(results)
    counties = results.get("meta", {}).get("counties", [])
    out: list[str] = []
    n = _largest_common(results)
    if n is not None:
        s, j = runs[("sqlite", n)], runs[("neo4j", n)]

        def v(r: dict, p: str) -> Any:
            return _get(r, p)

        load_s, load_j = v(s, "phases.load.apply_total_s"), v(j, "phases.load.apply_total_s")
        pc_s, pc_j = v(s, "phases.load.per_county.median_ms"), v(j, "phases.load.per_county.median_ms")
        out.append(f"在 N = {n}（存储中 {n + 1} 个县）时 / At N = {n} ({n + 1} counties held):")
        out.append("")
        out.append(f"- 写入 {n} 个县：SQLite {_f(load_s)} 秒，Neo4j {_f(load_j)} 秒（{_ratio(load_j, load_s)}）；每县中位数 "
                   f"{_f(pc_s, 0)} 与 {_f(pc_j, 0)} 毫秒。 Loading {n} counties: SQLite {_f(load_s)} s, Neo4j "
                   f"{_f(load_j)} s ({_ratio(load_j, load_s)}); per county median {_f(pc_s, 0)} vs {_f(pc_j, 0)} ms; "
                   f"the Neo4j server spent {_f(v(j, 'phases.load.server_cpu_s'))} s of CPU on it.")
        meds = {p: (v(s, f"phases.{p}.median_ms"), v(j, f"phases.{p}.median_ms")) for p in ("who", "resolve", "paths")}
        out.append("- 查询中位数（SQLite / Neo4j）：问谁管 "
                   + "；".join(f"{zh} {_f(meds[p][0])} / {_f(meds[p][1])} 毫秒（{_ratio(meds[p][1], meds[p][0])}）"
                              for p, zh in (("who", "who"), ("resolve", "规则判定"), ("paths", "责任路径")))[4:]
                   + "。 Query medians (SQLite / Neo4j): "
                   + "; ".join(f"{p} {_f(meds[p][0])} / {_f(meds[p][1])} ms ({_ratio(meds[p][1], meds[p][0])})"
                               for p in ("who", "resolve", "paths")) + ".")
        a, b = v(s, "phases.audit_all.wall_s"), v(j, "phases.audit_all.wall_s")
        c, d = v(s, "phases.audit_county.wall_s"), v(j, "phases.audit_county.wall_s")
        out.append(f"- 审计全部 {n + 1} 个县：SQLite {_f(a)} 秒，Neo4j {_f(b)} 秒；只审计一个县仍需 {_f(c)} 与 {_f(d)} 秒"
                   f"（全量的 {_pct(c, a)} 与 {_pct(d, b)}，而不是 1/{n + 1}）。 Auditing all {n + 1} counties: SQLite "
                   f"{_f(a)} s, Neo4j {_f(b)} s; one county still takes {_f(c)} and {_f(d)} s ({_pct(c, a)} and "
                   f"{_pct(d, b)} of a full audit, not 1/{n + 1}: see What to fix).")
        out.append(f"- 内存峰值：SQLite 进程 {_f(_py_peak(s), 0)} MB；Neo4j 客户端 {_f(_py_peak(j), 0)} MB，另加服务器 "
                   f"{_f(_server_peak(j), 0)} MB。磁盘（静止时）：SQLite {_f(_disk(s))} MB，Neo4j {_f(_disk(j))} MB。 "
                   f"Peak memory: SQLite process {_f(_py_peak(s), 0)} MB; Neo4j client {_f(_py_peak(j), 0)} MB plus "
                   f"server {_f(_server_peak(j), 0)} MB. Disk at rest: SQLite {_f(_disk(s))} MB, Neo4j "
                   f"{_f(_disk(j))} MB.")
        out.append("")
    for store in ("sqlite", "neo4j"):
        done = [k for k in counties if _measured(runs.get((store, k)))]
        if len(done) < 2:
            continue
        lo, hi = runs[(store, done[0])], runs[(store, done[-1])]
        grow = (done[-1] + 1) / (done[0] + 1)
        parts = []
        for p, label in (("audit_all", "audit all"), ("ingest_demo", "ingest demo"), ("paths", "find_paths first"),
                         ("who", "who median"), ("resolve", "resolve median")):
            key = "first_ms" if p == "paths" else "median_ms" if p in ("who", "resolve") else "wall_s"
            a, b = _get(lo, f"phases.{p}.{key}"), _get(hi, f"phases.{p}.{key}")
            if a and b:
                parts.append(f"{label} {_ratio(b, a)}")
        out.append(f"- 随规模增长 / growth, {STORE_NAMES[store]}, N {done[0]} → {done[-1]} (data ×{grow:.0f}): "
                   + ", ".join(parts) + f"; Python peak {_f(_py_peak(lo), 0)} → {_f(_py_peak(hi), 0)} MB.")
    out.append("")
    out.append("读整张图的操作（审计、路径视图）随数据增长；按条查询的操作（规则判定）几乎不变。 Whatever reads the whole graph "
               "(audits, the paths view) grows with the data; what looks rows up (resolve) hardly moves.")
    if n is not None:
        j = runs[("neo4j", n)]
        queries = ("who", "resolve", "paths", "audit_county", "audit_all")
        client = sum(_get(j, f"phases.{p}.cpu_s") or 0 for p in queries)
        server = sum(_get(j, f"phases.{p}.server_cpu_s") or 0 for p in queries)
        wall = sum(_get(j, f"phases.{p}.wall_s") or 0 for p in queries)
        out.append(f"N = {n} 时 Neo4j 的查询阶段共用墙钟 {_f(wall)} 秒，其中 Python 客户端 CPU {_f(client)} 秒，服务器 CPU "
                   f"{_f(server)} 秒：差距{'主要在客户端（往返与解码记录）' if client > server else '主要在服务器'}。 "
                   f"At N = {n} Neo4j's query phases took {_f(wall)} s of wall time, {_f(client)} s of Python client "
                   f"CPU and {_f(server)} s of server CPU: the gap is "
                   f"{'mostly on the client (round trips, decoding records)' if client > server else 'mostly the server'}.")
    done = [k for k in counties if _measured(runs.get(("sqlite", k)))]
    if len(done) >= 2 and done[-1] >= 10:
        lo, hi = runs[("sqlite", done[-2])], runs[("sqlite", done[-1])]
        counties_more = done[-1] - done[-2]
        mem = ((_get(hi, "phases.audit_all.py_peak_rss_mb") or 0) - (_get(lo, "phases.audit_all.py_peak_rss_mb") or 0))
        secs = ((_get(hi, "phases.audit_all.wall_s") or 0) - (_get(lo, "phases.audit_all.wall_s") or 0))
        if mem > 0 and secs > 0:
            per_mb, per_s = mem / counties_more, secs / counties_more
            out.append("")
            out.append(f"粗略线性外推（SQLite，N = {done[-2]} → {done[-1]}）：全量审计每个县约 {per_mb:,.0f} MB、{per_s:.2f} 秒；"
                       f"全国 2,978 个县约 {per_mb * 2978 / 1024:,.0f} GB、{per_s * 2978 / 60:,.0f} 分钟——全国规模必须逐县审计和查询。 "
                       f"Rough linear extrapolation from N = {done[-2]} → {done[-1]} on SQLite: a full audit costs "
                       f"about {per_mb:,.0f} MB of Python memory and {per_s:.2f} s per county held; for the whole "
                       f"country (2,978 counties) about {per_mb * 2978 / 1024:,.0f} GB and "
                       f"{per_s * 2978 / 60:,.0f} min per audit, before anything superlinear — a national store must "
                       "be audited and queried county by county, never as one graph in memory.")
    if n is None:
        out.append("Not enough finished runs to compare the stores. 完成的运行不足以比较两种存储。")
    out.append("")
    out.append("墙钟时间受本机其他任务影响（见负载）；CPU 时间更稳定。 Wall times include other work on this shared "
               "machine (see the load average); CPU times are steadier.")
    return out


def to_fix(results: dict) -> list[str]:
    """The problems the numbers point at, each with the evidence from this run (an item whose problem this run did
    not show is left out: re-running after a fix drops it)."""
    runs = _runs(results)
    n = _largest_common(results)
    s, j = (runs.get(("sqlite", n)), runs.get(("neo4j", n))) if n is not None else (None, None)
    counties = results.get("meta", {}).get("counties", [])
    top_s = max((k for k in counties if _measured(runs.get(("sqlite", k)))), default=None)
    rs = runs.get(("sqlite", top_s)) if top_s else None

    def ev(text: str | None) -> str:
        return f" **Evidence:** {text}" if text else " (not measured in this run)"

    def cpu(r: dict | None, p: str) -> str:
        return (f"the Python client used {_f(_get(r, f'phases.{p}.cpu_s'))} s of CPU, the server "
                f"{_f(_get(r, f'phases.{p}.server_cpu_s'))} s") if r else ""

    items: list[str] = []
    if j:
        items.append(
            "**`Neo4jStore.networkx()` rebuilds the whole graph on every call** (`find_paths`, and whatever else "
            "uses the view): every call ships every node and relation over Bolt and decodes them in Python. Cache "
            "the view behind a data version (next item), or answer paths in Cypher (`shortestPath` / "
            "`allShortestPaths` with the hop limit and the relation filter) so that only the path is shipped. "
            "Neo4j 每次路径查询都通过 Bolt 拉取并解码整张图；应缓存，或用 Cypher 最短路径只返回路径。"
            + ev(f"at N = {n}, find_paths median {_f(_get(j, 'phases.paths.median_ms'))} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.paths.median_ms'))} ms on SQLite; Neo4j's first call "
                 f"{_f(_get(j, 'phases.paths.first_ms'))} ms, so nothing is reused{_done(_get(j, 'phases.paths'))}; "
                 f"{cpu(j, 'paths')}."))
        items.append(
            "**`who` rebuilds its matter index and its township's local matters on every question on Neo4j**: "
            "`matter_index` and `local_matters` (api/who.py) cache on `store.data_version()`, which only the SQLite "
            "store has. Give `Neo4jStore` a `data_version()` — e.g. a counter node incremented inside each `apply` "
            "transaction, read in one cheap query — and both caches (and the networkx view) work on Neo4j too. "
            "Neo4j 没有 data_version()，每次提问都重建检索索引和本乡镇事项集。"
            + ev(f"at N = {n}, who median {_f(_get(j, 'phases.who.median_ms'))} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.who.median_ms'))} ms on SQLite; on SQLite only the first question "
                 f"({_f(_get(s, 'phases.who.first_ms'))} ms) builds the index. A profile is in docs/benchmarks.md."))
    if rs:
        a, b = _get(rs, "phases.audit_county.wall_s"), _get(rs, "phases.audit_all.wall_s")
        text = (f"SQLite, N = {top_s}: one county {_f(a, 1)} s against {_f(b, 1)} s for all {top_s + 1} "
                f"({_pct(a, b)}), Python peak {_f(_get(rs, 'phases.audit_all.py_peak_rss_mb'), 0)} MB")
        if j:
            text += (f"; Neo4j, N = {n}: {_f(_get(j, 'phases.audit_county.wall_s'), 1)} s / "
                     f"{_f(_get(j, 'phases.audit_all.wall_s'), 1)} s, of which {cpu(j, 'audit_all')} (decoding "
                     "every record in Python)")
        items.append(
            "**Audits read the whole graph even for one county**: `Facts` (api/audit/capacity.py) loads every "
            "region, agency, matter, list and relation, then the rules filter by region. Read only the region's "
            "relations (`region` is indexed in both stores) and the nodes they name; run a national audit county by "
            "county, so memory stays that of one county. 按县审计也读取整张图；应只读该地区的关系，全国审计逐县进行。"
            + ev(text + "."))
        items.append(
            "**`find_paths` materialises the whole graph as networkx, in memory** (SQLite caches it until the next "
            "write, so the first question after every load pays it again). Paths of interest are almost always "
            "inside one county: build the view of the endpoints' counties (plus the matters they share), or search "
            "breadth-first with indexed queries up to the hop limit. 路径查询把整张图放进内存；应限定在相关县的子图。"
            + ev(f"SQLite, N = {top_s}: the first find_paths call took {_f(_get(rs, 'phases.paths.first_ms'))} ms "
                 f"(building the view), later ones {_f(_get(rs, 'phases.paths.median_ms'))} ms median; Python peak "
                 f"in that phase {_f(_get(rs, 'phases.paths.py_peak_rss_mb'), 0)} MB against "
                 f"{_f(_get(rs, 'phases.resolve.py_peak_rss_mb'), 0)} MB while resolving."))
    parts = []
    for st in ("sqlite", "neo4j"):
        done = [k for k in counties if _measured(runs.get((st, k)))]
        if len(done) >= 2:
            a = _get(runs[(st, done[0])], "phases.ingest_demo.wall_s")
            b = _get(runs[(st, done[-1])], "phases.ingest_demo.wall_s")
            parts.append(f"{STORE_NAMES[st]} {_f(a, 1)} s at N = {done[0]} → {_f(b, 1)} s at N = {done[-1]}")
    if parts:
        items.append(
            "**Ingest reads every agency, region and matter of the store** (`ListBuilder.__init__`; "
            "`StructureBuilder` scans all agencies once per county it loads): loading one county costs more the "
            "more counties the store holds. Read the county's own agencies and regions (by code prefix) and look "
            "matters up by `norm_name` (indexed) or only the names the load uses. 导入时读取全库机构/地区/事项；应只读本县。"
            + ev("ingesting the same demo files into a store holding N other counties: " + "; ".join(parts) + "."))
    if s and j:
        items.append(
            "**`Resolver.resolve` makes a store round trip per rule, per matter id and per relation's source list** "
            "(about 9 `rels` and 6 `node` calls per resolution; `source_of` reads the SourceList of every relation "
            "it cites). Free on SQLite, a Bolt round trip each on Neo4j: fetch all assertions of (matter ids, "
            "township, county) in one query, and cache SourceList titles in the Resolver like agencies. "
            "规则判定每一步都是一次存储往返；应一次取齐。"
            + ev(f"at N = {n}, resolve median {_f(_get(j, 'phases.resolve.median_ms'), 1)} ms on Neo4j against "
                 f"{_f(_get(s, 'phases.resolve.median_ms'), 1)} ms on SQLite, nearly flat in N on both stores: "
                 "the cost is round trips, not data."))
        per_j = _get(j, "phases.load.per_county.median_ms")
        per_s = _get(s, "phases.load.per_county.median_ms")
        items.append(
            "**Neo4j loads are several times slower per county**, and the first load after a start is slower "
            "still (query planning, JIT). Acceptable for loads that come a few a day; for a national initial load, "
            "measure before optimising (PROFILE the relation `MERGE`, which dominates, and try larger "
            "`QUANZE_NEO4J_BATCH`). Neo4j 每县写入慢数倍；全国首次导入前应先剖析 MERGE 语句。"
            + ev(f"at N = {n}: {_f(_get(j, 'phases.load.apply_total_s'))} s on Neo4j against "
                 f"{_f(_get(s, 'phases.load.apply_total_s'))} s on SQLite; per county median {_f(per_j, 0)} ms "
                 f"against {_f(per_s, 0)} ms, first county {_f(_get(j, 'phases.load.per_county.first_ms'), 0)} ms; "
                 f"at these rates all 2,978 counties take about {_f(per_j * 2978 / 3.6e6 if per_j else None)} h "
                 f"on Neo4j and {_f(per_s * 2978 / 3.6e6 if per_s else None)} h on SQLite."))
    hit = [(r, _get(r, "phases.ingest_demo.rejected_first")) for r in results.get("runs", [])
           if _get(r, "phases.ingest_demo.rejected_first")]
    if hit:
        r, k = hit[0]
        items.append(
            "**A list that names its township only by name cannot be loaded once the store holds another county "
            "with a township of that name** (the national table alone has ten 临江镇 and 88 城关镇): the "
            "demo's CSV township lists say 临江镇, which is unique in the demo but ambiguous in a provincial store. "
            "Resolve a bare township name within the county the same load declares or the list's owner/title "
            "names, before the whole store. 清单只写乡镇名时，多县入库后会因重名而导入失败。"
            + ev(f"{STORE_NAMES[r['store']]}, N = {r['n']}: {k} of the demo's files were rejected "
                 f"({', '.join(_get(r, 'phases.ingest_demo.rejected_codes') or [])}), e.g. "
                 f"“{(_get(r, 'phases.ingest_demo.rejected_examples') or [''])[0][:160]}…”; the benchmark loads "
                 "them again with `--region`."))
    differ = [(r, _get(r, "phases.who.differ_from_demo")) for r in results.get("runs", [])
              if _get(r, "phases.who.differ_from_demo")]
    if differ:
        r, d = differ[-1]
        items.append(
            "**`who` gives a cloned township another answer than the identical demo township**: with many counties "
            "held, another county's own wording of an item can outrank this county's and then resolve to nobody "
            "here. Rank (or filter) hits by whether a list of the township's county asserts them. "
            "多县入库后，同样的问题在克隆乡镇和演示乡镇得到不同答案。"
            + ev(f"{STORE_NAMES[r['store']]}, N = {r['n']}: {_get(r, 'phases.who.same_as_demo')} of "
                 f"{_get(r, 'phases.who.n')} the same; e.g. “{d[0]['q']}”: clone "
                 f"{d[0]['clone'][:2] if d[0]['clone'] else None}, demo {d[0]['demo'][:2] if d[0]['demo'] else None}."))
    if not items:
        return ["Nothing to compare in this run. 本次运行没有可比较的数据。"]
    out = [f"{i}. {text}" for i, text in enumerate(items, 1)]
    out.append("")
    out.append("Found by profiling rather than by these totals (see docs/benchmarks.md): `find_region` builds a "
               "`RegionDirectory` from every declared region on each call (`who`; `find_paths` given names), a "
               "quarter of a `who` question's time on SQLite at N = 10. 另见 docs/benchmarks.md 中的剖析结果。")
    return out


# ==================================================================================================================

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
