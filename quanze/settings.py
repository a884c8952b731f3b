"""Every setting quanze reads from the environment, declared once and read here only.

Each ``QUANZE_*`` variable is a ``Setting`` in ``SETTINGS``; the README's table "设置 Settings" lists them all (a test
checks that it does, and that no other module reads a ``QUANZE_*`` variable). Code asks ``value(name)`` where a
setting is used as a default — ``open_store`` passes the Neo4j settings to the store's constructor, which takes them
as arguments, so a caller (a test, the web application) can pass its own instead.

Variables only the project's scripts and tests read (``QUANZE_NEO4J_URL``, ``QUANZE_CHROMIUM``, ``QUANZE_NEO4J_PORT``
…) configure the test machinery, not the package; ``docs/neo4j-dev.md`` and ``scripts/test`` describe them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanze.errors import BadValue

_OFF = ("0", "off", "no", "false")


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # "text", "positive" (a whole number of at least 1), "switch" (on unless 0/off/no/false), "path"
    default: Any
    zh: str
    en: str


SETTINGS: tuple[Setting, ...] = (
    Setting("QUANZE_STORE", "text", "sqlite:///quanze.db", "默认的存储地址（命令的 --store 优先）",
            "the store URL when --store is not given"),
    Setting("QUANZE_NEO4J_USER", "text", "", "Neo4j 用户名；不设则不登录", "Neo4j user name; unset: no authentication"),
    Setting("QUANZE_NEO4J_PASSWORD", "text", "", "Neo4j 密码", "Neo4j password"),
    Setting("QUANZE_NEO4J_DATABASE", "text", "", "Neo4j 数据库名；不设则用服务器的默认数据库",
            "Neo4j database; unset: the server's default"),
    Setting("QUANZE_NEO4J_BATCH", "positive", 2000, "Neo4j 每条写入语句的行数", "rows per Neo4j write statement"),
    Setting("QUANZE_RECALL_LIMIT", "positive", 10000, "Neo4j 全文索引一次召回的事项上限",
            "most matters one Neo4j full-text recall returns"),
    Setting("QUANZE_SEMANTIC", "switch", True, "语义检索；off 关闭（模型仍保留）",
            "search by meaning; off turns it off (the model stays installed)"),
    Setting("QUANZE_PHRASES", "switch", True, "随包的短语库（事项的日常说法）；off 关闭（--phrases 文件仍然有效）",
            "the shipped phrase bank (matters' everyday phrasings); off turns it off (--phrases files still count)"),
    Setting("QUANZE_VECTOR_CACHE", "switch", True, "把事项名称和短语库说法的向量缓存在模型目录；off 关闭",
            "keep the vectors of matter names and phrase-bank phrasings on disk beside the model; off turns it off"),
    Setting("QUANZE_ALLOWED_HOSTS", "text", "", "HTTP 服务除本机名称外还接受的主机名（逗号分隔，防 DNS 重绑定）",
            "host names the HTTP server accepts besides the loopback names (comma-separated; against DNS rebinding)"),
    Setting("QUANZE_REQUEST_SECONDS", "positive", 30, "HTTP 请求的时限（秒），超时即停止并返回 503",
            "an HTTP request's time budget in seconds; past it the request is stopped with a 503"),
    Setting("QUANZE_MODEL_DIR", "path", None, "语义模型目录（默认 ~/.cache/quanze/models）",
            "where the semantic model is kept (default ~/.cache/quanze/models)"),
    Setting("QUANZE_STATE", "path", None, "网页应用自己的状态文件（账号、会话、登录限速、写入日志；确认的工单写在它旁边的 "
            "CSV）；默认在嵌入式存储旁（quanze.db → quanze.state.db），Neo4j 存储时为 ./quanze.state.db",
            "the web application's own state file (accounts, sessions, login throttling, the write log; confirmed "
            "tickets go to a CSV beside it); default beside an embedded store (quanze.db → quanze.state.db), "
            "./quanze.state.db for a Neo4j store"),
    Setting("QUANZE_INDEX_CACHE", "switch", True, "把建好的检索索引、区划名称索引和 jieba 词典存在 ~/.cache/quanze，供下一个进程"
            "直接读取；off 关闭", "keep built search indexes, the region-name index and jieba's dictionary in "
            "~/.cache/quanze for the next process to read; off turns it off"),
)

def setting(name: str) -> Setting:
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(f"no setting {name}")


def value(name: str) -> Any:
    """The setting's value now: from the environment when set, else its default. A value of the wrong kind is a
    ``BadValue`` naming the variable."""
    s = setting(name)
    raw = os.environ.get(name, "").strip()
    if not raw:
        return s.default
    if s.kind == "switch":
        return raw.lower() not in _OFF
    if s.kind == "positive":
        if not raw.isdigit() or int(raw) < 1:
            raise BadValue(f"环境变量 {name}={raw!r} 应为正整数", f"{name}={raw!r} must be a positive integer")
        return int(raw)
    if s.kind == "path":
        return Path(raw).expanduser()
    return raw


def cache_home() -> Path:
    """Where per-user caches go: ``$XDG_CACHE_HOME`` (the freedesktop convention, not ours), else ``~/.cache``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
