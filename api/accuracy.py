"""How well ``who`` answers a question set: top-1 and top-3 accuracy for the matter and for the lead agency.

A question set is YAML: a list of ``{q, township, matter, lead, rule?, paraphrase?}`` — ``matter`` the expected matter's
name, ``lead`` the expected lead agency: a county body's full name, or ``乡镇/单位`` for a township's unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from quanze.api.who import who
from quanze.errors import InputError, Problem
from quanze.graph.matters import norm_matter_name
from quanze.graph.store import Store


def load_questions(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("questions", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(Problem("error", "bad-questions", "问题集应为列表", "a question set is a list", file=path.name))
    for i, q in enumerate(items, 1):
        missing = [k for k in ("q", "township", "matter", "lead") if not (isinstance(q, dict) and q.get(k))]
        if missing:
            raise InputError(Problem("error", "bad-questions", f"第{i}个问题缺少 {', '.join(missing)}",
                                     f"question {i} lacks {', '.join(missing)}", file=path.name, row=i))
    return items


def lead_label(store: Store, agency: dict[str, Any]) -> str:
    """How a question set names an agency: a county body by its name, a township's unit as 乡镇/单位."""
    p = store.node("Agency", agency["id"]) if agency.get("id") else None
    if p and len(p["region"]) == 9:
        township = store.node("Region", p["region"]) or {"name": p["region"]}
        return f"{township['name']}/{p['name']}"
    return str(agency.get("name"))


def evaluate(store: Store, questions: list[dict[str, Any]], *, as_of: dt.date | None = None) -> dict[str, Any]:
    rows = []
    for q in questions:
        answer = who(store, q["q"], q["township"], as_of=as_of, limit=3)
        names = [norm_matter_name(m["matter"]["name"]) for m in answer["matches"]]
        leads = [[lead_label(store, h["agency"]) for h in m["handlers"] if h["role"] == "lead"]
                 for m in answer["matches"]]
        want_matter, want_lead = norm_matter_name(q["matter"]), q["lead"]
        rows.append({
            "q": q["q"], "township": q["township"], "paraphrase": bool(q.get("paraphrase")),
            "expected_matter": q["matter"], "expected_lead": want_lead,
            "got_matter": answer["matches"][0]["matter"]["name"] if answer["matches"] else None,
            "got_lead": leads[0] if leads else [],
            "matter_top1": bool(names) and names[0] == want_matter,
            "matter_top3": want_matter in names[:3],
            "lead_top1": bool(leads) and want_lead in leads[0][:1],
            "lead_top3": any(want_lead in ls for ls in leads[:3]),
        })
    return {"questions": len(rows), **_rates(rows),
            "paraphrase": _rates([r for r in rows if r["paraphrase"]]),
            "misses": [r for r in rows if not r["lead_top1"]]}


def _rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows) or 1
    return {key: round(sum(r[key] for r in rows) / n, 4) for key in ("matter_top1", "matter_top3", "lead_top1",
                                                                        "lead_top3")} | {"n": len(rows)}
