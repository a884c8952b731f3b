"""Which list versions are in force on a date, and the graph as it stood then (docs/domain.md §4.10).

A list version (SourceList) starts on its ``effective`` date; without one, on the first day of the year (or month, or
the day) its version names (``2025年版`` → 2025-01-01, ``2023-12`` → 2023-12-01); naming none, on the day it was
loaded. Within one list (its series: kind, region, owner, batch or period), the version in
force on a date is the newest of those that had started by then — newest by the years the versions name when every
version names one, else by the order they were current in (a replaced version before the one that replaced it, the
current one last); two lists of one series that are current together (loaded in one ingest, neither newer) are in
force together. Before the first version started, the earliest version stands for those dates too: the store
knows nothing older. A supplement is in force while the version it supplements is, from its own start.

``as_of(store, date)`` gives the graph of that date: the store itself when the versions in force are the current ones
(today, usually: no cost), else a read-only view (``AsOfStore``) that hides what current versions not yet in force
assert and shows what the replaced versions in force asserted (kept in ``SourceList.assertions``), through the same
Store interface, so that who, dispatch, path, audit, capacity and the views answer from it unchanged. Structures
(agencies, staffing) are not versioned here: they are as loaded last.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from quanze.errors import StoreError
from quanze.graph.cache import by_version
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Rel, Store
from quanze.graph.values import from_plain
from quanze.ingest.list_meta import version_date


@dataclass(frozen=True)
class Version:
    """One list version on the time line."""

    id: str
    kind: str
    region: str | None
    title: str | None
    version: str | None
    status: str  # in the store: current | replaced | history
    start: dt.date
    start_from: str  # effective | loaded | version: where the start date came from
    supplements: str | None

    def to_dict(self, in_force: bool | None = None) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "region": self.region, "title": self.title, "version": self.version,
               "status": self.status, "current": self.status == "current", "start": self.start.isoformat(),
               "start_from": self.start_from}
        if self.supplements:
            out["supplements"] = self.supplements
        return out


def _day(text: Any) -> dt.date | None:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def _start(p: dict[str, Any]) -> tuple[dt.date, str]:
    if isinstance(p.get("effective"), dt.date):
        return p["effective"], "effective"
    named = version_date(p.get("version"))
    if named:
        return dt.date(named[0], (named[1] if len(named) > 1 else 0) or 1, (named[2] if len(named) > 2 else 0) or 1), \
            "version"
    return _day(p.get("loaded_at")) or dt.date.min, "loaded"


def series_of(list_id: str) -> str:
    """The list a version is a version of (its id before ``@``; a supplement's names its base list and itself)."""
    return list_id.split("@")[0]


class Timeline:
    """Every list version of the store (structures aside), and which are in force on a date."""

    def __init__(self, lists: Iterable[dict[str, Any]]):
        self.versions: dict[str, Version] = {}
        self._succession: dict[str, tuple] = {}
        series: dict[str, list[str]] = defaultdict(list)
        for p in lists:
            if p.get("kind") == "structure":
                continue
            start, source = _start(p)
            v = Version(p["id"], p.get("kind", ""), p.get("region"), p.get("title"), p.get("version"),
                        p.get("status") or "current", start, source, p.get("supplements"))
            self.versions[v.id] = v
            if not v.supplements:
                series[series_of(v.id)].append(v.id)
            # the order they were current in: replaced ones by when they stopped, history by when it came, current last
            when = {"replaced": p.get("replaced_at"), "history": p.get("loaded_at")}.get(v.status)
            self._succession[v.id] = (v.status == "current", str(when or p.get("loaded_at") or ""))
        self.series = {k: self._ordered(ids) for k, ids in series.items()}
        self.current = frozenset(v.id for v in self.versions.values() if v.status == "current")
        self._in_force: dict[dt.date, frozenset[str]] = {}  # dates asked already (a time line is read-only)

    def _ordered(self, ids: list[str]) -> list[str]:
        """Oldest first."""
        named = {i: version_date(self.versions[i].version) for i in ids}
        if all(named.values()):
            return sorted(ids, key=lambda i: (named[i], self._succession[i]))
        return sorted(ids, key=lambda i: self._succession[i])

    def in_force(self, date: dt.date) -> frozenset[str]:
        """The versions in force on ``date``."""
        if date not in self._in_force:
            if len(self._in_force) > 256:
                self._in_force.clear()
            self._in_force[date] = self._choose(date)
        return self._in_force[date]

    def _choose(self, date: dt.date) -> frozenset[str]:
        chosen: set[str] = set()
        for ids in self.series.values():
            started = [i for i in ids if self.versions[i].start <= date]
            if started:
                pick = started[-1]
            else:  # before the first version: the earliest stands for those dates (nothing older is known)
                pick = min(ids, key=lambda i: (self.versions[i].start, ids.index(i)))
            chosen.add(pick)
            if pick in self.current:  # lists of one ingest that replaced nothing stay current together
                chosen.update(i for i in ids if i in self.current)
        for v in self.versions.values():
            if v.supplements and v.supplements in chosen and v.start <= date:
                chosen.add(v.id)
        return frozenset(chosen)


def timeline(store: Store) -> Timeline:
    """The store's time line of list versions, read once per data version (a view's: its store's)."""
    store = store.base if isinstance(store, AsOfStore) else store
    return by_version(store, "list_timeline", None, lambda: Timeline(store.nodes("SourceList")))


def as_of(store: Store, date: dt.date) -> tuple[Store, list[dict[str, Any]]]:
    """The graph as it stood on ``date`` and the list versions it uses that are not the current ones (each with
    ``current: false``; empty when the current versions answer). The store itself when nothing differs; a view
    already of a date stays as it is."""
    if isinstance(store, AsOfStore):
        return store, []
    line = timeline(store)
    chosen = line.in_force(date)
    if chosen == line.current:
        return store, []
    views = store.__dict__.setdefault("_as_of_views", {})  # kept on the store object: a view holds its store open
    key = (store.data_version(), tuple(sorted(chosen)))
    if key not in views:
        views.clear()
        views[key] = AsOfStore(store, line, chosen)
    return views[key], [line.versions[i].to_dict() for i in sorted(chosen - line.current)]


def versions_used(store: Store, list_ids: Iterable[str | None]) -> list[dict[str, Any]]:
    """The list versions an answer cites, as answers name them (title, version, start, whether current)."""
    line = timeline(store)
    return [line.versions[i].to_dict() for i in sorted({i for i in list_ids if i and i in line.versions})]


def region_versions(store: Store, region_prefix: str | None) -> list[dict[str, Any]]:
    """The list versions a view of the graph uses in a county (or everywhere): every version it shows."""
    line = timeline(store)
    chosen = store.in_force if isinstance(store, AsOfStore) else line.current
    return [line.versions[i].to_dict() for i in sorted(chosen)
            if region_prefix is None or str(line.versions[i].region or "").startswith(region_prefix)]


def _rel(a: dict[str, Any]) -> Rel | None:
    """A kept assertion (plain values, as in ``SourceList.assertions``) as the relation it was."""
    try:
        kind = SCHEMA.relation(a["type"])
    except KeyError:
        return None
    props = {}
    for p in kind.properties:
        value = a.get(p.name)
        if value is not None:
            props[p.name] = from_plain(p, value) if p.type == "date" and isinstance(value, str) else value
    return Rel(kind.type, props["id"], a["source"], a["target"], props)


class AsOfStore(Store):
    """A read-only view of a store as of a date: the relations of the list versions in force then. Nodes are the
    store's (a SourceList shows ``status`` as of the date: ``current`` when in force, else ``replaced`` or
    ``history``); relations asserted by current versions not in force are hidden, and those of replaced versions in
    force are shown from what they kept."""

    def __init__(self, base: Store, line: Timeline, chosen: frozenset[str]):
        self.base = base
        self.in_force = chosen
        self.url = f"{base.url}#as-of={hash(tuple(sorted(chosen))) & 0xFFFFFFFF:08x}"
        self._hidden = line.current - chosen
        self._extra: dict[str, dict[str, Rel]] = defaultdict(dict)
        # relation id → its matter's category when the old version was replaced (None: it had none)
        self.categories: dict[str, str | None] = {}
        kept = [i for i in sorted(chosen - line.current)]
        for node in base.nodes_any("SourceList", keys=kept):
            for a in node.get("assertions") or []:
                rel = _rel(a)
                if rel is not None:
                    self._extra[rel.type][rel.id] = rel
                    self.categories[rel.id] = a.get("category")

    # -- writing: never --------------------------------------------------------------------------------------------

    def apply(self, batch: Batch, *, batch_size: int | None = None) -> None:
        raise StoreError("按日期查看的图谱只读，不能写入", "a view of the graph as of a date is read-only")

    # -- nodes -----------------------------------------------------------------------------------------------------

    def _list(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("kind") == "structure":
            return p
        if p["id"] in self.in_force:
            return {**p, "status": "current"}
        if p.get("status") == "current":
            return {**p, "status": "replaced"}
        return p

    def node(self, label: str, key: str) -> dict[str, Any] | None:
        p = self.base.node(label, key)
        return self._list(p) if p is not None and label == "SourceList" else p

    def nodes(self, label: str, **equals: Any) -> list[dict[str, Any]]:
        if label != "SourceList" or "status" not in equals:
            found = self.base.nodes(label, **equals)
            return [self._list(p) for p in found] if label == "SourceList" else found
        status = equals.pop("status")
        return [q for q in (self._list(p) for p in self.base.nodes(label, **equals)) if q.get("status") == status]

    def nodes_any(self, label: str, *, keys: Sequence[str] | None = None,
                  region_prefix: str | None = None) -> list[dict[str, Any]]:
        found = self.base.nodes_any(label, keys=keys, region_prefix=region_prefix)
        return [self._list(p) for p in found] if label == "SourceList" else found

    # -- relations ---------------------------------------------------------------------------------------------------

    def _shown(self, rels: list[Rel]) -> list[Rel]:
        return [r for r in rels if r.props.get("list_id") not in self._hidden]

    def rels(self, type_: str, source: str | None = None, target: str | None = None, **equals: Any) -> list[Rel]:
        found = self._shown(self.base.rels(type_, source=source, target=target, **equals))
        for r in self._extra.get(type_, {}).values():
            if (source is None or r.source == source) and (target is None or r.target == target) and \
                    all(r.props.get(k) == v for k, v in equals.items()):
                found.append(r)
        return sorted(found, key=lambda r: r.id)

    def rels_any(self, type_: str, *, sources: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                 regions: Sequence[str] | None = None, region_prefix: str | None = None) -> list[Rel]:
        found = self._shown(self.base.rels_any(type_, sources=sources, targets=targets, regions=regions,
                                               region_prefix=region_prefix))
        want = [(None if v is None else set(v)) for v in (sources, targets, regions)]
        for r in self._extra.get(type_, {}).values():
            region = str(r.props.get("region", ""))
            if (want[0] is None or r.source in want[0]) and (want[1] is None or r.target in want[1]) and \
                    (want[2] is None or region in want[2]) and \
                    (region_prefix is None or region.startswith(region_prefix)):
                found.append(r)
        return sorted(found, key=lambda r: r.id)

    # -- the rest ----------------------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        out = {kind.label: len(self.base.nodes(kind.label)) for kind in SCHEMA.nodes}
        out.update({t: len(self.rels(t)) for t in SCHEMA.relation_types})
        return out

    def data_version(self) -> int:
        return self.base.data_version()

    def schema_version(self) -> int:
        return self.base.schema_version()

    def content(self) -> list[tuple]:
        out: list[tuple] = [(k.label, repr(sorted(p.items(), key=str))) for k in SCHEMA.nodes for p in self.nodes(k.label)]
        out += [(t, r.id, r.source, r.target, repr(sorted(r.props.items(), key=str)))
                for t in SCHEMA.relation_types for r in self.rels(t)]
        return sorted(out, key=repr)

    def matter_recall(self):  # the matters are the store's own: its full-text index recalls them
        return self.base.matter_recall()

    def close(self) -> None:
        """The view does not own its store: closing it closes nothing."""
