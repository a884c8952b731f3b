"""Shared fixtures: a fresh embedded store per test, and the demo county loaded once and copied per test."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quanze.demo import demo_path
from quanze.graph.sqlite_store import SqliteStore
from quanze.ingest.pipeline import ingest_paths


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(f"sqlite:///{tmp_path / 'test.db'}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with SqliteStore(f"sqlite:///{path}") as s:
        report = ingest_paths([demo_path()], s)
        assert report.ok, [p.format() for f in report.files for p in f.errors]
    return path


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path):
    """The demo county in a store of the test's own (a copy, so tests may change it)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    s = SqliteStore(f"sqlite:///{path}")
    yield s
    s.close()


def write_xlsx(path: Path, rows: list[list], title: str | None = None, sheet: str = "Sheet1") -> Path:
    """A small workbook as county offices make them: an optional title row above the header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def xlsx():
    return write_xlsx


def kill_mid_load(args: list[str], marker: Path, timeout: float = 60) -> None:
    """Run ``python args…`` with the store's crash hook on, wait until the load holds its transaction, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, *args], env={**os.environ, "QUANZE_TEST_HOLD_LOAD": str(marker)},
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the load never reached its transaction"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


@pytest.fixture
def killed_load():
    return kill_mid_load
