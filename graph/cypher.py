"""The Cypher the Neo4j store runs, generated from the schema declaration.

Labels, relation types and property names come only from ``SCHEMA`` (never from input; ``_name`` checks them anyway);
every value travels as a parameter. Each builder returns one readable statement, so what runs is what
``print(cypher.merge_nodes(SCHEMA.node("Agency")))`` shows.

Write statements take ``$rows`` (one map per node or relation) or ``$list_ids``; read statements take one parameter
per filtered property, named after the property.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from quanze.graph.schema import SCHEMA, NodeKind, RelKind, Schema

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# The nodes outside the schema: ``(:QuanzeMeta {key: 'data', version})`` holds the data version, which every apply
# increments in its transaction (``Store.data_version``), and ``(:QuanzeMeta {key: 'schema', version})`` the schema
# version (``graph/migrations.py``). It has no relations, and everything that reads the graph
# reads the schema's labels only, so it stays out of content(), counts(), the networkx view and docs/schema.md.
META = "QuanzeMeta"


def _name(text: str) -> str:
    """An identifier from the schema, checked: nothing but letters, digits and _ reaches the Cypher text."""
    if not _IDENT.fullmatch(text):
        raise ValueError(f"not a plain identifier: {text!r}")
    return text


def snake(label: str) -> str:
    """``SourceList`` → ``source_list``, ``CO_LOCATED_WITH`` → ``co_located_with``: names of constraints and indexes."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _name(label)).lower()


# --- schema: constraints and indexes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Ddl:
    """One constraint or index: its name (what SHOW CONSTRAINTS / SHOW INDEXES lists) and the statement creating it."""

    name: str
    cypher: str
    # the properties a full-text index covers: an index of that name over other properties (made by an older
    # quanze) is dropped and made again
    properties: tuple[str, ...] = ()


def fulltext_index(kind: NodeKind) -> str:
    return f"{snake(kind.label)}_fulltext"


