"""Matter search timings, lexical and semantic side by side: building the index for N matters, and answering the
demo's questions.

    python bench/search.py [--matters 507,5000,20000] [--store sqlite:///demo.db] [--out bench/SEARCH_RESULTS.md]
    python bench/search.py --who [--store sqlite:///demo.db] [--out bench/WHO_RESULTS.md]

Without --store the demo county is loaded into a temporary store first. The demo's 507 matters are repeated, with
the name and code of each copy changed (another township's or department's wording of the same item), until there
are N of them: the index then holds N distinct names with a realistic vocabulary. At each N the same matters are
indexed words only (lexical), and words plus one sentence vector per matter (semantic, ``api/semantic.py``) twice:
cold, with the on-disk vector cache off (``QUANZE_VECTOR_CACHE=off``: the build embeds all N names), and warm, the
cache holding every name (the build reads them back). Each index answers the demo's 258 questions. Each run is a fresh
process of its own (``--child``), so its memory is its own and its one-off starts are measured every time. The
cache-on runs (one that fills the cache, then the warm one) use a model folder of their own (``QUANZE_MODEL_DIR``: a
temporary folder linking to the installed model's files), so the synthetic names never reach the user's cache.

Reported: jieba's and the model's one-off starts, build times, the first query (the synonym table's gap patterns
compile then; on a semantic index the model also runs its first query), per-query median / p95 / max, and memory as
RSS from /proc, so that onnxruntime's allocations outside the Python heap count. Without the model (or with
QUANZE_SEMANTIC=off) the semantic rows say so and the lexical ones still run. Lexical targets: build under ~2 s for
5,000 matters, queries in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

if __package__ in (None, ""):  # run as a script: python bench/search.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import _reset_peak, _status, stats_ms

# variants a county's many lists give the same item: qualifiers before and after the name
_BEFORE = ["", "乡镇", "县级", "街道", "城区", "农村", "开发区", "景区", "工业园区", "库区", "山区", "集镇"]
_AFTER = ["", "（试行）", "（委托）", "（下放）", "（部分）", "（属地）", "（配合）", "（一般程序）", "（简易程序）",
          "（首次）", "（变更）", "（延续）"]
# the runs at each N, in this order: words only; the model with its vector cache off; the model filling an empty
# cache (reported on one line); the model with that cache full
KINDS = ("lexical", "cold", "fill", "warm")
ROWS = {"lexical": ("lexical", "—"), "semantic": ("semantic", "—"), "cold": ("semantic", "off (cold)"),
        "warm": ("semantic", "warm")}  # table rows, in order: mode and vector cache ("semantic": the model is missing)
COLUMNS = ("matters", "mode", "vector cache", "build s", "build CPU s", "build peak MB", "kept MB", "RSS MB",
           "first query ms", "median ms", "p95 ms", "max ms")


def demo_store(folder: Path) -> str:
    """The demo county ingested into a new SQLite store in ``folder``; its URL."""
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths

    url = f"sqlite:///{folder / 'demo.db'}"
    with SqliteStore(url) as store:
        ingest_paths([demo_path()], store)
    return url


def matters_of(store_url: str) -> list[dict]:
    from quanze.graph.store import open_store

    with open_store(store_url) as store:
        return store.nodes("Matter")


def scaled(matters: list[dict], n: int) -> list[dict]:
    """``n`` matters: the originals (the first ``n`` of them), then renamed copies (a qualifier before or after the
    name, a new code)."""
    out = list(matters[:n])
    k = 0
    while len(out) < n:
        k += 1
        before, after = _BEFORE[k % len(_BEFORE)], _AFTER[(k // len(_BEFORE)) % len(_AFTER)]
        for m in matters:
            if len(out) >= n:
                break
            name = f"{before}{m['name']}{after}"
            code = f"{m['code']}{k:03d}" if m.get("code") else None
            out.append({**m, "id": f"bench:{k}:{m['id']}", "name": name, "code": code, "norm_name": None})
    return out


@contextmanager
def measured(out: dict[str, Any]) -> Iterator[None]:
    """Wall and CPU seconds of the step inside (``s``, ``cpu_s``: CPU of all the process's threads), and RSS in MB:
    the peak's growth over the RSS before the step (``peak_mb``; None where /proc/self/clear_refs cannot reset the
    peak), the growth it keeps (``kept_mb``) and the process's RSS after it (``rss_mb``)."""
    gc.collect()
    before = _status().get("VmRSS", 0)
    resettable = _reset_peak()
    t, cpu = time.perf_counter(), time.process_time()
    yield
    out["s"], out["cpu_s"] = time.perf_counter() - t, time.process_time() - cpu
    gc.collect()
    after = _status()
    out["peak_mb"] = (after["VmHWM"] - before) / 1024 if resettable and "VmHWM" in after else None
    out["kept_mb"] = (after.get("VmRSS", 0) - before) / 1024
    out["rss_mb"] = after.get("VmRSS", 0) / 1024


