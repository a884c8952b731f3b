"""The questions: fixed, seeded sets (the same for every store), and running them as timed phases."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bench.measure import Recorder, stats_ms, timed
from bench.synthetic import DEMO_CODE, DEMO_NAME, Template, county_code, county_name

AS_OF = dt.date(2025, 6, 1)
SAMPLES = {"who": 20, "resolve": 200, "paths": 20}


def plan_questions(t: Template, n: int, seed: int) -> dict[str, list]:
    import yaml

    from quanze.demo import demo_questions

    rng = random.Random(f"{seed}/{n}")
    townships = sorted(r["code"] for r in t.nodes["Region"] if r.get("level") == "township")
    code_of = {r["name"]: r["code"] for r in t.nodes["Region"] if r.get("level") == "township"}
    questions = [q for q in yaml.safe_load(demo_questions().read_text(encoding="utf-8")) if q["township"] in code_of]
    who = []
    for q in rng.sample(questions, min(SAMPLES["who"], len(questions))):
        k = rng.randrange(n)
        who.append({"q": q["q"], "region": Template.rekey(code_of[q["township"]], k), "rule": q.get("rule"), "k": k})

    asserted = []
    for type_ in ("LEADS", "COOPERATES_ON", "DELEGATES", "RECALLED_TO"):
        for r in t.rels.get(type_, []):
            region = r.props.get("region") or ""
            if len(region) == 9:
                asserted.append((r.source if type_ == "RECALLED_TO" else r.target, region))
    asserted.sort()
    matters = [m["id"] for m in t.nodes["Matter"]]
    resolve = []
    for i in range(SAMPLES["resolve"]):
        k = rng.randrange(n)
        # half: a (matter, township) pair some list asserts; half: any matter in any township (often a gap)
        mid, town = rng.choice(asserted) if i % 2 == 0 else (rng.choice(matters), rng.choice(townships))
        resolve.append({"matter": t.matter_id_in(mid, k), "township": Template.rekey(town, k), "k": k})

    agencies = [a for a in t.nodes["Agency"] if a.get("kind") != "unresolved"]
    by_kind: dict[str, list[str]] = {}
    for a in agencies:
        by_kind.setdefault(a["kind"], []).append(a["id"])
    paths = []
    for i in range(SAMPLES["paths"]):
        k = rng.randrange(n)
        if i % 4 == 0:  # a county department and a township: which of its duties reach there
            a, b = rng.choice(by_kind["county_department"]), rng.choice(townships)
        elif i % 4 == 1:  # a township's enforcement team and a county department
            a, b = rng.choice(by_kind["enforcement_team"]), rng.choice(by_kind["county_department"])
        elif i % 4 == 2:  # a dispatched unit and a matter
            a, b = rng.choice(by_kind["dispatched_unit"]), rng.choice(matters)
        else:  # two township units
            a, b = rng.choice(by_kind["township_office"]), rng.choice(by_kind["township_institution"])
        paths.append({"from": Template.rekey(a, k), "to": t.matter_id_in(b, k) if b in set(matters)
                      else Template.rekey(b, k), "k": k})
    return {"who": who, "resolve": resolve, "paths": paths}


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


def _answer_key(answer: dict | None, k: int | None) -> Any:
    """The top answer of ``who`` as the demo county would word it: matter, rule and handlers."""
    if not answer or not answer.get("matches"):
        return None
    top = answer["matches"][0]

    def demo(text: Any) -> Any:
        if k is None or not isinstance(text, str):
            return text
        return text.replace(county_code(k), DEMO_CODE).replace(county_name(k), DEMO_NAME).replace(
            f"（{DEMO_NAME}）", "")

    return [demo(top["matter"]["name"]), top["rule"],
            sorted((h["role"], demo(h["agency"]["id"])) for h in top["handlers"])]


def run_queries(store: Any, plan: dict[str, list], rec: Recorder, query_budget: float) -> None:
    """The timed phases on a filled store, in order: who (then, untimed, the same questions in the demo county's
    townships), resolve, the audits of one county and of all, find_paths."""
    from quanze.api.audit.run import run_audit
    from quanze.api.paths import find_paths
    from quanze.errors import NoPath
    from quanze.api.resolve import Resolver
    from quanze.api.who import who

    _warm_search()
    # -- who ×20 ---------------------------------------------------------------------------------------------------
    with rec.phase("who") as ph:
        times, answers, outcome = timed(lambda q: who(store, q["q"], q["region"], as_of=AS_OF), plan["who"],
                                        query_budget, progress=rec.partial("who"))
        ph.update(stats_ms(times), **outcome)
    # untimed: the same question in the demo county's township (ingested from its files) should get the same answer
    same, differ = 0, []
    for q, a in zip(plan["who"], answers):
        demo_region = DEMO_CODE + q["region"][len(DEMO_CODE):]
        b = who(store, q["q"], demo_region, as_of=AS_OF)
        if _answer_key(a, q["k"]) == _answer_key(b, None):
            same += 1
        else:
            differ.append({"q": q["q"], "clone": _answer_key(a, q["k"]), "demo": _answer_key(b, None)})
    rec.data["phases"]["who"]["same_as_demo"] = same
    rec.data["phases"]["who"]["differ_from_demo"] = differ[:5]
    rec.flush()

    # -- Resolver.resolve ×200 -------------------------------------------------------------------------------------
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

    # -- audits ----------------------------------------------------------------------------------------------------
    with rec.phase("audit_county") as ph:
        report = run_audit(store, region=county_code(0), as_of=AS_OF)
        ph["findings"] = len(report.findings)
    with rec.phase("audit_all") as ph:
        report = run_audit(store, as_of=AS_OF)
        ph["findings"] = len(report.findings)
        del report

    # -- find_paths ×20 --------------------------------------------------------------------------------------------
    with rec.phase("paths") as ph:
        times, answers, outcome = timed(lambda p: find_paths(store, p["from"], p["to"]), plan["paths"],
                                        query_budget, expected=(NoPath,), progress=rec.partial("paths"))
        ph.update(stats_ms(times), **outcome)
        ph["hops"] = [a["paths"][0]["hops"] if a else None for a in answers]
