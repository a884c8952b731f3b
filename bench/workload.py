"""The questions — fixed, seeded sets, the same for every store — and running them as timed phases.

- ``county`` scale: the demo's own question set (``demo/questions.yaml``) in the townships it names, as dispatchers
  ask them; the expected lead is known, so the words-only run can be compared with the semantic one;
- ``province`` and ``country``: the same words in random townships of random generated counties (the expected answer
  differs from county to county, so only time is measured).
``resolve`` pairs, ``find_paths`` pairs and the audited counties come from the generated batches of a few sampled
counties (the generator is deterministic) or, at county scale, from the demo's own graph.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from bench.measure import Recorder, stats_ms, timed
from bench.regions import counties_of
from bench.synthetic import DEMO_CODE, Generator, Template, _matter_of

AS_OF = dt.date(2025, 6, 1)
SAMPLES = {"county": {"who": 258, "resolve": 200, "paths": 20, "audits": 1},
           "province": {"who": 200, "resolve": 200, "paths": 20, "audits": 1},
           "country": {"who": 200, "resolve": 200, "paths": 20, "audits": 5}}
SAMPLED_COUNTIES = 12  # generated counties the plan draws its townships, pairs and audits from


def _graph_of(scale: str, template: Template, seed: int) -> tuple[list[dict], list, list[str], dict[str, str]]:
    """Relations, agencies, townships and the county of each township to draw the plan from: a few generated
    counties, or the demo county itself."""
    if scale == "county":
        rels = [r for rels in template.rels.values() for r in rels]
        agencies = template.nodes["Agency"]
        towns = sorted(r["code"] for r in template.nodes["Region"] if r.get("level") == "township")
        return agencies, rels, towns, {t: DEMO_CODE for t in towns}
    gen = Generator(template, seed)
    rng = random.Random(f"{seed}/{scale}/counties")
    counties = counties_of(scale)
    picked = sorted(rng.sample(range(len(counties)), min(SAMPLED_COUNTIES, len(counties))))
    agencies, rels, towns, county_of = [], [], [], {}
    for i in picked:
        batch = gen.county(counties[i])
        agencies += list(batch.nodes.get("Agency", {}).values())
        rels += [r for rs in batch.rels.values() for r in rs.values()]
        for code, region in batch.nodes["Region"].items():
            if region.get("level") == "township":
                towns.append(code)
                county_of[code] = counties[i].code
    return agencies, rels, sorted(towns), county_of


def plan_questions(scale: str, template: Template, seed: int) -> dict[str, Any]:
    import yaml

    from quanze.demo import demo_questions

    n = SAMPLES[scale]
    rng = random.Random(f"{seed}/{scale}")
    questions = yaml.safe_load(demo_questions().read_text(encoding="utf-8"))
    agencies, rels, towns, county_of = _graph_of(scale, template, seed)
    if scale == "county":
        code_of = {r["name"]: r["code"] for r in template.nodes["Region"] if r.get("level") == "township"}
        who = [{"q": q["q"], "region": code_of[q["township"]], "lead": q.get("lead")}
               for q in questions[:n["who"]] if q["township"] in code_of]
    else:
        who = [{"q": rng.choice(questions)["q"], "region": rng.choice(towns)} for _ in range(n["who"])]

    asserted = sorted({(_matter_of(r), r.props["region"]) for r in rels
                       if r.type in ("LEADS", "COOPERATES_ON", "DELEGATES", "RECALLED_TO")
                       and len(str(r.props.get("region") or "")) == 9})
    matters = sorted({_matter_of(r) for r in rels if r.type in ("LEADS", "DELEGATES", "RECALLED_TO")})
    resolve = []
    for i in range(n["resolve"]):
        # half: a (matter, township) pair some list asserts; half: a matter of the county's in any township
        mid, town = rng.choice(asserted) if i % 2 == 0 else (rng.choice(matters), rng.choice(towns))
        resolve.append({"matter": mid, "township": town})

    by_kind: dict[str, list[str]] = {}
    for a in agencies:
        by_kind.setdefault(a.get("kind", ""), []).append(a["id"])
    paths = []
    for i in range(n["paths"]):
        town = rng.choice(towns)
        county = county_of[town]
        mine = {k: [a for a in v if a.startswith(county)] for k, v in by_kind.items()}
        here = {k: [a for a in v if a.startswith(town)] or v for k, v in mine.items()}
        if i % 4 == 0:  # a county department and a township: which of its duties reach there
            a, b = rng.choice(mine["county_department"]), town
        elif i % 4 == 1:  # a township's enforcement team and a county department
            a, b = rng.choice(here["enforcement_team"]), rng.choice(mine["county_department"])
        elif i % 4 == 2:  # a dispatched unit and a matter
            a, b = rng.choice(mine["dispatched_unit"]), rng.choice(matters)
        else:  # two township units
            a, b = rng.choice(here["township_office"]), rng.choice(here["township_institution"])
        paths.append({"from": a, "to": b})
    pages = sorted(a["id"] for a in agencies if a.get("kind") == "county_department")
    pages = rng.sample(pages, min(20, len(pages)))
    audited = sorted(set(county_of.values()))
    audits = [rng.choice(audited) for _ in range(n["audits"])] if scale != "county" else [DEMO_CODE]
    return {"who": who, "resolve": resolve, "paths": paths, "audit_counties": list(dict.fromkeys(audits)),
            "shell": who[0], "page_agencies": pages}


def _warm_search() -> None:
    """Load jieba's dictionary and the shipped synonyms once, untimed: a process pays that once, whatever the store."""
    try:
        from quanze.api.search_index import tokenizer

        tokenizer()
    except Exception:  # only a warm-up: the timed calls would load it anyway
        pass
    try:
        from quanze.api.search import shipped_synonyms

        shipped_synonyms()
    except Exception:  # only a warm-up
        pass


