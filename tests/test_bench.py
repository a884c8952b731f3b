"""The benchmark's synthetic generator (bench/synthetic.py): two cloned counties on the embedded store.

Sizes and keys only — no timing is asserted anywhere; the benchmark itself is a command (``python -m bench.run``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from quanze.api.resolve import Resolver
from quanze.graph.regions import reference_regions
from quanze.graph.schema import SCHEMA
from quanze.graph.sqlite_store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
if not (REPO / "bench" / "synthetic.py").is_file():
    pytest.skip("bench/ is not in this installation", allow_module_level=True)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synthetic import DEMO_CODE, DEMO_NAME, Template, county_code, county_name


@pytest.fixture
def template(full_demo_store: SqliteStore) -> Template:
    return Template.from_store(full_demo_store)


@pytest.fixture
def two(template: Template, tmp_path: Path):
    store = SqliteStore(f"sqlite:///{tmp_path / 'two.db'}")
    for batch in template.batches(2):
        store.apply(batch)
    yield store
    store.close()


def test_codes_are_fictional_and_distinct() -> None:
    codes = [county_code(k) for k in range(300)]
    assert len(set(codes)) == 300
    assert codes[:2] == ["991001", "991002"]
    real = {r.code for r in reference_regions() if r.level == "county"}
    assert all(len(c) == 6 and c.startswith("99") and c != DEMO_CODE and c not in real for c in codes)
    assert len({county_name(k) for k in range(1000)}) == 1000


def test_one_county_is_the_demo_one_for_one(template: Template, full_demo_store: SqliteStore) -> None:
    assert template.county_sizes() == full_demo_store.counts()
    summary = template.summary()
    assert summary["townships"] == len(full_demo_store.nodes("Region", level="township"))
    assert 0 < summary["specific_matters"] < summary["matters"] // 10  # a few county-specific matters


def test_two_counties_have_the_expected_sizes(template: Template, two: SqliteStore) -> None:
    counts = two.counts()
    assert counts == template.expected_counts(2)
    demo = template.county_sizes()
    for label in ("Region", "Agency", "SourceList"):
        assert counts[label] == 2 * demo[label]
    assert counts["Matter"] == demo["Matter"] + len(template.specific)
    for type_ in SCHEMA.relation_types:
        assert counts[type_] == 2 * demo[type_]
    assert {r["code"] for r in two.nodes("Region", level="county")} == {"991001", "991002"}
    assert {r["name"] for r in two.nodes("Region", level="county")} == {county_name(0) + "县", county_name(1) + "县"}


def test_everything_is_rekeyed_and_nothing_dangles(two: SqliteStore) -> None:
    keys = {kind.label: {n[kind.key] for n in two.nodes(kind.label)} for kind in SCHEMA.nodes}
    for label in ("Region", "Agency", "SourceList"):
        assert not [k for k in keys[label] if DEMO_CODE in k or DEMO_NAME in k]
    for agency in two.nodes("Agency"):
        assert agency["region"][:6] in ("991001", "991002")
    delegations = {r.id for r in two.rels("DELEGATES")}
    for kind in SCHEMA.relations:
        for rel in two.rels(kind.type):
            # Neo4j refuses a relation whose node is missing: every endpoint must exist
            assert rel.source in keys[kind.source] and rel.target in keys[kind.target], rel
        if kind.type == "UNDERTAKES":
            assert all(r.props.get("delegation") in delegations for r in two.rels("UNDERTAKES"))


def test_a_cloned_township_answers_as_the_demo_township(template: Template, two: SqliteStore,
                                                         full_demo_store: SqliteStore) -> None:
    as_of = dt.date(2025, 6, 1)
    demo, clone = Resolver(full_demo_store), Resolver(two)
    town = f"{DEMO_CODE}002"
    pairs = sorted({(r.target, town) for r in full_demo_store.rels("LEADS", region=town)})[:10]
    pairs += sorted({(r.target, town) for r in full_demo_store.rels("DELEGATES", region=town)})[:5]
    pairs += sorted({(r.source, town) for r in full_demo_store.rels("RECALLED_TO", region=town)})[:5]
    assert pairs
    for matter, code in pairs:
        want = demo.resolve([matter], full_demo_store.node("Region", code), as_of)
        cloned_code = Template.rekey(code, 1)
        got = clone.resolve([template.matter_id_in(matter, 1)], two.node("Region", cloned_code), as_of)
        assert got.rule == want.rule, (matter, got.rule, want.rule)
        assert sorted((h.role, Template.rekey(h.agency["id"], 1)) for h in want.handlers) == \
            sorted((h.role, h.agency["id"]) for h in got.handlers)
