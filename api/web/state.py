"""The web application's own state: one SQLite file, apart from the graph store, so that the same accounts work
whichever store (embedded or Neo4j) the application serves.

It holds the accounts (names, roles, argon2 password hashes), the API tokens and the sessions (SHA-256 digests only:
what a cookie or a token is, is never stored), the login throttling counters, the write log (who, when, what,
result), and a secret for the forms' tokens. The confirmed-tickets file (``api.tickets.record_ticket`` appends to
it, every ``who`` the application answers reads it) lives beside it: ``quanze.state.db`` → ``quanze.state.tickets.csv``.

Where it is: ``QUANZE_STATE`` (``quanze/settings.py``), else beside an embedded store (``quanze.db`` →
``quanze.state.db``), else ``./quanze.state.db`` (a Neo4j store) — ``state_path(store_url)``.

Several processes may use the file at once (``quanze serve`` and ``quanze users``): WAL mode, and every write is one
short transaction. Within one process one connection is shared under a lock. The file is created readable by its
owner only (SQLite gives its WAL the same permissions).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from quanze import settings
from quanze.errors import StoreError

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL,
    created TEXT NOT NULL, changed TEXT NOT NULL, last_login TEXT);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created TEXT NOT NULL, last_used REAL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created REAL NOT NULL, last_seen REAL NOT NULL, client TEXT);
CREATE TABLE IF NOT EXISTS throttle (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, total INTEGER NOT NULL, last REAL NOT NULL,
    not_before REAL NOT NULL);
CREATE TABLE IF NOT EXISTS write_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT, client TEXT, action TEXT NOT NULL,
    target TEXT, detail TEXT, result TEXT NOT NULL);
"""

STATE_SUFFIX = ".state.db"
TICKETS_SUFFIX = ".tickets.csv"


def state_path(store_url: str | None = None, given: str | Path | None = None) -> Path:
    """The state file for a store: ``given``, else ``QUANZE_STATE``, else beside an embedded store
    (``quanze.db`` → ``quanze.state.db``), else ``./quanze.state.db``."""
    if given:
        return Path(given).expanduser()
    configured = settings.value("QUANZE_STATE")
    if configured:
        return Path(configured)
    from quanze.graph.sqlite_store import sqlite_path
    from quanze.graph.store import is_neo4j, store_url as resolve

    url = resolve(store_url)
    embedded = not is_neo4j(url) and (url.startswith("sqlite:") or url.endswith(".db"))
    path = sqlite_path(url) if embedded else ":memory:"
    if path == ":memory:":  # a Neo4j store (or one with nowhere to sit beside): the working folder
        return Path("quanze" + STATE_SUFFIX)
    p = Path(path)
    return p.with_name(p.name.removesuffix(".db") + STATE_SUFFIX)


class State:
    """The state file, opened at its first use (and created with its tables when missing): an application whose state
    file cannot be made still starts, and what needs it answers 503 saying why, as a store that cannot be opened
    does. ``clock`` gives the time in seconds (tests pass their own to step through the login delays)."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._secret: bytes | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is None:
                self._conn = self._open()
            return self._conn

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            db = sqlite3.connect(str(self.path), timeout=15, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(SCHEMA_SQL)
            return db
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"无法打开网页应用的状态文件 {self.path}：{e}（用 --state 或 QUANZE_STATE 指定另一个位置）",
                             f"cannot open the web application's state file {self.path}: {e} (--state or "
                             "QUANZE_STATE names another place)") from e

    @property
    def tickets_path(self) -> Path:
        """The application's confirmed tickets: a CSV beside the state file."""
        return self.path.with_name(self.path.name.removesuffix(".db") + TICKETS_SUFFIX)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- plain access ------------------------------------------------------------------------------------------

    def rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def row(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once (BEGIN IMMEDIATE): another process writing waits, never half-sees."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def secret(self) -> bytes:
        """The key the forms' tokens are derived with: made once, kept in the file (and read once a process)."""
        if self._secret is None:
            found = self.row("SELECT value FROM meta WHERE key = 'form_secret'")
            if not found:
                with self.write() as db:
                    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('form_secret', ?)",
                               (secrets.token_hex(32),))
                found = self.row("SELECT value FROM meta WHERE key = 'form_secret'")
            self._secret = bytes.fromhex(found["value"])
        return self._secret

    # -- the write log -----------------------------------------------------------------------------------------

    def now_text(self) -> str:
        return dt.datetime.fromtimestamp(self.clock()).replace(microsecond=0).isoformat()

    def log(self, user: str | None, client: str | None, action: str, target: str = "",
            detail: dict[str, Any] | None = None, result: str = "ok") -> None:
        """One line of the write log. Callers pass what was done — never a password or a token."""
        with self.write() as db:
            db.execute("INSERT INTO write_log (at, user, client, action, target, detail, result) VALUES (?, ?, ?, ?, ?, "
                       "?, ?)", (self.now_text(), user, client, action, target,
                                 json.dumps(detail or {}, ensure_ascii=False, sort_keys=True), result))

    def log_lines(self, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        """The write log, newest first."""
        return [dict(r) | {"detail": json.loads(r["detail"] or "{}")} for r in self.rows(
            "SELECT * FROM write_log ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))]

    def log_size(self) -> int:
        return int(self.row("SELECT COUNT(*) AS n FROM write_log")["n"])


__all__ = ["State", "state_path"]
