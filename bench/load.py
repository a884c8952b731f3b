"""The HTTP API under concurrent clients: ``quanze serve`` in a process of its own, 16 client threads (httpx), each
asking ``who`` and now and then opening a page (a graph view, an agency, a region), for a fixed time.

    python -m bench.load --store sqlite:///quanze.db [--clients 16] [--seconds 20]

Reported per kind (who, page) and over all: requests answered per second, p50 / p95 / p99 latency, errors (a status
other than 200, a refused or broken connection, a timeout). The questions are the ``who`` questions of the
benchmark's plan (or the demo's question set), in the townships they name; the pages are the views and descriptions
of those townships and of agencies of the store. Used by ``quanze bench`` (phase ``http``); no time is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/load.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import _cpu_seconds, _status, stats_ms

CLIENTS = 16
SECONDS = 20.0
PAGE_SHARE = 0.2  # one request in five opens a page; the rest ask who
TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``quanze serve`` on a free loopback port, in a process of its own (its CPU and memory are its own)."""

    def __init__(self, store_url: str, env: dict[str, str] | None = None):
        from bench.ratios import quanze_command

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.devnull, "wb")
        self.proc = subprocess.Popen(quanze_command() + ["serve", "--store", store_url, "--port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.PIPE, env=env or dict(os.environ))

    def wait(self, timeout: float = 180.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"quanze serve exited ({self.proc.returncode}): "
                                   f"{self.proc.stderr.read().decode('utf-8', 'replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"quanze serve did not answer /health within {timeout:.0f} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()

    def __enter__(self) -> "Server":
        self.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def requests_for(questions: list[dict[str, Any]], agencies: list[str]) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """The who requests and the page requests the clients draw from."""
    who = [("/who", {"q": q["q"], "in": q["region"]}) for q in questions]
    towns = sorted({q["region"] for q in questions})
    pages = [("/view", {"region": t}) for t in towns] + [("/show", {"name": t, "kind": "region"}) for t in towns]
    pages += [("/show", {"name": a, "kind": "agency"}) for a in agencies] + [("/view", {"agency": a}) for a in agencies[:5]]
    return who, pages


def hammer(base: str, who: list[tuple[str, dict]], pages: list[tuple[str, dict]], *, clients: int = CLIENTS,
           seconds: float = SECONDS, seed: int = 7, warm: int = 3) -> dict[str, Any]:
    """``clients`` threads, each with its own connection, for ``seconds``: every request timed, every error kept.
    ``warm`` requests of each kind first, one at a time, untimed (the first question builds the search index)."""
    import httpx

    with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        for path, params in who[:warm] + pages[:warm]:
            c.get(path, params=params)
    times: dict[str, list[float]] = {"who": [], "page": []}
    errors: dict[str, list[str]] = {"who": [], "page": []}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        rng = random.Random(f"{seed}/{i}")
        mine_t: dict[str, list[float]] = {"who": [], "page": []}
        mine_e: dict[str, list[str]] = {"who": [], "page": []}
        with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
            start.wait()
            while time.monotonic() < stop_at[0]:
                kind = "page" if rng.random() < PAGE_SHARE else "who"
                path, params = rng.choice(pages if kind == "page" else who)
                t0 = time.perf_counter()
                try:
                    r = c.get(path, params=params)
                    r.read()
                    if r.status_code != 200:
                        mine_e[kind].append(f"{path} {r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as e:
                    mine_e[kind].append(f"{path} {type(e).__name__}: {e}"[:300])
                mine_t[kind].append(time.perf_counter() - t0)
        with lock:
            for k in times:
                times[k] += mine_t[k]
                errors[k] += mine_e[k]

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.monotonic() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 2 * TIMEOUT)
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {"clients": clients, "seconds": round(elapsed, 2)}
    for kind in ("who", "page"):
        out[kind] = _summary(times[kind], errors[kind], elapsed)
    out["all"] = _summary(times["who"] + times["page"], errors["who"] + errors["page"], elapsed)
    return out


def _summary(times: list[float], errors: list[str], elapsed: float) -> dict[str, Any]:
    s = stats_ms(times)
    return {"requests": len(times), "per_s": round(len(times) / elapsed, 1) if elapsed else None,
            "p50_ms": s.get("median_ms"), "p95_ms": s.get("p95_ms"), "p99_ms": s.get("p99_ms"),
            "max_ms": s.get("max_ms"), "errors": len(errors), "error_examples": errors[:3]}


def measure(store_url: str, questions: list[dict[str, Any]], agencies: list[str], *, clients: int = CLIENTS,
            seconds: float = SECONDS, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Start ``quanze serve`` over the store, hammer it, stop it; with the server's CPU time over the run."""
    who, pages = requests_for(questions, agencies)
    with Server(store_url, env) as server:
        cpu0 = _cpu_seconds(server.proc.pid)
        result = hammer(server.url, who, pages, clients=clients, seconds=seconds)
        cpu1 = _cpu_seconds(server.proc.pid)
        result["server_cpu_s"] = round(cpu1 - cpu0, 2) if cpu0 is not None and cpu1 is not None else None
        peak = _status(server.proc.pid).get("VmHWM")
        result["server_peak_rss_mb"] = round(peak / 1024, 1) if peak else None
    return result


def main(argv: list[str] | None = None) -> int:
    import yaml

    from quanze.demo import demo_questions
    from quanze.graph.store import open_store

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True)
    p.add_argument("--clients", type=int, default=CLIENTS)
    p.add_argument("--seconds", type=float, default=SECONDS)
    args = p.parse_args(argv)
    with open_store(args.store, create=False) as store:
        code = {r["name"]: r["code"] for r in store.nodes("Region", level="township")}
        agencies = [a["id"] for a in store.nodes("Agency", kind="county_department")][:20]
    questions = [{"q": q["q"], "region": code[q["township"]]}
                 for q in yaml.safe_load(demo_questions().read_text(encoding="utf-8")) if q["township"] in code]
    print(json.dumps(measure(args.store, questions, agencies, clients=args.clients, seconds=args.seconds),
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
