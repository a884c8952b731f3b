"""Synthetic counties over the real region table: one ``Batch`` per real county, built from the demo county's graph.

The demo county (青岚县, 990701) is ingested once into a temporary embedded store; its nodes and relations are the
template (``Template``). ``Generator.county(county)`` makes the batch of one real county of ``bench/regions.py``
(its real code, name and townships), one at a time, deterministically from the seed and the county's code:

- **regions and bodies**: the county and its real townships (codes, names and places from the table); the county's
  departments from the demo's, renamed (青岚县住房和城乡建设局 → 磐安县住房和城乡建设局); each real township takes the
  offices, institutions, enforcement team and stationed units of one demo township (rotating over the 24 from a
  random start), renamed after it (城关派出所 → 安文派出所). A county has its real number of townships, 1 to 52;
- **list sizes around the national means** (docs/domain.md §6: basic 117, cooperation 99, recall 124 items a
  township): each county draws a factor in [0.6, 1.4], each township and list another in [0.75, 1.25], and the
  township's list gets that share of the mean. A demo township's own rows come first (cut at random when the target
  is smaller); more come from the other demo townships' lists of that kind, then — basic duties and recalls, whose
  demo lists are short (about 50 and 25) — a matter of another township's cooperation list that this township does
  itself (its government leads; never a department's power, which the audits would rightly report), or a power of
  the county's power list that its department takes back (RECALLED_TO the department). Delegations (赋权) keep the
  demo township's size (65–122) times the factors, capped by the 134 delegated items there are. No matter is put on
  two kinds of list of one township by the generator (the demo's own rows may be);
- **local wordings**: each county words 5–20 % of its matters its own way (drawn per county): the matter gets a
  county-specific name and id (对…的行政处罚 → 对…的处罚, 、 → 和, a dropped 对, or 事项 appended; then the county's name
  in brackets, as local lists qualify an item), without the code, and
  every relation of that county names the local matter instead. Other matters are the shared catalogue (same code or
  same normalised name = same matter, as real ingest merges them);
- ids: relations re-hashed with the township (or county) code, so every assertion is its own; lists renamed and their
  ``file_hash`` re-hashed (ingest skips a file it already holds by name and hash).

What stays unrealistic: the vocabulary is the demo's 796 matters plus the local wordings; every county has the demo's
37 departments; duty texts repeat. ``python bench/synthetic.py --scale province`` prints the sizes.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/synthetic.py``: the repo root on the path, as ``python -m`` has it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.regions import County, counties_of, describe
from quanze.graph.matters import matter_id, norm_matter_name
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Rel, Store

DEMO_CODE = "990701"
DEMO_NAME = "青岚县"
DEMO_STEM = "青岚"
# national means of a township's three lists (docs/domain.md §6)
MEANS = {"basic": 117, "cooperation": 99, "recall": 124}
COUNTY_FACTOR = (0.6, 1.4)
TOWNSHIP_FACTOR = (0.75, 1.25)
LOCAL_SHARE = (0.05, 0.20)
FAMILIES = ("basic", "cooperation", "recall", "delegation")
_TOWN_SUFFIX = re.compile(r"(?:街道办事处|街道|地区办事处|办事处|民族乡|镇|乡|苏木)$")


def stem(name: str) -> str:
    """A township's or county's name without its kind: 城关镇 → 城关, 安文街道 → 安文 (the name itself when nothing
    is left)."""
    core = _TOWN_SUFFIX.sub("", name) if not name.endswith(("县", "区", "市", "旗")) else name[:-1]
    return core if len(core) >= 2 else name


@dataclass
class Template:
    """The demo county's graph, read from a store: what every synthetic county is built from."""

    nodes: dict[str, list[dict[str, Any]]]
    rels: dict[str, list[Rel]]

    @classmethod
    def from_store(cls, store: Store) -> Template:
        return cls({kind.label: store.nodes(kind.label) for kind in SCHEMA.nodes},
                   {t: store.rels(t) for t in SCHEMA.relation_types})

    @classmethod
    def from_demo(cls) -> Template:
        """Ingest the demo's files into a temporary embedded store and read the template from it."""
        from quanze.demo import demo_path
        from quanze.graph.sqlite_store import SqliteStore
        from quanze.ingest.pipeline import ingest_paths

        with tempfile.TemporaryDirectory(prefix="quanze-template-") as tmp, \
                SqliteStore(f"sqlite:///{Path(tmp) / 'demo.db'}") as store:
            report = ingest_paths([demo_path()], store)
            if not report.ok:
                raise RuntimeError("the demo county did not load: "
                                   + "; ".join(p.format() for f in report.files for p in f.errors))
            return cls.from_store(store)

    def sizes(self) -> dict[str, int]:
        out = {label: len(rows) for label, rows in self.nodes.items()}
        out.update({t: len(rels) for t, rels in self.rels.items()})
        return out


