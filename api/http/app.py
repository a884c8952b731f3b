"""The HTTP API: the query layer (who, dispatch, path, show, audit, capacity, summary) over GET and JSON, and the
web workbench's pages (``api/web``) in the same application.

``create_app(store_url)`` builds the FastAPI application; ``quanze serve`` runs it with uvicorn on 127.0.0.1. The
interactive docs are at ``/docs`` and ``/redoc``, served from the application's own files (OpenAPI at
``/openapi.json``), every parameter described in Chinese and English. Who may read and write is the web's guard's
business (``api/web/guard.py``): with reading closed the JSON API answers 401 without a session or an API token
(``Authorization: Bearer …``).

One store per application, opened at startup and closed at shutdown; a store that cannot be opened at startup (a
Neo4j server not up yet) is opened again on the next request, which answers 503 until it can. FastAPI runs these
synchronous endpoints in a thread pool, and requests are answered in parallel: the embedded store gives each thread
a connection of its own (WAL: readers never wait for each other), the Neo4j store a session per call, and the query
layer's caches (``graph/cache.py``: the search index, the region directory …) are built once and then only read.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, Sequence

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from quanze import __version__
from quanze.api import semantic
from quanze.api.tickets import load_tickets
from quanze import settings
from quanze.api.http import limits, security
from quanze.api.http.errors import JSON, install
from quanze.errors import StoreError
from quanze.graph.store import Store, open_store
from quanze.graph.store import store_url as resolve_url

log = logging.getLogger("quanze.http")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Text = Annotated[str, Query(description="群众或工作人员的话，如“村里有人没批就盖房子” / a citizen's or an official's "
                                        "words, e.g. 占道经营")]
Township = Annotated[str, Query(alias="in", description="乡镇（或县）名称或区划代码 / the township (or county): name "
                                                        "or code")]
Within = Annotated[str | None, Query(alias="in", description="县或乡镇名称或区划代码 / a county or township: name or "
                                                             "code")]
Via = Annotated[list[str] | None, Query(description="只经过这些关系类型（逗号分隔，可重复）/ only through these "
                                                   "relation kinds")]
MaxHops = Annotated[str, Query(description="最多跳数（1–20）/ hop limit (1–20)")]
AsOf = Annotated[str | None, Query(description="按此日期判断下放和收回是否有效，如 2025-06-01、2025年6月1日（默认今天）"
                                               "/ the date delegations and recalls are judged on (default today)")]
Rules = Annotated[list[str] | None, Query(alias="rule", description="只运行这些规则（可重复）/ only these rules "
                                                                    "(repeatable)")]
Severity = Annotated[str | None, Query(description="最低严重程度 low | medium | high（或 低、中、高）/ the lowest "
                                                   "severity reported")]


class _Holder:
    """The application's one store, opened on first need and reopened after a failed open."""

    def __init__(self, url: str | None):
        self.url = url
        self.store: Store | None = None
        self._opening = threading.Lock()  # only opening and closing: requests use the store in parallel

    def get(self) -> Store:
        store = self.store
        if store is not None:
            return store
        with self._opening:
            if self.store is None:
                try:
                    self.store = open_store(self.url)
                except StoreError:
                    raise
                except Exception as e:  # a folder that cannot be made, a file that is not a database
                    raise StoreError(f"无法打开存储 {public_url(self.url)}：{e}",
                                     f"cannot open store {public_url(self.url)}: {e}") from e
            return self.store

    def close(self) -> None:
        with self._opening:
            if self.store is not None:
                self.store.close()
                self.store = None


