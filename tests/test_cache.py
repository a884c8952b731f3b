"""Derived data is cached per store and data version: built once, built again after a load, never across stores."""

from __future__ import annotations

from quanze.graph import cache
from quanze.graph.lookup import find_region, region_directory
from quanze.graph.store import Batch
from quanze.tests.helpers import small_batch


def test_built_once_per_version_and_again_after_a_load(store):
    builds = []

    def build():
        builds.append(store.data_version())
        return len(builds)

    assert cache.by_version(store, "t", "k", build) == cache.by_version(store, "t", "k", build) == 1
    store.apply(small_batch())
    assert cache.by_version(store, "t", "k", build) == 2
    assert len(builds) == 2 and builds[0] != builds[1]
    # another key is another entry; the old version of this key is dropped
    assert cache.by_version(store, "t", "other", build) == 3
    assert [k for k in cache._CACHES["t"] if k[2] == "k"] == [(store.url, store.data_version(), "k", None)]


def test_a_new_stamp_rebuilds_and_replaces_the_entry_it_supersedes(store):
    # a web application that records a ticket after every confirmation changes its ticket file's stamp each time:
    # the index is rebuilt, and the superseded one is dropped instead of piling up
    built = []
    for stamp in ("a", "a", "b", "c"):
        cache.by_version(store, "stamped", "k", lambda: built.append(stamp) or len(built), stamp=stamp)
    assert built == ["a", "b", "c"]
    assert list(cache._CACHES["stamped"]) == [(store.url, store.data_version(), "k", "c")]


def test_a_store_that_cannot_tell_its_version_is_never_cached(store, monkeypatch):
    monkeypatch.setattr(type(store), "data_version", lambda self: -1)
    calls = []
    cache.by_version(store, "t2", None, lambda: calls.append(1))
    cache.by_version(store, "t2", None, lambda: calls.append(1))
    assert len(calls) == 2


def test_the_region_directory_sees_a_declared_township_after_the_load(store):
    first = region_directory(store)
    assert region_directory(store) is first
    store.apply(Batch())  # an empty load still commits a new version
    assert region_directory(store) is not first
    assert find_region(store, "110101").code == "110101"
