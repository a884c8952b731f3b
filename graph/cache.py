"""Derived data (indexes, directories) cached per store and data version: rebuilt only when a load changed the data.

``Store.data_version()`` changes with every committed load, whoever wrote; a negative version means the store cannot
tell, and then nothing is cached. Each cache keeps a few entries (stores × keys; a new version replaces the old one) and is emptied when full.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Hashable, TypeVar

from quanze.graph.store import Store

T = TypeVar("T")

MAX_ENTRIES = 64
_CACHES: dict[str, dict[tuple, Any]] = {}
_LOCK = threading.Lock()


def by_version(store: Store, name: str, key: Hashable, build: Callable[[], T], stamp: Hashable = None) -> T:
    """``build()``'s result for this store, its current data version and ``key``, built once per version. ``stamp``
    says when what else the build reads last changed (files' times and sizes): a new stamp rebuilds, like a new
    version, and replaces the entry it supersedes instead of piling up beside it."""
    version = store.data_version()
    if version < 0:
        return build()
    full_key = (store.url, version, key, stamp)
    with _LOCK:
        cache = _CACHES.setdefault(name, {})
        if full_key in cache:
            return cache[full_key]
    value = build()
    with _LOCK:
        # an older version (or stamp) of the same thing is never asked for again
        for stale in [k for k in cache if k[0] == store.url and k[2] == key and (k[1], k[3]) != (version, stamp)]:
            del cache[stale]
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[full_key] = value
    return value


def clear() -> None:
    """Forget everything (tests that change what a build reads without a load)."""
    with _LOCK:
        _CACHES.clear()
