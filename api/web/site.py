"""What every page shares: the ``Site`` (the application's state, accounts, store and ticket files, templates), the
navigation, and the helpers a page calls — ``site.store``, ``site.render``, ``site.require``, ``form``, ``redirect``.

A page is a FastAPI route whose function is marked with ``@page`` (``Guard`` and the error handlers then answer it
in HTML, never JSON) and that renders a template extending ``base.html``. See ``quanze.api.web`` for the recipe.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader
from starlette.routing import Match
from starlette.types import Scope

from quanze import __version__
from quanze.api.resolve import role_label as handler_role_label
from quanze.api.resolve import rule_label
from quanze.api.web.accounts import NOBODY, Accounts, Identity, role_label
from quanze.api.web.state import State
from quanze.errors import AccessDenied, BadValue, QuanzeError, SignInNeeded, StoreError
from quanze.graph.store import Store

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

SESSION_COOKIE = "quanze_session"
VISITOR_COOKIE = "quanze_visitor"  # before signing in: the login form's token is derived from it
TOWNSHIP_COOKIE = "quanze_in"  # the ask page remembers the last township asked about
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 64 * 1024  # a form of the pages: a few fields
# the forms that carry files (multipart), and how large each request may be: the upload page's files together, as
# large as the ingest takes one file (ingest/limits.py's MAX_FILE_BYTES), with room for the form's other fields
UPLOAD_FORMS: dict[str, int] = {"/upload": 50 * 2**20 + MAX_FORM_BYTES}

# Content-Security-Policy of the pages: scripts and styles from this application only, nothing from elsewhere, no
# in-line script; a page may frame another page of the application (the township's graph view) and nobody else may
# frame it. Pages that need more (the API docs' style sheets in-line) send their own.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation bar: where, its label in Chinese and English, and who sees it."""

    path: str
    zh: str
    en: str
    role: str | None = None  # the lowest role that sees it; None: whoever may read


# the navigation, in order; a new page adds its entry here (part 2: browse, audit, capacity, paths, upload)
NAV: list[NavItem] = [
    NavItem("/", "问", "Ask"),
    NavItem("/township", "乡镇", "Townships"),
    NavItem("/audit", "审计", "Audit"),
    NavItem("/capacity", "承接能力", "Capacity"),
    NavItem("/path", "路径", "Paths"),
    NavItem("/upload", "上传", "Upload", "editor"),
    NavItem("/docs", "接口文档", "API docs"),
    NavItem("/admin/log", "写入日志", "Write log", "admin"),
    NavItem("/admin/users", "账号", "Accounts", "admin"),
]


