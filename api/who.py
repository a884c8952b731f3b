"""``quanze who`` and ``quanze dispatch``: a citizen's words and a place in, the responsible agencies out.

Search finds the matters the words mean; the resolver answers each by the rules of docs/domain.md §4. When nobody handles the best
match, the answer says so and shows the closest matters that do have handlers. When no matter fits the words closely
enough, the closest field and its usual lead are suggested, marked low-confidence (``fallback``, ``api/fallback.py``).
The answer also says what the message asks for (``intent``: a violation, a request, a hazard, a dispute, a plea for
help; ``api/intent.py``). The dispatch plan (吹哨) groups the
leads and cooperators of the matching matters by department and adds the units stationed in the township.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

from quanze.api import index_cache, inputs, intent, phrases, semantic, versions
from quanze.api.fallback import closest_field
from quanze.api.resolve import Resolution, Resolver
from quanze.api.search import Hit, MatterIndex, load_synonyms, searchable
from quanze.api.tickets import load_tickets, with_bodies_resolved
from quanze.graph.cache import by_version, one_version
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Store


MAX_LIMIT = 50  # matters one answer lists at most


# per-county search indexes kept in memory at once (a national store holds thousands of counties; each index is
# built again, from its county's matters, when its county is asked about after being dropped)
INDEX_COUNTIES = 16


def matter_index(store: Store, synonym_files: Iterable[Path] = (), ticket_files: Iterable[Path] = (),
                 phrase_files: Iterable[Path] = (), county: str | None = None) -> MatterIndex:
    """The search index of the store's matters — with ``county``, of the matters that county's lists name (and
    those no list names), so that a national store never holds every matter's index — rebuilt only when the data or a
    synonym, ticket or phrase file changed (a confirmed ticket appended to a ticket file counts at once), and kept on
    disk for the next process (``api/index_cache.py``); it ranks by the phrase bank's everyday phrasings
    (``api/phrases.py``, unless ``QUANZE_PHRASES=off``), by meaning too when the semantic model is installed and on
    (``api/semantic.py``), and by past tickets (``api/tickets.py``) then."""
    files = tuple(sorted(str(p) for p in synonym_files))
    tickets = tuple(str(p) for p in ticket_files)
    said = tuple(str(p) for p in phrase_files)
    model = semantic.embedder()
    key = (files, said, model is not None, phrases.enabled(), county)
    stamp = tuple(_stamp(f) for f in files + said)
    index = by_version(store, "matter_index", key, lambda: index_cache.cached(store, (key, stamp), lambda: MatterIndex(
        _county_matters(store, county) if county else store.nodes("Matter"),
        load_synonyms([Path(f) for f in files]), embedder=model,
        phrases=phrases.load_phrases([Path(f) for f in said]))), stamp, limit=INDEX_COUNTIES)
    if not tickets:
        return index
    # the tickets on top of that index, read again whenever a ticket file changed (a confirmation appended to it);
    # the tickets as they were before are never asked for again, so only the latest reading is kept
    return by_version(store, "matter_index_tickets", (key, tickets), lambda: index.with_tickets(
        with_bodies_resolved(store, load_tickets([Path(f) for f in tickets]))),
        (stamp, tuple(_stamp(f) for f in tickets)), limit=INDEX_COUNTIES)


def _county_matters(store: Store, county: str) -> list[dict[str, Any]]:
    """The matters a search in the county looks among: those its relations name, and those no relation names."""
    unattached = by_version(store, "unattached_matters", None, store.unattached_matters)
    return store.nodes_any("Matter", keys=sorted(set(store.matters_named_in(county)) | set(unattached)))


def _stamp(path: str) -> tuple[int, int] | None:
    """When a file last changed, and its size: an edited synonym or ticket file rebuilds the index."""
    try:
        st = Path(path).stat()
    except OSError:
        return None  # reading it will say what is wrong
    return st.st_mtime_ns, st.st_size


def local_matters(store: Store, region: dict[str, Any]) -> frozenset[str]:
    """Matters that some list assigns in this township (or its county's departments hold): search ranks them up,
    so a matter only another township handles does not come first here. Cached per data version and region."""
    return by_version(store, "local_matters", region["code"], lambda: _local_matters(store, region))


def _local_matters(store: Store, region: dict[str, Any]) -> frozenset[str]:
    code = region["code"]
    county = region.get("county_code") or code
    ids: set[str] = set(_county_power_matters(store, county))
    for type_ in SCHEMA.duty_types:
        end = SCHEMA.matter_end(type_)
        ids |= {r.target if end == "target" else r.source for r in store.rels(type_, region=code)}
    same_item = store.same_items(sorted(ids))
    return frozenset(i for mid in ids for i in same_item.get(mid, (mid,)))


def _county_power_matters(store: Store, county: str) -> frozenset[str]:
    """The matters the county's departments hold (their power lists): the same for every township of the county,
    and the largest part of each township's local matters, so read once per county and data version."""
    return by_version(store, "county_power_matters", county, lambda: frozenset(
        r.target for r in store.rels("LEADS", region=county, list_kind="power")))


def _recall(store: Store, index: MatterIndex) -> Any:
    """The store's full-text recall (Neo4j), when it can find every candidate: a store holding more matters than
    one recall returns is searched in the county's index here instead (it holds every candidate of the county), and
    so is a question whose recall reached that limit."""
    recall = store.matter_recall()
    limit = getattr(store, "recall_limit", None)
    if recall is None or (limit and by_version(store, "matter_count", None,
                                               lambda: store.counts().get("Matter", 0)) > limit):
        return None

    def within(terms: list[str]) -> list[str]:
        found = recall(terms)
        return list(index.ids) if getattr(store, "recall_truncated", False) else found

    return within


def who(store: Store, text: str, region_text: str, *, as_of: str | dt.date | None = None, limit: int = 5,
        synonym_files: Iterable[Path] = (), ticket_files: Iterable[Path] = (),
        phrase_files: Iterable[Path] = (), matter: str | None = None) -> dict[str, Any]:
    """The matters the words mean in this region, each answered by the rules (``matches``, best first), with
    ``clarify`` options when close candidates have different leads, the message's ``intent``, and a ``fallback`` field
    when no matter passes the floor. ``matter`` (an id, code or whole name): the one the person chose among those
    options — it is answered first and nothing more is asked (``chosen``)."""
    with one_version(store):  # one data version for the whole question (one read, not one per cache)
        return _who(store, text, region_text, as_of=as_of, limit=limit, synonym_files=synonym_files,
                    ticket_files=ticket_files, phrase_files=phrase_files, matter=matter)


def _who(store: Store, text: str, region_text: str, *, as_of: str | dt.date | None, limit: int,
         synonym_files: Iterable[Path], ticket_files: Iterable[Path], phrase_files: Iterable[Path],
         matter: str | None) -> dict[str, Any]:
    query = inputs.question(text)
    limit = inputs.count(limit, "limit", 1, MAX_LIMIT)
    date = inputs.date(as_of)
    region = inputs.held_region(store, region_text)
    chosen = inputs.matter(store, matter) if matter is not None else None
    graph, _ = versions.as_of(store, date)  # the list versions in force on the date (the store itself for today's)
    resolver = Resolver(graph)
    # the county's own index (its matters as the date's lists name them, and those no list names)
    index = matter_index(graph, synonym_files, ticket_files, phrase_files,
                         county=region.get("county_code") or region["code"])
    hits = index.search(query, limit=max(limit * 4, 20), boost=local_matters(graph, region),
                        recall=_recall(store, index))
    if chosen is not None:
        hits = _chosen_first(store, hits, chosen["id"])
    # what the rules need about every matter the answer may show, read at once (one round trip on Neo4j)
    if hits:
        resolver.prefetch([h.matter_id for h in hits[:max(limit, CLARIFY_LOOK)]], region)
    answered: dict[str, dict[str, Any]] = {}

    def answer(hit: Any) -> dict[str, Any]:
        if hit.matter_id not in answered:
            answered[hit.matter_id] = _match(resolver.resolve(resolver.same_item(hit.matter_id, region), region,
                                                              date), hit)
        return answered[hit.matter_id]

    shown = [answer(hit) for hit in hits[:limit]]
    out: dict[str, Any] = {"query": text, "region": {"code": region["code"], "name": region["name"],
                                                      "level": region["level"]},
                           "as_of": date.isoformat(), "search": "semantic" if index.semantic else "lexical",
                           "intent": intent.read(searchable(query)).to_dict(),
                           "matches": shown, "clarify": [] if chosen else clarify(hits, answer)}
    if chosen is not None:
        out["chosen"] = {"id": chosen["id"], "name": chosen["name"]}
    out["versions"] = versions.versions_used(store, _cited(shown + out["clarify"]))
    if index.tickets_read:
        out["tickets"] = {"read": index.tickets_read, "used": index.tickets_used,
                          "unknown_matter": [t.source for t in index.tickets_unknown]}
    if not shown:
        fallback = closest_field(store, index, query, region, date,
                                 lambda matter_id: answer(SimpleNamespace(matter_id=matter_id, score=0.0)))
        if fallback is not None:
            out["fallback"] = fallback
        else:
            out["nobody"] = {"zh": "没有找到与这句话相符的事项", "en": "no matter matches these words"}
    elif not shown[0]["handlers"]:
        out["nobody"] = {"zh": f"「{shown[0]['matter']['name']}」在{region['name']}没有负责机构（空白）",
                         "en": f"nobody handles {shown[0]['matter']['name']!r} in {region['name']} (a gap)"}
        closest = [m for m in shown[1:] if m["handlers"]]
        if hits[limit:]:
            resolver.prefetch([h.matter_id for h in hits[limit:]], region)
        for hit in hits[limit:]:  # look further down only when the answer is a gap
            if len(closest) >= 3:
                break
            m = answer(hit)
            if m["handlers"]:
                closest.append(m)
        out["closest_with_handlers"] = closest[:3]
    return out


def _chosen_first(store: Store, hits: list[Any], matter_id: str) -> list[Any]:
    """The hits with the chosen matter (or the same item under another id) first; added when search did not find it."""
    same = set(store.same_items([matter_id]).get(matter_id, (matter_id,)))
    mine = [h for h in hits if h.matter_id in same][:1] or [Hit(matter_id, 0.0, ["选定 chosen"])]
    return mine + [h for h in hits if h.matter_id not in same]


def _cited(answers: list[dict[str, Any]]) -> list[str]:
    """The lists an answer's sources name (its handlers' and what they overrode)."""
    return [s.get("list") for m in answers for h in m.get("handlers", []) + m.get("overridden", [])
            for s in h.get("sources", [])]


# When the leading candidates' scores are this close to the best and their leads differ, the answer asks which one was
# meant instead of guessing (docs/domain.md §4): up to CLARIFY_OPTIONS options, one per distinct lead. 0.7 (was 0.8)
# since the phrase bank: on the development halves the right lead is then among the options 98.5 % and 95.8 % of the
# time (96.1 %, 94.1 % at 0.8), at the cost of asking back a quarter of the messages (docs/accuracy.md).
CLARIFY_CLOSE = 0.7
CLARIFY_OPTIONS = 4
CLARIFY_LOOK = 8  # candidates looked at


def clarify(hits: list[Any], answer: Any) -> list[dict[str, Any]]:
    """您指的是哪一种？ — when the best candidates have different leads with close scores: one option per distinct lead,
    each with the matter that sets it apart (its best-scoring one), best first; empty when the answer is clear (one
    lead among the close candidates, or the words are a matter's exact name or code)."""
    if not hits or getattr(hits[0], "exact", False):
        return []
    best = float(hits[0].score)
    options: dict[str, dict[str, Any]] = {}
    for hit in hits[:CLARIFY_LOOK]:
        if float(hit.score) < CLARIFY_CLOSE * best:
            break
        m = answer(hit)
        lead = next((h["agency"] for h in m["handlers"] if h["role"] == "lead"), None)
        if lead is None or lead["id"] in options:
            continue
        options[lead["id"]] = {"lead": lead, "matter": m["matter"], "rule": m["rule"], "score": m["score"]}
        if len(options) == CLARIFY_OPTIONS:
            break
    return list(options.values()) if len(options) > 1 else []


def _match(res: Resolution, hit: Any) -> dict[str, Any]:
    d = res.to_dict()
    return {"matter": d["matter"], "score": round(float(hit.score), 4), "exact": bool(getattr(hit, "exact", False)),
            "matched": list(getattr(hit, "matched", [])), "rule": d["rule"], "handlers": d["handlers"],
            "notes": d["notes"], "conflicts": d["conflicts"], "overridden": d["overridden"]}


def dispatch(store: Store, text: str, region_text: str, *, as_of: str | dt.date | None = None, limit: int = 5,
             synonym_files: Iterable[Path] = (), ticket_files: Iterable[Path] = (),
             phrase_files: Iterable[Path] = ()) -> dict[str, Any]:
    """吹哨报到: the departments that must come for a problem at a township, grouped, with their matters and duties,
    plus the dispatched units stationed there."""
    with one_version(store):
        return _dispatch(store, text, region_text, as_of=as_of, limit=limit, synonym_files=synonym_files,
                         ticket_files=ticket_files, phrase_files=phrase_files)


def _dispatch(store: Store, text: str, region_text: str, *, as_of: str | dt.date | None, limit: int,
              synonym_files: Iterable[Path], ticket_files: Iterable[Path],
              phrase_files: Iterable[Path]) -> dict[str, Any]:
    answer = who(store, text, region_text, as_of=as_of, limit=limit, synonym_files=synonym_files,
                 ticket_files=ticket_files, phrase_files=phrase_files)
    region = answer["region"]
    relevant = [m for m in answer["matches"] if m["handlers"]]
    if relevant:
        best = relevant[0]["score"]
        relevant = [m for m in relevant if m["exact"] or m["score"] >= 0.5 * best]
    groups: dict[str, dict[str, Any]] = {}
    for m in relevant:
        for h in m["handlers"]:
            if h["role"] not in ("lead", "cooperate", "assist", "guide", "contact"):
                continue
            head = _department_of(store, h["agency"], region["code"])
            g = groups.setdefault(head["id"], {"department": head, "members": {}, "items": []})
            g["members"][h["agency"]["id"]] = h["agency"]
            g["items"].append({"matter": m["matter"], "agency": h["agency"], "role": h["role"], "rule": h["rule"],
                               "duty": h["duty"], "sources": h["sources"]})
    stationed = [{"id": r.source, "name": (store.node("Agency", r.source) or {}).get("name", r.source),
                  "department": _department_of(store, {"id": r.source}, region["code"])}
                 for r in store.rels("STATIONED_IN", target=region["code"])]
    order = {"lead": 0, "assist": 1, "guide": 2, "cooperate": 3, "contact": 4}
    plan = sorted(groups.values(), key=lambda g: min(order[i["role"]] for i in g["items"]))
    for g in plan:
        g["members"] = list(g["members"].values())
    return {"query": text, "region": region, "as_of": answer["as_of"],
            "matters": [m["matter"] for m in relevant], "groups": plan, "stationed_units": stationed,
            "versions": versions.versions_used(store, _cited(relevant)),
            **({"nobody": answer["nobody"]} if not relevant else {})}


def _department_of(store: Store, agency: dict[str, Any], township: str) -> dict[str, Any]:
    """The body a handler answers to: a county department for its units and dispatched units; the township for its
    own offices and teams."""
    p = store.node("Agency", agency["id"]) or {}
    if p.get("region") == township or p.get("kind") == "township_government":
        gov = store.nodes("Agency", region=township, kind="township_government")
        if gov:
            return {"id": gov[0]["id"], "name": gov[0]["name"], "kind": "township_government"}
    if p.get("kind") in ("dispatched_unit", "county_unit"):
        parents = store.rels("UNIT_OF", source=p["id"])
        if parents:
            parent = store.node("Agency", parents[0].target) or {}
            return {"id": parent.get("id", parents[0].target), "name": parent.get("name"), "kind": parent.get("kind")}
    return {"id": p.get("id", agency["id"]), "name": p.get("name", agency.get("name")), "kind": p.get("kind")}
