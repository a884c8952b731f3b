"""Matter search timings, lexical and semantic side by side: building the index for N matters, and answering the
demo's questions.

    python bench/search.py [--matters 507,5000,20000] [--store sqlite:///demo.db] [--out bench/SEARCH_RESULTS.md]

Without --store the demo county is loaded into a temporary store first. The demo's 507 matters are repeated, with
the name and code of each copy changed (another township's or department's wording of the same item), until there
are N of them: the index then holds N distinct names with a realistic vocabulary. At each N the same matters are
indexed twice — words only (lexical), and words plus one sentence vector per matter (semantic, ``api/semantic.py``;
its build embeds all N names) — and each index answers the demo's 258 questions. Each (N, mode) runs in a fresh
process of its own (``--child``), so its memory is its own and its one-off starts are measured every time.

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
MODES = ("lexical", "semantic")
COLUMNS = ("matters", "mode", "build s", "build CPU s", "build peak MB", "kept MB", "RSS MB", "first query ms",
           "median ms", "p95 ms", "max ms")


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


def measure_one(n: int, mode: str, store: str, questions: int | None = None) -> dict[str, Any]:
    """One mode at one N, in this process (``run`` gives each its own): jieba's start, the model's load (semantic),
    the index build over ``n`` matters (``measured``), the first query, then ``stats_ms`` over the questions."""
    from quanze.api import semantic
    from quanze.api.accuracy import load_questions
    from quanze.api.search import MatterIndex, load_synonyms
    from quanze.api.search_index import tokenizer
    from quanze.demo import demo_questions

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
    with measured(out["build"]):
        index = MatterIndex(docs, synonyms, embedder=embedder)
    if index.semantic != (mode == "semantic"):
        raise RuntimeError(f"the {mode} index of {n} matters has semantic={index.semantic}")
    times = []
    for q in asked[:1] + asked:  # the first apart: the synonym table compiles its patterns, the model runs first
        t = time.perf_counter()
        index.search(q, limit=20)
        times.append(time.perf_counter() - t)
    out.update(matters=len(docs), questions=len(asked), first_ms=times[0] * 1000, queries=stats_ms(times[1:]))
    return out


def run(ns: list[int], store: str | None = None, questions: int | None = None) -> dict[str, Any]:
    """Both modes at each N in ``ns``, each (N, mode) in a fresh process of its own, so that its RSS is its own and
    its one-off starts are measured every time: ``{"model": state, "rows": [{"matters", "lexical", "semantic"}]}``,
    a mode's entry ``measure_one``'s result, or the model's state when the semantic side cannot run."""
    from quanze.api import semantic

    state = model_state()
    report: dict[str, Any] = {"model": state, "model_name": semantic.MODEL.name, "rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        store = store or demo_store(Path(tmp))  # the demo county, ingested once for all the children
        for n in ns:
            row: dict[str, Any] = {"matters": n}
            for mode in MODES:
                if mode == "semantic" and state != "ready":
                    row[mode] = state
                    continue
                command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--matters", str(n),
                           "--store", store] + (["--questions", str(questions)] if questions else [])
                done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
                if done.returncode:
                    raise RuntimeError(f"{mode} at N={n} failed:\n{done.stderr}")
                row[mode] = json.loads(done.stdout)
                row["matters"] = row[mode]["matters"]
                print(f"  {n} matters, {mode}: build {row[mode]['build']['s']:.2f} s", file=sys.stderr, flush=True)
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
    """The report as Markdown: the one-off starts, then one table row per (N, mode)."""
    runs = [row[mode] for row in report["rows"] for mode in MODES if isinstance(row[mode], dict)]
    loads = [r["load"] for r in runs if "load" in r]
    model = f"load {_span([x['s'] for x in loads], 's')}, RSS +{_span([x['kept_mb'] for x in loads], 'MB')}" \
        if loads else report["model"]
    lines = [f"- jieba start: {_span([r['jieba']['s'] for r in runs], 's')} (once a process)",
             f"- semantic model {report['model_name']}: {model}" + (" (once a process)" if loads else ""),
             f"- {report['questions']} questions of demo/questions.yaml, `search(q, limit=20)`; each (N, mode) in a "
             f"process of its own. Memory is RSS (VmRSS, VmHWM): build peak = the peak's growth over the RSS before "
             f"the build, kept = the growth still held after it, RSS = the process after it (jieba, model, matters, "
             f"index)",
             "",
             "| " + " | ".join(COLUMNS) + " |", "| ---: | --- |" + " ---: |" * (len(COLUMNS) - 2)]
    for row in report["rows"]:
        for mode in MODES:
            m = row[mode]
            if isinstance(m, str):
                cells = [m] + [""] * (len(COLUMNS) - 3)
            else:
                b, q = m["build"], m["queries"]
                cells = [f"{b['s']:.2f}", f"{b['cpu_s']:.2f}", _num(b["peak_mb"], 0), _num(b["kept_mb"], 0),
                         _num(b["rss_mb"], 0), f"{m['first_ms']:.1f}", f"{q['median_ms']:.2f}",
                         f"{q['p95_ms']:.2f}", f"{q['max_ms']:.2f}"]
            lines.append(f"| {row['matters']:,} | {mode} | " + " | ".join(cells) + " |")
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
    p.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)  # run() measures each (N, mode) this way
    args = p.parse_args(argv)
    ns = [int(x) for x in args.matters.split(",") if x.strip()]
    if args.child:
        print(json.dumps(measure_one(ns[0], args.child, args.store, args.questions)))
        return 0
    start, t0 = machine(), time.perf_counter()
    text = render(run(ns, args.store, args.questions))
    print(text, end="")
    if args.out:
        command = " ".join(["python bench/search.py"] + (sys.argv[1:] if argv is None else argv))
        args.out.write_text(
            f"# 事项检索：词法与语义 · Matter search, lexical and semantic\n\n"
            f"Written by `{command}` on {dt.datetime.now().astimezone().isoformat(timespec='seconds')} "
            f"({time.perf_counter() - t0:.0f} s); every run overwrites this file. Discussion: "
            f"[docs/benchmarks.md](../docs/benchmarks.md).\n\n"
            f"Machine at the start: {start}; at the end: load average {os.getloadavg()[0]:.2f}.\n\n{text}",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
