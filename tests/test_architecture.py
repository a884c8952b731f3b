"""The shape of the code, checked: imports point one way, each rule and each setting is defined once, errors live in
one tree, every list kind has its row handler, every setting is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import quanze.errors
from quanze import settings
from quanze.graph.list_kinds import KINDS, SOURCE_KINDS
from quanze.graph.schema import REL_GROUPS, SCHEMA

ROOT = Path(__file__).resolve().parents[1]
# the import namespace's folders: quanze.graph is graph/, quanze.cli is quanze/cli/ …
LAYERS = {"graph": ROOT / "graph", "ingest": ROOT / "ingest", "api": ROOT / "api", "viz": ROOT / "viz",
          "quanze": ROOT / "quanze"}


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    out = {}
    for layer, folder in LAYERS.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            prefix = "quanze" if layer == "quanze" else f"quanze.{layer}"
            out[".".join((prefix, *parts)).removesuffix(".__init__")] = path
    return out


def imports(path: Path) -> set[str]:
    """The quanze modules a file imports, at the top or inside functions (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quanze"):
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("quanze")}
    return found


def layer_of(module: str) -> str:
    """graph, ingest, api (the query layer), http, web and viz (front ends over it), cli (the command line), core
    (quanze's own errors and settings)."""
    parts = module.split(".")
    if module.startswith("quanze.api.http"):
        return "http"
    if module.startswith("quanze.api.web"):
        return "web"
    if module.startswith("quanze.cli") or module == "quanze.__main__":  # python -m quanze runs the command line
        return "cli"
    if len(parts) > 1 and parts[1] in ("graph", "ingest", "api", "viz", "demo", "tests"):
        return parts[1]
    return "core"


# what each layer may import: below it, never a front end above it
ALLOWED = {
    "core": {"core"},
    "graph": {"core", "graph"},
    "ingest": {"core", "graph", "ingest"},
    "api": {"core", "graph", "ingest", "api", "demo"},
    "viz": {"core", "graph", "api", "viz"},
    # the JSON API's application mounts the web workbench's pages; the pages know nothing of the JSON API
    "http": {"core", "graph", "api", "viz", "http", "web"},
    "web": {"core", "graph", "api", "viz", "web"},
    "cli": {"core", "graph", "ingest", "api", "viz", "http", "web", "demo", "cli"},
}


def test_imports_point_one_way_and_nothing_below_imports_a_front_end():
    wrong = []
    for module, path in modules().items():
        mine = layer_of(module)
        for imported in imports(path):
            theirs = layer_of(imported)
            if theirs not in ALLOWED[mine]:
                wrong.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_every_error_class_is_in_the_one_tree_of_quanze_errors():
    defined_elsewhere = []
    for module, path in modules().items():
        if module == "quanze.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", getattr(b, "attr", "")) in vars(quanze.errors) for b in node.bases):
                defined_elsewhere.append(f"{module}.{node.name}")
    assert not defined_elsewhere
    tree = [c for c in vars(quanze.errors).values() if isinstance(c, type) and issubclass(c, quanze.errors.QuanzeError)]
    codes = [c.code for c in tree if not c.__name__.startswith("_")]
    assert len(codes) == len(set(codes)), "every error class has its own code"


def test_errors_are_matched_by_type_never_by_name():
    for module, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"__name__\s*==\s*[\"'][A-Z]", text), module
        assert not re.search(r"type\(\w+\)\.__name__\s*(==|!=|in\b)", text), module


def test_every_setting_is_read_in_quanze_settings_only_and_documented_in_the_readme():
    readers = [module for module, path in modules().items() if module != "quanze.settings"
               and re.search(r"environ(\.get)?\s*[\[(]\s*[\"']QUANZE_", path.read_text(encoding="utf-8"))]
    assert not readers
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### 设置 Settings"):]
    for s in settings.SETTINGS:
        assert f"`{s.name}`" in table, f"{s.name} is not in the README's settings table"


def test_every_list_kind_has_a_row_handler_and_labels():
    from quanze.cli import build_parser
    from quanze.ingest.list_build import ROW_HANDLERS

    assert set(ROW_HANDLERS) == set(KINDS)
    kind_option = next(a for a in build_parser()._subparsers._group_actions[0].choices["ingest"]._actions
                       if a.dest == "kind")
    assert list(kind_option.choices) == list(KINDS)
    assert set(SOURCE_KINDS) == set(KINDS) | {"structure"}
    assert all(k.title_zh and k.label_en and k.words_zh for k in KINDS.values())


def test_relation_groups_are_flags_on_the_schema_and_cover_every_relation():
    assert {r.group for r in SCHEMA.relations} == set(REL_GROUPS)
    assert SCHEMA.types("assignment") == ("LEADS", "COOPERATES_ON", "ASSISTS", "GUIDES")
    assert set(SCHEMA.duty_types) == set(SCHEMA.types("assignment", "delegation", "recall"))
    assert set(SCHEMA.matter_types) == set(SCHEMA.duty_types) | {"HANDLED"}
    assert all(r.label_zh and r.label_en for r in SCHEMA.relations)
    with pytest.raises(KeyError):
        SCHEMA.types("ownership")


@pytest.mark.parametrize("name,pattern", [
    ("township_scope", r"^def township_scope\("),
    ("township_lead", r"^def township_lead\("),
    ("delegation_state", r"^def delegation_state\("),
    ("the rule precedence", r"^RULES: tuple\[Rule, "),
    ("a date's forms", r"^_DATE_FORMS = \("),
    ("the county of a region", r"^def county_code\("),
    ("a question's length", r"^MAX_QUESTION_CHARS = "),
    ("the Neo4j URL schemes", r"^NEO4J_SCHEMES = \("),
    ("the plain value encoding", r"^def to_plain\("),
])
def test_each_rule_of_the_domain_and_of_the_inputs_is_defined_once(name, pattern):
    found = [module for module, path in modules().items()
             if re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE)]
    assert len(found) == 1, f"{name}: {found}"


def test_the_store_interface_declares_what_both_stores_offer():
    from quanze.graph.neo4j_store import Neo4jStore
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.graph.store import Store

    public = {name for name in dir(Store) if not name.startswith("_")}
    for backend in (SqliteStore, Neo4jStore):
        extra = {name for name in vars(backend) if not name.startswith("_") and callable(vars(backend)[name])}
        # Neo4j's run() is Cypher for people who know Neo4j, which the embedded store has no equivalent of
        assert extra - public <= {"run"}, f"{backend.__name__} offers {extra - public} the interface does not declare"
