"""Search indexes kept on disk between processes: ``quanze who`` from the shell is a new process every time, and
building a county's index (cutting every matter's text with jieba, which first loads its dictionary) took most of
its second and a half. A built index is written to ``<cache>/quanze/indexes`` (``QUANZE_INDEX_CACHE=off`` turns
this off) and read back by the next process that asks for the same one.

"The same one" is the same store (``Store.identity``), data version, county, synonym and ticket files (with their
stamps), semantic model, and the same code and data that make an index (``search.py``, ``search_index.py``,
``semantic.py``, the shipped synonyms, jieba's version): any of them changed, and the index is built again. The
folder is the user's own (mode 0700, files 0600, written whole or not at all); the newest ``KEEP`` files are kept.
An index that cannot be read is built again, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable, Hashable

from quanze import settings
from quanze.api import semantic
from quanze.graph.cache import version_of, write_pickle
from quanze.graph.store import Store

KEEP = 64  # index files kept, the newest


def folder() -> Path:
    return settings.cache_home() / "quanze" / "indexes"


def enabled() -> bool:
    return bool(settings.value("QUANZE_INDEX_CACHE"))


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of what makes an index: the search code, the shipped synonyms, jieba's version."""
    h = hashlib.sha256()
    api = resources.files("quanze.api")
    for name in ("search.py", "search_index.py", "semantic.py", "who.py", "phrases.py", "data/synonyms.yaml",
                 "data/phrases.yaml"):
        try:
            h.update(api.joinpath(name).read_bytes())
        except OSError:
            h.update(name.encode())
    try:
        h.update(metadata.version("jieba").encode())
    except metadata.PackageNotFoundError:
        pass
    return h.hexdigest()


def cached(store: Store, key: Hashable, build: Callable[[], Any]) -> Any:
    """The index ``build()`` makes for this store, its data version and ``key``: read from disk when a process
    built it before, else built and written there."""
    identity = store.identity()
    if not enabled() or identity is None:
        return build()
    model = semantic.embedder()
    whose = (identity, version_of(store), key, code_stamp(),
             (str(model.folder), semantic.MODEL.sha256) if model is not None else None)
    path = folder() / (hashlib.sha256(repr(whose).encode("utf-8")).hexdigest() + ".pickle")
    index = _read(path)
    if index is not None:
        index.embedder = model if getattr(index, "_vectors", None) is not None else None
        return index
    index = build()
    _write(path, index)
    return index


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as f:
            index = pickle.load(f)
        os.utime(path)  # recently used: kept
        return index
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 — a broken or foreign file: build again
        return None


def _write(path: Path, index: Any) -> None:
    embedder = getattr(index, "embedder", None)
    try:
        index.embedder = None  # the model is loaded by each process, never pickled
        write_pickle(path, index, ".index-")
        _prune(path.parent)
    except Exception:  # noqa: BLE001 — a full disk or a read-only home: no cache, the index is still returned
        pass
    finally:
        index.embedder = embedder


def _prune(where: Path) -> None:
    files = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