def page(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route as a page: errors and refusals are answered in HTML, a sign-in is asked for by a redirect."""
    fn.page = True  # type: ignore[attr-defined]
    return fn


def _wants_html(scope: Scope) -> bool:
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


class BrowserRoute(APIRoute):
    """A page at the address of a JSON API route (``/audit``, ``/capacity``, ``/path``): it answers a browser's
    request (``Accept: text/html``) and lets every other request fall through to the JSON route of the same path."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match != Match.NONE and not _wants_html(scope):
            return Match.NONE, {}
        return match, child


def browser_page(app: FastAPI, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a page (a GET, marked ``@page``) at a path the JSON API also answers; register it before the JSON
    route (``mount`` runs before ``create_app`` declares the API's routes)::

        @browser_page(app, "/audit")
        @page
        def audit_page(request: Request, ...) -> Response: ...
    """
    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        app.router.add_api_route(path, fn, methods=["GET"], response_class=HTMLResponse, include_in_schema=False,
                                 route_class_override=BrowserRoute)
        return fn
    return declare


def counties_to_choose(store: Store, region: str | None) -> list[dict[str, str]]:
    """The counties a whole-store view (the audit, capacity) asks one to choose from instead of reading them all:
    every county when the store holds more than one and none was given; else nothing (the view runs)."""
    if region:
        return []
    from quanze.api.choices import region_choices

    counties = [c for c in region_choices(store) if c["level"] == "county"]
    return counties if len(counties) > 1 else []


class Site:
    """The web application's own things, made once by ``create_app`` and kept on ``app.state.site``.

    ``using_store(request)`` is the JSON API's way to the graph store (requests use it in parallel); ``tickets``
    are the extra ticket files ``quanze serve --tickets`` gave; ``public_read``: may anybody read without signing
    in."""

    def __init__(self, state: State, using_store: Callable[[Request], AbstractContextManager[Store]],
                 tickets: Sequence[Path] = (), public_read: bool = True, accounts: Accounts | None = None):
        self.state = state
        self.accounts = accounts or Accounts(state)
        self.using_store = using_store
        self.extra_tickets = [Path(t) for t in tickets]
        self.public_read = public_read
        self.templates = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                                     lstrip_blocks=True)
        self.templates.globals.update(version=__version__, rule_label=rule_label, role_label=role_label,
                                      handler_role=handler_role_label, query=urlencode,
                                      township_link=township_link, source_line=source_line,
                                      agency_url=agency_url, matter_url=matter_url, list_url=list_url)

    # -- the tickets every answer reads --------------------------------------------------------------------------

    def ticket_files(self) -> list[Path]:
        """The ticket files every ``who`` of this application compares questions with: ``--tickets`` files, and the
        application's own confirmed tickets once there are some (their file's stamp rebuilds the search index)."""
        own = self.state.tickets_path
        return self.extra_tickets + ([own] if own.exists() and own.stat().st_size else [])

    # -- who is asking ---------------------------------------------------------------------------------------------

    @staticmethod
    def identity(request: Request) -> Identity:
        return getattr(request.state, "identity", NOBODY)

    @staticmethod
    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    def csrf_token(self, request: Request) -> str:
        """The token every form of this page carries: derived from the session, or (before signing in) from the
        visitor cookie."""
        me = self.identity(request)
        seed = f"s:{me.session}" if me.session else f"v:{getattr(request.state, 'visitor', '') or ''}"
        return hmac.new(self.state.secret(), seed.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, request: Request, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(request))

    def require(self, request: Request, role: str, action: str, target: str = "") -> Identity:
        """The account asking, when it may do what ``role`` may; else ``SignInNeeded`` / ``AccessDenied``, and the
        refused write is logged."""
        me = self.identity(request)
        if me.can(role):
            return me
        needed = role_label(role)
        error: AccessDenied
        if not me.signed_in:
            error = SignInNeeded(f"请先登录（需要{needed}权限）", f"sign in first (this needs the {role} role)", role)
        else:
            error = AccessDenied(f"账号「{me.name}」是{me.label}，这需要{needed}权限",
                                 f"the account {me.name!r} is a {me.role}; this needs the {role} role", role)
        self.state.log(me.name, self.client(request), action, target, result=f"refused: {error.code}")
        raise error

    # -- pages ----------------------------------------------------------------------------------------------------

    def render(self, request: Request, template: str, status: int = 200, *, error_page: bool = False,
               **context: Any) -> HTMLResponse:
        """A page: the template with what every page shows (who is signed in, the navigation, the form token). An
        error page (``error_page``) shows even when the state file cannot give a form token."""
        me = self.identity(request)
        try:
            csrf = self.csrf_token(request)
        except StoreError:
            if not error_page:
                raise
            csrf = ""  # the state file cannot be opened: the error page shows; its one form (sign out) cannot work
        html = self.templates.get_template(template).render(
            request=request, me=me, csrf=csrf, public_read=self.public_read,
            path=request.url.path, nav=[n for n in NAV if n.role is None or me.can(n.role)], **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def error_page(self, request: Request, error: Exception) -> Response:
        """An error as a page, in both languages, with its status; a page that needs a sign-in asks for it."""
        if isinstance(error, SignInNeeded) and request.method in ("GET", "HEAD"):
            return redirect("/login", next=_here(request))
        if isinstance(error, QuanzeError):
            status, zh, en = error.http_status, error.message_zh, error.message_en
            candidates = list(getattr(error, "candidates", ()))
            problems = [p.to_dict() for p in (error.problems() if isinstance(error, BadValue)
                                               else getattr(error, "problems", []))]
        else:  # an HTTP error: no such page, a method the page does not take
            status = getattr(error, "status_code", 500)
            zh, en = {404: ("没有这个页面", "no such page"), 405: ("此页面不接受这种请求", "this page does not take this "
                                                                                    "request")}.get(
                status, ("请求无法完成", "the request cannot be completed"))
            candidates, problems = [], []
        response = self.render(request, "error.html", status=status, error_page=True, zh=zh, en=en,
                               candidates=candidates, problems=problems, code=getattr(error, "code", f"http-{status}"))
        if getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
        return response

    # -- the store --------------------------------------------------------------------------------------------------

    def store(self, request: Request) -> AbstractContextManager[Store]:
        """The graph store, for one request (under the application's lock): ``with site.store(request) as store:``."""
        return self.using_store(request)


def redirect(path: str, status: int = 303, **params: Any) -> RedirectResponse:
    """A redirect within the application (303: the next request is a GET), with query parameters."""
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return RedirectResponse(path + ("?" + urlencode(given) if given else ""), status_code=status)


def local_path(target: str | None, default: str = "/") -> str:
    """A ``next=`` target, kept only when it is a path of this application (never ``//elsewhere`` or a URL)."""
    target = str(target or "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return default


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def form(request: Request) -> dict[str, str]:
    """The fields of a page's form (``application/x-www-form-urlencoded``; ``Guard`` has checked its token); a
    field given twice keeps its first value."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadValue("表单过大", "the form is too large")
    out: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        out.setdefault(key, value)
    return out


def township_link(agency: dict[str, Any] | None) -> str | None:
    """The page of the township a body belongs to, when it is a township's own (its region is a township code)."""
    region = str((agency or {}).get("region") or "")
    return f"/township/{region}" if len(region) == 9 else None


def agency_url(agency_id: str | None) -> str | None:
    """The page of an agency (its id holds ``/``, ``?`` or ``#``: each part quoted)."""
    return f"/agency/{quote(str(agency_id), safe='/')}" if agency_id else None


def matter_url(matter_id: str | None, county: str | None = None) -> str | None:
    """The page of a matter; ``county``: the county (or township) whose townships it shows."""
    if not matter_id:
        return None
    return f"/matter/{quote(str(matter_id), safe='/')}" + (f"?{urlencode({'in': county})}" if county else "")


def list_url(list_id: str | None) -> str | None:
    """The page of a list (a source list's id, as assertions carry it in ``list``)."""
    return f"/list/{quote(str(list_id), safe='/')}" if list_id else None


def source_line(source: dict[str, Any]) -> str:
    """Where an assertion comes from, as the pages say it: 文件[工作表] 第N行."""
    text = str(source.get("file") or "—") + (f"[{source['sheet']}]" if source.get("sheet") else "")
    return text + (f" 第{source['row']}行 row {source['row']}" if source.get("row") else "")


__all__ = ["counties_to_choose", "UPLOAD_FORMS", "BrowserRoute", "browser_page", "agency_url", "list_url", "matter_url", "CSRF_FIELD", "CSRF_HEADER", "NAV", "NavItem", "PAGE_CSP", "SESSION_COOKIE", "Site", "TOWNSHIP_COOKIE",
           "VISITOR_COOKIE", "form", "local_path", "page", "redirect"]