def _family(rel: Rel) -> str | None:
    """Which township list a relation is a row of, for scaling: basic, cooperation, recall, delegation, or None."""
    if rel.type == "LEADS":
        kind = rel.props.get("list_kind")
        return "basic" if kind in ("basic", "power") else "cooperation" if kind == "cooperation" else None
    return {"COOPERATES_ON": "cooperation", "RECALLED_TO": "recall", "DELEGATES": "delegation",
            "UNDERTAKES": "delegation"}.get(rel.type)


def _matter_of(rel: Rel) -> str:
    return rel.source if rel.type == "RECALLED_TO" else rel.target


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()


def reword(name: str, code: str, county: str) -> str:
    """A county's own wording of a matter's name (a different normalised name, the same meaning), with the county's
    name after it, so that two counties' wordings stay two matters."""
    options = []
    if "的行政处罚" in name:
        options.append(name.replace("的行政处罚", "的处罚", 1))
    if "、" in name:
        options.append(name.replace("、", "和", 1))
    if name.startswith("对") and len(name) > 6:
        options.append(name[1:])
    options.append(name + ("工作" if name.endswith("事项") else "事项"))
    return f"{options[int(_digest(code, name)[:8], 16) % len(options)]}（{stem(county)}）"


class _Tokens:
    """The demo's codes and names in a template text, found once per text: a text is kept as its pieces (literal,
    token, literal, …), and rewriting it for a county or township is joining the pieces with the tokens mapped —
    one pass, so a replaced text is never replaced again (临江镇 → 安文街道 must not turn a county called 临江市
    into 安文市), and no pattern is compiled per township."""

    def __init__(self, tokens: list[str]):
        keys = sorted(set(t for t in tokens if t), key=len, reverse=True)
        self.pattern = re.compile("(" + "|".join(map(re.escape, keys)) + ")")
        self.memo: dict[str, tuple[str, ...]] = {}

    def split(self, text: str) -> tuple[str, ...]:
        parts = self.memo.get(text)
        if parts is None:
            parts = self.memo[text] = tuple(self.pattern.split(text))
        return parts

    def has(self, value: Any) -> bool:
        return isinstance(value, str) and len(self.split(value)) > 1


class _Rewriter:
    """A template value as one county (and township) has it: demo tokens mapped, in one pass."""

    def __init__(self, tokens: _Tokens, mapping: dict[str, str]):
        self.tokens = tokens
        self.mapping = mapping

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            parts = self.tokens.split(value)
            if len(parts) == 1:
                return value
            get = self.mapping.get
            return "".join(p if i % 2 == 0 else get(p, p) for i, p in enumerate(parts))
        if isinstance(value, list):
            return [self(v) for v in value]
        return value

    def extended(self, more: dict[str, str]) -> "_Rewriter":
        return _Rewriter(self.tokens, {**self.mapping, **more})


class _Shape:
    """A template relation taken apart once: its type, endpoints, the properties to copy as they are and those
    holding a demo code or name (rewritten per county)."""

    __slots__ = ("rel", "static", "dynamic")

    def __init__(self, rel: Rel, tokens: _Tokens):
        self.rel = rel
        own = ("id", "undertaker", "delegation")
        self.static = {k: v for k, v in rel.props.items() if k not in own and not tokens.has(v)}
        self.dynamic = [k for k, v in rel.props.items() if k not in own and tokens.has(v)]


