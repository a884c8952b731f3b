"""Measuring one (store, N) run: the process's CPU time and RSS per phase, timed samples, disk use.

``Recorder`` times phases (wall, CPU, peak RSS of this process and of the Neo4j server) and writes them to a JSON
file after each phase; ``timed`` runs a query over its samples within a budget; ``store_disk`` sizes a store.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


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
    """Median, p95 and p99 (nearest rank), mean, min, max of seconds, in milliseconds."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    return {"n": len(samples), "first_ms": round(samples[0] * 1000, 2),
            "median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2),
            "p99_ms": round(p99 * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "min_ms": round(ordered[0] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "total_s": round(sum(ordered), 3)}


class Recorder:
    """Phases of one (store, N) run, written to a JSON file after each phase so that a stopped run keeps them."""

    def __init__(self, path: Path, store: str, scale: str, server_pid: int | None, use_tracemalloc: bool):
        self.path = path
        self.server_pid = server_pid
        self.tracemalloc = use_tracemalloc
        self.data: dict[str, Any] = {"store": store, "scale": scale, "status": "running", "phases": {},
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
        print(f"  [{self.data['store']} {self.data['scale']}] {name} …", file=sys.stderr, flush=True)
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
            print(f"  [{self.data['store']} {self.data['scale']}] {name}: {out['wall_s']:.2f} s", file=sys.stderr,
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
