"""Interactive graph views that officials explore in a browser, offline: pyvis networks written as self-contained
HTML pages (``quanze view``, HTTP ``/view``).

    region_view(store, name, within=None, limit=60)     a township (or a county): bodies, stationed units, matters
    agency_view(store, name, within=None, limit=60)     an agency: parent, units, stationed places, matters by role
    matter_view(store, text, within=None)               a matter: who handles it in each township
    path_view(store, source, target, within=None)       the shortest responsibility paths between two things
    audit_view(store, region=None, limit=60)            audit findings with the matters and agencies they name
    render_html(view) -> str, write_html(view, path)    the page: offline, escaped, under a strict CSP
    build_view(store, region=|agency=|matter=|path=|audit=, within=, limit=)   the one asked for (CLI, HTTP)

Modules: ``style`` (colours, shapes, Chinese relation words), ``view`` (the builder), ``region``, ``agency``,
``matter``, ``path``, ``audit`` (the views), ``build`` (choosing one), ``page`` (the HTML).
"""

from quanze.viz.agency import agency_view
from quanze.viz.audit import audit_view
from quanze.viz.build import build_view, file_name
from quanze.viz.matter import matter_view
from quanze.viz.page import content_security_policy, render_html, write_html
from quanze.viz.path import path_view
from quanze.viz.region import region_view
from quanze.viz.view import DEFAULT_LIMIT, GraphView

__all__ = ["DEFAULT_LIMIT", "GraphView", "agency_view", "audit_view", "build_view", "content_security_policy",
           "file_name", "matter_view", "path_view", "region_view", "render_html", "write_html"]
