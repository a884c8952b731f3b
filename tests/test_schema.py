"""The schema is declared once; the docs and the stores derive from it."""

from pathlib import Path

import pytest

from quanze.graph.schema import SCHEMA, TYPES
from quanze.graph.schema_doc import schema_markdown
from quanze.graph.store import Batch

REPO = Path(__file__).resolve().parents[1]


def test_docs_schema_md_is_generated_from_the_declaration():
    doc = REPO / "docs" / "schema.md"
    assert doc.read_text(encoding="utf-8") == schema_markdown(), "docs/schema.md is stale: run `quanze schema > docs/schema.md`"


def test_every_property_is_described_and_typed():
    for kind in SCHEMA.nodes + SCHEMA.relations:
        for prop in kind.properties:
            assert prop.type in TYPES
            assert len(prop.description) > 5, (kind, prop.name)


def test_relations_connect_declared_labels_and_every_relation_has_an_id():
    labels = {n.label for n in SCHEMA.nodes}
    for rel in SCHEMA.relations:
        assert rel.source in labels and rel.target in labels
        assert rel.properties[0].name == "id"


def test_every_node_key_is_a_declared_property():
    for n in SCHEMA.nodes:
        assert n.key in n.names


def test_the_graph_of_the_domain_is_all_there():
    types = set(SCHEMA.relation_types)
    assert {"PART_OF", "BELONGS_TO", "UNIT_OF", "STATIONED_IN", "CO_LOCATED_WITH", "LEADS", "COOPERATES_ON",
            "ASSISTS", "GUIDES", "DELEGATES", "RECALLED_TO", "HANDLED"} <= types
    assert {n.label for n in SCHEMA.nodes} >= {"Region", "Agency", "Matter", "SourceList"}


def test_a_batch_refuses_properties_the_schema_does_not_declare():
    b = Batch()
    with pytest.raises(ValueError, match="colour"):
        b.add_node("Agency", {"id": "x", "name": "x", "kind": "county_department", "region": "990701", "colour": 1})
    with pytest.raises(ValueError, match="weight"):
        b.add_rel("LEADS", "a", "m", {"id": "r", "region": "990701", "weight": 3})
    with pytest.raises(KeyError):
        b.add_rel("OWNS", "a", "m", {"id": "r"})


def test_a_batch_keeps_values_already_given_when_a_later_row_leaves_them_out():
    b = Batch()
    b.add_node("Matter", {"id": "m1", "name": "占道经营", "category": "行政处罚"})
    b.add_node("Matter", {"id": "m1", "name": "占道经营", "category": None})
    assert b.node("Matter", "m1")["category"] == "行政处罚"