def schema_ddl(schema: Schema = SCHEMA) -> list[Ddl]:
    """Every constraint and index, idempotent (``IF NOT EXISTS``): constraints first, so that the uniqueness
    constraints' own indexes exist before anything else is created."""
    out: list[Ddl] = []
    for kind in schema.nodes:
        label, key = _name(kind.label), _name(kind.key)
        name = f"{snake(label)}_{key}_unique"
        out.append(Ddl(name, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"))
    for rel in schema.relations:
        type_ = _name(rel.type)
        name = f"{snake(type_)}_id_unique"
        out.append(Ddl(name, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR ()-[r:{type_}]-() REQUIRE r.id IS UNIQUE"))
    # one version node however many clients create it at once: MERGE is safe under a uniqueness constraint
    name = f"{snake(META)}_key_unique"
    out.append(Ddl(name, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (m:{META}) REQUIRE m.key IS UNIQUE"))
    for kind in schema.nodes:
        label = _name(kind.label)
        for p in kind.properties:
            if (p.indexed or p.name == "list_id") and p.name != kind.key:
                name = f"{snake(label)}_{_name(p.name)}"
                out.append(Ddl(name, f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{p.name})"))
    for rel in schema.relations:
        type_ = _name(rel.type)
        for p in rel.properties:
            if (p.indexed or p.name == "list_id") and p.name != "id":
                name = f"{snake(type_)}_{_name(p.name)}"
                out.append(Ddl(name, f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{type_}]-() ON (r.{p.name})"))
    for kind in schema.nodes:
        if kind.fulltext:
            label, name = _name(kind.label), fulltext_index(kind)
            fields = ", ".join(f"n.{_name(f)}" for f in kind.fulltext)
            out.append(Ddl(name, f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{label}) ON EACH [{fields}]\n"
                                 "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}", tuple(kind.fulltext)))
    return out


# --- writing ---------------------------------------------------------------------------------------------------

def merge_nodes(kind: NodeKind) -> str:
    """Upsert nodes; ``$rows``: ``{key, props}``. ``SET +=`` keeps what a row leaves out (props carry no nulls)."""
    return (f"UNWIND $rows AS row\n"
            f"MERGE (n:{_name(kind.label)} {{{_name(kind.key)}: row.key}})\n"
            f"SET n += row.props\n"
            f"RETURN count(n) AS written")


def _write_between_ends(kind: RelKind, write: str) -> str:
    """``$rows`` (``{id, source, target, props}``): each row's two nodes found by key, then ``write`` (a clause on
    ``a``, ``b`` and ``row`` that binds ``r``). A row whose source or target node does not exist matches nothing and
    is not counted in ``written``: the caller compares and fails the load."""
    src, dst = _name(kind.source), _name(kind.target)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{src} {{{src_key}: row.source}})\n"
            f"MATCH (b:{dst} {{{dst_key}: row.target}})\n"
            f"{write}\n"
            f"RETURN count(r) AS written")


def merge_rels(kind: RelKind) -> str:
    """Upsert relations one MERGE each (what a one-row-per-transaction loader does: ``bench/ratios.py``'s baseline;
    the store's load finds existing relations by id instead: ``existing_rels``, ``update_rels``, ``create_rels``)."""
    return _write_between_ends(kind, f"MERGE (a)-[r:{_name(kind.type)} {{id: row.id}}]->(b)\nSET r += row.props")


def existing_rels(kind: RelKind) -> str:
    """Which of the relations ``$rows`` (``{id, source, target}``) exist already, found by id (the uniqueness
    constraint's index), and whether between the same two nodes; rows: ``id``, ``same``."""
    src, dst, type_ = _name(kind.source), _name(kind.target), _name(kind.type)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{src})-[r:{type_} {{id: row.id}}]->(b:{dst})\n"
            f"RETURN row.id AS id, a.{src_key} = row.source AND b.{dst_key} = row.target AS same")


def create_rels(kind: RelKind) -> str:
    """Create relations that do not exist yet (``existing_rels`` said so, in this transaction); ``$rows`` as for
    ``_write_between_ends``."""
    return _write_between_ends(kind, f"CREATE (a)-[r:{_name(kind.type)}]->(b)\nSET r = row.props")


def update_rels(kind: RelKind) -> str:
    """Add the properties of ``$rows`` to relations that exist between the same nodes (found by id)."""
    type_ = _name(kind.type)
    return (f"UNWIND $rows AS row\n"
            f"MATCH ()-[r:{type_} {{id: row.id}}]->()\n"
            f"SET r += row.props\n"
            f"RETURN count(r) AS written")


def move_rels(kind: RelKind) -> str:
    """Before ``update_rels`` with the same ``$rows``: a relation id asserted again between other nodes moves there,
    keeping its other properties (the id is the relation's primary key in the embedded store). Rare; the seek per row
    is cheap, and nothing is written when nothing moved."""
    src, dst, type_ = _name(kind.source), _name(kind.target), _name(kind.type)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (old_a:{src})-[old:{type_} {{id: row.id}}]->(old_b:{dst})\n"
            f"WHERE old_a.{src_key} <> row.source OR old_b.{dst_key} <> row.target\n"
            f"WITH row, old, properties(old) AS kept\n"
            f"DELETE old\n"
            f"WITH row, kept\n"
            f"MATCH (a:{src} {{{src_key}: row.source}})\n"
            f"MATCH (b:{dst} {{{dst_key}: row.target}})\n"
            f"CREATE (a)-[r:{type_}]->(b)\n"
            f"SET r = kept\n"
            f"RETURN count(r) AS moved")


def delete_list_rels(kind: RelKind) -> str:
    """Delete up to ``$chunk`` relations asserted by the lists ``$list_ids``; run until fewer than ``$chunk`` go."""
    return (f"MATCH ()-[r:{_name(kind.type)}]->()\n"
            f"WHERE r.list_id IN $list_ids\n"
            f"WITH r LIMIT $chunk\n"
            f"DELETE r\n"
            f"RETURN count(*) AS deleted")


def reset_list_nodes(kind: NodeKind) -> str:
    """Blank the nodes of the lists ``$list_ids`` that this load asserts again (``$rows`` as for ``merge_nodes``):
    they keep their relations and get exactly the properties the new load gives, as a deleted-and-rewritten row."""
    key = _name(kind.key)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (n:{_name(kind.label)} {{{key}: row.key}})\n"
            f"WHERE n.list_id IN $list_ids\n"
            f"SET n = {{{key}: row.key}}\n"
            f"RETURN count(n) AS reset")


def delete_list_nodes(kind: NodeKind) -> str:
    """Delete up to ``$chunk`` nodes the lists ``$list_ids`` asserted (and not asserted again), with their relations."""
    return (f"MATCH (n:{_name(kind.label)})\n"
            f"WHERE n.list_id IN $list_ids\n"
            f"WITH n LIMIT $chunk\n"
            f"DETACH DELETE n\n"
            f"RETURN count(*) AS deleted")


def missing_endpoints(kind: RelKind) -> str:
    """Which of ``$rows`` (``{source, target}``) name a node that does not exist: for the error message."""
    src, dst = _name(kind.source), _name(kind.target)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    return (f"UNWIND $rows AS row\n"
            f"OPTIONAL MATCH (a:{src} {{{src_key}: row.source}})\n"
            f"OPTIONAL MATCH (b:{dst} {{{dst_key}: row.target}})\n"
            f"WITH row, a, b WHERE a IS NULL OR b IS NULL\n"
            f"RETURN row.id AS id, row.source AS source, row.target AS target,\n"
            f"       a IS NOT NULL AS source_exists, b IS NOT NULL AS target_exists\n"
            f"LIMIT 5")


# --- reading ---------------------------------------------------------------------------------------------------

def _where(conditions: list[str]) -> str:
    return ("WHERE " + " AND ".join(conditions) + "\n") if conditions else ""


def match_nodes(kind: NodeKind, equals: list[str]) -> str:
    """Nodes whose properties equal ``$<property>``; rows: ``props``."""
    return (f"MATCH (n:{_name(kind.label)})\n"
            + _where([f"n.{_name(n)} = ${n}" for n in equals])
            + "RETURN properties(n) AS props")


def match_rels(kind: RelKind, equals: list[str], source: bool, target: bool) -> str:
    """Relations from ``$source``, to ``$target``, with properties equal to ``$<property>``; rows: source, target,
    props."""
    src, dst = _name(kind.source), _name(kind.target)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    if {"source", "target"} & set(equals):
        raise ValueError("relation properties named source or target would shadow the endpoints")
    conditions = ([f"a.{src_key} = $source"] if source else []) + ([f"b.{dst_key} = $target"] if target else [])
    conditions += [f"r.{_name(n)} = ${n}" for n in equals]
    # Start from the named node(s): without the hint the 5.26 planner sometimes scans the key index instead.
    hints = ([f"USING INDEX a:{src}({src_key})"] if source else []) + ([f"USING INDEX b:{dst}({dst_key})"] if target else [])
    return (f"MATCH (a:{src})-[r:{_name(kind.type)}]->(b:{dst})\n"
            + "".join(h + "\n" for h in hints)
            + _where(conditions)
            + f"RETURN a.{src_key} AS source, b.{dst_key} AS target, properties(r) AS props")


def match_nodes_any(kind: NodeKind, keys: bool, region_prefix: bool) -> str:
    """Nodes whose key is any of ``$keys``, whose region starts with ``$region_prefix`` (each only when asked)."""
    conditions = ([f"n.{_name(kind.key)} IN $keys"] if keys else []) + \
        (["n.region STARTS WITH $region_prefix"] if region_prefix else [])
    return f"MATCH (n:{_name(kind.label)})\n" + _where(conditions) + "RETURN properties(n) AS props"


def match_rels_any(kind: RelKind, sources: bool, targets: bool, regions: bool, region_prefix: bool = False) -> str:
    """Relations from any of ``$sources``, to any of ``$targets``, in any of ``$regions``, in a region starting with
    ``$region_prefix`` (each condition only when asked); rows: source, target, props."""
    src, dst = _name(kind.source), _name(kind.target)
    src_key, dst_key = _name(SCHEMA.node(src).key), _name(SCHEMA.node(dst).key)
    conditions = (([f"a.{src_key} IN $sources"] if sources else []) + ([f"b.{dst_key} IN $targets"] if targets else [])
                  + (["r.region IN $regions"] if regions else [])
                  + (["r.region STARTS WITH $region_prefix"] if region_prefix else []))
    hints = ([f"USING INDEX a:{src}({src_key})"] if sources else []) + \
        ([f"USING INDEX b:{dst}({dst_key})"] if targets and not sources else [])
    return (f"MATCH (a:{src})-[r:{_name(kind.type)}]->(b:{dst})\n"
            + "".join(h + "\n" for h in hints)
            + _where(conditions)
            + f"RETURN a.{src_key} AS source, b.{dst_key} AS target, properties(r) AS props")


def same_items() -> str:
    """Each of the matters ``$ids`` that exists and the ids of the matters of its normalised name (itself among
    them); rows: ``id``, ``same`` (empty when it has no normalised name)."""
    return ("UNWIND $ids AS id\n"
            "MATCH (m:Matter {id: id})\n"
            "OPTIONAL MATCH (s:Matter {norm_name: m.norm_name})\n"
            "RETURN m.id AS id, collect(s.id) AS same")


def _matter_rels(type_: str, matter: str, match: str, where: str, every: str = "every") -> str:
    """The relations of one type naming a matter of ``every``, as maps ``{type, source, target, props}``."""
    kind = SCHEMA.relation(type_)
    other = kind.target if SCHEMA.matter_end(type_) == "source" else kind.source
    key = _name(SCHEMA.node(other).key)
    ends = ("source: m.id, target: x.{k}" if SCHEMA.matter_end(type_) == "source" else
            "source: x.{k}, target: m.id").format(k=key)
    return (f"CALL ({every}) {{\n"
            f"  MATCH {match.format(x=f'x:{_name(other)}', m='m:Matter', r=f'r:{_name(type_)}')}\n"
            f"  WHERE {where} AND m.id IN {every}\n"
            f"  RETURN collect({{type: '{_name(type_)}', {ends}, props: properties(r)}}) AS {matter}\n"
            f"}}\n")


def neighbourhood(types: Sequence[str]) -> str:
    """In one statement, what the rules of responsibility read about the matters ``$ids`` in the regions
    ``$regions`` (a township ``$township`` and its county): their same-item groups, the matters, the relations of
    ``types`` naming them there (found through the relation's region index: a matter of the shared catalogue is named
    in every township of the country), the bodies at their ends and their undertakers, the township's government,
    the units stationed in it with the bodies they belong to, those bodies' regions and the lists cited. One row."""
    parts = []
    names = []
    for i, type_ in enumerate(dict.fromkeys(types)):
        kind = SCHEMA.relation(type_)
        if "region" not in kind.names:
            raise ValueError(f"{type_} has no region")
        arrow = "({m})-[{r}]->({x})" if SCHEMA.matter_end(type_) == "source" else "({x})-[{r}]->({m})"
        hint = f"USING INDEX r:{_name(type_)}(region)\n  " if any(
            p.name == "region" and p.indexed for p in kind.properties) else ""
        parts.append(_matter_rels(type_, f"rels{i}", arrow + "\n  " + hint.rstrip(), "r.region IN $regions"))
        names.append(f"rels{i}")
    return ("CALL () {\n"
            "  UNWIND $ids AS id\n"
            "  MATCH (m:Matter {id: id})\n"
            "  OPTIONAL MATCH (s:Matter {norm_name: m.norm_name})\n"
            "  WITH m, collect(s.id) AS same\n"
            "  RETURN collect({id: m.id, same: same}) AS groups\n"
            "}\n"
            "WITH groups, $ids + reduce(acc = [], g IN groups | acc + g.same) AS flat\n"
            "CALL (flat) {\n"
            "  UNWIND flat AS i\n"
            "  WITH DISTINCT i\n"
            "  MATCH (m:Matter {id: i})\n"
            "  RETURN collect(properties(m)) AS matters, collect(m.id) AS every\n"
            "}\n"
            + "".join(parts)
            + f"WITH groups, matters, {' + '.join(names) or '[]'} AS rels\n"
            "CALL () {\n"
            "  OPTIONAL MATCH (g:Agency {region: $township, kind: 'township_government'})\n"
            "  WITH g ORDER BY g.id\n"
            "  RETURN collect(g.id) AS governments\n"
            "}\n"
            "CALL () {\n"
            "  OPTIONAL MATCH (u:Agency)-[:STATIONED_IN]->(:Region {code: $township})\n"
            "  OPTIONAL MATCH (u)-[:UNIT_OF]->(p:Agency)\n"
            "  RETURN collect({unit: u.id, parent: p.id}) AS stationed\n"
            "}\n"
            "WITH groups, matters, rels, governments, stationed,\n"
            "     [r IN rels | r.source] + [r IN rels | r.target] + [r IN rels WHERE r.props.undertaker IS NOT NULL |\n"
            "      r.props.undertaker] + governments + [x IN stationed | x.unit] AS named\n"
            "CALL (named) {\n"
            "  UNWIND named AS aid\n"
            "  WITH DISTINCT aid\n"
            "  MATCH (a:Agency {id: aid})\n"
            "  RETURN collect(properties(a)) AS agencies, collect(DISTINCT a.region) AS places\n"
            "}\n"
            "CALL (places) {\n"
            "  UNWIND places AS code\n"
            "  MATCH (g:Region {code: code})\n"
            "  RETURN collect(properties(g)) AS regions\n"
            "}\n"
            "CALL (rels) {\n"
            "  UNWIND rels AS r\n"
            "  WITH DISTINCT r.props.list_id AS lid WHERE lid IS NOT NULL\n"
            "  MATCH (l:SourceList {id: lid})\n"
            "  RETURN collect({id: l.id, title: l.title}) AS lists\n"
            "}\n"
            "RETURN groups, matters, rels, governments, stationed, agencies, regions, lists")


def matters_named_in(schema: Schema = SCHEMA) -> str:
    """The ids of the matters the relations of the county ``$prefix`` name (its duties and its townships'
    activity); rows: ``id``."""
    parts = []
    for type_ in schema.matter_types:
        kind = schema.relation(type_)
        other = kind.target if schema.matter_end(type_) == "source" else kind.source
        arrow = "(m:Matter)-[r:{t}]->(x:{o})" if schema.matter_end(type_) == "source" else "(x:{o})-[r:{t}]->(m:Matter)"
        where = "r.region STARTS WITH $prefix" if "region" in kind.names else \
            f"x.{_name(schema.node(other).key)} STARTS WITH $prefix"
        parts.append(f"MATCH {arrow.format(t=_name(type_), o=_name(other))}\nWHERE {where}\nRETURN DISTINCT m.id AS id")
    return "CALL () {\n" + "\nUNION\n".join(parts) + "\n}\nRETURN DISTINCT id"


def unattached_matters(schema: Schema = SCHEMA) -> str:
    """The ids of the matters no relation names; rows: ``id``."""
    types = "|".join(_name(t) for t in schema.matter_types)
    return f"MATCH (m:Matter)\nWHERE NOT (m)-[:{types}]-()\nRETURN m.id AS id ORDER BY id"


def count_all(schema: Schema = SCHEMA) -> str:
    """One statement counting every label and relation type (Neo4j answers these from its count store)."""
    parts = [f"MATCH (n:{_name(k.label)}) RETURN '{k.label}' AS kind, count(n) AS n" for k in schema.nodes]
    parts += [f"MATCH ()-[r:{_name(k.type)}]->() RETURN '{k.type}' AS kind, count(r) AS n" for k in schema.relations]
    return "\nUNION ALL\n".join(parts)


def drop_index(name: str) -> str:
    """Drop one of quanze's own indexes (``name`` comes from ``schema_ddl``, never from input)."""
    return f"DROP INDEX {_name(name)} IF EXISTS"


def fulltext_keys(kind: NodeKind) -> str:
    """The keys of the nodes the full-text index finds for ``$query`` (Lucene syntax), at most ``$limit``: recall,
    no ranking (the in-process search ranks)."""
    return (f"CALL db.index.fulltext.queryNodes('{fulltext_index(kind)}', $query, {{limit: $limit}}) YIELD node\n"
            f"RETURN node.{_name(kind.key)} AS key")


# --- the data version ------------------------------------------------------------------------------------------

def data_version() -> str:
    """The data version; rows: one, ``version`` (null when the version node is missing: a store emptied by hand)."""
    return f"MATCH (m:{META} {{key: 'data'}})\nRETURN max(m.version) AS version"


def touch_data_version(increment: bool) -> str:
    """Create the version node when missing and, with ``increment``, add one to the version; rows: ``version``.
    A new node starts at the clock (ms since 1970), not at 0: a store emptied by hand and loaded again must not
    repeat a version that a cache of the old content was keyed on."""
    return (f"MERGE (m:{META} {{key: 'data'}})\n"
            f"ON CREATE SET m.version = timestamp()\n"
            + ("SET m.version = m.version + 1\n" if increment else "")
            + "RETURN m.version AS version")


# --- the schema version (graph/migrations.py) -----------------------------------------------------------------

def schema_version() -> str:
    """The schema version the store records; rows: one, ``version`` (null when none is recorded)."""
    return f"MATCH (m:{META} {{key: 'schema'}})\nRETURN max(m.version) AS version"


def set_schema_version() -> str:
    """Record ``$version`` as the store's schema version (a migration's last step)."""
    return f"MERGE (m:{META} {{key: 'schema'}})\nSET m.version = $version"


def record_schema_version() -> str:
    """Record ``$version`` when no version is recorded (every load: a database emptied by hand and loaded again is
    of today's layout); never lowers one; rows: one."""
    return (f"MERGE (m:{META} {{key: 'schema'}})\nON CREATE SET m.version = $version\n"
            "RETURN m.version AS version")


def any_node(schema: Schema = SCHEMA) -> str:
    """Whether the database holds any node of the schema's labels; rows: one, ``found``."""
    labels = " OR ".join(f"n:{_name(k.label)}" for k in schema.nodes)
    return f"OPTIONAL MATCH (n) WHERE {labels}\nWITH n LIMIT 1\nRETURN n IS NOT NULL AS found"


# --- routes: shortest paths between two nodes ------------------------------------------------------------------

def node_id(var: str, schema: Schema = SCHEMA) -> str:
    """A node's id as the networkx view names it, ``"Label:key"``, as a Cypher expression."""
    cases = " ".join(f"WHEN {_name(var)}:{_name(k.label)} THEN '{k.label}:' + {var}.{_name(k.key)}"
                     for k in schema.nodes)
    return f"CASE {cases} END"


def _types(types: Sequence[str]) -> str:
    """``LEADS|DELEGATES``: relation types of the schema only (a type not in it raises ``KeyError``)."""
    if not types:
        raise ValueError("a route follows at least one relation type")
    return "|".join(_name(SCHEMA.relation(t).type) for t in types)


def _hops(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"a hop bound is a positive int, not {n!r}")
    return n


def all_shortest_routes(source: NodeKind, target: NodeKind, types: Sequence[str], max_hops: int) -> str:
    """Up to ``$cap`` shortest paths from the node keyed ``$source`` to the one keyed ``$target``, over relations of
    ``types`` in either direction, at most ``max_hops`` long (types and bound cannot be parameters: they come from
    the schema and an int); rows: ``route`` (node ids), ``element_ids``. Nodes linked by several relations give one
    path per relation: the caller keeps distinct node sequences."""
    return (f"MATCH (a:{_name(source.label)} {{{_name(source.key)}: $source}})\n"
            f"MATCH (b:{_name(target.label)} {{{_name(target.key)}: $target}})\n"
            f"MATCH p = allShortestPaths((a)-[:{_types(types)}*..{_hops(max_hops)}]-(b))\n"
            f"WITH p LIMIT $cap\n"
            f"RETURN [n IN nodes(p) | {node_id('n')}] AS route, [n IN nodes(p) | elementId(n)] AS element_ids")


def closer_neighbours(types: Sequence[str], remaining: int) -> str:
    """The neighbours of the node ``$node`` (an element id), over relations of ``types``, whose shortest path to
    ``$target`` (an element id) has at most ``remaining`` steps; rows: ``node`` (id), ``element_id``."""
    rel = _types(types)
    return (f"MATCH (u) WHERE elementId(u) = $node\n"
            f"MATCH (b) WHERE elementId(b) = $target\n"
            f"MATCH (u)-[:{rel}]-(n)\n"
            f"WITH DISTINCT n, b WHERE n <> b\n"
            f"MATCH p = shortestPath((n)-[:{rel}*..{_hops(remaining)}]-(b))\n"
            f"RETURN {node_id('n')} AS node, elementId(n) AS element_id")


def route_links(types: Sequence[str]) -> str:
    """Every relation of ``types`` linking the two nodes of each pair in ``$pairs`` (element ids), either way;
    rows: ``u``, ``v`` (the pair), ``type``, ``props``, ``forward`` (the relation points from u to v)."""
    return (f"UNWIND $pairs AS pair\n"
            f"MATCH (u) WHERE elementId(u) = pair[0]\n"
            f"MATCH (v) WHERE elementId(v) = pair[1]\n"
            f"MATCH (u)-[r:{_types(types)}]-(v)\n"
            f"RETURN pair[0] AS u, pair[1] AS v, type(r) AS type, properties(r) AS props, startNode(r) = u AS forward")