class Generator:
    """Batches of real counties, built from the template (see the module's docstring). Deterministic: the same seed
    and county give the same batch, so a question plan can rebuild a county it asks about."""

    def __init__(self, template: Template, seed: int = 7):
        self.t = template
        self.seed = seed
        regions = {r["code"]: r for r in template.nodes["Region"]}
        self.towns = sorted(c for c, r in regions.items() if r.get("level") == "township")
        self.town_names = {c: regions[c]["name"] for c in self.towns}
        self.regions = regions
        self.agencies = {a["id"]: a for a in template.nodes["Agency"]}
        self.matters = {m["id"]: m for m in template.nodes["Matter"]}
        stationed = {r.source: r.target for r in template.rels.get("STATIONED_IN", [])}
        # the township each agency goes with: its own, or where it is stationed; None: the county's
        self.agency_town = {a: (p["region"] if len(p.get("region") or "") == 9 else stationed.get(a))
                            for a, p in self.agencies.items()}
        self.town_agencies: dict[str, list[str]] = defaultdict(list)
        for a, town in self.agency_town.items():
            if town:
                self.town_agencies[town].append(a)
        # a township list's id is one token, so that a row re-homed from another township can name this one's list
        self.lists = template.nodes.get("SourceList", [])
        self.town_list_ids = [lst["id"] for lst in self.lists if len(lst.get("region") or "") == 9]
        tokens = [DEMO_CODE, DEMO_STEM] + self.towns + list(self.town_names.values()) + \
            [stem(n) for n in self.town_names.values()] + self.town_list_ids
        self.tokens = _Tokens(tokens)
        # relations by owner: the county's, and per demo township its fixed ones and its list rows by family and matter
        self.county_rels: list[_Shape] = []
        self.fixed: dict[str, list[_Shape]] = defaultdict(list)
        self.rows: dict[str, dict[str, dict[str, list[_Shape]]]] = {
            t: {f: defaultdict(list) for f in FAMILIES} for t in self.towns}
        for type_, rels in template.rels.items():
            for rel in rels:
                shape = _Shape(rel, self.tokens)
                town = self._owner(rel)
                family = _family(rel) if town else None
                if town is None:
                    self.county_rels.append(shape)
                elif family is None:
                    self.fixed[town].append(shape)
                else:
                    self.rows[town][family][_matter_of(rel)].append(shape)
        # the county's power list, by matter: what extra basic duties and recalls are made of
        self.power = {}
        for shape in self.county_rels:
            r = shape.rel
            if r.type == "LEADS" and r.props.get("list_kind") == "power" and r.target not in self.power:
                self.power[r.target] = shape
        self.ways = sorted({r.props["way"] for r in template.rels.get("RECALLED_TO", []) if r.props.get("way")})
        self.town_lists = {(t, kind): next((lst["id"] for lst in self.lists if lst.get("region") == t
                                            and lst.get("kind") == kind), None)
                           for t in self.towns for kind in ("basic", "cooperation", "recall")}

    def _owner(self, rel: Rel) -> str | None:
        """The demo township a relation goes with (its region, or a township's body or region at one end)."""
        region = rel.props.get("region")
        if isinstance(region, str) and len(region) == 9:
            return region
        kind = SCHEMA.relation(rel.type)
        for label, key in ((kind.source, rel.source), (kind.target, rel.target)):
            if label == "Region" and len(key) == 9:
                return key
            if label == "Agency" and self.agency_town.get(key):
                return self.agency_town[key]
        return None

    # -- one county --------------------------------------------------------------------------------------------

    def plan(self, county: County) -> dict[str, Any]:
        """The county's random draws: its local share, list factors and demo townships, from the seed and code."""
        rng = random.Random(f"{self.seed}/{county.code}")
        start = rng.randrange(len(self.towns))
        towns = []
        factor = rng.uniform(*COUNTY_FACTOR)
        for i, town in enumerate(county.townships):
            towns.append({"region": town, "template": self.towns[(start + i) % len(self.towns)],
                          "factors": {f: factor * rng.uniform(*TOWNSHIP_FACTOR) for f in FAMILIES}})
        return {"local_share": rng.uniform(*LOCAL_SHARE), "factor": factor, "townships": towns}

    def county(self, county: County) -> Batch:
        return _CountyBuilder(self, county).build()

    def batches(self, counties: list[County]) -> Iterator[tuple[County, Batch]]:
        """One county at a time: a province or the country is never held in memory at once."""
        for c in counties:
            yield c, self.county(c)


