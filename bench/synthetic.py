"""A scaled graph: N fictional counties cloned from the demo county's loaded graph, one ``Batch`` per county.

The demo county (青岚县, 990701) is ingested once into a temporary embedded store; its nodes and relations are the
template. County ``k`` is the template re-keyed:

- region codes: ``990701`` → ``county_code(k)`` = ``99`` + two digits (10–99) + two digits (01–99), e.g. ``991001``,
  ``991002`` …; townships keep their three-digit suffix (``991001001`` …). Real codes start with 11–65 (the national
  table), and the demo's own ``990701`` is never produced, so a clone never clashes with a real county or the demo;
- names: ``青岚`` → ``county_name(k)`` (a fictional two-character name, e.g. 安川), in every string property: 青岚县住房和
  城乡建设局 becomes 安川县住房和城乡建设局, the list titles and file names follow;
- agency ids, list ids, owners and undertakers follow from the codes (``990701/青岚县公安局`` → ``991001/安川县公安局``);
  a list's ``file_hash`` is re-hashed with the code (another county's file has other bytes; ingest skips a file whose
  name and hash it already holds, so without this the demo's real files would be "unchanged" on top of the clones);
- relation ids: ``leads:<hash>`` → ``leads:<hash of county code and old id>``; an UNDERTAKES relation's ``delegation``
  follows its DELEGATES relation;
- matters are shared across counties, as most real items are (the same code, or the same normalised name, is the same
  matter): every county's batch upserts them again, as a real ingest does. A few name-keyed matters (1 in
  ``SPECIFIC_EVERY`` by a stable hash, about 5%) become county-specific: a local wording ``<name>（<county name>）``
  with its own id, and every relation of that county that named the shared matter names the local one instead.

Each county's batch therefore holds the demo's nodes and relations one for one (``county_sizes``); the store after N
counties holds N × (regions, agencies, lists, relations) and ``shared + N × specific`` matters (``expected_counts``).

    python bench/synthetic.py --counties 2        # print the sizes
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/synthetic.py``: the repo root on the path, as ``python -m`` has it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quanze.graph.matters import matter_id, norm_matter_name
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Rel, Store

DEMO_CODE = "990701"
DEMO_NAME = "青岚"
SPECIFIC_EVERY = 20  # 1 in 20 name-keyed matters is county-specific

# Fictional county names: first × second character; 30 × 30 = 900 names, then a number is added.
_FIRST = "安白碧苍澄丹东凤福甘桂海和鹤华嘉金锦兰乐临龙梅宁平清瑞善松泰"
_SECOND = "川源江岭泉溪阳山林原宁丰河平城水峰谷湖石桥沙田坪塘湾洲浦滨岗"


def county_code(k: int) -> str:
    """The code of synthetic county ``k`` (0-based): 991001, 991002, …, 991099, 991101, … up to 999999."""
    city, county = divmod(k, 99)
    if city > 89:
        raise ValueError(f"at most {90 * 99} synthetic counties")
    return f"99{10 + city:02d}{county + 1:02d}"


def county_name(k: int) -> str:
    """The fictional two-character name of county ``k`` (安川, 安源, …), without 县."""
    first, second = divmod(k, len(_SECOND))
    name = _FIRST[first % len(_FIRST)] + _SECOND[second]
    return name if k < len(_FIRST) * len(_SECOND) else f"{name}{k // (len(_FIRST) * len(_SECOND))}"


def _is_specific(matter: dict[str, Any]) -> bool:
    mid = matter["id"]
    if not mid.startswith("name:"):
        return False
    return int(hashlib.sha1(mid.encode("utf-8")).hexdigest()[:8], 16) % SPECIFIC_EVERY == 0


@dataclass
class Template:
    """The demo county's graph, read from a store: what every synthetic county is cloned from."""

    nodes: dict[str, list[dict[str, Any]]]
    rels: dict[str, list[Rel]]
    specific: frozenset[str]  # ids of the matters that become county-specific

    @classmethod
    def from_store(cls, store: Store) -> Template:
        nodes = {kind.label: store.nodes(kind.label) for kind in SCHEMA.nodes}
        rels = {t: store.rels(t) for t in SCHEMA.relation_types}
        specific = frozenset(m["id"] for m in nodes.get("Matter", []) if _is_specific(m))
        return cls(nodes, rels, specific)

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

    # -- sizes -------------------------------------------------------------------------------------------------

    def county_sizes(self) -> dict[str, int]:
        """Nodes and relations in one county's batch, by label and type (equal to the demo's)."""
        out = {label: len(rows) for label, rows in self.nodes.items()}
        out.update({t: len(rels) for t, rels in self.rels.items()})
        return out

    def expected_counts(self, n: int) -> dict[str, int]:
        """What ``Store.counts()`` gives after loading counties 0 … n-1 into an empty store."""
        out = {label: n * len(rows) for label, rows in self.nodes.items()}
        matters = len(self.nodes.get("Matter", []))
        out["Matter"] = (matters - len(self.specific)) + n * len(self.specific) if n else 0
        out.update({t: n * len(rels) for t, rels in self.rels.items()})
        return out

    def summary(self) -> dict[str, int]:
        sizes = self.county_sizes()
        labels = {k.label for k in SCHEMA.nodes}
        return {"nodes": sum(v for k, v in sizes.items() if k in labels),
                "relations": sum(v for k, v in sizes.items() if k not in labels),
                "townships": sum(1 for r in self.nodes.get("Region", []) if r.get("level") == "township"),
                "matters": len(self.nodes.get("Matter", [])), "specific_matters": len(self.specific)}

    # -- cloning -----------------------------------------------------------------------------------------------

    def clone(self, k: int) -> Batch:
        """The batch of synthetic county ``k``: every node and relation of the template, re-keyed."""
        return _Cloner(self, k).batch()

    def batches(self, n: int) -> Iterator[Batch]:
        """Batches of counties 0 … n-1, made one at a time (a 50-county graph is never held in memory at once)."""
        for k in range(n):
            yield self.clone(k)

    # -- mapping demo names to a clone's (for choosing questions) ------------------------------------------------

    @staticmethod
    def rekey(text: str, k: int) -> str:
        """A demo code, id or name as county ``k`` has it (matter ids excepted: see ``matter_id_in``)."""
        return text.replace(DEMO_CODE, county_code(k)).replace(DEMO_NAME, county_name(k))

    def matter_id_in(self, mid: str, k: int) -> str:
        """A template matter's id in county ``k``: the same, or the county's own for a county-specific matter."""
        if mid not in self.specific:
            return mid
        name = next(m["name"] for m in self.nodes["Matter"] if m["id"] == mid)
        return matter_id(None, _specific_name(name, k))


