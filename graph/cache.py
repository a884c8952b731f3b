"""Derived data (indexes, directories) cached per store and data version: rebuilt only when a load changed the data.

``Store.data_version()`` changes with every committed load, whoever wrote; a negative version means the store cannot
tell, and then nothing is cached. Each cache keeps a few entries (stores × keys; a new version replaces the old one) and is emptied when full.

Safe under threads (the HTTP API answers requests in parallel): a value is built once however many threads ask for it
at the same time — the first builds, the others wait for it (a build takes seconds, and sixteen of them at once would
take the memory and the cores sixteen times) — and a value is never changed once built, so readers share it.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Hashable, TypeVar

from quanze.graph.store import Store

T = TypeVar("T")

MAX_ENTRIES = 64
_CACHES: dict[str, dict[tuple, Any]] = {}
_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}  # (name, key) → the lock its one builder holds


def by_version(store: Store, name: str, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result for this store, its current data version and ``key``, built once per version."""
    version = store.data_version()
    if version < 0:
        return build()
    full_key = (store.url, version, key)
    with _LOCK:
        cache = _CACHES.setdefault(name, {})
        if full_key in cache:
            return cache[full_key]
        building = _BUILDING.setdefault((name, full_key), threading.Lock())
    with building:  # one builder; whoever comes meanwhile waits here and then finds the value
        with _LOCK:
            cache = _CACHES.setdefault(name, {})
            if full_key in cache:
                return cache[full_key]
        try:
            value = build()
            with _LOCK:
                cache = _CACHES.setdefault(name, {})
                # an older version of the same thing is never asked for again
                for stale in [k for k in cache if k[0] == store.url and k[2] == key and k[1] != version]:
                    del cache[stale]
                if len(cache) >= MAX_ENTRIES:
                    cache.clear()
                cache[full_key] = value
        finally:
            with _LOCK:
                _BUILDING.pop((name, full_key), None)
    return value


def clear() -> None:
    """Forget everything (tests that change what a build reads without a load)."""
    with _LOCK:
        _CACHES.clear()
