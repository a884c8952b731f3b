"""How well ``who`` answers a question set: top-1 and top-3 accuracy for the matter and for the lead agency.

A question set is YAML: a list of ``{q, township, matter, lead, rule?, paraphrase?}`` — ``matter`` the expected matter's
name, ``lead`` the expected lead agency: a county body's full name, or ``乡镇/单位`` for a township's unit.

开发集与留出集 / Development and held-out halves
    Tuning search (synonyms, weights) on the questions it is then measured on turns accuracy into memory. The set is
    therefore split, deterministically, into a *development* half — whose misses one may read and tune on — and a
    *held-out* half, of which only the aggregate figure is read, once, at the end (``docs/accuracy.md``).

    The split is by the expected *matter*, not by the question: every question about one matter falls in the same
    half. Two phrasings of one problem share vocabulary, so a synonym written for one of them would also answer the
    other; split by question, the held-out half would partly measure the development half again. A question's half is
    the parity of the first byte of SHA-256(``SPLIT_SALT`` + the matter's name as written): it never depends on the
    order of the file, on the other questions, or on the code's normalisation of names, and adding questions never
    moves the old ones. Change ``SPLIT_SALT`` only to draw a fresh split (and then tune nothing on the old held-out).

Re-run any half: ``quanze accuracy --split held-out --store URL --as-of 2025-06-01``, or write it to a file:
``quanze accuracy --split dev --write dev.yaml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import yaml

from quanze.errors import InputError, Problem
from quanze.graph.matters import norm_matter_name
from quanze.graph.store import Store

SPLITS = ("all", "dev", "held-out")
SPLIT_SALT = "quanze-accuracy-split-v1"
RATES = ("matter_top1", "matter_top3", "lead_top1", "lead_top3")


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


def half_of(question: dict[str, Any]) -> str:
    """``dev`` or ``held-out``: which half a question belongs to (by its expected matter; see the module's notes)."""
    digest = hashlib.sha256((SPLIT_SALT + str(question["matter"]).strip()).encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "held-out"


def split_questions(questions: Iterable[dict[str, Any]], split: str = "all") -> list[dict[str, Any]]:
    """The questions of one half (``dev``, ``held-out``) or all of them, in their original order."""
    if split not in SPLITS:
        raise InputError(Problem("error", "bad-split", f"未知的划分「{split}」，可选 {'、'.join(SPLITS)}",
                                 f"unknown split {split!r}; one of {', '.join(SPLITS)}", value=split))
    questions = list(questions)
    return questions if split == "all" else [q for q in questions if half_of(q) == split]


def lead_label(store: Store, agency: dict[str, Any]) -> str:
    """How a question set names an agency: a county body by its name, a township's unit as 乡镇/单位."""
    p = store.node("Agency", agency["id"]) if agency.get("id") else None
    if p and len(p["region"]) == 9:
        township = store.node("Region", p["region"]) or {"name": p["region"]}
        return f"{township['name']}/{p['name']}"
    return str(agency.get("name"))


def evaluate(store: Store, questions: list[dict[str, Any]], *, as_of: dt.date | str | None = None,
             split: str = "all", ticket_files: Iterable[Path] = (), phrase_files: Iterable[Path] = ()
             ) -> dict[str, Any]:
    """Ask every question (of ``split``) and score the answers.

    Returns the overall rates (strict: the expected matter and lead), the same rates counting the answers the
    question set marks acceptable too (``acceptable``: a question's ``also``), for paraphrases (no two-character string
    shared with the matter's name) and for the other questions, per rule of docs/domain.md §4; ``lead_in_options``:
    how often the right lead is among what the answer offers a person to choose from (the clarify options when it
    asks back, else its first lead); the number of questions with no answer at all (neither a matter nor a field's
    suggested lead, ``fallback``, whose lead counts as the first when no matter fitted), how many got only that
    suggestion (``fallbacks``), and every question whose lead is not first (``misses``).
    """
    from quanze.api import inputs
    from quanze.api.who import who  # who imports search and jieba; splitting a question set needs neither

    as_of = inputs.date(as_of)
    questions = split_questions(questions, split)
    ticket_files, phrase_files = list(ticket_files), list(phrase_files)
    _no_question_among_tickets(questions, ticket_files)
    rows = []
    tickets = None
    for q in questions:
        answer = who(store, q["q"], q["township"], as_of=as_of, limit=3, ticket_files=ticket_files,
                     phrase_files=phrase_files)
        tickets = answer.get("tickets", tickets)
        names = [norm_matter_name(m["matter"]["name"]) for m in answer["matches"]]
        leads = [[lead_label(store, h["agency"]) for h in m["handlers"] if h["role"] == "lead"]
                 for m in answer["matches"]]
        if not leads and answer.get("fallback"):  # the field's usual lead, suggested when no matter fitted
            leads = [[lead_label(store, answer["fallback"]["lead"])]]
        want_matter, want_lead = norm_matter_name(q["matter"]), q["lead"]
        ok_matters = {want_matter} | {norm_matter_name(a["matter"]) for a in q.get("also") or ()}
        ok_leads = {want_lead} | {a["lead"] for a in q.get("also") or ()}
        offered = [lead_label(store, o["lead"]) for o in answer.get("clarify") or ()] or (leads[0][:1] if leads else [])
        rows.append({
            "q": q["q"], "township": q["township"], "paraphrase": bool(q.get("paraphrase")),
            "rule": q.get("rule") or "", "half": half_of(q),
            "expected_matter": q["matter"], "expected_lead": want_lead,
            "got_matter": answer["matches"][0]["matter"]["name"] if answer["matches"] else None,
            "got_lead": leads[0] if leads else [],
            "matter_top1": bool(names) and names[0] == want_matter,
            "matter_top3": want_matter in names[:3],
            "lead_top1": bool(leads) and want_lead in leads[0][:1],
            "lead_top3": any(want_lead in ls for ls in leads[:3]),
            "answered": bool(answer["matches"] or answer.get("fallback")),
            "fallback": bool(answer.get("fallback")),
            "acceptable": {"matter_top1": bool(names) and names[0] in ok_matters,
                           "matter_top3": bool(ok_matters & set(names[:3])),
                           "lead_top1": bool(leads) and bool(ok_leads & set(leads[0][:1])),
                           "lead_top3": any(ok_leads & set(ls) for ls in leads[:3])},
            "lead_in_options": want_lead in offered,
            "asked_back": bool(answer.get("clarify")),
        })
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_rule[r["rule"] or "?"].append(r)
    return {"split": split, "questions": len(rows), **_rates(rows),
            "acceptable": _rates([r["acceptable"] for r in rows]),
            "lead_in_options": round(sum(r["lead_in_options"] for r in rows) / (len(rows) or 1), 4),
            "asked_back": sum(r["asked_back"] for r in rows),
            "paraphrase": _rates([r for r in rows if r["paraphrase"]]),
            "not_paraphrase": _rates([r for r in rows if not r["paraphrase"]]),
            "by_rule": {rule: _rates(rs) for rule, rs in sorted(by_rule.items())},
            "unanswered": sum(not r["answered"] for r in rows),
            "fallbacks": sum(r["fallback"] for r in rows),
            **({"tickets": tickets} if tickets else {}),
            "misses": [r for r in rows if not r["lead_top1"]]}


def _no_question_among_tickets(questions: list[dict[str, Any]], ticket_files: list[Path]) -> None:
    """Past tickets that hold the very questions asked would measure memory, not search: refused."""
    if not ticket_files:
        return
    from quanze.api.tickets import load_tickets

    asked = {q["q"].strip() for q in questions}
    seen = [t for t in load_tickets(ticket_files) if t.text in asked]
    if seen:
        raise InputError([Problem("error", "ticket-is-question", f"历史工单里有问题集的原题：「{t.text}」",
                                  f"a past ticket is a question of the set itself: {t.text!r}", file=t.source,
                                  value=t.text) for t in seen[:20]])


def _rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows) or 1
    return {key: round(sum(r[key] for r in rows) / n, 4) for key in RATES} | {"n": len(rows)}


def write_half(questions: list[dict[str, Any]], split: str, path: Path) -> int:
    """Write one half of a question set as a question set of its own; returns how many questions it holds."""
    chosen = split_questions(questions, split)
    path.write_text(yaml.safe_dump(chosen, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(chosen)


REPLAY_STRETCHES = (100, 300)  # top-1 over questions 1–100, 101–300, and the rest


def replay(store: Store, questions: list[dict[str, Any]], confirmed: Path, *, as_of: dt.date | str | None = None,
           stretches: tuple[int, ...] = REPLAY_STRETCHES, phrase_files: Iterable[Path] = ()) -> dict[str, Any]:
    """A learning curve: ask the questions in their order as a dispatcher would, and after each answer confirm the
    true matter (``api.tickets.record_ticket`` into ``confirmed``, which must not exist yet), so that every later
    question may learn from the earlier confirmations at once. Reports lead and matter top-1 over the stretches
    (by default the first 100 questions, the next 200, and the rest). Confirmations teach search only when the
    semantic model is on (``api/tickets.py``)."""
    from quanze.api import inputs
    from quanze.api.tickets import record_ticket
    from quanze.api.who import who

    if confirmed.exists():
        raise InputError(Problem("error", "replay-file-exists", f"回放要从空的工单文件开始，而 {confirmed.name} 已存在",
                                 f"a replay starts from no confirmations, but {confirmed.name} exists",
                                 file=str(confirmed)))
    as_of = inputs.date(as_of)
    phrase_files = list(phrase_files)
    hits = []
    for q in questions:
        answer = who(store, q["q"], q["township"], as_of=as_of, limit=1, phrase_files=phrase_files,
                     ticket_files=[confirmed] if confirmed.exists() else [])
        top = answer["matches"][0] if answer["matches"] else None
        leads = [lead_label(store, h["agency"]) for h in (top or {}).get("handlers", []) if h["role"] == "lead"]
        if top is None and answer.get("fallback"):
            leads = [lead_label(store, answer["fallback"]["lead"])]
        hits.append({"lead_top1": q["lead"] in leads[:1],
                     "matter_top1": bool(top) and norm_matter_name(top["matter"]["name"]) == norm_matter_name(
                         q["matter"])})
        record_ticket(store, confirmed, q["q"], matter=q["matter"])
    bounds = [0, *[b for b in stretches if b < len(hits)], len(hits)]
    return {"questions": len(hits), "confirmed": len(hits),
            "stretches": [{"from": a + 1, "to": b, "n": b - a,
                           "lead_top1": round(sum(h["lead_top1"] for h in hits[a:b]) / (b - a), 4),
                           "matter_top1": round(sum(h["matter_top1"] for h in hits[a:b]) / (b - a), 4)}
                          for a, b in zip(bounds, bounds[1:]) if b > a]}