def _specific_name(name: str, k: int) -> str:
    return f"{name}（{county_name(k)}）"


class _Cloner:
    def __init__(self, template: Template, k: int):
        self.t = template
        self.k = k
        self.code = county_code(k)
        self.name = county_name(k)
        self.matters: dict[str, str] = {}  # template matter id → this county's id
        self.rel_ids: dict[str, str] = {}

    def text(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(DEMO_CODE, self.code).replace(DEMO_NAME, self.name)
        if isinstance(value, list):
            return [self.text(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.text(v) for k, v in value.items()}
        return value

    def rel_id(self, old: str) -> str:
        new = self.rel_ids.get(old)
        if new is None:
            prefix = old.split(":", 1)[0]
            digest = hashlib.sha1(f"{self.code}|{old}".encode()).hexdigest()[:20]
            new = self.rel_ids[old] = f"{prefix}:{digest}"
        return new

    def endpoint(self, label: str, key: str) -> str:
        if label == "Matter":
            return self.matters.get(key, key)
        return self.text(key)

    def batch(self) -> Batch:
        b = Batch()
        for label, rows in self.t.nodes.items():
            if label == "Matter":
                for m in rows:
                    b.add_node("Matter", self.matter(m))
            else:
                for props in rows:
                    props = self.text(props)
                    if props.get("file_hash"):  # another county's file: other bytes (ingest skips a known file)
                        props["file_hash"] = hashlib.sha256(f"{self.code}|{props['file_hash']}".encode()).hexdigest()
                    b.add_node(label, props)
        for type_, rels in self.t.rels.items():
            kind = SCHEMA.relation(type_)
            for r in rels:
                props = {k: (self.text(v) if k != "id" else v) for k, v in r.props.items()}
                props["id"] = self.rel_id(r.id)
                if type_ == "UNDERTAKES" and props.get("delegation"):
                    props["delegation"] = self.rel_id(r.props["delegation"])
                b.add_rel(type_, self.endpoint(kind.source, r.source), self.endpoint(kind.target, r.target), props)
        return b

    def matter(self, m: dict[str, Any]) -> dict[str, Any]:
        if m["id"] not in self.t.specific:
            return m
        props = dict(m)
        props["name"] = _specific_name(m["name"], self.k)
        props["norm_name"] = norm_matter_name(props["name"], m.get("sub_item"))
        props["id"] = matter_id(None, props["name"], m.get("sub_item"))
        self.matters[m["id"]] = props["id"]
        return props


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=2)
    args = parser.parse_args(argv)
    t = Template.from_demo()
    print(json.dumps({"per_county": t.summary(), "county_sizes": t.county_sizes(),
                      "store_after": t.expected_counts(args.counties),
                      "codes": [county_code(k) + " " + county_name(k) + "县" for k in range(min(args.counties, 5))]},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
