"""Never empty when the words are clear (兜底): the closest field and its usual lead, as a low-confidence suggestion.

When no matter passes search's floor, a dispatcher still needs somewhere to start. The words usually say which field
the problem belongs to (楼道里堆满了杂物 is about fire safety in residential buildings even when no listed matter says
so closely enough): ``MatterIndex.closest`` gives the matters the words come nearest to below the floor, each matter
belongs to a field (领域: its ``domain`` when a list gives one, else the department that holds it), the field with the
most evidence wins, and its usual lead in the asked township (the lead most of its nearest matters have there) is
suggested, marked low-confidence, with the reason. Unrelated words (今天天气不错) come near nothing, and get nothing.

``nobody`` is another answer: a matter that exists and has no handler in the township (a gap), said as such.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from quanze.api.search import MatterIndex
from quanze.graph.cache import by_version
from quanze.graph.store import Store

FIELD_MATTERS = 3  # a field's evidence: the sum of its nearest matters' evidence, this many at most
FIELDS_TRIED = 3  # fields tried, best first, until one has a lead in the township
MIN_EVIDENCE = 0.05  # a field whose best matter comes nearer than this says nothing
# where a matter's field comes from when the matter has no domain, in this order: the lists that name its department
FIELD_FROM = (("LEADS", "power"), ("LEADS", "cooperation"), ("DELEGATES", None), ("RECALLED_TO", None),
              ("LEADS", "basic"))


def matter_fields(store: Store) -> dict[str, str]:
    """Each matter id → its field: the matter's domain, else the name of the body that holds it (a power list's
    department, a cooperation list's lead, the delegating department, the department it was recalled to, a township
    office of a basic list — its name without the township's, so that every township's 社会事务办公室 is one field).
    Read once per data version."""
    def build() -> dict[str, str]:
        out = {m["id"]: str(m["domain"]) for m in store.nodes("Matter") if m.get("domain")}
        names: dict[str, str] = {}
        for type_, kind in FIELD_FROM:
            props = {"list_kind": kind} if kind else {}
            for r in sorted(store.rels(type_, **props), key=lambda r: r.id):
                matter, body = (r.source, r.target) if type_ == "RECALLED_TO" else (r.target, r.source)
                if matter in out:
                    continue
                if body not in names:
                    names[body] = str((store.node("Agency", body) or {}).get("name") or body)
                out[matter] = names[body]
        return out

    return by_version(store, "matter_fields", None, build)


def closest_field(store: Store, index: MatterIndex, query: str, region: dict[str, Any], date: dt.date,
                  answer: Callable[[str], dict[str, Any]]) -> dict[str, Any] | None:
    """The fallback of an answer that found no matter: the field its words come nearest to and that field's usual
    lead in ``region`` (``answer(matter_id)`` resolves a matter there, as ``who`` lists it), or None when the words
    come near nothing or no near field has a lead here."""
    near = index.closest(query)
    if not near or near[0][1] < MIN_EVIDENCE:
        return None
    fields = matter_fields(store)
    grouped: dict[str, list[tuple[str, float]]] = {}
    for matter_id, evidence in near:
        grouped.setdefault(fields.get(matter_id, ""), []).append((matter_id, evidence))
    grouped.pop("", None)
    ranked = sorted(grouped.items(), key=lambda kv: (-sum(e for _, e in kv[1][:FIELD_MATTERS]), kv[0]))
    for field, matters in ranked[:FIELDS_TRIED]:
        votes: dict[str, list[Any]] = {}
        seen = []
        for matter_id, evidence in matters[:FIELD_MATTERS]:
            m = answer(matter_id)
            seen.append({"id": m["matter"]["id"], "name": m["matter"]["name"], "evidence": evidence})
            lead = next((h["agency"] for h in m["handlers"] if h["role"] == "lead"), None)
            if lead is not None:
                vote = votes.setdefault(lead["id"], [0.0, lead, m["rule"]])
                vote[0] += evidence
        if not votes:
            continue
        weight, lead, rule = max(votes.values(), key=lambda v: (v[0], v[1]["id"]))
        shown = lead.get("label") or lead.get("name")
        score = round(sum(e for _, e in matters[:FIELD_MATTERS]), 4)
        return {"field": field, "lead": lead, "rule": rule, "matters": seen, "score": score, "confidence": "low",
                "zh": f"没有事项与这句话足够相符；最接近的领域是「{field}」，在{region['name']}通常由{shown}牵头。"
                      "这是低把握的建议，请核实后再派单。",
                "en": f"no matter fits these words closely enough; the closest field is {field!r}, whose usual lead "
                      f"in {region['name']} is {shown}. A low-confidence suggestion: check before dispatching."}
    return None


__all__ = ["closest_field", "matter_fields"]
