"""The benchmark's own Neo4j server, run with ``scripts/neo4j`` in a home of its own (``--neo4j-home``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench import REPO

# the server's memory per scale, unless QUANZE_NEO4J_HEAP / _PAGECACHE are set: the page cache holds the store
# (about 0.5 GB at county scale, 2 GB for a province, 40 GB for the country: there, what the machine can spare)
NEO4J_DEFAULTS = {"county": {"QUANZE_NEO4J_HEAP": "1g", "QUANZE_NEO4J_PAGECACHE": "512m"},
                  "province": {"QUANZE_NEO4J_HEAP": "2g", "QUANZE_NEO4J_PAGECACHE": "2g"},
                  "country": {"QUANZE_NEO4J_HEAP": "4g", "QUANZE_NEO4J_PAGECACHE": "6g"}}


class Neo4jServer:
    """The benchmark's own server, in a home of its own, reset before each run."""

    def __init__(self, home: Path, scale: str = "county"):
        self.home = home
        self.env = dict(os.environ, QUANZE_NEO4J_HOME=str(home))
        for k, v in NEO4J_DEFAULTS[scale].items():
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