def model_state() -> str:
    """"ready", or why the semantic side cannot run here."""
    from quanze.api import semantic

    if not semantic.installed():
        return "not installed"
    return "ready" if semantic.enabled() else "off (QUANZE_SEMANTIC)"


def cache_state() -> dict[str, Any] | None:
    """The model's vector cache now: ``{"vectors", "mb"}`` (0 and 0 when there is no file yet); None when off."""
    import sqlite3
    from contextlib import closing

    from quanze.api import semantic

    path = semantic.model_dir() / semantic.VectorCache.FILE
    if not semantic.caching():
        return None
    if not path.is_file():
        return {"vectors": 0, "mb": 0.0}
    with closing(sqlite3.connect(path)) as db:
        vectors = db.execute("SELECT count(*) FROM vector").fetchone()[0]
    return {"vectors": vectors, "mb": path.stat().st_size / 2 ** 20}


def model_copy(folder: Path) -> Path:
    """A folder for ``QUANZE_MODEL_DIR`` whose model links to the installed model's files: a vector cache of its own,
    which goes when ``folder`` does."""
    from quanze.api import semantic

    copy = folder / semantic.MODEL.name
    copy.mkdir(parents=True)
    for name in (semantic.MODEL.onnx, semantic.MODEL.tokenizer):
        (copy / name).symlink_to((semantic.model_dir() / name).resolve())
    return folder


def child_env(kind: str, models: Path) -> dict[str, str]:
    """The environment of a ``kind`` run: the cache off (cold), or on in the model copy ``models`` (fill, warm)."""
    if kind == "cold":
        return {**os.environ, "QUANZE_VECTOR_CACHE": "off"}
    if kind in ("fill", "warm"):
        return {**os.environ, "QUANZE_VECTOR_CACHE": "on", "QUANZE_MODEL_DIR": str(models)}
    return dict(os.environ)


def measure_one(n: int, kind: str, store: str, questions: int | None = None) -> dict[str, Any]:
    """One run (``KINDS``) at one N, in this process (``run`` gives each its own): jieba's start, the model's load
    (semantic), the index build over ``n`` matters (``measured``), the first query, then ``stats_ms`` over the
    questions. Semantic runs also give the vector cache before and after the build (``cache_state``), and check it:
    off when cold, empty before filling, unchanged (every name found) when warm."""
    from quanze.api import semantic
    from quanze.api.accuracy import load_questions
    from quanze.api.search import MatterIndex, load_synonyms
    from quanze.api.search_index import tokenizer
    from quanze.demo import demo_questions

    mode = "lexical" if kind == "lexical" else "semantic"
    out: dict[str, Any] = {"jieba": {}}
    with measured(out["jieba"]):
        tokenizer()
    embedder = None
    if mode == "semantic":
        out["load"] = {}
        with measured(out["load"]):
            embedder = semantic.embedder()
        if embedder is None:
            raise RuntimeError(f"no semantic model here: {model_state()}")
    docs = scaled(matters_of(store), n)
    synonyms = load_synonyms()
    asked = [q["q"] for q in load_questions(demo_questions())][:questions]
    out["build"] = {}
    before = cache_state() if embedder else None
    with measured(out["build"]):
        index = MatterIndex(docs, synonyms, embedder=embedder)
    if index.semantic != (mode == "semantic"):
        raise RuntimeError(f"the {mode} index of {n} matters has semantic={index.semantic}")
    if embedder:
        out["cache"] = {"before": before, "after": cache_state()}
        expected = {"cold": before is None, "fill": before == {"vectors": 0, "mb": 0.0},
                    "warm": bool(before and before["vectors"]) and out["cache"]["after"] == before}
        if not expected[kind]:
            raise RuntimeError(f"the {kind} run at N={n} found the vector cache {out['cache']}")
    times = []
    for q in asked[:1] + asked:  # the first apart: the synonym table compiles its patterns, the model runs first
        t = time.perf_counter()
        index.search(q, limit=20)
        times.append(time.perf_counter() - t)
    out.update(matters=len(docs), questions=len(asked), first_ms=times[0] * 1000, queries=stats_ms(times[1:]))
    return out


