"""Copy a whole graph from one store into another (``quanze export-neo4j``: the embedded store into Neo4j).

Everything the schema declares is read from the source and written to the target in ONE ``apply``, so the target
gets all of it or, when the write fails, none of it. What the target already holds and the source does not stays.
"""

from __future__ import annotations

from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Store


def copy_store(source: Store, target: Store, batch_size: int | None = None) -> dict[str, int]:
    """Copy every node and relation of ``source`` into ``target``; returns how many of each label and type were
    copied. ``batch_size`` is the rows per write statement for a target that writes in statements (Neo4j); the
    default is the target's own setting."""
    batch = Batch()
    for kind in SCHEMA.nodes:
        for props in source.nodes(kind.label):
            batch.add_node(kind.label, props)
    for rel_kind in SCHEMA.relations:
        for rel in source.rels(rel_kind.type):
            batch.add_rel(rel_kind.type, rel.source, rel.target, dict(rel.props, id=rel.id))
    target.apply(batch, batch_size=batch_size)
    written = batch.count()
    return {k: written.get(k, 0) for k in [n.label for n in SCHEMA.nodes] + list(SCHEMA.relation_types)}
