"""An audit of one county reads only that county (Facts(county=…)) and finds exactly what the audit of the whole
store finds there — on a store holding two counties, on both stores; an audit of everything, run county by county,
finds what one reading of everything finds, and its exports stream county by county."""

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

from bench.regions import counties_of  # noqa: E402
from bench.synthetic import DEMO_CODE, Generator, Template  # noqa: E402

OTHER = "330727"  # a generated county (磐安县) beside the demo

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


def _other_county(store):
    county = next(c for c in counties_of("province") if c.code == OTHER)
    return Generator(Template.from_store(store)).county(county)


@pytest.fixture
def two_counties(full_demo_store):
    full_demo_store.apply(_other_county(full_demo_store))
    return full_demo_store


def test_a_county_audit_reads_only_its_county_and_finds_the_same(two_counties, monkeypatch):
    facts = Facts(two_counties, county=DEMO_CODE)
    assert facts.regions and all(code[:6] == DEMO_CODE for code in facts.regions)
    assert all(a["region"][:6] == DEMO_CODE for a in facts.agencies.values())
    assert all(str(r.props.get("region", DEMO_CODE))[:6] == DEMO_CODE
               for rels in facts.rels.values() for r in rels)
    whole = Facts(two_counties)
    assert len(facts.agencies) < len(whole.agencies) and len(facts.rels["LEADS"]) < len(whole.rels["LEADS"])
    assert_scoped_equals_whole(two_counties, monkeypatch, [DEMO_CODE, OTHER, "990701001"])


def test_an_audit_of_everything_county_by_county_finds_what_one_reading_of_everything_finds(two_counties, tmp_path):
    import datetime as dt

    from quanze.api.audit import RULE_IDS, write_csv, write_xlsx
    from quanze.api.audit.run import _run, audit_counties

    joined = run_audit(two_counties, as_of=AS_OF)
    at_once = _run(Facts(two_counties, dt.date(2025, 6, 1)), list(RULE_IDS), 0, run.thresholds_for(None), None, None,
                   two_counties)
    assert joined.to_dict() == at_once.to_dict()
    each = list(audit_counties(two_counties, as_of=AS_OF))
    assert [{f.region["code"][:6] for f in r.findings} for r in each] == [{OTHER}, {DEMO_CODE}]
    # the exports take the counties' reports as they come: the same rows as from the joined report
    rows = lambda path: sorted(path.read_text(encoding="utf-8-sig").splitlines())  # noqa: E731
    streamed = write_csv(audit_counties(two_counties, as_of=AS_OF), tmp_path / "streamed.csv")
    assert rows(streamed) == rows(write_csv(joined, tmp_path / "joined.csv"))
    from openpyxl import load_workbook

    a = load_workbook(write_xlsx(audit_counties(two_counties, as_of=AS_OF), tmp_path / "streamed.xlsx"))
    b = load_workbook(write_xlsx(joined, tmp_path / "joined.xlsx"))
    assert a.sheetnames == b.sheetnames and [[c.value for c in r] for r in a["汇总"].iter_rows()] == \
        [[c.value for c in r] for r in b["汇总"].iter_rows()]


def test_neo4j_reads_one_county_alike(full_demo_store, neo4j_store, monkeypatch):
    from quanze.graph.copy import copy_store

    full_demo_store.apply(_other_county(full_demo_store))
    copy_store(full_demo_store, neo4j_store)
    for name in ("regions", "agencies", "matters", "lists"):
        assert getattr(Facts(neo4j_store, county=DEMO_CODE), name) == getattr(Facts(full_demo_store, county=DEMO_CODE),
                                                                                name), name
    assert_scoped_equals_whole(neo4j_store, monkeypatch, [DEMO_CODE])
    assert run_audit(neo4j_store, region=DEMO_CODE, as_of=AS_OF).to_dict() == \
        run_audit(full_demo_store, region=DEMO_CODE, as_of=AS_OF).to_dict()