# ``--who``: the whole answer (search, resolution, clarify options, intent) as a long-running process gives it, on the
# demo store, words only and with the model, with the phrase bank and without (QUANZE_PHRASES=off)
WHO_RUNS = (("lexical", "on"), ("lexical", "off"), ("semantic", "on"), ("semantic", "off"))
WHO_SETS = ("questions.yaml", "questions-fresh.yaml")


def measure_who(store: str, questions: int | None = None) -> dict[str, Any]:
    """In this process (``run_who`` gives each run its own, its environment choosing the mode and the phrase bank):
    the first ``who`` (it builds the index: jieba, the model, the vectors from the user's cache, the phrase bank), then
    ``who(store, q, township, limit=5)`` for the questions of ``WHO_SETS`` in their townships (each township's first
    question apart: it reads the township's local matters once), as ``stats_ms``."""
    from quanze.api import semantic
    from quanze.api.accuracy import load_questions, split_questions
    from quanze.api.who import matter_index, who
    from quanze.demo import demo_questions
    from quanze.graph.store import open_store

    # the development halves only: the held-out halves are never asked, not even for a timing
    asked = [q for name in WHO_SETS for q in split_questions(load_questions(demo_questions().with_name(name)), "dev")
             ][:questions]
    out: dict[str, Any] = {"first": {}}
    with open_store(store, create=False) as s:
        with measured(out["first"]):
            who(s, asked[0]["q"], asked[0]["township"], as_of="2025-06-01", limit=5)
        index = matter_index(s)
        out.update(semantic=index.semantic, phrasings=index.phrases_used, matters=len(index))
        seen, first_in_township, times = set(), [], []
        for q in asked:
            t = time.perf_counter()
            who(s, q["q"], q["township"], as_of="2025-06-01", limit=5)
            (times if q["township"] in seen else first_in_township).append(time.perf_counter() - t)
            seen.add(q["township"])
    if out["semantic"] != (semantic.embedder() is not None):
        raise RuntimeError("the index and the model disagree")
    out.update(questions=len(asked), township_first=stats_ms(first_in_township), queries=stats_ms(times))
    return out


def run_who(store: str | None = None, questions: int | None = None) -> dict[str, Any]:
    """``measure_who`` for each of ``WHO_RUNS``, each in a fresh process (the user's model and vector caches)."""
    state = model_state()
    report: dict[str, Any] = {"model": state, "rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        store = store or demo_store(Path(tmp))
        for mode, said in WHO_RUNS:
            if mode == "semantic" and state != "ready":
                report["rows"].append({"mode": mode, "phrases": said, "semantic": state})
                continue
            env = {**os.environ, "QUANZE_PHRASES": said, "QUANZE_SEMANTIC": "on" if mode == "semantic" else "off"}
            command = [sys.executable, str(Path(__file__).resolve()), "--child-who", "--store", store] + (
                ["--questions", str(questions)] if questions else [])
            done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env)
            if done.returncode:
                raise RuntimeError(f"who, {mode}, phrases {said} failed:\n{done.stderr}")
            report["rows"].append({"mode": mode, "phrases": said, **json.loads(done.stdout)})
            print(f"  who {mode}, phrases {said}: median {report['rows'][-1]['queries']['median_ms']:.1f} ms",
                  file=sys.stderr, flush=True)
    return report


