"""Reading numbers out of the results (``results.json``) and formatting them, for the report and its prose."""

from __future__ import annotations

from typing import Any

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


def _disk_text(d: dict | None) -> str:
    if not d:
        return "—"
    if "db_mb" in d:
        return f"{_f(d['total_mb'])} (db {_f(d['db_mb'])} + WAL {_f(d['wal_mb'])})"
    return f"{_f(d['total_mb'])} (store {_f(d['store_mb'])} + tx logs {_f(d['tx_logs_mb'])})"


def _measured(run: dict | None) -> bool:
    """A run that got through its load (a run stopped later, in its queries, still compares)."""
    return bool(run) and run.get("status") in ("ok", "timeout") and _get(run, "phases.load.apply_total_s") is not None


def _largest_common(results: dict) -> int | None:
    runs = _runs(results)
    both = [n for n in results.get("meta", {}).get("counties", [])
            if all(_measured(runs.get((s, n))) for s in ("sqlite", "neo4j"))]
    return max(both) if both else None