def lead_hits(store: Any, plan: list[dict[str, Any]], answers: list[Any]) -> dict[str, Any] | None:
    """How often the expected lead (county scale: the question set's) is the first answer's lead."""
    from quanze.api.accuracy import lead_label

    asked = [(q, a) for q, a in zip(plan, answers) if q.get("lead")]
    if not asked:
        return None
    hits = 0
    for q, a in asked:
        first = a["matches"][0] if a and a.get("matches") else {"handlers": []}
        leads = [lead_label(store, h["agency"]) for h in first["handlers"] if h["role"] == "lead"]
        hits += bool(leads) and leads[0] == q["lead"]
    return {"questions": len(asked), "lead_top1": round(hits / len(asked), 4)}


def run_who(store: Any, plan: dict[str, Any], rec: Recorder, query_budget: float, name: str = "who") -> None:
    from quanze.api.who import who

    _warm_search()
    with rec.phase(name) as ph:
        times, answers, outcome = timed(lambda q: who(store, q["q"], q["region"], as_of=AS_OF), plan["who"],
                                        query_budget, progress=rec.partial(name))
        ph.update(stats_ms(times), **outcome)
        ph["search"] = next((a.get("search") for a in answers if a), None)
    hits = lead_hits(store, plan["who"], answers)
    if hits:
        rec.data["phases"][name]["accuracy"] = hits
    rec.data["phases"][name]["answered"] = sum(1 for a in answers if a and a.get("matches"))
    rec.flush()


def run_queries(store: Any, plan: dict[str, Any], rec: Recorder, query_budget: float, scale: str) -> None:
    """The timed phases on a filled store, in order: who, resolve, the audits, find_paths."""
    from quanze.api.audit.run import run_audit
    from quanze.api.paths import find_paths
    from quanze.api.resolve import Resolver
    from quanze.errors import NoPath

    run_who(store, plan, rec, query_budget)

    townships = {c: store.node("Region", c) for c in {p["township"] for p in plan["resolve"]}}
    with rec.phase("resolve") as ph:
        resolver = Resolver(store)
        times, answers, outcome = timed(
            lambda p: resolver.resolve([p["matter"]], townships[p["township"]], AS_OF), plan["resolve"],
            query_budget)
        ph.update(stats_ms(times), **outcome)
        rules: dict[str, int] = {}
        for a in answers:
            if a is not None:
                rules[a.rule or "nobody"] = rules.get(a.rule or "nobody", 0) + 1
        ph["rules"] = dict(sorted(rules.items()))

    with rec.phase("audit_county") as ph:
        each = []
        for code in plan["audit_counties"]:
            t0 = time.perf_counter()
            report = run_audit(store, region=code, as_of=AS_OF)
            each.append({"county": code, "s": round(time.perf_counter() - t0, 3), "findings": len(report.findings)})
        ph["counties"] = each
        ph["findings"] = sum(e["findings"] for e in each)
    if scale in ("county", "province"):
        with rec.phase("audit_all") as ph:
            report = run_audit(store, as_of=AS_OF)
            ph["findings"] = len(report.findings)
            del report

    with rec.phase("paths") as ph:
        times, answers, outcome = timed(lambda p: find_paths(store, p["from"], p["to"]), plan["paths"],
                                        query_budget, expected=(NoPath,), progress=rec.partial("paths"))
        ph.update(stats_ms(times), **outcome)
        ph["hops"] = [a["paths"][0]["hops"] if a else None for a in answers]
