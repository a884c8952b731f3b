"""路径 Paths: ``/path`` in a browser (the same address answers JSON to everything else: the API's ``/path``). Two
things typed with type-ahead (agencies' labels, townships and matters: ``/path/suggest``), the shortest
responsibility paths between them listed step by step with names (an agency by its label, a region by its name, the
row each step comes from), and drawn (``/view?from=&to=``, framed in a sandbox). The data is ``api.browse``'s
``path_report`` over ``api.paths.find_paths``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from quanze.api.web.site import Site, browser_page, page

PATHS_SHOWN = 20  # shortest paths listed (the view draws them all)
SUGGESTIONS = 12


def register(app: FastAPI, site: Site) -> None:
    @app.get("/path/suggest", include_in_schema=False)
    def path_suggest(request: Request, q: str = "") -> JSONResponse:
        """The path page's type-ahead: townships, then matter names and agency labels containing the words typed."""
        from quanze.api.choices import region_choices, suggestions

        words = q.strip()[:100]
        with site.store(request) as store:
            places = [{"value": c["value"], "kind": "region", "label": "地区 region"} for c in region_choices(store)
                      if words and words in c["value"]][:SUGGESTIONS // 2]
            found = places + suggestions(store, words)
        return JSONResponse(found[:SUGGESTIONS], headers={"Cache-Control": "no-store"})

    @browser_page(app, "/path")
    @page
    def path(request: Request, source: Annotated[str, Query(alias="from")] = "",
             target: Annotated[str, Query(alias="to")] = "",
             within: Annotated[str, Query(alias="in")] = "") -> Response:
        from quanze.api.browse import path_report

        report = None
        if source.strip() or target.strip():
            with site.store(request) as store:
                report = path_report(store, source, target, within or None)
        return site.render(request, "path.html", p=report, given={"from": source, "to": target, "in": within},
                           shown=PATHS_SHOWN)


__all__ = ["register"]