def render_who(report: dict[str, Any]) -> str:
    lines = ["| mode | phrase bank | matters | phrasings | first who s | township's first ms (median) | median ms | "
             "p95 ms | max ms | RSS MB |", "| --- | --- |" + " ---: |" * 8]
    for r in report["rows"]:
        if "queries" not in r:
            lines.append(f"| {r['mode']} | {r['phrases']} | {r['semantic']} |" + " |" * 7)
            continue
        q = r["queries"]
        lines.append(f"| {r['mode']} | {r['phrases']} | {r['matters']} | {r['phrasings']:,} | {r['first']['s']:.2f} | "
                     f"{r['township_first'].get('median_ms', 0):.1f} | {q['median_ms']:.2f} | {q['p95_ms']:.2f} | "
                     f"{q['max_ms']:.2f} | {r['first']['rss_mb']:.0f} |")
    n = next((r["questions"] for r in report["rows"] if "questions" in r), 0)
    return (f"- `who(store, q, township, limit=5)` on the demo store, {n} questions of the dev halves of "
            f"{' and '.join(WHO_SETS)} in "
            f"their townships, each run a process of its own with the user's vector caches; the first `who` builds the "
            f"index (not in the median), and each township's first question reads its local matters once (apart)\n\n"
            + "\n".join(lines) + "\n")


def run(ns: list[int], store: str | None = None, questions: int | None = None) -> dict[str, Any]:
    """Every run of ``KINDS`` at each N in ``ns``, each in a fresh process of its own, so that its RSS is its own and
    its one-off starts are measured every time: ``{"model": state, "rows": [{"matters", "lexical", "cold", "fill",
    "warm"}]}``, a run's entry ``measure_one``'s result; when the semantic side cannot run, ``{"matters", "lexical",
    "semantic": state}``. The cache-on runs share a model copy (``model_copy``) whose cache is emptied at each N."""
    from quanze.api import semantic

    state = model_state()
    report: dict[str, Any] = {"model": state, "model_name": semantic.MODEL.name, "rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        store = store or demo_store(Path(tmp))  # the demo county, ingested once for all the children
        models = model_copy(Path(tmp) / "models") if state == "ready" else Path(tmp)
        for n in ns:
            row: dict[str, Any] = {"matters": n} if state == "ready" else {"matters": n, "semantic": state}
            (models / semantic.MODEL.name / semantic.VectorCache.FILE).unlink(missing_ok=True)
            for kind in KINDS if state == "ready" else ("lexical",):
                command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--matters", str(n),
                           "--store", store] + (["--questions", str(questions)] if questions else [])
                done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                                      env=child_env(kind, models))
                if done.returncode:
                    raise RuntimeError(f"{kind} at N={n} failed:\n{done.stderr}")
                row[kind] = json.loads(done.stdout)
                row["matters"] = row[kind]["matters"]
                print(f"  {n} matters, {kind}: build {row[kind]['build']['s']:.2f} s", file=sys.stderr, flush=True)
            report["rows"].append(row)
    report["questions"] = next((r["lexical"]["questions"] for r in report["rows"]), 0)
    return report


def _num(x: float | None, digits: int) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _span(values: list[float], unit: str) -> str:
    """``0.52 s``, or ``0.52–0.61 s`` when the processes differed."""
    low, high = f"{min(values):,.2f}", f"{max(values):,.2f}"
    return f"{low} {unit}" if low == high else f"{low}–{high} {unit}"


