"""Upgrades and backups lose nothing: schema versions, migrations in one transaction, backups taken while the store is
in use, restore drills — on both stores."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quanze.demo import demo_path
from quanze.errors import StoreError
from quanze.graph import migrations
from quanze.graph.backup import backup, restore
from quanze.graph.copy import copy_store
from quanze.graph.migrations import SCHEMA_VERSION, layout_digest
from quanze.graph.sqlite_store import SqliteStore
from quanze.graph.store import open_store
from quanze.ingest.pipeline import ingest_paths

OLD = Path(__file__).parent / "data" / "store-fd363ed.sql"
TAX, UNION, HOUSING = "990702/国家税务总局旧版县税务局", "990702/旧版县总工会", "990702/旧版县住房和城乡建设局"


def quanze(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quanze.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def old_store(tmp_path: Path) -> Path:
    """The store release 0.1 (fd363ed) made, from the committed SQL its own code wrote."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(OLD.read_text(encoding="utf-8"))
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    return path


def raw(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_the_layout_has_the_version_it_says():
    """Adding or changing a stored property must raise SCHEMA_VERSION, record the layout and write its step."""
    assert migrations.LAYOUTS[SCHEMA_VERSION] == layout_digest(), (
        "graph/schema.py's stored layout changed: raise SCHEMA_VERSION in graph/migrations.py, record the new "
        "layout_digest() in LAYOUTS and write the step that migrates older stores")
    assert [s.version for s in migrations.STEPS] == list(range(2, SCHEMA_VERSION + 1))


def test_a_new_store_records_its_version(tmp_path):
    with SqliteStore(f"sqlite:///{tmp_path / 'new.db'}") as s:
        assert s.schema_version() == SCHEMA_VERSION
    assert raw(tmp_path / "new.db", "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]


def test_a_reader_refuses_a_store_of_the_last_release_naming_the_upgrade_and_writes_nothing(tmp_path):
    path = old_store(tmp_path)
    before = raw(path, "SELECT * FROM meta ORDER BY key")
    r = quanze("summary", "--store", f"sqlite:///{path}")
    assert r.returncode == 2 and "quanze upgrade" in r.stderr and "upgrade" in r.stderr.split("error:")[1]
    assert raw(path, "SELECT * FROM meta ORDER BY key") == before == [("data_version", "2")]


def test_upgrade_migrates_the_last_release_keeping_everything(tmp_path):
    path = old_store(tmp_path)
    url = f"sqlite:///{path}"
    old_rows = {t: raw(path, f"SELECT * FROM {t} ORDER BY 1") for t in ("node_matter", "node_sourcelist",
                                                                           "rel_leads", "node_region")}
    r = quanze("upgrade", "--store", url, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["schema_version"] == SCHEMA_VERSION
    with open_store(url, create=False) as s:  # a reader now opens it
        assert s.schema_version() == SCHEMA_VERSION and s.data_version() == 3
        kinds = {a["id"]: a["kind"] for a in s.nodes("Agency")}
        assert kinds[TAX] == "vertical_body" and kinds[UNION] == "mass_organisation"
        assert kinds[HOUSING] == "county_department"
    # nothing else moved: matters, lists (their history), assertions, regions are as the old release wrote them; the
    # columns later versions added (SourceList.supplements in version 3) read "not given"
    for table, rows in old_rows.items():
        now = raw(path, f"SELECT * FROM {table} ORDER BY 1")
        assert [r[:len(rows[0])] for r in now] == rows, table
        assert {v for r in now for v in r[len(rows[0]):]} <= {None}, table
    r = quanze("summary", "--store", url, "--json")
    assert r.returncode == 0 and "vertical_body" in r.stdout


def test_a_migration_is_one_transaction(tmp_path, monkeypatch):
    path = old_store(tmp_path)
    before = {t: raw(path, f"SELECT * FROM {t} ORDER BY 1") for t in ("meta", "node_agency")}

    def broken(nodes):
        nodes("Agency")
        raise RuntimeError("the migration breaks half way")

    monkeypatch.setattr(migrations, "STEPS", (migrations.Step(2, "x", "x", broken),))
    monkeypatch.setattr("quanze.graph.sqlite_store.steps_from", lambda v: migrations.STEPS)
    with pytest.raises(RuntimeError):
        SqliteStore(f"sqlite:///{path}")
    assert {t: raw(path, f"SELECT * FROM {t} ORDER BY 1") for t in before} == before


def test_a_store_of_a_newer_release_is_refused_to_readers_and_writers(tmp_path):
    path = tmp_path / "new.db"
    SqliteStore(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    for write in (False, True):
        with pytest.raises(StoreError, match="newer quanze"):
            SqliteStore(f"sqlite:///{path}", write=write)


def test_neo4j_store_of_the_last_release_is_refused_then_migrated(neo4j_store, neo4j_url, tmp_path):
    from quanze.graph.neo4j_store import Neo4jStore

    path = old_store(tmp_path)
    with SqliteStore(f"sqlite:///{path}") as upgraded:  # the same content, today's layout
        copy_store(upgraded, neo4j_store)
    # what release 0.1 left in Neo4j: no schema version, the two bodies filed as county departments
    neo4j_store.run("MATCH (m:QuanzeMeta {key: 'schema'}) DELETE m", write=True)
    neo4j_store.run("MATCH (a:Agency) WHERE a.id IN $ids SET a.kind = 'county_department'", {"ids": [TAX, UNION]},
                    write=True)
    assert neo4j_store.schema_version() == 1
    with pytest.raises(StoreError, match="quanze upgrade"):
        Neo4jStore(neo4j_url, write=False)
    r = quanze("upgrade", "--store", neo4j_url, "--json")
    assert r.returncode == 0, r.stderr
    with Neo4jStore(neo4j_url, write=False) as s:
        assert s.schema_version() == SCHEMA_VERSION
        kinds = {a["id"]: a["kind"] for a in s.nodes("Agency")}
        assert kinds[TAX] == "vertical_body" and kinds[UNION] == "mass_organisation"
        assert kinds[HOUSING] == "county_department"
        assert s.counts()["LEADS"] == 3 and len(s.nodes("SourceList")) == 2


# --- backups and restores ------------------------------------------------------------------------------------------

def _townships_list() -> Path:
    return sorted((demo_path() / "lists" / "townships").glob("t001_*"))[0]


def newer_basic_list(folder: Path) -> Path:
    """城关镇's basic list in a newer version: loading it replaces the current one."""
    path = folder / "城关镇基本履职事项清单2026.csv"
    path.write_text("青岚县城关镇基本履职事项清单（2026年版）\n序号,事项名称\n1,组织开展爱国卫生运动\n2,做好新的一项工作\n",
                    encoding="utf-8")
    return path


def test_backup_during_a_held_load_then_restore_drill(full_demo_db, tmp_path):
    from quanze.tests.helpers import held_load

    path = tmp_path / "q.db"
    path.write_bytes(full_demo_db.read_bytes())
    url = f"sqlite:///{path}"
    with SqliteStore(url) as s:
        before = s.content()
        answer = _who(s)
    state = path.with_name("q.state.db")
    sqlite3.connect(state).executescript("CREATE TABLE accounts (name TEXT); INSERT INTO accounts VALUES ('编办');")
    with held_load(url, [newer_basic_list(tmp_path)], tmp_path / "holding") as proc:
        r = quanze("backup", str(tmp_path / "b.db"), "--store", url, "--json", timeout=25)
        assert r.returncode == 0, r.stderr
        assert proc.poll() is None  # the backup did not wait for the load to end
    done = json.loads(r.stdout)
    assert done["state_files"] == [{"from": str(state), "to": str(tmp_path / "b.state.db")}]
    assert raw(tmp_path / "b.state.db", "SELECT name FROM accounts") == [("编办",)]
    # the drill: the store is lost, the backup brings it back whole
    path.unlink()
    r = quanze("restore", str(tmp_path / "b.db"), "--store", url, "--json")
    assert r.returncode == 0, r.stderr
    with open_store(url, create=False) as s:
        assert s.content() == before
        assert _who(s) == answer


def _who(store) -> list:
    from quanze.api.who import who

    return [m["handlers"] for m in who(store, "村里有人没批就盖房子", "城关镇", as_of="2025-06-01")["matches"]]


def test_neo4j_backup_and_restore_drill(neo4j_store, neo4j_url, demo_db, tmp_path):
    with SqliteStore(f"sqlite:///{demo_db}", write=False) as demo:
        copy_store(demo, neo4j_store)
    ingest_paths([_townships_list()], neo4j_store)
    before = neo4j_store.content()
    done = backup(neo4j_store, tmp_path / "n.db")
    assert done["counts"] == neo4j_store.counts()
    neo4j_store.run("MATCH (n) DETACH DELETE n", write=True)  # the server's data is lost
    restore(tmp_path / "n.db", neo4j_url)
    assert neo4j_store.content() == before
    with SqliteStore(f"sqlite:///{tmp_path / 'n.db'}", write=False) as copy:
        assert copy.content() == before  # the two stores give the same content for the same data


def test_a_backup_never_overwrites(full_demo_store, tmp_path):
    from quanze.errors import BadValue

    (tmp_path / "exists.db").write_text("mine", encoding="utf-8")
    with pytest.raises(BadValue, match="exists"):
        backup(full_demo_store, tmp_path / "exists.db")
    assert (tmp_path / "exists.db").read_text(encoding="utf-8") == "mine"
