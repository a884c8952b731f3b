"""jieba's dictionary read word by word, for a process that only cuts a question or two.

jieba loads its whole prefix dictionary (about 580,000 entries) before it cuts anything: half a second of every
``quanze who`` from the shell, whose question needs a few dozen of them. Once a process has loaded it, the dictionary
is also written to a small SQLite file in the user's cache (``<cache>/quanze/jieba-<digest>.sqlite``, keyed by jieba's
version and dictionary); later processes look words up there as the cutting asks for them (``LazyWords``), and load
the whole dictionary as jieba would once they have asked for many (building an index cuts thousands of texts).

The words and frequencies are jieba's own, so every cut is the one jieba makes. ``QUANZE_INDEX_CACHE=off`` (the
setting of ``api/index_cache.py``, of which this is the other half) turns it off.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from quanze import settings

ALL_AFTER = 5000  # distinct lookups after which the whole dictionary is loaded at once


def _path(tok: Any) -> Path | None:
    try:
        from importlib import metadata

        source = tok.get_dict_file()
        try:
            digest = hashlib.sha256(source.read()).hexdigest()[:16]
        finally:
            source.close()
        version = metadata.version("jieba")
    except Exception:  # noqa: BLE001 — no dictionary to name: no file
        return None
    return settings.cache_home() / "quanze" / f"jieba-{version}-{digest}.sqlite"


def enabled() -> bool:
    return bool(settings.value("QUANZE_INDEX_CACHE"))


class LazyWords:
    """jieba's ``FREQ`` (word or prefix → frequency, 0 for a prefix that is no word) read from the file as asked; all of
    it (``load_all``) after ``ALL_AFTER`` distinct lookups."""

    def __init__(self, path: Path, load_all: Callable[[], dict[str, int]]):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._known: dict[str, int | None] = {}
        self._load_all = load_all
        self._all: dict[str, int] | None = None

    def _find(self, word: str) -> int | None:
        if self._all is not None:
            return self._all.get(word)
        if word in self._known:
            return self._known[word]
        with self._lock:
            if self._all is None and len(self._known) >= ALL_AFTER:
                self._all = self._load_all()
                self._db.close()
            if self._all is not None:
                return self._all.get(word)
            row = self._db.execute("SELECT freq FROM word WHERE w = ?", (word,)).fetchone()
        self._known[word] = row[0] if row else None
        return self._known[word]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._find(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default: Any = None) -> Any:
        found = self._find(word)
        return default if found is None else found


def attach(tok: Any) -> bool:
    """Give a new jieba tokenizer the dictionary file instead of loading its dictionary; False when there is no
    file (yet) or the setting is off: then load it as jieba does, and ``keep`` it."""
    if not enabled():
        return False
    path = _path(tok)
    if path is None or not path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            total = int(db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()[0])
    except (sqlite3.Error, TypeError):
        return False

    def load_all() -> dict[str, int]:
        import jieba

        full = jieba.Tokenizer(tok.dictionary)
        full.initialize()
        return full.FREQ

    tok.FREQ = LazyWords(path, load_all)
    tok.total = total
    tok.initialized = True
    return True


def keep(tok: Any) -> None:
    """Write a loaded tokenizer's dictionary to the file, once (whole or not at all); nothing when it cannot."""
    if not enabled():
        return
    path = _path(tok)
    if path is None or path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".jieba-", suffix=".sqlite", dir=path.parent)
        os.close(fd)
        try:
            with sqlite3.connect(tmp) as db:
                db.execute("CREATE TABLE word (w TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                db.executemany("INSERT INTO word VALUES (?, ?)", tok.FREQ.items())
                db.execute("INSERT INTO meta VALUES ('total', ?)", (str(tok.total),))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # noqa: BLE001 — a full disk or a read-only home: the next process loads jieba's own way
        pass