class _CountyBuilder:
    def __init__(self, gen: Generator, county: County):
        self.g = gen
        self.c = county
        self.plan = gen.plan(county)
        self.code = county.code
        self.batch = Batch()
        self.county_text = _Rewriter(gen.tokens, {DEMO_CODE: self.code, DEMO_NAME: county.name,
                                                  DEMO_STEM: stem(county.name)})
        self.local: dict[str, str] = {}  # template matter id → this county's local wording's id
        self.local_share = self.plan["local_share"]
        self.agency_ids: dict[str, str] = {}  # template id of a county body → its id here
        self.rng = random.Random(f"{gen.seed}/{county.code}/rows")

    # -- names and ids -----------------------------------------------------------------------------------------

    def matter(self, mid: str) -> str:
        """The id this county uses for a template matter (its local wording's, for 5–20 % of them), adding the
        matter node to the batch."""
        if mid in self.local:
            return self.local[mid]
        m = self.g.matters.get(mid)
        if m is None:
            return mid
        if int(_digest(self.code, mid)[:8], 16) / 0xFFFFFFFF < self.local_share:
            name = reword(m["name"], self.code, self.c.name)
            props = {k: v for k, v in m.items() if k != "code"}
            props.update(name=name, norm_name=norm_matter_name(name, m.get("sub_item")),
                         id=matter_id(None, name, m.get("sub_item")))
        else:
            props = m
        self.local[mid] = props["id"]
        self.batch.add_node("Matter", props)
        return props["id"]

    def rel_id(self, scope: str, old: str) -> str:
        return f"{old.split(':', 1)[0]}:{_digest(scope, old)[:20]}"

    # -- the county --------------------------------------------------------------------------------------------

    def build(self) -> Batch:
        g, b = self.g, self.batch
        region = self.c.region
        b.add_node("Region", {"code": self.code, "name": region.name, "level": "county", "kind": region.kind,
                              "full_name": region.full_name, "tags": [], "origin": "declared",
                              **{k: self.county_text(v) for k, v in g.regions[DEMO_CODE].items()
                                 if k in ("list_id", "file", "sheet", "row")}})
        for a, p in g.agencies.items():
            if g.agency_town[a] is None:
                props = {k: self.county_text(v) for k, v in p.items()}
                self.agency_ids[a] = props["id"]
                b.add_node("Agency", props)
        for lst in g.lists:
            if not (len(lst.get("region") or "") == 9):
                b.add_node("SourceList", self._list(lst, self.county_text, self.code))
        for shape in g.county_rels:
            self._add(shape, self.county_text, self.code, self.county_agency)
        for town in self.plan["townships"]:
            _TownshipBuilder(self, town).build()
        return b

    def _list(self, lst: dict[str, Any], text: _Rewriter, scope: str) -> dict[str, Any]:
        props = {k: text(v) for k, v in lst.items() if k not in ("rejected", "assertions")}
        if props.get("file_hash"):
            props["file_hash"] = _digest(scope, props["file_hash"])[:64]
        return props

    def _add(self, shape: _Shape, text: _Rewriter, scope: str, agency: Callable[[str], str],
             region: str | None = None) -> None:
        """Add a template relation rewritten for this county (or township): endpoints mapped, its own id."""
        r = shape.rel
        kind = SCHEMA.relation(r.type)
        props = dict(shape.static)
        for k in shape.dynamic:
            props[k] = text(r.props[k])
        if region is not None:
            props["region"] = region
        props["id"] = self.rel_id(scope, r.id)
        if r.type == "UNDERTAKES" and r.props.get("delegation"):
            props["delegation"] = self.rel_id(scope, r.props["delegation"])
        if r.props.get("undertaker"):
            props["undertaker"] = agency(r.props["undertaker"])
        # the props are the template's (schema-checked when it was loaded): added without Batch.add_rel's checks
        self.batch.rels.setdefault(r.type, {})[props["id"]] = Rel(
            r.type, props["id"], self._end(kind.source, r.source, text, agency),
            self._end(kind.target, r.target, text, agency), props)

    def _end(self, label: str, key: str, text: _Rewriter, agency: Callable[[str], str]) -> str:
        if label == "Matter":
            return self.matter(key)
        if label == "Agency":
            return agency(key)
        return text(key)

    def county_agency(self, key: str) -> str:
        return self.agency_ids.get(key) or self.county_text(key)


