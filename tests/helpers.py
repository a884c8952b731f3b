"""Helpers the tests share: spreadsheets written the way county offices write them.

Importable as ``quanze.tests.helpers`` (pytest runs with --import-mode=importlib, so test modules do not import each
other); not collected as tests.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook

from quanze.graph.store import Batch


def sheet(path: Path, title: str | None, header: list, *rows: list, name: str = "Sheet1") -> Path:
    """One sheet: a title row (when given) above the header, then the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = name
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """Several sheets, each given as its rows (title rows included), with merged ranges per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def agency(id_, name, list_id="L1", **more):
    """A county department's node properties, asserted by list ``list_id``."""
    return {"id": id_, "name": name, "kind": "county_department", "region": "990701", "list_id": list_id, **more}


def small_batch(list_id="L1"):
    """A county, a township, a department leading and delegating one matter: the stores' smallest real graph."""
    b = Batch()
    b.add_node("Region", {"code": "990701", "name": "青岚县", "level": "county", "tags": ["示例"]})
    b.add_node("Region", {"code": "990701001", "name": "城关镇", "level": "township", "county_code": "990701",
                          "tags": []})
    b.add_node("Agency", agency("990701/住建局", "住建局", list_id, short_names=["县住建局"], admin_quota=3))
    b.add_node("Matter", {"id": "m1", "name": "占道经营"})
    b.add_rel("LEADS", "990701/住建局", "m1", {"id": "r1", "region": "990701", "list_id": list_id, "row": 7})
    b.add_rel("DELEGATES", "990701/住建局", "m1", {"id": "d1", "region": "990701001", "effective": dt.date(2021, 5, 1),
                                                  "list_id": list_id})
    return b


def unavailable(missing: str, how: str) -> None:
    """What a test needs is not on this machine: skipped locally, saying ``how`` to get it; failed in CI (env CI),
    where a skipped test would pass for coverage it is not."""
    if os.environ.get("CI"):
        pytest.fail(f"{missing} in CI; {how}", pytrace=False)
    pytest.skip(f"{missing}; {how}")


def require_model() -> None:
    """The semantic model must be installed: skipped locally without it, failed in CI."""
    from quanze.api import semantic

    if not semantic.installed():
        how = f"install it with `quanze model fetch` (it goes to {semantic.model_dir()})"
        if os.environ.get("CI"):
            pytest.fail(f"the semantic model is not installed in CI; {how}", pytrace=False)
        pytest.skip(f"the semantic model is not installed, so semantic search is not tested; {how}")


def use_search_mode(mode: str, monkeypatch) -> None:
    """Search with words and synonyms only (``lexical``: QUANZE_SEMANTIC=off) or with the model too (``semantic``)."""
    from quanze.api import semantic

    if mode == "semantic":
        require_model()
        monkeypatch.delenv("QUANZE_SEMANTIC", raising=False)
    else:
        monkeypatch.setenv("QUANZE_SEMANTIC", "off")
    semantic.embedder.cache_clear()


# A load held in a child process, for either store: the load announces itself when it is about to write its first relations —
# its nodes written, its transaction open — and holds there until it is killed. Embedded store: SqliteStore's row
# writer is wrapped; Neo4j: the load's first statement about relations (which of them exist) is built only inside the
# open transaction.
_HOLD_EITHER = """
import sys, time
from pathlib import Path
marker, url, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def hold():
    Path(marker).write_text("holding", encoding="utf-8")
    time.sleep(120)
if url.startswith("sqlite"):
    from quanze.graph import sqlite_store
    upsert = sqlite_store.SqliteStore._upsert
    def holding(self, table, *args, **kwargs):
        if table.startswith("rel_"):
            hold()
        return upsert(self, table, *args, **kwargs)
    sqlite_store.SqliteStore._upsert = holding
else:
    from quanze.graph import cypher
    existing_rels = cypher.existing_rels
    def holding(kind):
        hold()
        return existing_rels(kind)
    cypher.existing_rels = holding
from quanze.graph.store import open_store
from quanze.ingest.pipeline import ingest_paths
with open_store(url) as store:
    ingest_paths([Path(f) for f in files], store, replace=True)  # a newer version may drop rows
"""


@contextmanager
def held_load(url: str, files: list[Path], marker: Path, timeout: float = 120) -> Iterator[subprocess.Popen]:
    """A load of ``files`` into the store at ``url``, in a child process, held inside its transaction (nodes
    written, relations not yet) for as long as the ``with`` block runs; then killed (SIGKILL), which rolls it back."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_EITHER, str(marker), url, *map(str, files)],
                            stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "the load never reached its transaction"
            time.sleep(0.05)
        yield proc
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


LOCAL = "http://127.0.0.1"  # the HTTP server answers loopback names only (api/http/security.py)


def local_client(app, **kwargs):
    """FastAPI's TestClient, addressing the app as a browser on this machine would (``Host: 127.0.0.1``)."""
    from fastapi.testclient import TestClient

    return TestClient(app, **{"base_url": LOCAL, **kwargs})
