"""工作台 The web workbench: server-rendered pages for officials and dispatchers, in the same FastAPI application
as the JSON API (``api/http/app.py``'s ``create_app`` mounts them with ``mount``). Jinja2 templates with autoescape
on, plain forms, a little plain JavaScript served by the application (no in-line script, no CDN: it works on an
intranet with no internet), Chinese first with English alongside on every label.

Modules::

    state.py     the application's own state file (accounts, sessions, throttling, write log; tickets CSV beside it)
    accounts.py  accounts, roles (reader < editor < admin), argon2 passwords, API tokens, sessions, sign-in throttling
    guard.py     the middleware every request passes: who is asking, reading open or closed, form tokens, headers
    site.py      Site (what pages share), NAV, @page, render / form / require / redirect, the pages' CSP
    ask.py       问 Ask: /, POST /confirm, /ask/suggest
    township.py  乡镇 Townships: /township, /township/{code}
    browse.py    浏览 Browse: /agency/{id}, /matter/{id}, /list/{id}
    audit.py     审计 Audit: /audit (a browser's; the JSON API answers the same address to everything else)
    capacity.py  承接能力 Capacity: /capacity (a browser's, as /audit)
    path.py      路径 Paths: /path (a browser's, as /audit), /path/suggest
    upload.py    上传 Upload: /upload (editors): a dry run per file with its change report, then the load
    account.py   /login, /logout, /admin/log, /admin/users
    docs.py      /docs (Swagger UI) and /redoc, offline
    templates/   base.html (every page extends it), one template per page, macros.html
    static/      web.css, the pages' scripts (web/), the vendored libraries (vendor/, VENDOR.md)

How to add a page (part 2's browse, audit, capacity, path and upload pages do this):

1. Gather the page's data in the query layer (``api/…``, e.g. ``api/township.py``'s ``township_report``), reading
   every value a person typed through ``api/inputs.py``, so that the command line or the JSON API can give the same.
2. Write ``api/web/<name>.py`` with ``register(app, site)`` declaring the routes; mark each page's function with
   ``@page`` (under ``@app.get``) so that errors come back as a page and a sign-in is asked for by a redirect::

       @app.get("/agency/{name}", response_class=HTMLResponse, include_in_schema=False)
       @page
       def agency(request: Request, name: str) -> Response:
           with site.store(request) as store:          # the graph store, under the application's lock
               data = agency_report(store, name)       # api/…: raises NotFound, Ambiguous … → an error page
           return site.render(request, "agency.html", a=data)

3. A page that writes takes a POST: ``fields = await form(request)`` (the guard has checked the form's token
   already), ``me = site.require(request, "editor", "<action>", target)`` (refusals are logged), do the write, log it
   (``site.state.log(me.name, site.client(request), action, target, detail)``, never a password), and answer with
   ``redirect(...)`` (303). Its form carries ``<input type="hidden" name="csrf" value="{{ csrf }}">``.
4. Write ``templates/<name>.html`` extending ``base.html`` (``{% block title %}``, ``{% block main %}``); labels as
   ``中文 <span class="en">English</span>``. Scripts are files under ``static/web/`` loaded with ``<script src>`` in
   ``{% block scripts %}``; anything that needs more than ``site.PAGE_CSP`` allows sends its own header (see
   ``docs.py``). A new vendored library goes under ``static/vendor/`` with its version, licence and SHA-256 in
   ``VENDOR.md`` (``tests/test_web.py`` checks the sums).
5. Add the page to ``register_all`` below and, when it belongs in the navigation, to ``site.NAV``.
6. Test it: fast TestClient tests (``tests/test_web.py``: the ``web`` fixtures give an app over a copy of the demo
   with an account of each role), and, for what only a browser shows, Playwright (``tests/test_web_browser.py``:
   ``served`` runs the application with uvicorn, ``browser_page`` fails on any request that leaves 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from quanze.api.web.accounts import Accounts, Identity
from quanze.api.web.guard import Guard, is_page
from quanze.api.web.site import NAV, STATIC, NavItem, Site, page
from quanze.api.web.state import State, state_path
from quanze.errors import QuanzeError
from quanze.graph.store import Store


def register_all(app: FastAPI, site: Site) -> None:
    """Every page, in the order their routes are tried."""
    from quanze.api.web import account, ask, audit, browse, capacity, docs, path, township, upload

    for module in (ask, township, browse, audit, capacity, path, upload, account, docs):
        module.register(app, site)


def mount(app: FastAPI, state: State, using_store: Callable[[Request], AbstractContextManager[Store]],
          tickets: Sequence[Path] = (), public_read: bool = True, accounts: Accounts | None = None) -> Site:
    """Add the pages, the static files and the guard to ``app`` (whose JSON error handlers are installed already);
    the ``Site`` is kept on ``app.state.site``."""
    site = Site(state, using_store, tickets, public_read, accounts)
    app.state.site = site
    register_all(app, site)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_api_route("/favicon.ico", lambda: FileResponse(STATIC / "web" / "favicon.svg", media_type="image/svg+xml"),
                      include_in_schema=False)
    guard_routes = app.router.routes
    _answer_pages_in_html(app, site, guard_routes)
    app.add_middleware(Guard, site=site, routes=guard_routes)
    return site


def _answer_pages_in_html(app: FastAPI, site: Site, routes: Any) -> None:
    """Errors on a page (and a browser's unknown address) as a page; everything else keeps the JSON handlers the
    API installed."""
    for kind in (QuanzeError, HTTPException):
        json_handler = app.exception_handlers[kind]

        def handler(request: Request, exc: Exception, json_handler: Any = json_handler) -> Any:
            if is_page(routes, request.scope, request):
                return site.error_page(request, exc)
            return json_handler(request, exc)

        app.add_exception_handler(kind, handler)


__all__ = ["NAV", "Accounts", "Identity", "NavItem", "Site", "State", "mount", "page", "state_path"]
