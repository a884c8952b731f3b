"""浏览 Browse: ``/agency/{id}`` (an agency), ``/matter/{id}`` (a matter in each township of a county) and
``/list/{id}`` (a list: its record, rows, rejected rows and versions), ``/diff?from=&to=`` (two versions of a list
compared: ``api.diff.diff_lists``). The data comes from ``api.browse``; every
page links the agencies, matters, lists and townships it names, and embeds the graph view of its subject (``/view``,
framed in a sandbox) where there is one.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from quanze.api.web.site import Site, page


def register(app: FastAPI, site: Site) -> None:
    @app.get("/agency/{agency_id:path}", response_class=HTMLResponse, include_in_schema=False)
    @page
    def agency(request: Request, agency_id: str, limit: str = "") -> Response:
        from quanze.api.browse import agency_report

        with site.store(request) as store:
            report = agency_report(store, agency_id, limit or None)
        return site.render(request, "agency.html", a=report)

    @app.get("/matter/{matter_id:path}", response_class=HTMLResponse, include_in_schema=False)
    @page
    def matter(request: Request, matter_id: str, county: Annotated[str, Query(alias="in")] = "", as_of: str = "",
               limit: str = "") -> Response:
        from quanze.api.browse import matter_report

        with site.store(request) as store:
            report = matter_report(store, matter_id, county or None, as_of or None, limit or None)
        return site.render(request, "matter.html", mr=report, as_of=as_of)

    @app.get("/list/{list_id:path}", response_class=HTMLResponse, include_in_schema=False)
    @page
    def source_list(request: Request, list_id: str, limit: str = "", offset: str = "") -> Response:
        from quanze.api.browse import list_report

        with site.store(request) as store:
            report = list_report(store, list_id, limit or None, offset or None)
        return site.render(request, "list.html", sl=report, diff_url=diff_url)

    @app.get("/diff", response_class=HTMLResponse, include_in_schema=False)
    @page
    def compare(request: Request, older: Annotated[str, Query(alias="from")] = "",
                newer: Annotated[str, Query(alias="to")] = "") -> Response:
        from quanze.api.diff import diff_lists
        from quanze.errors import BadValue

        if not older or not newer:
            raise BadValue("请给出要比较的两个清单版本（from 和 to）", "give the two list versions to compare (from and to)")
        with site.store(request) as store:
            d = diff_lists(store, older, newer)
        return site.render(request, "diff.html", d=d, shown=DIFF_SHOWN)


DIFF_SHOWN = 200  # changes of each kind the comparison page lists before saying how many more


def diff_url(older: str, newer: str) -> str | None:
    """Where two versions of a list are compared (``/diff``: ``api.diff.diff_lists``)."""
    return "/diff?" + urlencode({"from": older, "to": newer})


__all__ = ["register"]
