"""审计 The audit dashboard: ``/audit`` in a browser (the same address answers JSON to everything else: the API's
``/audit``). Findings by rule and by township as charts (Apache ECharts, vendored, drawn by ``static/web/charts.js``
from the page's own JSON), repeated findings grouped with their evidence rows, filters (rule, county or township,
severity, date) read by ``api.inputs``, and the API's ``/audit.xlsx`` and ``/audit.csv`` for downloads. The data
comes from ``api.audit.dashboard.audit_dashboard``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from quanze.api.web.site import Site, browser_page, counties_to_choose, page


def register(app: FastAPI, site: Site) -> None:
    @browser_page(app, "/audit")
    @page
    def audit(request: Request, rule: Annotated[list[str] | None, Query()] = None,
              region: Annotated[str, Query(alias="in")] = "", severity: str = "", as_of: str = "",
              limit: str = "") -> Response:
        from quanze.api.audit.dashboard import audit_dashboard
        from quanze.api.audit.rules import RULES

        rules = [r for r in (rule or []) if r]
        with site.store(request) as store:
            choose = counties_to_choose(store, region or None)
            if choose:  # several counties: one at a time (a whole store's audit takes a minute at 1,000 townships)
                kept_here = {k: v for k, v in (("as_of", as_of), ("severity", severity)) if v}
                return site.render(request, "choose_county.html", counties=choose, action="/audit",
                                   title_zh="审计", title_en="Audit", kept=kept_here)
            board = audit_dashboard(store, rules or None, region or None, severity or None, as_of or None,
                                    limit or None)
        chart = {"by_rule": [{"rule": r["rule"], "zh": r["title_zh"], "severity": r["severity"],
                              "by_severity": r["by_severity"]} for r in board["by_rule"]],
                 "by_township": [{"code": t["code"], "name": t["name"], "count": t["count"]}
                                 for t in board["charted_townships"]]}
        filters = {"rule": rules, "in": region, "severity": severity, "as_of": as_of}
        kept = [(k, v) for k, v in filters.items() if v and k != "rule"] + [("rule", r) for r in rules]
        return site.render(request, "audit.html", b=board, chart=chart, filters=filters, kept=kept,
                           all_rules=RULES)


__all__ = ["register"]
