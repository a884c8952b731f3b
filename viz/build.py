"""One entry for the command and the HTTP endpoint: the view asked for, and the file name it is written to."""

from __future__ import annotations

import datetime as dt
import re

from quanze.api import inputs, versions
from quanze.errors import BadValue
from quanze.graph.store import Store
from quanze.viz.agency import agency_view
from quanze.viz.audit import audit_view
from quanze.viz.matter import matter_view
from quanze.viz.path import path_view
from quanze.viz.region import region_view
from quanze.viz.view import DEFAULT_LIMIT, GraphView, check_limit


def build_view(store: Store, *, region: str | None = None, agency: str | None = None, matter: str | None = None,
               path: tuple[str, str] | None = None, audit: str | None = None, within: str | None = None,
               limit: int = DEFAULT_LIMIT, as_of: dt.date | str | None = None, via: list[str] | None = None,
               max_hops: int = 6) -> GraphView:
    """The view of whichever one of ``region``, ``agency``, ``matter``, ``path`` (from, to) or ``audit`` is given.
    ``as_of``: the date whose list versions every view draws, and on which the matter view judges who handles it
    (default today; docs/domain.md §4.10); ``via``, ``max_hops``: the path view's
    relation kinds and hop limit, as ``quanze path`` takes them. Every value is read by ``api.inputs``."""
    given = [k for k, v in (("region", region), ("agency", agency), ("matter", matter), ("path", path),
                            ("audit", audit)) if v]
    if len(given) != 1 or (path is not None and not all(path)):
        raise BadValue("请给出且只给出 region、agency、matter、from 和 to、audit 之一",
                       "give exactly one of region, agency, matter, from and to, audit",
                       ["region", "agency", "matter", "from", "to", "audit"])
    limit = check_limit(limit)
    as_of = inputs.optional_date(as_of)
    graph, old = versions.as_of(store, as_of or dt.date.today())  # the list versions in force (domain.md §4.10)
    view = _view(graph, region, agency, matter, path, audit, within, limit, as_of, via, max_hops)
    if old:
        names = "、".join(f"「{v['title'] or v['id']}」（{v['start']} 起）" for v in old)
        view.note(f"按 {as_of} 有效的清单版本绘制，其中旧版本：{names}",
                  f"drawn from the list versions in force on {as_of}, including older versions: "
                  + ", ".join(repr(v["title"] or v["id"]) for v in old))
    return view


def _view(store: Store, region: str | None, agency: str | None, matter: str | None, path: tuple[str, str] | None,
          audit: str | None, within: str | None, limit: int, as_of: dt.date | None, via: list[str] | None,
          max_hops: int) -> GraphView:
    if region:
        return region_view(store, region, within=within, limit=limit)
    if agency:
        return agency_view(store, agency, within=within, limit=limit)
    if matter:
        return matter_view(store, matter, within=within, as_of=as_of)
    if path:
        return path_view(store, path[0], path[1], within=within, via=via, max_hops=max_hops)
    return audit_view(store, audit, limit=limit)


def file_name(view: GraphView) -> str:
    """``quanze-view-township-城关镇.html``: the kind and the subject, with anything unsafe in a file name replaced."""
    subject = re.sub(r"[^\w.-]+", "_", view.subject).strip("._")[:60] or "view"
    return f"quanze-view-{view.kind}-{subject}.html"
