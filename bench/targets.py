"""The performance targets, declared once, and reading a run's results against them.

Each target names the scale it belongs to, the stores it applies to, where its figure is in the results and the
bound. ``evaluate(results)`` gives one row per (target, store) that the run measured: the figure, met or missed —
``None`` when the run did not measure it. Nothing here asserts: a missed target is reported, and explained in
docs/benchmarks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


def get(d: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def py_peak_mb(run: dict[str, Any]) -> float | None:
    """The Python process's largest peak RSS over its phases."""
    peaks = [p.get("py_peak_rss_mb") for p in (run.get("phases") or {}).values() if isinstance(p, dict)]
    peaks = [p for p in peaks if p is not None]
    return max(peaks) if peaks else None


@dataclass(frozen=True)
class Target:
    scale: str
    zh: str
    en: str
    stores: tuple[str, ...]
    figure: Callable[[dict[str, Any], dict[str, Any]], float | None]  # (run of the store, whole results) → figure
    unit: str
    below: float | None = None  # met when figure < below
    at_least: float | None = None  # met when figure >= at_least

    @property
    def bound(self) -> str:
        return f"< {self.below:g} {self.unit}" if self.below is not None else f"≥ {self.at_least:g} {self.unit}"

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value < self.below if self.below is not None else value >= (self.at_least or 0)


def _phase(path: str, scale: float = 1.0) -> Callable[[dict[str, Any], dict[str, Any]], float | None]:
    def read(run: dict[str, Any], _results: dict[str, Any]) -> float | None:
        value = get(run, f"phases.{path}")
        return None if value is None else round(value * scale, 3)
    return read


def _audit_max(run: dict[str, Any], _results: dict[str, Any]) -> float | None:
    each = get(run, "phases.audit_county.counties") or []
    return max((e["s"] for e in each), default=None)


def _ratio(key: str) -> Callable[[dict[str, Any], dict[str, Any]], float | None]:
    def read(_run: dict[str, Any], results: dict[str, Any]) -> float | None:
        return get(results, f"ratios.{key}")
    return read


BOTH = ("sqlite", "neo4j")
TARGETS: tuple[Target, ...] = (
    Target("county", "演示县导入", "demo ingest", ("sqlite",), _phase("ingest_demo.wall_s"), "s", below=5),
    Target("county", "who 进程内 p50", "who in-process p50", BOTH, _phase("who.median_ms"), "ms", below=5),
    Target("county", "who 进程内 p99", "who in-process p99", BOTH, _phase("who.p99_ms"), "ms", below=50),
    Target("county", "全县审计", "full audit", BOTH, _phase("audit_all.wall_s"), "s", below=2),
    Target("county", "命令行 quanze who", "quanze who from the shell", BOTH, _phase("shell_who.median_s"), "s",
           below=0.8),
    Target("province", "Neo4j 写入速度", "Neo4j load", ("neo4j",), _phase("load.relations_per_s"), "relations/s",
           at_least=30000),
    Target("province", "who p50（Neo4j）", "who p50 (Neo4j)", ("neo4j",), _phase("who.median_ms"), "ms", below=20),
    Target("province", "who p50（SQLite）", "who p50 (SQLite)", ("sqlite",), _phase("who.median_ms"), "ms", below=10),
    Target("province", "全省审计", "audit of the whole province", BOTH, _phase("audit_all.wall_s"), "s", below=60),
    Target("province", "Python 内存", "Python RSS", BOTH, lambda run, _r: py_peak_mb(run), "MB", below=2048),
    Target("country", "who p50", "who p50", BOTH, _phase("who.median_ms"), "ms", below=30),
    Target("country", "Python 内存", "Python RSS", BOTH, lambda run, _r: py_peak_mb(run), "MB", below=4096),
    Target("country", "一个县的审计", "one county's audit", BOTH, _audit_max, "s", below=5),
    Target("any", "HTTP who 吞吐（16 个客户端）", "HTTP who throughput, 16 clients", ("sqlite",),
           _phase("http.who.per_s"), "requests/s", at_least=150),
    Target("any", "HTTP who 吞吐（16 个客户端）", "HTTP who throughput, 16 clients", ("neo4j",),
           _phase("http.who.per_s"), "requests/s", at_least=50),
    Target("any", "HTTP p99（16 个客户端）", "HTTP p99, 16 clients", BOTH, _phase("http.all.p99_ms"), "ms",
           below=500),
    Target("any", "HTTP 错误", "HTTP errors", BOTH, _phase("http.all.errors"), "errors", below=1),
    Target("any", "批量写入 / 逐行写入", "batched vs per-row Neo4j load", ("neo4j",), _ratio("batched_vs_per_row"),
           "×", at_least=20),
)


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target of this run's scale (and the ``any`` ones) and store measured."""
    scale = get(results, "meta.scale")
    rows = []
    for t in TARGETS:
        if t.scale not in (scale, "any"):
            continue
        for store in t.stores:
            run = get(results, f"runs.{store}")
            if not run:
                continue
            value = t.figure(run, results)
            rows.append({"scale": t.scale, "zh": t.zh, "en": t.en, "store": store, "bound": t.bound,
                         "value": value, "unit": t.unit, "met": t.met(value)})
    return rows
