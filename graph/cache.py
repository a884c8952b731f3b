"""Derived data (indexes, directories) cached per store and data version: rebuilt only when a load changed the data.

``Store.data_version()`` changes with every committed load, whoever wrote; a negative version means the store cannot
tell, and then nothing is cached. Each cache keeps a few entries (stores × keys; a new version replaces the old one),
the least recently used dropped first — the search indexes of a national store are kept for a few counties at a
time, each built again when its county is asked about after being dropped.

Safe under threads (the HTTP API answers requests in parallel): a value is built once however many threads ask for it
at the same time — the first builds, the others wait for it (a build takes seconds, and sixteen of them at once would
take the memory and the cores sixteen times) — and a value is never changed once built, so readers share it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

from quanze.graph.store import Store

T = TypeVar("T")

MAX_ENTRIES = 64
_CACHES: dict[str, OrderedDict[tuple, Any]] = {}
_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}  # (name, key) → the lock its one builder holds
_PINNED = threading.local()  # store URL → the data version this thread reads everything at (``one_version``)


@contextmanager
def one_version(store: Store) -> Iterator[int]:
    """Inside, every ``by_version`` of this thread for this store uses the data version read once on entry: one read
    per question instead of one per cached thing (a round trip each on Neo4j). A load that lands meanwhile is seen
    by the next question."""
    pins: dict[str, int] = getattr(_PINNED, "pins", None) or {}
    _PINNED.pins = pins
    if store.url in pins:  # an outer question already read it
        yield pins[store.url]
        return
    pins[store.url] = store.data_version()
    try:
        yield pins[store.url]
    finally:
        pins.pop(store.url, None)


def version_of(store: Store) -> int:
    """The store's data version: the one pinned for this thread (``one_version``), else read now."""
    pins = getattr(_PINNED, "pins", None)
    return pins[store.url] if pins and store.url in pins else store.data_version()


def by_version(store: Store, name: str, key: Hashable, build: Callable[[], T], stamp: Hashable = None, *,
               limit: int = MAX_ENTRIES) -> T:
    """``build()``'s result for this store, its current data version and ``key``, built once per version. ``stamp``
    says when what else the build reads last changed (files' times and sizes): a new stamp rebuilds, like a new
    version, and replaces the entry it supersedes instead of piling up beside it. At most ``limit`` entries of
    ``name`` are kept; the least recently used goes first."""
    version = version_of(store)
    if version < 0:
        return build()
    full_key = (store.url, version, key, stamp)
    with _LOCK:
        cache = _CACHES.setdefault(name, OrderedDict())
        if full_key in cache:
            cache.move_to_end(full_key)
            return cache[full_key]
        building = _BUILDING.setdefault((name, full_key), threading.Lock())
    with building:  # one builder; whoever comes meanwhile waits here and then finds the value
        with _LOCK:
            cache = _CACHES.setdefault(name, OrderedDict())
            if full_key in cache:
                return cache[full_key]
        try:
            value = build()
            with _LOCK:
                cache = _CACHES.setdefault(name, OrderedDict())
                # an older version (or stamp) of the same thing is never asked for again
                for stale in [k for k in cache
                              if k[0] == store.url and k[2] == key and (k[1], k[3]) != (version, stamp)]:
                    del cache[stale]
                cache[full_key] = value
                while len(cache) > max(1, limit):
                    cache.popitem(last=False)
        finally:
            with _LOCK:
                _BUILDING.pop((name, full_key), None)
    return value


def clear() -> None:
    """Forget everything (tests that change what a build reads without a load)."""
    with _LOCK:
        _CACHES.clear()


def write_pickle(path: Path, value: Any, prefix: str) -> None:
    """Keep ``value`` in the file ``path`` of the user's cache: pickled to a temporary file in a 0700 folder (files
    0600), then renamed, so the file is written whole or not at all. Raises what writing raised (the callers, whose
    cache is an optimisation, carry on without it)."""
    import os
    import pickle
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