def public_url(url: str) -> str:
    """The store URL as a reader may see it: without a user name or password (``bolt://user:pw@host`` →
    ``bolt://host``), and an embedded store by its file name only (no folder of the server's disk)."""
    url = re.sub(r"(?<=://)[^/@]*@", "", url)
    if url.startswith("sqlite:") or url.endswith(".db"):
        return "sqlite:///" + Path(re.sub(r"^sqlite:/*", "", url)).name
    return url


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach: localhost, 127.0.0.0/8, ::1."""
    import ipaddress

    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@contextmanager
def _store(request: Request) -> Iterator[Store]:
    yield request.app.state.quanze.get()


def create_app(store_url: str | None = None, ticket_files: Sequence[Path] = (), *,
               state: str | Path | None = None, public_read: bool = True, warm: bool = False,
               allowed_hosts: Sequence[str] = (), request_seconds: float | None = None) -> FastAPI:
    """The API and the pages over the store at ``store_url`` (default ``$QUANZE_STORE`` or ``./quanze.db``).

    ``who`` and ``dispatch`` compare questions with the past tickets of ``ticket_files`` (checked at start) and with
    the tickets confirmed in the application (a CSV beside its state file). ``state``: the application's state file
    (accounts, sessions, the write log; default ``api.web.state_path``: ``QUANZE_STATE``, else beside an embedded
    store). ``public_read``: may anybody read without signing in (``quanze serve`` decides by the address it binds).
    ``warm``: build the search index in the background at start, so that the first question is answered as fast as
    the next (``quanze serve`` and ``quanze demo`` ask for it). Requests must be addressed to a loopback name or one of
    ``allowed_hosts`` (and ``$QUANZE_ALLOWED_HOSTS``), and each runs under a budget of ``request_seconds`` (default
    ``$QUANZE_REQUEST_SECONDS``): ``limits.py``, ``security.py``."""
    from quanze.api.web import State, mount, state_path

    holder = _Holder(resolve_url(store_url))
    tickets = [Path(f) for f in ticket_files]
    load_tickets(tickets)  # a bad ticket file stops the server before it listens, naming the file and the row
    app_state = State(state_path(holder.url, state))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            holder.get()
        except StoreError as e:
            log.warning("%s / %s", e.message_zh, e.message_en)
        if warm:
            threading.Thread(target=_warm, args=(holder, site.ticket_files), name="quanze-warm", daemon=True).start()
        yield
        holder.close()
        app_state.close()

    app = FastAPI(
        title="quanze 权责 HTTP API", version=__version__, lifespan=lifespan,
        description="县乡两级“谁负责什么”的知识图谱：谁负责、吹哨报到、责任路径、机构和地区、审计、承接能力。错误以 JSON 返回，"
                    "含中英文说明：400 参数有误，404 找不到或没有路径，409 名称有歧义（附候选），503 存储不可用。\n\n"
                    "Who is responsible for what between a county and its townships. Errors are JSON with Chinese "
                    "and English messages: 400 bad input, 404 not found or no path, 409 ambiguous name (with "
                    "candidates), 503 store unavailable.", docs_url=None, redoc_url=None)
    app.state.quanze = holder
    install(app)
    site = mount(app, app_state, _store, tickets, public_read)
    # outside the pages' guard (the last added runs first): every route, the pages too
    limits.install(app, request_seconds or settings.value("QUANZE_REQUEST_SECONDS"))
    security.install(app, [*settings.value("QUANZE_ALLOWED_HOSTS").split(","), *allowed_hosts])

    @app.get("/who", summary="这件事在这里谁负责 / who handles this, here", response_class=JSON)
    def who(request: Request, *, q: Text = "", region: Township, as_of: AsOf = None,
            limit: Annotated[str, Query(description="前N个事项（1–50）/ the top N matters (1–50)")] = "3") -> JSON:
        """牵头、配合、协助、指导的机构，规则、依据、下放链条和来源行，与 `quanze who --json` 相同。
        The responsible agencies with role, rule, legal basis, delegation chain and source rows, as
        `quanze who --json` prints them."""
        from quanze.api.who import who as ask

        with _store(request) as store:
            return JSON(ask(store, q, region, as_of=as_of, limit=limit, ticket_files=site.ticket_files()))

    @app.get("/dispatch", summary="吹哨报到：哪些部门必须到场 / dispatch plan", response_class=JSON)
    def dispatch(request: Request, *, q: Text = "", region: Township, as_of: AsOf = None) -> JSON:
        """必须到场的部门（分组）、各自事项和职责，以及派驻该乡镇的机构。The departments that must come, grouped,
        with matters and duties, plus the units stationed in the township."""
        from quanze.api.who import dispatch as plan

        with _store(request) as store:
            return JSON(plan(store, q, region, as_of=as_of, ticket_files=site.ticket_files()))

    @app.get("/path", summary="两者之间的责任路径 / responsibility paths", response_class=JSON)
    def path(request: Request,
             source: Annotated[str, Query(alias="from", description="起点：名称、简称、区划代码或事项 / start")],
             target: Annotated[str, Query(alias="to", description="终点 / end")],
             via: Via = None,
             max_hops: MaxHops = "6",
             all_: Annotated[bool, Query(alias="all", description="列出所有最短路径 / every shortest path")] = False,
             within: Within = None) -> JSON:
        """最短责任路径，每一步给出关系的真实方向。The shortest paths, each step with its relation's real
        direction; 404 `no-path` when there is none."""
        from quanze.api.paths import find_paths

        with _store(request) as store:
            return JSON(find_paths(store, source, target, via=via, max_hops=max_hops, all_shortest=all_,
                                   within=within))

    @app.get("/show", summary="机构或地区 / an agency or a region", response_class=JSON)
    def show(request: Request, name: Annotated[str, Query(description="名称、简称、挂牌或代码 / name, short name, "
                                                                       "plaque or code")],
             kind: Annotated[Literal["auto", "agency", "region"], Query(
                 description="agency 机构 | region 地区 | auto 先地区后机构 / region first, then agency")] = "auto",
             within: Within = None) -> JSON:
        """与 `quanze show --json` 相同。As `quanze show --json` prints it."""
        from quanze.api.describe import describe

        with _store(request) as store:
            return JSON(describe(store, name, kind, within))

    def _audit(store: Store, rules: list[str] | None, region: str | None, severity: str | None,
               as_of: str | None) -> Any:
        from quanze.api.audit import run_audit

        return run_audit(store, rules=rules, region=region, severity=severity, as_of=as_of)

    @app.get("/audit", summary="审计重叠与空白 / audit overlaps and gaps", response_class=JSON)
    def audit(request: Request, rules: Rules = None, region: Within = None, severity: Severity = None,
              as_of: AsOf = None) -> JSON:
        """发现（附证据行）和各规则的检查数，与 `quanze audit --json` 相同。Findings with evidence rows and
        per-rule denominators, as `quanze audit --json` prints them."""
        with _store(request) as store:
            return JSON(_audit(store, rules, region, severity, as_of).to_dict())

    def _download(request: Request, suffix: str, media: str, rules: list[str] | None, region: str | None,
                  severity: str | None, as_of: str | None) -> Response:
        from quanze.api.audit import write_csv, write_xlsx

        with _store(request) as store:
            report = _audit(store, rules, region, severity, as_of)
        with tempfile.TemporaryDirectory(prefix="quanze-http-") as tmp:
            write = write_xlsx if suffix == "xlsx" else write_csv
            data = write(report, Path(tmp) / f"audit.{suffix}").read_bytes()
        where = (report.region or {}).get("code") or "all"
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"quanze-audit-{where}-{report.as_of.isoformat()}.{suffix}")
        return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                         "X-Content-Type-Options": "nosniff"})

    @app.get("/audit.xlsx", summary="审计报告 Excel / the audit as an Excel workbook",
             responses={200: {"content": {XLSX: {}}}})
    def audit_xlsx(request: Request, rules: Rules = None, region: Within = None, severity: Severity = None,
                   as_of: AsOf = None) -> Response:
        """汇总表和每条规则一张表；以 = + - @ 开头的值已转义。A summary sheet and one sheet per rule; formula
        injection neutralised."""
        return _download(request, "xlsx", XLSX, rules, region, severity, as_of)

    @app.get("/audit.csv", summary="审计发现 CSV / the findings as CSV", responses={200: {"content": {"text/csv": {}}}})
    def audit_csv(request: Request, rules: Rules = None, region: Within = None, severity: Severity = None,
                  as_of: AsOf = None) -> Response:
        """UTF-8 带 BOM，每条发现一行。UTF-8 with BOM, one finding a row; formula injection neutralised."""
        return _download(request, "csv", "text/csv; charset=utf-8", rules, region, severity, as_of)

    @app.get("/capacity", summary="承接能力 / capacity", response_class=JSON)
    def capacity(request: Request, region: Within = None, as_of: AsOf = None) -> JSON:
        """每个乡镇的下放事项、持证执法人员、案件、编制、人均事项，与 `quanze capacity --json` 相同。Per township:
        delegated items, certified enforcers, cases, staffing, items per staff."""
        from quanze.api.audit import capacity_report

        with _store(request) as store:
            return JSON(capacity_report(store, region, as_of=as_of))

    def _capacity_download(request: Request, suffix: str, media: str, region: str | None,
                           as_of: str | None) -> Response:
        from quanze.api.audit import capacity_report, write_capacity_csv, write_capacity_xlsx

        with _store(request) as store:
            report = capacity_report(store, region, as_of=as_of)
        with tempfile.TemporaryDirectory(prefix="quanze-http-") as tmp:
            write = write_capacity_xlsx if suffix == "xlsx" else write_capacity_csv
            data = write(report, Path(tmp) / f"capacity.{suffix}").read_bytes()
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"quanze-capacity-{region or 'all'}-{report['as_of']}.{suffix}")
        return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                         "X-Content-Type-Options": "nosniff"})

    @app.get("/capacity.xlsx", summary="承接能力 Excel / capacity as an Excel workbook",
             responses={200: {"content": {XLSX: {}}}})
    def capacity_xlsx(request: Request, region: Within = None, as_of: AsOf = None) -> Response:
        """各乡镇、编制、配合负担各一张表；以 = + - @ 开头的值已转义。Per township, staffing and cooperation load, one
        sheet each; formula injection neutralised."""
        return _capacity_download(request, "xlsx", XLSX, region, as_of)

    @app.get("/capacity.csv", summary="承接能力 CSV / capacity per township as CSV",
             responses={200: {"content": {"text/csv": {}}}})
    def capacity_csv(request: Request, region: Within = None, as_of: AsOf = None) -> Response:
        """UTF-8 带 BOM，每个乡镇一行。UTF-8 with BOM, one township a row; formula injection neutralised."""
        return _capacity_download(request, "csv", "text/csv; charset=utf-8", region, as_of)

    @app.get("/summary", summary="存储中有什么 / what the store holds", response_class=JSON)
    def summary(request: Request) -> JSON:
        """各类节点和关系的数量及编制汇总，与 `quanze summary --json` 相同。Counts of nodes and relations by kind
        and staffing per county."""
        from quanze.api.describe import store_summary

        with _store(request) as store:
            return JSON({**store_summary(store), "store": public_url(store.url)})

    @app.get("/view", summary="交互式图谱视图（HTML，离线可用）/ an interactive graph view (HTML, works offline)",
             response_class=HTMLResponse, responses={200: {"content": {"text/html": {}}}})
    def view(request: Request,
             region: Annotated[str | None, Query(description="乡镇（或县）/ a township (or county)")] = None,
             agency: Annotated[str | None, Query(description="机构 / an agency")] = None,
             matter: Annotated[str | None, Query(description="事项名称、编码或描述 / a matter: name, code or "
                                                             "words")] = None,
             source: Annotated[str | None, Query(alias="from", description="路径起点（与 to 同用）/ a path's "
                                                                           "start (with to)")] = None,
             target: Annotated[str | None, Query(alias="to", description="路径终点 / a path's end")] = None,
             audit: Annotated[str | None, Query(description="审计发现所属的县或乡镇 / the county or township "
                                                            "whose audit findings")] = None,
             within: Within = None,
             limit: Annotated[str, Query(description="最多显示的事项或发现数（1–10000）/ at most N matters or findings "
                                                     "(1–10000)")] = "60",
             as_of: AsOf = None, via: Via = None, max_hops: MaxHops = "6") -> HTMLResponse:
        """与 `quanze view` 写出的页面相同：一个自包含、无需联网的 HTML 页面。给出且只给出 region、agency、matter、
        from 和 to、audit 之一。The page `quanze view` writes: one self-contained HTML page that needs no network.
        Give exactly one of region, agency, matter, from and to, audit."""
        from quanze.viz import build_view, content_security_policy, render_html

        with _store(request) as store:
            page = render_html(build_view(store, region=region, agency=agency, matter=matter,
                                          path=(source, target) if source or target else None, audit=audit,
                                          within=within, limit=limit, as_of=as_of, via=via, max_hops=max_hops))
        return HTMLResponse(page, headers={"Content-Security-Policy": content_security_policy(),
                                           "X-Content-Type-Options": "nosniff"})

    @app.get("/health", summary="存储是否可用 / is the store reachable", response_class=JSON)
    def health(request: Request) -> JSON:
        """200 存储可用（附数据版本）；503 不可用。200 with the data version when the store answers, 503 when not."""
        with _store(request) as store:
            version = store.data_version()  # one cheap read: it fails when the store cannot be reached
        return JSON({"status": "ok", "store": public_url(store.url), "backend": type(store).__name__,
                     "data_version": version, "version": __version__,
                     "search": "semantic" if semantic.enabled() and semantic.installed() else "lexical"})

    return app


def _warm(holder: _Holder, ticket_files: Any) -> None:
    """Build the search index (and load the semantic model) before the first question needs it."""
    from quanze.api.who import matter_index

    try:
        matter_index(holder.get(), (), ticket_files())
    except Exception as e:  # the first question will say what is wrong
        log.warning("warming the search index failed: %s", e)


__all__ = ["create_app", "is_loopback", "public_url"]
