"""What the ratios compare quanze with, measured the same way in the same run:

- ``per_row_load``: a py2neo-style loader — every node and relation ``MERGE``d in a transaction of its own (one
  auto-commit statement per row), the way an ``graph.create(node)`` / ``graph.merge(rel)`` loop writes — against
  ``Neo4jStore.apply`` (``UNWIND`` batches, one transaction per load), on the same rows of one generated county;
- ``scan_spreadsheets``: what an official does today without quanze — open every file the county published and
  search every cell for the words of the question (Ctrl+F in each workbook), against ``who``;
- ``shell_who``: ``quanze who`` as a new process from the shell, each time (interpreter, imports, jieba, the model,
  the index), against ``who`` in a running process.

Embedded against Neo4j and semantic against words only are read off the stores' own phases (``bench/report.py``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch

RATIO_COUNTY = "330727"  # 磐安县 (浙江省金华市): the county whose generated rows both Neo4j loaders write
PER_ROW_RELATIONS = 2000  # relations the per-row loader writes (after every node of the county): enough for a rate


def per_row_load(url: str, batch: Batch, relations: int = PER_ROW_RELATIONS, *, user: str | None = None,
                 password: str | None = None, database: str | None = None) -> dict[str, Any]:
    """Every node of the batch, then its first ``relations`` relations, each MERGEd in its own auto-commit
    transaction with the store's own statements (``graph/cypher.py``); rows per second."""
    from neo4j import GraphDatabase

    from quanze.graph import cypher
    from quanze.graph.neo4j_store import _encode_props

    driver = GraphDatabase.driver(url, auth=(user, password or "") if user else None,
                                  notifications_min_severity="OFF")
    nodes = rels = 0
    t0 = time.perf_counter()
    try:
        with driver.session(database=database) as session:
            for label, rows in batch.nodes.items():
                kind = SCHEMA.node(label)
                statement = cypher.merge_nodes(kind)
                for key, props in rows.items():
                    session.run(statement, rows=[{"key": key, "props": _encode_props(kind.properties, props)}]).consume()
                    nodes += 1
            node_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            for type_, found in batch.rels.items():
                kind = SCHEMA.relation(type_)
                statement = cypher.merge_rels(kind)
                for r in found.values():
                    if rels >= relations:
                        break
                    session.run(statement, rows=[{"id": r.id, "source": r.source, "target": r.target,
                                                  "props": _encode_props(kind.properties, dict(r.props, id=r.id))}]
                                ).consume()
                    rels += 1
            rel_s = time.perf_counter() - t1
    finally:
        driver.close()
    total = time.perf_counter() - t0
    return {"nodes": nodes, "relations": rels, "s": round(total, 3), "node_s": round(node_s, 3),
            "relation_s": round(rel_s, 3), "rows_per_s": round((nodes + rels) / total, 1),
            "relations_per_s": round(rels / rel_s, 1) if rel_s else None}


def batch_rows(batch: Batch) -> tuple[int, int]:
    """Nodes and relations in a batch."""
    return sum(len(v) for v in batch.nodes.values()), sum(len(v) for v in batch.rels.values())


def wipe(store: Any) -> None:
    """Empty a Neo4j database (the benchmark's own), relations first, in transactions of 10,000 (a matter of the
    shared catalogue has thousands of relations: deleting it with them at once outgrows a transaction's memory)."""
    store.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS", write=True)
    store.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS", write=True)


# --- the official's way: open every file, search every cell -----------------------------------------------------

def _words(question: str) -> list[str]:
    """What an official types into the search box: the question's words of two characters or more."""
    from quanze.api.search_index import tokenizer

    words = [w for w in tokenizer().lcut(question) if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w)]
    return list(dict.fromkeys(words)) or [question]


def _cells(path: Path) -> Any:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for value in row:
                        if value is not None:
                            yield str(value)
        finally:
            wb.close()
    elif path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return
        for row in csv.reader(io.StringIO(text)):
            yield from row


def scan_spreadsheets(folder: Path, question: str) -> dict[str, Any]:
    """Open every spreadsheet under ``folder`` and look for the question's words in every cell."""
    words = _words(question)
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".csv"))
    t0 = time.perf_counter()
    cells = hits = 0
    for path in files:
        for value in _cells(path):
            cells += 1
            if any(w in value for w in words):
                hits += 1
    return {"words": words, "files": len(files), "cells": cells, "hits": hits,
            "s": round(time.perf_counter() - t0, 3)}


def scan_timing(folder: Path, questions: list[str]) -> dict[str, Any]:
    runs = [scan_spreadsheets(folder, q) for q in questions]
    return {"questions": len(runs), "files": runs[0]["files"] if runs else 0,
            "cells": runs[0]["cells"] if runs else 0,
            "median_s": round(statistics.median(r["s"] for r in runs), 3) if runs else None,
            "hits_median": statistics.median(r["hits"] for r in runs) if runs else None,
            "examples": [{"q": q, "words": r["words"], "hits": r["hits"]} for q, r in zip(questions[:3], runs)]}


# --- quanze who from the shell -----------------------------------------------------------------------------------

def quanze_command() -> list[str]:
    """The installed ``quanze`` command beside this interpreter, else ``python -m quanze``."""
    script = Path(sys.executable).with_name("quanze")
    return [str(script)] if script.exists() else [sys.executable, "-m", "quanze"]


def shell_who(url: str, question: str, region: str, runs: int = 5, env: dict[str, str] | None = None
              ) -> dict[str, Any]:
    """``quanze who QUESTION --in REGION --store URL --json`` as a new process, ``runs`` times: wall time and the
    largest peak RSS of those processes (the first run apart in the times: it may fill caches). Run from a process
    with no other children (the benchmark's child), so that the peak is theirs."""
    import resource

    walls, errors = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(quanze_command() + ["who", question, "--in", region, "--store", url, "--json"],
                              capture_output=True, env=env or dict(os.environ))
        walls.append(time.perf_counter() - t0)
        if done.returncode != 0:
            errors.append(done.stderr.decode("utf-8", "replace")[-300:])
    peak_mb = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    rest = walls[1:] or walls
    return {"runs": runs, "first_s": round(walls[0], 3), "median_s": round(statistics.median(rest), 3),
            "min_s": round(min(rest), 3), "max_s": round(max(rest), 3), "children_peak_rss_mb": peak_mb,
            "errors": errors[:2]}
