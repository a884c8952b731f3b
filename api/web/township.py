"""乡镇 Townships: ``/township`` lists the townships the store holds; ``/township/{code}`` shows one — its units,
plaques and stationed units, staffing against quota and certified enforcers, its lists with their versions, the
powers delegated to it (in force, not yet in force, recalled), the matters recalled from it, the audit's findings
there, and its graph view (``/view?region=``, framed in a sandbox). The data comes from
``api.township.township_report``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from quanze.api.web.site import Site, page


def register(app: FastAPI, site: Site) -> None:
    @app.get("/township", response_class=HTMLResponse, include_in_schema=False)
    @page
    def townships(request: Request) -> Response:
        from quanze.api.choices import region_choices

        with site.store(request) as store:
            choices = region_choices(store)
        return site.render(request, "townships.html", choices=[c for c in choices if c["level"] == "township"],
                           counties=[c for c in choices if c["level"] == "county"])

    @app.get("/township/{code}", response_class=HTMLResponse, include_in_schema=False)
    @page
    def township(request: Request, code: str, as_of: str = "") -> Response:
        from quanze.api.township import DELEGATION_STATES, township_report
        from quanze.api.audit.rules import SEVERITY_ZH
        from quanze.graph.schema import AGENCY_KINDS

        with site.store(request) as store:
            report = township_report(store, code, as_of or None)
        return site.render(request, "township.html", t=report, states=DELEGATION_STATES, severity_zh=SEVERITY_ZH,
                           agency_kinds=AGENCY_KINDS, as_of=as_of)


__all__ = ["register"]
