"""The dev/test Neo4j started by scripts/neo4j is the real thing.

开发/测试用 Neo4j（scripts/neo4j 启动）是否为真正的 5.26，中文全文检索是否可用，是否只监听回环地址。

Needs QUANZE_NEO4J_URL, e.g. ``export QUANZE_NEO4J_URL=$(scripts/neo4j start | tail -n 1)``.
Skipped locally without it; in CI (env CI set) its absence is a failure.
"""

import ipaddress
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import ConstraintError


@pytest.fixture(scope="module")
def url():
    value = os.environ.get("QUANZE_NEO4J_URL", "").strip()
    if not value:
        how = "start it with `export QUANZE_NEO4J_URL=$(scripts/neo4j start | tail -n 1)`"
        if os.environ.get("CI"):
            pytest.fail(f"QUANZE_NEO4J_URL is not set in CI: .ci/run must {how}", pytrace=False)
        pytest.skip(f"QUANZE_NEO4J_URL is not set; {how}")
    return value


@pytest.fixture(scope="module")
def driver(url):
    # auth=None: the dev server runs without auth, on loopback only.
    with GraphDatabase.driver(url, auth=None) as drv:
        drv.verify_connectivity()
        yield drv


def test_version_is_5_26(driver):
    records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition RETURN *")
    kernel = [r for r in records if r["name"] == "Neo4j Kernel"]
    assert kernel, records
    assert kernel[0]["versions"][0].startswith("5.26."), kernel[0]
    assert kernel[0]["edition"] == "community"


def test_cjk_fulltext_and_unique_constraint(driver):
    # Names unique to this run, so a shared or reused database does not interfere.
    tag = uuid.uuid4().hex[:8]
    label, index, constraint = f"LauncherProbe_{tag}", f"launcher_fts_{tag}", f"launcher_uniq_{tag}"
    try:
        driver.execute_query(
            f"CREATE FULLTEXT INDEX {index} IF NOT EXISTS FOR (n:{label}) ON EACH [n.name] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
        )
        driver.execute_query(f"CREATE CONSTRAINT {constraint} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")
        driver.execute_query("CALL db.awaitIndexes(60)")
        driver.execute_query(
            f"UNWIND $rows AS row CREATE (n:{label}) SET n = row",
            rows=[
                {"id": 1, "name": "乡镇人民政府负责本辖区安全生产监督管理"},
                {"id": 2, "name": "县自然资源局负责国土空间规划"},
            ],
        )
        records, _, _ = driver.execute_query(
            "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score RETURN node.id AS id ORDER BY score DESC",
            index=index,
            q="安全生产",
        )
        assert [r["id"] for r in records] == [1]

        with pytest.raises(ConstraintError):
            driver.execute_query(f"CREATE (:{label} {{id: 1, name: '重复'}})")
    finally:
        driver.execute_query(f"MATCH (n:{label}) DETACH DELETE n")
        driver.execute_query(f"DROP INDEX {index} IF EXISTS")
        driver.execute_query(f"DROP CONSTRAINT {constraint} IF EXISTS")


def _listen_addresses(port):
    """Addresses with a LISTEN socket on port, from /proc/net (Linux; empty elsewhere)."""
    found = []
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                rows = [line.split() for line in f.readlines()[1:]]
        except OSError:
            continue
        for row in rows:
            hexaddr, hexport = row[1].split(":")
            if row[3] == "0A" and int(hexport, 16) == port:  # 0A = TCP_LISTEN
                # The kernel prints each 32-bit word in host (little-endian) order.
                raw = b"".join(bytes.fromhex(hexaddr[i : i + 8])[::-1] for i in range(0, len(hexaddr), 8))
                addr = ipaddress.ip_address(raw)
                found.append(getattr(addr, "ipv4_mapped", None) or addr)
    return found


def _primary_address():
    """The non-loopback IPv4 address this machine would send from, if any."""
    # UDP connect sends nothing; it only asks the kernel for a route and source address.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_listens_on_loopback_only(driver, url):
    assert urlsplit(url).hostname == "127.0.0.1"
    port = urlsplit(url).port
    records, _, _ = driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name = 'server.bolt.listen_address' RETURN value"
    )
    assert records and records[0]["value"] == f"127.0.0.1:{port}", records
    listeners = _listen_addresses(port)
    assert all(a.is_loopback for a in listeners), listeners
    address = _primary_address()
    if address:
        with pytest.raises(OSError):
            with socket.create_connection((address, port), timeout=2):
                pass
