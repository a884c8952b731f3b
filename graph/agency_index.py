"""Resolving the agency a list means: exact name, alias (plaque, short name), normalised forms, abbreviations.

Scopes matter: units of a township are named as the township writes them (``综合行政执法大队``), so the same unit name
recurs in every township; they are told apart by the township. A name used in a township's list is looked up among
that township's units first, then among the county's bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from quanze.errors import Ambiguous, NotFound
from quanze.graph.agency_names import is_abbreviation, name_variants
from quanze.graph.suggest import NameIndex
from quanze.graph.text import normalise_key


@dataclass(frozen=True)
class AgencyRef:
    """What name resolution needs to know of an agency."""

    id: str
    name: str
    region: str
    kind: str
    short_names: tuple[str, ...] = ()
    plaques: tuple[str, ...] = ()

    @classmethod
    def from_props(cls, p: dict) -> "AgencyRef":
        return cls(p["id"], p["name"], p["region"], p.get("kind", ""), tuple(p.get("short_names") or ()),
                   tuple(p.get("plaques") or ()))

    def label(self) -> str:
        return f"{self.name}（{self.id}）"


@dataclass
class _Scope:
    exact: dict[str, set[str]] = field(default_factory=dict)  # normalised full name → ids
    alias: dict[str, set[str]] = field(default_factory=dict)  # normalised plaque / short name → ids
    variant: dict[str, set[str]] = field(default_factory=dict)  # normalised variants of names and aliases → ids


class AgencyIndex:
    """Agencies of one county (its departments, units, dispatched units and every township's units)."""

    def __init__(self, county_code: str, county_name: str, agencies: Iterable[AgencyRef] = ()):
        self.county_code = county_code
        self.county_name = county_name
        self.by_id: dict[str, AgencyRef] = {}
        self._scopes: dict[str, _Scope] = {}
        self._suggest: dict[str, tuple[NameIndex, dict[str, str]]] = {}
        self._longest = 0  # characters of the longest name or plaque
        for a in agencies:
            self.add(a)

    def add(self, agency: AgencyRef) -> None:
        self.by_id[agency.id] = agency
        self._longest = max([self._longest, *(len(n) for n in (agency.name,) + agency.plaques)])
        self._suggest.pop(agency.region, None)
        scope = self._scopes.setdefault(agency.region, _Scope())
        scope.exact.setdefault(normalise_key(agency.name), set()).add(agency.id)
        for alias in agency.plaques + agency.short_names:
            scope.alias.setdefault(normalise_key(alias), set()).add(agency.id)
        for text in (agency.name,) + agency.plaques + agency.short_names:
            for v in name_variants(text, self.county_name):
                scope.variant.setdefault(v, set()).add(agency.id)

    def _scope_order(self, township: str | None) -> list[str]:
        return ([township] if township and township != self.county_code else []) + [self.county_code]

    def find(self, text: str, township: str | None = None) -> list[AgencyRef]:
        """Every agency the text could mean, at the first stage and scope that finds any (empty if none)."""
        key = normalise_key(text)
        if not key:
            return []
        for region in self._scope_order(township):
            scope = self._scopes.get(region)
            if scope is None:
                continue
            for table in (scope.exact, scope.alias):
                if key in table:
                    return [self.by_id[i] for i in sorted(table[key])]
            hits: set[str] = set()
            for v in name_variants(text, self.county_name):
                hits |= scope.variant.get(v, set())
            if hits:
                return [self.by_id[i] for i in sorted(hits)]
            # an abbreviation is shorter than the name it stands for: a text as long as the longest name is none
            abbreviated = [a for a in self.by_id.values() if a.region == region and any(
                is_abbreviation(text, n) for n in (a.name,) + a.plaques)] if len(key) < self._longest else []
            if abbreviated:
                return sorted(abbreviated, key=lambda a: a.id)
        return []

    def resolve(self, text: str, township: str | None = None) -> AgencyRef:
        """Exactly one agency, or NotFound with the nearest names, or Ambiguous with the candidates."""
        found = self.find(text, township)
        if len(found) == 1:
            return found[0]
        if found:
            labels = [a.label() for a in found]
            raise Ambiguous(f"机构名称「{text}」可指 {len(found)} 个机构：" + "；".join(labels),
                            f"agency name {text!r} could mean {len(found)} agencies: " + "; ".join(labels), labels)
        near = self.nearest(text, township)
        raise NotFound(
            f"找不到机构「{text}」" + (f"；最接近的：{'、'.join(near)}" if near else ""),
            f"no agency named {text!r}" + (f"; nearest: {', '.join(near)}" if near else ""), near)

    def nearest(self, text: str, township: str | None = None, n: int = 5) -> list[str]:
        """The nearest agency names (by name, plaque or short name) in the township and the county, from a bigram
        index per scope (``graph/suggest.py``), built once per index."""
        scored: list[tuple[str, float]] = []
        names: dict[str, str] = {}
        for region in self._scope_order(township):
            index, canonical = self._suggestions(region)
            names.update((k, v) for k, v in canonical.items() if k not in names)
            scored += index.scored(text, n * 2, cutoff=0.4)
        out: list[str] = []
        for c, _ in sorted(scored, key=lambda x: (-x[1], x[0])):
            if names[c] not in out:
                out.append(names[c])
        return out[:n]

    def _suggestions(self, region: str) -> tuple[NameIndex, dict[str, str]]:
        if region not in self._suggest:
            names: dict[str, str] = {}
            for a in sorted(self.by_id.values(), key=lambda a: a.id):
                if a.region == region:
                    for name in (a.name,) + a.plaques + a.short_names:
                        names.setdefault(name, a.name)
            self._suggest[region] = (NameIndex(names), names)
        return self._suggest[region]