class _TownshipBuilder:
    def __init__(self, county: _CountyBuilder, town: dict[str, Any]):
        self.cb = county
        self.g = county.g
        self.region = town["region"]
        self.code = self.region.code
        self.t = town["template"]
        self.factors = town["factors"]
        t_name = self.g.town_names[self.t]
        self.text = county.county_text.extended({self.t: self.code, t_name: self.region.name,
                                                 stem(t_name): stem(self.region.name)})
        self.text.mapping.update((lid, lid.replace(self.t, self.code)) for lid in self.g.town_list_ids
                                 if self.t in lid)
        self.rehoming: dict[str, _Rewriter] = {}
        self.agencies: dict[str, str] = {}
        self.government: str | None = None
        self.used: set[str] = set()  # template matters on this township's lists

    def build(self) -> None:
        g, cb, b = self.g, self.cb, self.cb.batch
        t_region = g.regions[self.t]
        b.add_node("Region", {"code": self.code, "name": self.region.name, "level": "township",
                              "kind": self.region.kind, "county_code": cb.code, "full_name": self.region.full_name,
                              "tags": list(t_region.get("tags") or []), "origin": "declared",
                              **{k: cb.county_text(v) for k, v in t_region.items()
                                 if k in ("list_id", "file", "sheet", "row")}})
        for a in g.town_agencies[self.t]:
            props = {k: self.text(v) for k, v in g.agencies[a].items()}
            if b.node("Agency", props["id"]) is not None:  # two townships of this county from one demo township
                props["id"] += f"（{stem(self.region.name)}）"
                props["name"] += f"（{stem(self.region.name)}）"
            self.agencies[a] = props["id"]
            if props.get("kind") == "township_government":
                self.government = props["id"]
            b.add_node("Agency", props)
        # this township's bodies by name: the body a row taken from another demo township names
        self.by_name = {g.agencies[a]["name"]: self.agencies[a] for a in g.town_agencies[self.t]}
        for lst in g.lists:
            if lst.get("region") == self.t:
                b.add_node("SourceList", cb._list(lst, self.text, self.code))
        for shape in g.fixed[self.t]:
            cb._add(shape, self.text, self.code, self.agency)
        own = {f: g.rows[self.t][f] for f in FAMILIES}
        for f in FAMILIES:
            self.used |= set(own[f])
        for f in FAMILIES:
            self._family(f, own[f])

    def agency(self, key: str) -> str:
        """The id here of a body a template row names: this township's own, the county's, or — a body of another
        demo township, named by a row taken from there — this township's body of that name, else its government."""
        mine = self.agencies.get(key)
        if mine is not None:
            return mine
        if self.g.agency_town.get(key) is None:
            return self.cb.county_agency(key)
        p = self.g.agencies[key]
        return self.by_name.get(p["name"]) or self.government or self.cb.county_agency(key)

    def _family(self, family: str, own: dict[str, list[_Shape]]) -> None:
        g, cb, rng = self.g, self.cb, self.cb.rng
        mean = MEANS.get(family, len(own))
        target = max(5, round(mean * self.factors[family]))
        mine = sorted(own)
        if target <= len(mine):
            chosen = sorted(rng.sample(mine, target))
            for mid in chosen:
                for shape in own[mid]:
                    cb._add(shape, self.text, self.code, self.agency)
            return
        for mid in mine:
            for shape in own[mid]:
                cb._add(shape, self.text, self.code, self.agency)
        need = target - len(mine)
        # rows of the same kind from the other demo townships, re-homed here
        pool: dict[str, list[tuple[str, list[_Shape]]]] = defaultdict(list)
        for t2 in g.towns:
            if t2 != self.t:
                for mid, shapes in g.rows[t2][family].items():
                    if mid not in self.used:
                        pool[mid].append((t2, shapes))
        for mid in rng.sample(sorted(pool), min(need, len(pool))):
            t2, shapes = pool[mid][rng.randrange(len(pool[mid]))]
            self.used.add(mid)
            need -= 1
            for shape in shapes:
                self._rehomed(shape, t2, family)
        if need > 0 and family == "basic":
            # duties the township does itself, among the matters other townships' cooperation lists hold (never a
            # department's power: a township list leading a power nobody delegated is what the audits report)
            spare = sorted({mid for t2 in g.towns for mid in g.rows[t2]["cooperation"]
                            if mid not in self.used and mid not in g.power})
            for mid in rng.sample(spare, min(need, len(spare))):
                self.used.add(mid)
                holders = [t2 for t2 in g.towns if mid in g.rows[t2]["cooperation"]]
                self._as_basic(mid, g.rows[holders[rng.randrange(len(holders))]]["cooperation"][mid])
        if need > 0 and family == "recall":
            spare = [mid for mid in sorted(g.power) if mid not in self.used]
            for mid in rng.sample(spare, min(need, len(spare))):
                self.used.add(mid)
                self._recalled(g.power[mid])

    def _rehomed(self, shape: _Shape, t2: str, family: str) -> None:
        """A row of another demo township's list, as a row of this township's list of that kind."""
        text = self.rehoming.get(t2)
        if text is None:
            # t2's codes and names are this township's; t2's own lists are this township's lists of that kind
            name = self.g.town_names[t2]
            more = {t2: self.code, name: self.region.name, stem(name): stem(self.region.name)}
            # every version of t2's list of a kind (list ids end in @year#digest) → this township's of that kind and
            # year, else its first of that kind
            for lst in self.g.lists:
                kind = lst.get("kind")
                if lst.get("region") != t2 or kind not in ("basic", "cooperation", "recall"):
                    continue
                year = str(lst["id"]).partition("@")[2].partition("#")[0]
                mine = next((m["id"] for m in self.g.lists if m.get("region") == self.t and m.get("kind") == kind
                             and str(m["id"]).partition("@")[2].partition("#")[0] == year),
                            self.g.town_lists.get((self.t, kind)))
                if mine:
                    more[lst["id"]] = self.text(mine)
            text = self.rehoming[t2] = self.text.extended(more)
        self.cb._add(shape, text, self.code, self.agency, region=self.code)

    def _as_basic(self, mid: str, shapes: list[_Shape]) -> None:
        """A matter of another township's cooperation list as a basic duty of this township: its government leads,
        with the duty the township had there."""
        rows = [sh.rel for sh in shapes]
        lead = next((r for r in rows if r.type == "LEADS"), rows[0])
        own = next((r for r in rows if r.type == "COOPERATES_ON" and self.g.agency_town.get(r.source)), lead)
        self._row("LEADS", self.government or self.cb.county_agency(lead.source), self.cb.matter(mid), "basic", {
            "duty": own.props.get("duty") or lead.props.get("duty"), "legal_basis": lead.props.get("legal_basis"),
            "list_kind": "basic", "sheet": "基本履职事项"})

    def _recalled(self, power: _Shape) -> None:
        """A power of the county's list that its department takes back from the township (RECALLED_TO it)."""
        cb, p = self.cb, power.rel.props
        way = self.g.ways[cb.rng.randrange(len(self.g.ways))] if self.g.ways else None
        self._row("RECALLED_TO", cb.matter(power.rel.target), cb.county_agency(power.rel.source), "recall", {
            "way": way, "agency_text": p.get("agency_text"), "sheet": "收回事项"})

    def _row(self, type_: str, source: str, target: str, family: str, props: dict[str, Any]) -> None:
        rid = f"{family}:{self.code}:{source}:{target}"
        list_id = self.text(self.g.town_lists.get((self.t, family)) or "") or None
        props = {k: v for k, v in props.items() if v is not None}
        props.update(id=f"{type_.lower()}:{_digest(rid)[:20]}", region=self.code, list_id=list_id,
                     file="generated.xlsx", row=len(self.used))
        self.cb.batch.rels.setdefault(type_, {})[props["id"]] = Rel(type_, props["id"], source, target, props)


