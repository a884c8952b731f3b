"""接口文档 The API docs, offline: Swagger UI at ``/docs`` and ReDoc at ``/redoc``, from files this application
serves (``static/vendor/``: npm's ``swagger-ui-dist`` and ``redoc``'s standalone bundle, their versions, licences
and SHA-256 in ``static/vendor/VENDOR.md``). FastAPI's own docs pages load these from a CDN and start them with an
in-line script, so they are turned off (``docs_url=None``, ``redoc_url=None``) and these pages take their place:
the scripts that start them are files too (``static/web/swagger.js``, ``static/web/redoc.js``), reading the
OpenAPI address from a ``data-`` attribute.

Both libraries put style sheets in-line and draw icons as ``data:`` images, and ReDoc searches in a worker made from
a ``blob:``: these two pages' Content-Security-Policy allows that, and still no script from anywhere but here. ReDoc's
sidebar would show its maker's logo from ``cdn.redoc.ly`` (it has no option to leave it out): the policy blocks it
before any request is made, and ReDoc then shows no image. Swagger UI's validator badge (``validator.swagger.io``) is
turned off in ``swagger.js``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from quanze.api.web.site import Site, page

DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; form-action 'self'; "
            "frame-ancestors 'self'; base-uri 'none'")


def register(app: FastAPI, site: Site) -> None:
    def docs_page(request: Request, template: str) -> Response:
        response = site.render(request, template, openapi=app.openapi_url, title=app.title)
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    @page
    def swagger(request: Request) -> Response:
        return docs_page(request, "swagger.html")

    @app.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
    @page
    def redoc(request: Request) -> Response:
        return docs_page(request, "redoc.html")


__all__ = ["DOCS_CSP", "register"]
