"""Schema versions: what every store records, and how a store made by an earlier release is brought up to date.

A store records the version of the layout it was made with (SQLite: ``meta.schema_version``; Neo4j: the node
``(:QuanzeMeta {key: 'schema'})``). Opening a store:

- a new, empty store is given today's layout and version (only a store opened for writing: ``open_store(create=True)``);
- a store of today's version is opened without writing anything — readers never wait for a load (docs/domain.md §6);
- a store of an earlier version is migrated in one transaction when opened for writing (``quanze ingest``, ``quanze
  demo``, ``quanze upgrade``, the HTTP server), and refused with a message naming ``quanze upgrade`` when opened for
  reading only, so that a reader never writes;
- a store of a later version (made by a newer quanze) is refused: an older program must not write what it does not know.

| version | release | what changed |
| --- | --- | --- |
| 1 | 0.1 up to commit fd363ed | no version recorded; tables and labels as ``graph/schema.py`` then declared |
| 2 | — | the version is recorded; 垂直管理机构 and 群团组织 have kinds of their own (``vertical_body``, ``mass_organisation``): agencies an earlier release filed as county departments are re-kinded by name |
| 3 | this one | a list version may be a supplement (``SourceList.supplements``: the version whose rows it adds to); earlier lists are not supplements (the column reads "not given") |

Adding a property to the schema changes ``layout_digest()``; ``tests/test_upgrade.py`` then fails until the version
is raised here, its digest recorded in ``LAYOUTS`` and its step written (``STEPS``). Columns a new version adds are
added by the stores themselves inside the migration's transaction (old rows read them as "not given").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from quanze.errors import StoreError
from quanze.graph.agency_names import outside_kind
from quanze.graph.schema import SCHEMA, Schema

SCHEMA_VERSION = 3
# the layout each version had, as ``layout_digest`` computes it: the test that guards the version compares with this
LAYOUTS = {1: "6258641fce7e0628", 2: "6258641fce7e0628", 3: "34213046804f3e86"}


def layout_digest(schema: Schema = SCHEMA) -> str:
    """A short digest of the stored layout: node labels with their keys and properties (name and type), relation
    types with their ends and properties. Descriptions and groups are not part of it."""
    parts = [f"N {n.label} {n.key} " + ",".join(f"{p.name}:{p.type}" for p in n.properties) for n in schema.nodes]
    parts += [f"R {r.type} {r.source} {r.target} " + ",".join(f"{p.name}:{p.type}" for p in r.properties)
              for r in schema.relations]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Step:
    """What moving from ``version - 1`` to ``version`` changes in the data: node property updates computed from the
    nodes as they are (``label → (key → changed properties)``), the same on every store."""

    version: int
    what_zh: str
    what_en: str
    changes: Callable[[Callable[[str], list[dict[str, Any]]]], dict[str, dict[str, dict[str, Any]]]]


def _rekind_outside_bodies(nodes: Callable[[str], list[dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Agencies filed as county departments that are vertical management bodies or mass organisations."""
    out: dict[str, dict[str, Any]] = {}
    for a in nodes("Agency"):
        if a.get("kind") == "county_department":
            kind = outside_kind(a.get("name", ""), a.get("kind_zh"))
            if kind:
                out[a["id"]] = {"kind": kind}
    return {"Agency": out} if out else {}


STEPS: tuple[Step, ...] = (
    Step(2, "记录模式版本；垂直管理机构和群团组织不再算作县直部门", "record the schema version; vertical management bodies "
         "and mass organisations are no longer county departments", _rekind_outside_bodies),
    Step(3, "清单版本可以是补充（supplements 列，旧清单不是补充）", "a list version may be a supplement (the supplements "
         "column; earlier lists are not)", lambda nodes: {}),
)


def steps_from(version: int) -> list[Step]:
    """The steps that bring a store of ``version`` to ``SCHEMA_VERSION``, in order."""
    return [s for s in STEPS if version < s.version <= SCHEMA_VERSION]


def check_readable(url: str, version: int) -> None:
    """A store opened for reading must be of today's version: say what to run when it is older, or that quanze itself
    is older when it is newer."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"存储 {url} 由更新版本的 quanze 建立（模式版本 {version}，本程序只认识到 {SCHEMA_VERSION}）：请升级 quanze",
            f"the store {url} was made by a newer quanze (schema version {version}; this one knows up to "
            f"{SCHEMA_VERSION}): upgrade quanze")
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"存储 {url} 由较早版本的 quanze 建立（模式版本 {version}，当前 {SCHEMA_VERSION}），需要先升级：运行 quanze upgrade "
            f"--store {url}（建议先用 quanze backup 文件 --store {url} 备份）",
            f"the store {url} was made by an earlier quanze (schema version {version}, now {SCHEMA_VERSION}) and must "
            f"be upgraded first: run quanze upgrade --store {url} (back it up first with quanze backup FILE "
            f"--store {url})")


def check_writable(url: str, version: int) -> None:
    """A store of a later version is never written by this program."""
    if version > SCHEMA_VERSION:
        check_readable(url, version)