def sizes(gen: Generator, counties: list[County]) -> dict[str, Any]:
    """Nodes and relations the counties' batches hold (generated, not written; matters counted once)."""
    totals: dict[str, int] = defaultdict(int)
    matters: set[str] = set()
    per_township: dict[str, list[int]] = defaultdict(list)
    local = 0
    for county, batch in gen.batches(counties):
        for label, rows in batch.nodes.items():
            if label == "Matter":
                matters.update(rows)
                local += sum(1 for m in rows.values() if m["id"] not in gen.matters)
            else:
                totals[label] += len(rows)
        for type_, rels in batch.rels.items():
            totals[type_] += len(rels)
        counted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for type_, rels in batch.rels.items():
            for r in rels.values():
                f = _family(r)
                if f in MEANS and len(r.props.get("region", "")) == 9 and (type_ != "COOPERATES_ON"):
                    counted[(r.props["region"], f)].add(_matter_of(r))
        for (_town, f), ms in counted.items():
            per_township[f].append(len(ms))
    totals["Matter"] = len(matters)
    nodes = sum(totals[k.label] for k in SCHEMA.nodes)
    return {"nodes": nodes, "relations": sum(v for k, v in totals.items() if k not in {n.label for n in SCHEMA.nodes}),
            "by_kind": dict(sorted(totals.items())), "local_matters": local,
            "per_township_mean": {f: round(sum(v) / len(v), 1) for f, v in per_township.items() if v},
            "per_township_range": {f: [min(v), max(v)] for f, v in per_township.items() if v}}


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="province", choices=("province", "country"))
    parser.add_argument("--counties", type=int, default=None, help="only the first N counties of the scale")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    counties = counties_of(args.scale)[:args.counties]
    gen = Generator(Template.from_demo(), args.seed)
    print(json.dumps({"scale": describe(args.scale), "generated": sizes(gen, counties)}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
