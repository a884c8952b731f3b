"""Who handles matter M in township T, by the rules of docs/domain.md §4, in their order, as of a date.

The rules of responsibility are declared here once — their order (``RULES``), what overrides what (``Rule.overrides``),
the roles (``ROLES``), when a power row belongs to the township (``township_scope``), which body a township row means
(``township_lead``) and whether a delegation is in force (``delegation_state``) — and the audits use these same
declarations (``api/audit``), so an answer and a finding never read the lists differently.


1. recalled    — M is in T's 上级部门收回事项 with 承接部门 X: X leads; T assists with its 工作方式. Overrides 2 and 3.
2. delegated   — a delegation of M to T is in force on the date: T's undertaking unit leads; the department guides.
3. basic       — M is in T's 基本履职事项 (or a township 权责清单, or a department's row marked 乡镇权限): T leads.
4. cooperation — M is in T's 配合履职事项 / 属地管理事项 with lead X: X leads with its duty, T and others cooperate.
5. department  — M is in a county department's 权责清单: the department leads for T; its unit stationed in T is the
                 on-site contact.
6. nobody      — said plainly; the caller shows the closest matters that do have handlers.

The first rule that applies answers; what lower rules also assert is kept as ``overridden`` so the answer can say so,
and several leads within one rule are reported as a conflict (the audits' multi-lead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from quanze import deadline
from quanze.graph.agency_names import qualified_name
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Neighbourhood, Rel, Store


@dataclass(frozen=True)
class Rule:
    """One resolution rule (docs/domain.md §4): its id, its name in both languages, the relation types it reads, and
    the rules whose assertions it overrides (§4.7) — not merely outranks: an overridden assertion is no conflict."""

    id: str
    zh: str
    en: str
    reads: tuple[str, ...]
    overrides: tuple[str, ...] = ()


# in the order they are tried: the first rule that applies answers
RULES: tuple[Rule, ...] = (
    Rule("recalled", "已收回", "recalled", ("RECALLED_TO",), ("delegated", "basic", "cooperation", "department")),
    Rule("delegated", "已下放", "delegated", ("DELEGATES",), ("department",)),
    Rule("basic", "乡镇基本职责", "basic duty", ("LEADS",)),
    Rule("cooperation", "配合事项", "cooperation", ("LEADS", "COOPERATES_ON")),
    Rule("department", "部门权责", "department power", ("LEADS",)),
)
RULE_IDS = tuple(r.id for r in RULES)
NOBODY = ("无人负责", "nobody")
# roles a handler plays, in the order an answer lists them
ROLES: dict[str, tuple[str, str]] = {"lead": ("牵头", "lead"), "cooperate": ("配合", "cooperate"),
                                     "assist": ("协助", "assist"), "guide": ("指导监督", "guide"),
                                     "contact": ("现场联系", "on-site contact")}


def rule_of(rule_id: str) -> Rule:
    return next(r for r in RULES if r.id == rule_id)


def rule_label(rule_id: str | None) -> str:
    """``已收回 recalled``; ``无人负责 nobody`` for no rule."""
    if rule_id is None:
        return " ".join(NOBODY)
    r = rule_of(rule_id)
    return f"{r.zh} {r.en}"


def role_label(role: str) -> str:
    """``牵头 lead``."""
    return " ".join(ROLES.get(role, (role,)))


def overrides(higher: str, lower: str) -> bool:
    """Does an assertion under rule ``higher`` override one under rule ``lower`` (so the two are no conflict)?"""
    return lower in rule_of(higher).overrides


def township_scope(rel: Rel) -> bool:
    """A power row whose 管理权限 says 乡镇权限 / 乡镇(街道) is exercised at township level: it belongs to the township
    (rule basic), not to the department (docs/domain.md §4.8)."""
    scope = rel.props.get("scope") or ""
    return "乡镇" in scope or "街道" in scope


def township_lead(agency: str, agency_region: str | None, township: str, government: str | None) -> str:
    """The body a township's list row means: the body it names when that is one of the township's own; otherwise
    (a department's row marked 乡镇权限, a name that did not resolve to a township unit) the township government, or
    the named body when the township has no government body (docs/domain.md §4.8)."""
    if agency_region == township:
        return agency
    return government or agency


@dataclass
class Handler:
    agency: dict[str, Any]
    role: str
    rule: str
    duty: str | None = None
    legal_basis: str | None = None
    delegation: dict[str, Any] | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "role": self.role, "rule": self.rule, "duty": self.duty,
                "legal_basis": self.legal_basis, "delegation": self.delegation, "sources": self.sources}


@dataclass
class Resolution:
    matter: dict[str, Any]
    region: dict[str, Any]
    as_of: dt.date
    rule: str | None  # the rule that answered, None when nobody handles it
    handlers: list[Handler]
    overridden: list[dict[str, Any]] = field(default_factory=list)  # assertions a higher rule overrode
    notes: list[dict[str, str]] = field(default_factory=list)  # {"zh", "en"}: why, and what is odd
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # several leads under one rule

    def to_dict(self) -> dict[str, Any]:
        return {"matter": self.matter, "region": self.region, "as_of": self.as_of.isoformat(), "rule": self.rule,
                "handlers": [h.to_dict() for h in self.handlers], "overridden": self.overridden,
                "notes": self.notes, "conflicts": self.conflicts}


def source_of(rel: Rel, store: Store, titles: dict[str, str | None] | None = None) -> dict[str, Any]:
    """Where an assertion comes from: its list (and the list's title), file, sheet and row. ``titles`` remembers
    list titles already read."""
    titles = {} if titles is None else titles
    list_id = rel.props.get("list_id")
    if list_id and list_id not in titles:
        lst = store.node("SourceList", list_id)
        titles[list_id] = lst.get("title") if lst else None
    return {"list": list_id, "list_title": titles.get(list_id) if list_id else None,
            "file": rel.props.get("file"), "sheet": rel.props.get("sheet"), "row": rel.props.get("row")}


def delegation_in_force(rel: Rel, as_of: dt.date) -> bool:
    return delegation_state(rel, as_of) == "in_force"


def delegation_state(rel: Rel, as_of: dt.date) -> str:
    """``pending`` (not yet in force on ``as_of``), ``lapsed`` (recalled by then) or ``in_force`` (§4.10)."""
    effective, recalled = rel.props.get("effective"), rel.props.get("recalled")
    if recalled is not None and recalled <= as_of:
        return "lapsed"
    if effective is not None and effective > as_of:
        return "pending"
    return "in_force"


# the relation types the rules read, in the order they read them
READS: tuple[str, ...] = tuple(dict.fromkeys(t for r in RULES for t in r.reads))


class Resolver:
    """Answers for one store; caches agency and matter lookups for the life of one question set.

    What the rules read about a question's matters in a township is read at once (``Store.neighbourhood``: one round
    trip on Neo4j): ``prefetch`` reads it for all the matters a question may need, ``resolve`` reads it for its own
    matters when they were not prefetched."""

    def __init__(self, store: Store):
        self.store = store
        self._agencies: dict[str, dict[str, Any]] = {}
        self._titles: dict[str, str | None] = {}
        self._governments: dict[str, str | None] = {}
        self._regions: dict[str, str] = {}
        self._read: dict[str, Neighbourhood] = {}  # township → what was read there
        self._raw: dict[str, dict[str, Any]] = {}  # agencies as read

    def prefetch(self, matter_ids: list[str], township: dict[str, Any]) -> Neighbourhood:
        """Read what the rules need about these matters (and their same-item siblings) in the township, at once."""
        code = township["code"]
        county = township.get("county_code") or code
        known = self._read.get(code)
        if known is not None and known.covers(matter_ids, code):
            return known
        found = self.store.neighbourhood(matter_ids, code, county, READS)
        found = known.merge(found) if known is not None else found
        self._read[code] = found
        self._raw.update(found.agencies)
        self._titles.update((k, v.get("title")) for k, v in found.lists.items())
        self._regions.update((k, v.get("name") or k) for k, v in found.regions.items())
        self._governments[code] = found.government
        return found

    def same_item(self, matter_id: str, township: dict[str, Any]) -> list[str]:
        """The matter and every matter that is the same item under another id (same normalised name)."""
        same = self.prefetch([matter_id], township).same.get(matter_id, ())
        return [matter_id] + [i for i in same if i != matter_id]

    def source(self, rel: Rel) -> dict[str, Any]:
        return source_of(rel, self.store, self._titles)

    def agency(self, agency_id: str | None) -> dict[str, Any]:
        """An agency as answers show it: ``label`` is its name qualified by its township for a township's unit
        (``柏溪镇综合行政执法大队``), so that no answer names a bare unit every township has."""
        if not agency_id:
            return {"id": None, "name": None, "label": None, "kind": None}
        if agency_id not in self._agencies:
            p = self._raw.get(agency_id) or self.store.node("Agency", agency_id) or \
                {"id": agency_id, "name": agency_id, "kind": "unresolved"}
            region = p.get("region")
            township = self._region_name(region) if region and len(region) == 9 else None
            self._agencies[agency_id] = {"id": p["id"], "name": p["name"],
                                         "label": qualified_name(p["name"], p.get("kind"), township),
                                         "kind": p.get("kind"), "region": region}
        return self._agencies[agency_id]

    def region_name(self, code: str) -> str:
        """A region's name (its code when the store does not hold it)."""
        return self._region_name(code)

    def _region_name(self, code: str) -> str:
        if code not in self._regions:
            self._regions[code] = (self.store.node("Region", code) or {}).get("name") or code
        return self._regions[code]

    def township_government(self, township: str) -> str | None:
        if township not in self._governments:
            govs = self.store.nodes("Agency", region=township, kind="township_government")
            self._governments[township] = govs[0]["id"] if govs else None
        return self._governments[township]

    def stationed_units(self, department: str, township: str) -> list[str]:
        """Units of the department (or of its units) stationed in the township: the on-site contacts."""
        if township in self._read:
            return list(self._read[township].stationed.get(department, []))
        units = {r.source for r in self.store.rels("UNIT_OF", target=department)}
        return sorted(r.source for r in self.store.rels("STATIONED_IN", target=township) if r.source in units)

    # -- the rules -----------------------------------------------------------------------------------------------

    def resolve(self, matter_ids: list[str], township: dict[str, Any], as_of: dt.date) -> Resolution:
        """``matter_ids``: the matter and any matter that is the same item (same normalised name) under other ids."""
        deadline.check()
        code = township["code"]
        county = township.get("county_code") or code
        read = self.prefetch(matter_ids, township)
        matter = read.matters.get(matter_ids[0]) or {"id": matter_ids[0], "name": matter_ids[0]}
        res = Resolution({"id": matter["id"], "name": matter["name"], "category": matter.get("category")},
                         {"code": code, "name": township["name"]}, as_of, None, [])

        # every assertion about these matters in the township and its county (read at once, for every matter the
        # question needs), taken apart here in the order the rules read them (by matter as listed, then by id)
        place = {mid: i for i, mid in enumerate(matter_ids)}
        fetched: dict[str, list[Rel]] = {}
        for type_ in READS:
            end = SCHEMA.matter_end(type_)
            found = [r for r in read.rels.get(type_, []) if (r.source if end == "source" else r.target) in place
                     and r.props.get("region") in (code, county)]
            fetched[type_] = sorted(found, key=lambda r: (place[r.source if end == "source" else r.target], r.id))

        def rels(type_: str, region: str, **eq: Any) -> list[Rel]:
            return [r for r in fetched[type_] if r.props.get("region") == region
                    and all(r.props.get(k) == v for k, v in eq.items())]

        is_township = township.get("level", "township") == "township"
        candidates: list[tuple[str, list[Handler]]] = []
        if is_township:
            candidates.append(("recalled", self._recalled(rels("RECALLED_TO", code), code)))
            candidates.append(("delegated", self._delegated(rels("DELEGATES", code), as_of, res)))
            basic = rels("LEADS", code, list_kind="basic") + rels("LEADS", code, list_kind="power")
            basic += [r for r in rels("LEADS", county, list_kind="power") if township_scope(r)]
            candidates.append(("basic", self._basic(basic, code)))
            candidates.append(("cooperation", self._cooperation(rels("LEADS", code, list_kind="cooperation"),
                                                                rels("COOPERATES_ON", code))))
        department = [r for r in rels("LEADS", county, list_kind="power") if not township_scope(r)]
        candidates.append(("department", self._department(department, code if is_township else None)))
        for rule, handlers in candidates:
            if not handlers:
                continue
            if res.rule is None:
                res.rule, res.handlers = rule, handlers
            else:
                res.overridden += [{"rule": rule, "agency": h.agency, "role": h.role, "sources": h.sources,
                                    "overridden_by": res.rule, "override_is_rule": overrides(res.rule, rule)}
                                   for h in handlers if h.role == "lead"]
        leads = {h.agency["id"] for h in res.handlers if h.role == "lead"}
        if len(leads) > 1:
            res.conflicts.append({"rule": res.rule, "leads": [self.agency(a) for a in sorted(leads)]})
            res.notes.append({"zh": f"按“{res.rule}”规则有 {len(leads)} 个牵头机构，清单之间存在多头管理",
                              "en": f"{len(leads)} agencies lead under the {res.rule} rule: the lists overlap"})
        if not is_township:
            res.notes.append({"zh": "所选地区是县，按县级部门权责作答；乡镇层面的分工请指定乡镇",
                              "en": "the region is a county: answered at county level; name a township for the "
                                    "township's share"})
        if res.rule is None:
            res.notes.append({"zh": "没有任何清单为此地区指定此事项的负责机构（无人负责的空白）",
                              "en": "no list names anybody for this matter here: a gap"})
        return res

    def _recalled(self, recalls: list[Rel], township: str) -> list[Handler]:
        out: list[Handler] = []
        gov = self.township_government(township)
        for r in recalls:
            out.append(Handler(self.agency(r.target), "lead", "recalled", sources=[self.source(r)]))
            if gov:
                out.append(Handler(self.agency(gov), "assist", "recalled", duty=r.props.get("way"),
                                   sources=[self.source(r)]))
        return _merge_handlers(out)

    def _delegated(self, delegations: list[Rel], as_of: dt.date, res: Resolution) -> list[Handler]:
        out: list[Handler] = []
        for r in delegations:
            if not delegation_in_force(r, as_of):
                when = r.props.get("recalled") or r.props.get("effective")
                res.notes.append({
                    "zh": f"{self.agency(r.source)['name']} 的下放（{r.props.get('document') or '无文号'}）在 "
                          f"{as_of.isoformat()} 不在有效期内（生效 {r.props.get('effective')}，收回 {r.props.get('recalled')}）",
                    "en": f"the delegation by {self.agency(r.source)['name']} ({r.props.get('document') or 'no document'}) "
                          f"is not in force on {as_of.isoformat()} (effective {r.props.get('effective')}, recalled "
                          f"{r.props.get('recalled')}; {when})"})
                continue
            mode = r.props.get("mode") or "下放"
            info = {"department": self.agency(r.source), "mode": mode, "document": r.props.get("document"),
                    "batch": r.props.get("batch"), "effective": _iso(r.props.get("effective")),
                    "recalled": _iso(r.props.get("recalled"))}
            if mode == "委托":
                info["note_zh"] = "委托：乡镇以县级部门的名义实施，法律责任由该部门承担"
                info["note_en"] = "entrusted (委托): the township acts in the department's name; the department bears " \
                                  "legal responsibility"
            else:
                info["note_zh"] = f"{mode}：乡镇以自己的名义实施"
                info["note_en"] = f"{mode}: the township acts in its own name"
            src = [self.source(r)]
            out.append(Handler(self.agency(r.props.get("undertaker")), "lead", "delegated",
                               legal_basis=r.props.get("legal_basis"), delegation=info, sources=src))
            out.append(Handler(self.agency(r.source), "guide", "delegated", legal_basis=r.props.get("legal_basis"),
                               delegation=info, sources=src))
        return _merge_handlers(out)

    def _basic(self, leads: list[Rel], township: str) -> list[Handler]:
        out = []
        for r in leads:
            agency = township_lead(r.source, self.agency(r.source).get("region"), township,
                                   self.township_government(township))
            out.append(Handler(self.agency(agency), "lead", "basic", duty=r.props.get("duty"),
                               legal_basis=r.props.get("legal_basis"), sources=[self.source(r)]))
        offices = [h for h in out if h.agency.get("kind") != "township_government"]
        if offices:  # the township leads through the office its own list names: one lead, not two
            for h in out:
                if h.agency.get("kind") == "township_government":
                    offices[0].sources += h.sources
                    offices[0].duty = offices[0].duty or h.duty
                    offices[0].legal_basis = offices[0].legal_basis or h.legal_basis
            out = offices
        return _merge_handlers(out)

    def _cooperation(self, leads: list[Rel], cooperations: list[Rel]) -> list[Handler]:
        if not leads:
            return []
        out = [Handler(self.agency(r.source), "lead", "cooperation", duty=r.props.get("duty"),
                       legal_basis=r.props.get("legal_basis"), sources=[self.source(r)]) for r in leads]
        out += [Handler(self.agency(r.source), "cooperate", "cooperation", duty=r.props.get("duty"),
                        legal_basis=r.props.get("legal_basis"), sources=[self.source(r)])
                for r in cooperations if r.props.get("list_kind") == "cooperation"]
        return _merge_handlers(out)

    def _department(self, leads: list[Rel], township: str | None) -> list[Handler]:
        out: list[Handler] = []
        for r in leads:
            out.append(Handler(self.agency(r.source), "lead", "department", duty=r.props.get("duty"),
                               legal_basis=r.props.get("legal_basis"), sources=[self.source(r)]))
            if township:
                for unit in self.stationed_units(r.source, township):
                    out.append(Handler(self.agency(unit), "contact", "department", sources=[self.source(r)]))
        return _merge_handlers(out)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _merge_handlers(handlers: list[Handler]) -> list[Handler]:
    """One handler per agency and role, with the sources of every row that named it."""
    merged: dict[tuple, Handler] = {}
    for h in handlers:
        key = (h.agency["id"], h.role)
        if key in merged:
            seen = merged[key]
            seen.sources += [s for s in h.sources if s not in seen.sources]
            seen.duty = seen.duty or h.duty
            seen.legal_basis = seen.legal_basis or h.legal_basis
            seen.delegation = seen.delegation or h.delegation
        else:
            merged[key] = h
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted(merged.values(), key=lambda h: (order[h.role], h.agency["id"] or ""))
