"""承接能力 Capacity: ``/capacity`` in a browser (the same address answers JSON to everything else: the API's
``/capacity``). Per township, delegated items against certified enforcers against cases handled (a chart and a
table), staffing by kind, cooperation load against the county median (a chart with the median marked, and a table);
the API's ``/capacity.xlsx`` and ``/capacity.csv`` for downloads. The data is ``capacity_report``'s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from quanze.api.web.site import Site, browser_page, counties_to_choose, page

CHARTED = 40  # townships in the chart (those with the most delegated items)


def register(app: FastAPI, site: Site) -> None:
    @browser_page(app, "/capacity")
    @page
    def capacity(request: Request, region: Annotated[str, Query(alias="in")] = "", as_of: str = "",
                 limit: str = "") -> Response:
        from quanze.api import inputs
        from quanze.api.audit import capacity_report
        from quanze.api.browse import rows_limit
        from quanze.graph.cache import by_version

        rows = rows_limit(limit or None)
        with site.store(request) as store:
            choose = counties_to_choose(store, region or None)
            if choose:  # several counties: one at a time
                return site.render(request, "choose_county.html", counties=choose, action="/capacity",
                                   title_zh="承接能力", title_en="Capacity", kept={"as_of": as_of} if as_of else {})
            report = by_version(store, "capacity_page", (region, inputs.date(as_of or None).isoformat()),
                                lambda: capacity_report(store, region or None, as_of=as_of or None))
        towns = report["townships"]
        charted = sorted(towns, key=lambda t: (-(t.get("delegated_items") or 0), t["code"]))[:CHARTED]
        county = report["cooperation"][0] if report["cooperation"] else None
        chart = {"townships": [{k: t.get(k) or 0 for k in ("delegated_items", "certified_enforcers",
                                                           "cases_on_delegated")} | {"code": t["code"],
                                                                                     "name": t["name"]}
                               for t in charted],
                 "cooperation": [{"code": t["code"], "name": t["name"], "count": t["items"]}
                                 for t in (county["townships"][:CHARTED] if county else [])],
                 "median": county.get("median") if county else None}
        kept = {"in": region, "as_of": as_of}
        return site.render(request, "capacity.html", c=report, chart=chart, county=county, rows=rows,
                           kept={k: v for k, v in kept.items() if v}, charted=CHARTED)


__all__ = ["register"]
