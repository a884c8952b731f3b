"""An audit of one county reads only that county (Facts(county=…)) and finds exactly what the audit of the whole
store finds there — on a store holding two counties, on both stores."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from quanze.api.audit import run, run_audit
from quanze.api.audit.facts import Facts

REPO = Path(__file__).resolve().parent.parent
if not (REPO / "bench" / "synthetic.py").is_file():
    pytest.skip("bench/ is not in this installation", allow_module_level=True)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synthetic import DEMO_CODE, Template, county_code  # noqa: E402

AS_OF = "2025-06-01"


def whole_store_audit(store, region, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(run, "_county_to_read", lambda held: None)
        return run_audit(store, region=region, as_of=AS_OF).to_dict()


def assert_scoped_equals_whole(store, monkeypatch, regions):
    for region in regions:
        scoped = run_audit(store, region=region, as_of=AS_OF).to_dict()
        assert scoped == whole_store_audit(store, region, monkeypatch), region
        assert scoped["findings"], region  # the demo's planted cases are there to be found


@pytest.fixture
def two_counties(full_demo_store):
    full_demo_store.apply(Template.from_store(full_demo_store).clone(1))
    return full_demo_store


def test_a_county_audit_reads_only_its_county_and_finds_the_same(two_counties, monkeypatch):
    facts = Facts(two_counties, county=DEMO_CODE)
    assert facts.regions and all(code[:6] == DEMO_CODE for code in facts.regions)
    assert all(a["region"][:6] == DEMO_CODE for a in facts.agencies.values())
    assert all(str(r.props.get("region", DEMO_CODE))[:6] == DEMO_CODE
               for rels in facts.rels.values() for r in rels)
    whole = Facts(two_counties)
    assert len(facts.agencies) < len(whole.agencies) and len(facts.rels["LEADS"]) < len(whole.rels["LEADS"])
    assert_scoped_equals_whole(two_counties, monkeypatch, [DEMO_CODE, county_code(1), "990701001"])


def test_neo4j_reads_one_county_alike(full_demo_store, neo4j_store, monkeypatch):
    from quanze.graph.copy import copy_store

    full_demo_store.apply(Template.from_store(full_demo_store).clone(1))
    copy_store(full_demo_store, neo4j_store)
    for name in ("regions", "agencies", "matters", "lists"):
        assert getattr(Facts(neo4j_store, county=DEMO_CODE), name) == getattr(Facts(full_demo_store, county=DEMO_CODE),
                                                                                name), name
    assert_scoped_equals_whole(neo4j_store, monkeypatch, [DEMO_CODE])
    assert run_audit(neo4j_store, region=DEMO_CODE, as_of=AS_OF).to_dict() == \
        run_audit(full_demo_store, region=DEMO_CODE, as_of=AS_OF).to_dict()