def render(report: dict[str, Any]) -> str:
    """The report as Markdown: the one-off starts, the filling of the vector cache, then one table row per N and
    ``ROWS`` run."""
    runs = [row[kind] for row in report["rows"] for kind in KINDS if isinstance(row.get(kind), dict)]
    fill = "; ".join(f"{row['matters']:,} matters {row['fill']['build']['s']:.2f} s, "
                     f"{row['fill']['cache']['after']['vectors']:,} vectors, "
                     f"{row['fill']['cache']['after']['mb']:.1f} MB" for row in report["rows"] if "fill" in row)
    loads = [r["load"] for r in runs if "load" in r]
    model = f"load {_span([x['s'] for x in loads], 's')}, RSS +{_span([x['kept_mb'] for x in loads], 'MB')}" \
        if loads else report["model"]
    lines = [f"- jieba start: {_span([r['jieba']['s'] for r in runs], 's')} (once a process)",
             f"- semantic model {report['model_name']}: {model}" + (" (once a process)" if loads else ""),
             f"- {report['questions']} questions of demo/questions.yaml, `search(q, limit=20)`; each run in a "
             f"process of its own. Memory is RSS (VmRSS, VmHWM): build peak = the peak's growth over the RSS before "
             f"the build, kept = the growth still held after it, RSS = the process after it (jieba, model, matters, "
             f"index)",
             *([f"- filling the vector cache (a semantic build with the cache on and empty: it embeds every name, then "
                f"writes them; not in the table): {fill}"] if fill else []),
             "",
             "| " + " | ".join(COLUMNS) + " |", "| ---: | --- | --- |" + " ---: |" * (len(COLUMNS) - 3)]
    for row in report["rows"]:
        for kind in (k for k in ROWS if k in row):
            m = row[kind]
            if isinstance(m, str):
                cells = [m] + [""] * (len(COLUMNS) - 4)
            else:
                b, q = m["build"], m["queries"]
                cells = [f"{b['s']:.2f}", f"{b['cpu_s']:.2f}", _num(b["peak_mb"], 0), _num(b["kept_mb"], 0),
                         _num(b["rss_mb"], 0), f"{m['first_ms']:.1f}", f"{q['median_ms']:.2f}",
                         f"{q['p95_ms']:.2f}", f"{q['max_ms']:.2f}"]
            lines.append(f"| {row['matters']:,} | " + " | ".join(ROWS[kind]) + " | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    import numpy
    import onnxruntime

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return (f"{os.cpu_count()} CPUs, {ram:.1f} GB RAM, Python {platform.python_version()}, onnxruntime "
            f"{onnxruntime.__version__}, numpy {numpy.__version__}, load average {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", default="507,5000,20000", help="numbers of matters, comma-separated")
    p.add_argument("--store", help="a store holding matters (default: the demo county, loaded now)")
    p.add_argument("--out", type=Path, help="also write the report, with the command and the machine, to this file")
    p.add_argument("--questions", type=int, help="only the first so many questions (quick runs)")
    p.add_argument("--who", action="store_true", help="time whole who() answers on the demo store instead (p50 target "
                                                       "< 30 ms), words only and with the model, phrase bank on and off")
    p.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)  # run() measures each (N, kind) this way
    p.add_argument("--child-who", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    ns = [int(x) for x in args.matters.split(",") if x.strip()]
    if args.child:
        print(json.dumps(measure_one(ns[0], args.child, args.store, args.questions)))
        return 0
    if args.child_who:
        print(json.dumps(measure_who(args.store, args.questions)))
        return 0
    start, t0 = machine(), time.perf_counter()
    text = render_who(run_who(args.store, args.questions)) if args.who else render(run(ns, args.store, args.questions))
    print(text, end="")
    if args.out:
        command = " ".join(["python bench/search.py"] + (sys.argv[1:] if argv is None else argv))
        args.out.write_text(
            ("# “谁负责”整条回答的用时 · Whole who answers\n\n" if args.who else
               "# 事项检索：词法与语义 · Matter search, lexical and semantic\n\n") +
            f"Written by `{command}` on {dt.datetime.now().astimezone().isoformat(timespec='seconds')} "
            f"({time.perf_counter() - t0:.0f} s); every run overwrites this file. Discussion: "
            f"[docs/benchmarks.md](../docs/benchmarks.md).\n\n"
            f"Machine at the start: {start}; at the end: load average {os.getloadavg()[0]:.2f}.\n\n{text}",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
