"""What a type-ahead box offers (the web application's pickers): the regions the store holds, and matter names and
agency labels for a word typed. Read once per data version; the values are ones ``api.inputs`` reads back
(a region's name, or its county's name in front when another county has a township of that name; a matter's whole
name; an agency's label, a township's unit with its township in front).
"""

from __future__ import annotations

from typing import Any

from quanze.api.resolve import Resolver
from quanze.graph.cache import by_version
from quanze.graph.store import Store
from quanze.graph.text import clean_text

MAX_SUGGESTIONS = 15


def region_choices(store: Store) -> list[dict[str, str]]:
    """Every township and county the store holds, townships first by code: ``{"value", "label", "code", "level"}``."""
    def build() -> list[dict[str, str]]:
        regions = store.nodes("Region")
        counties = {r["code"]: r["name"] for r in regions if r.get("level") == "county"}
        names: dict[str, int] = {}
        for r in regions:
            names[r["name"]] = names.get(r["name"], 0) + 1
        out = []
        for r in sorted(regions, key=lambda r: (r.get("level") != "township", r["code"])):
            county = counties.get(r.get("county_code") or "", "")
            value = r["name"] if names[r["name"]] == 1 or not county else f"{county}{r['name']}"
            label = f"{r['code']}" + (f" · {county}" if county else " · 县 county")
            out.append({"value": value, "label": label, "code": r["code"], "level": r.get("level") or ""})
        return out

    return by_version(store, "region_choices", None, build)


def _names(store: Store) -> list[tuple[str, str, str]]:
    """(folded text, value, kind) for every matter name and every agency label, read once per data version."""
    def build() -> list[tuple[str, str, str]]:
        resolver = Resolver(store)
        seen: set[str] = set()
        out = []
        for m in sorted(store.nodes("Matter"), key=lambda m: m["name"]):
            if m["name"] not in seen:
                seen.add(m["name"])
                out.append((_fold(m["name"]), m["name"], "matter"))
        for a in sorted(store.nodes("Agency"), key=lambda a: a["id"]):
            if a.get("kind") == "unresolved":
                continue
            label = resolver.agency(a["id"])["label"]
            if label and label not in seen:
                seen.add(label)
                out.append((_fold(label), label, "agency"))
        return out

    return by_version(store, "suggestion_names", None, build)


def _fold(text: str) -> str:
    return (clean_text(text) or "").lower()


def suggestions(store: Store, text: str, limit: int = MAX_SUGGESTIONS) -> list[dict[str, Any]]:
    """Matter names and agency labels containing the words typed (all of them, in any order), names that start
    with them first, then the shorter: ``{"value", "kind", "label"}`` (``kind`` matter | agency)."""
    words = [w for w in _fold(text).split() if w]
    if not words:
        return []
    found = [(folded, value, kind) for folded, value, kind in _names(store) if all(w in folded for w in words)]
    found.sort(key=lambda f: (not f[0].startswith(words[0]), len(f[1]), f[1]))
    return [{"value": value, "kind": kind, "label": "事项 matter" if kind == "matter" else "机构 body"}
            for _folded, value, kind in found[:limit]]


__all__ = ["region_choices", "suggestions"]
