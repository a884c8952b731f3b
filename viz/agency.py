"""The view of one agency: where it sits (its region, its parent, its units and where they are stationed, the body it
shares an office with) and its matters by role — recalled to it (收回), delegated by it (下放), led (牵头),
undertaken (承接), cooperated on (配合), assisted (协助), guided (指导). A relation repeated across townships is one edge
(``下放 ×24``) whose tooltip lists the townships. Matters are capped as in the township view.
"""

from __future__ import annotations

from quanze.api import inputs
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Rel, Store
from quanze.viz.region import add_matters, grouped
from quanze.viz.style import rel_look
from quanze.viz.view import DEFAULT_LIMIT, GraphView

MATTER_ROLES = SCHEMA.types("recall", "delegation", "assignment")  # the groups a view shows, in this order


def agency_view(store: Store, name: str, *, within: str | None = None, limit: int = DEFAULT_LIMIT) -> GraphView:
    ref = inputs.agency(store, name, within)
    view = GraphView(store, "agency", ref.name)
    me = view.agency(ref.id, focus=True)
    view.retitle(view.net.node_map[me]["label"])
    for r in store.rels("BELONGS_TO", source=ref.id):
        view.relation(r, "Agency", "Region")
    for r in store.rels("UNIT_OF", source=ref.id) + store.rels("UNIT_OF", target=ref.id):
        view.relation(r, "Agency", "Agency")
    for unit in [ref.id] + [r.source for r in store.rels("UNIT_OF", target=ref.id)]:
        for r in store.rels("STATIONED_IN", source=unit):
            view.relation(r, "Agency", "Region")
    for r in store.rels("CO_LOCATED_WITH", source=ref.id) + store.rels("CO_LOCATED_WITH", target=ref.id):
        view.relation(r, "Agency", "Agency")
    rels: list[Rel] = []
    for t in MATTER_ROLES:
        rels += store.rels(t, target=ref.id) if t == "RECALLED_TO" else store.rels(t, source=ref.id)
    pairs = [(r.source if r.type == "RECALLED_TO" else r.target, r.type) for r in rels]
    labels = {t: (rel_look(t).zh, rel_look(t).en) for t in MATTER_ROLES}
    add_matters(view, grouped(store, pairs, list(MATTER_ROLES)), rels, limit=limit, where=view.subject,
                labels=labels)
    return view
