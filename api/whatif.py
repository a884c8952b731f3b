"""``quanze whatif``: try a change before making it — delegate items to townships, recall items, move staff or
certified enforcers between bodies, merge or rename agencies — and see which answers and audit findings it changes.

The store is never written: the whole graph is copied into a temporary embedded store (``graph.copy.copy_store``,
from either store), the change is applied there, and the county is asked the same things before (the store itself)
and after (the copy). What is compared:

- ``who``: for a question set (``questions``: the YAML of ``quanze accuracy``, a list of ``{q, township}``), the
  first answer to each question; without one, every (matter, township) pair the change touches (the matters it
  delegates or recalls, the matters the merged or renamed bodies hold), resolved by the rules of docs/domain.md §4;
- the audit of the county: findings that appear and findings that disappear (identified by rule, region, matter
  and agencies, as ``quanze audit --since`` does).

A proposal (docs/formats.md §7)::

    county: 青岚县                      # optional when the store holds one county
    as_of: 2026-01-01                   # optional: the date the answers and audits are judged on (default today)
    questions: questions.yaml           # optional: a question set to compare who's answers on
    changes:
      - delegate: {matters: [对…的行政处罚], to: [漆园乡], from: 县住建局, mode: 下放, undertaker: 综合行政执法大队}
      - recall: {matters: [对…的行政处罚], from: [临江镇], to: 县住建局, way: 发现上报}
      - move_staff: {from: 县住建局, to: 漆园乡综合行政执法大队, count: 2, kind: admin, certified: 2}
      - merge: {agencies: [县城市建设综合执法大队], into: 县综合行政执法局}
      - rename: {agency: 县乡村振兴办, to: 青岚县乡村振兴服务中心}

or the same as an XLSX sheet, one change a row, columns 操作 (下放、收回、调动人员、合并、更名), 事项, 乡镇, 部门,
承接单位, 人数, 编制类别, 执法证人数, 目标 (the other body: where staff go, what is merged into, the new name).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quanze.api import inputs
from quanze.api.audit.run import AuditReport, compare_findings, run_audit
from quanze.api.resolve import Resolver
from quanze.errors import BadValue, InputError, NotFound, Problem
from quanze.graph.agency_names import qualified_name
from quanze.graph.copy import copy_store
from quanze.graph.matters import ENFORCEMENT_CATEGORIES, norm_matter_name
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Batch, Store
from quanze.graph.text import split_names
from quanze.ingest.safe_yaml import BoundedLoader, YamlRefused, read_yaml_text

ACTIONS = {"delegate": ("下放", "delegate"), "recall": ("收回", "recall"), "move_staff": ("调动人员", "move staff"),
           "merge": ("合并", "merge"), "rename": ("更名", "rename")}
ACTION_WORDS = {"下放": "delegate", "赋权": "delegate", "委托": "delegate", "收回": "recall", "调动人员": "move_staff",
                "调编": "move_staff", "划转": "move_staff", "合并": "merge", "更名": "rename", "改名": "rename"}
STAFF_KINDS = {"admin": "admin", "行政": "admin", "inst": "inst", "事业": "inst", "law": "law", "政法": "law",
               "政法专项": "law"}
XLSX_COLUMNS = {"操作": "action", "事项": "matters", "乡镇": "townships", "部门": "department",
                "承接单位": "undertaker", "人数": "count", "编制类别": "kind", "执法证人数": "certified", "目标": "target",
                "方式": "mode", "生效日期": "effective"}
WHATIF_LIST = "whatif"  # the list id the proposed assertions carry


# --- reading a proposal -------------------------------------------------------------------------------------------------

def read_proposal(path: str | Path) -> dict[str, Any]:
    """A proposal file: YAML (the shape above) or XLSX (one change a row)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem("error", "missing-file", "文件不存在", "no such file", file=str(path)))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return {"changes": _xlsx_changes(path)}
    try:
        import yaml

        data = yaml.load(read_yaml_text(path), Loader=BoundedLoader)  # noqa: S506 - a safe loader
    except YamlRefused as e:
        raise InputError(e.problem(path.name)) from None
    except Exception as e:  # yaml.YAMLError, UnicodeDecodeError
        raise InputError(Problem("error", "bad-proposal", f"无法读取方案文件：{e}", f"cannot read the proposal: {e}",
                                 file=path.name)) from e
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list) or not data["changes"]:
        raise InputError(Problem("error", "bad-proposal", "方案应为映射，含非空的 changes 列表（见 docs/formats.md §7）",
                                 "a proposal is a mapping with a non-empty list of changes (docs/formats.md §7)",
                                 file=path.name, expected="changes: [{delegate: …}, {recall: …}, …]"))
    if isinstance(data.get("questions"), str):
        data["questions"] = str((path.parent / data["questions"]).resolve())
    return data


def _xlsx_changes(path: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = [[("" if c is None else str(c).strip()) for c in row] for row in ws.iter_rows(values_only=True)]
    if not rows:
        raise InputError(Problem("error", "bad-proposal", "工作表为空", "the sheet is empty", file=path.name))
    header = [XLSX_COLUMNS.get(h) for h in rows[0]]
    if "action" not in header:
        raise InputError(Problem("error", "missing-column", "缺少“操作”列", "no 操作 (action) column", file=path.name,
                                 row=1, expected="、".join(XLSX_COLUMNS)))
    out = []
    for number, row in enumerate(rows[1:], 2):
        v = {k: cell for k, cell in zip(header, row) if k and cell}
        if not v:
            continue
        action = ACTION_WORDS.get(v.get("action", ""), v.get("action"))
        if action not in ACTIONS:
            raise InputError(Problem("error", "bad-action", "未知的操作", "unknown action", file=path.name, row=number,
                                     column="操作", value=v.get("action"), expected="、".join(ACTION_WORDS)))
        body = {"matters": split_names(v.get("matters")), "townships": split_names(v.get("townships")),
                "department": v.get("department"), "undertaker": v.get("undertaker"), "mode": v.get("mode"),
                "effective": v.get("effective"), "count": v.get("count"), "kind": v.get("kind"),
                "certified": v.get("certified"), "target": v.get("target"), "row": number}
        out.append({action: _from_columns(action, body)})
    return out


def _from_columns(action: str, v: dict[str, Any]) -> dict[str, Any]:
    if action == "delegate":
        return {"matters": v["matters"], "to": v["townships"], "from": v["department"], "mode": v["mode"],
                "undertaker": v["undertaker"], "effective": v["effective"]}
    if action == "recall":
        return {"matters": v["matters"], "from": v["townships"], "to": v["department"]}
    if action == "move_staff":
        return {"from": v["department"], "to": v["target"], "count": v["count"] or 0, "kind": v["kind"] or "admin",
                "certified": v["certified"] or 0}
    if action == "merge":
        return {"agencies": [v["department"]], "into": v["target"]}
    return {"agency": v["department"], "to": v["target"]}


# --- applying it ---------------------------------------------------------------------------------------------------------

class _Plan:
    """The proposal turned into writes on the copy: a batch, the nodes to drop, and what it touches."""

    def __init__(self, store: Store, county: str, date: dt.date):
        self.store, self.county, self.date = store, county, date
        self.batch = Batch()
        self.drop: list[str] = []  # agency ids to remove (merged away)
        self.pairs: set[tuple[str, str]] = set()  # (matter id, township code) whose answer may change
        self.described: list[dict[str, Any]] = []
        self._n = 0
        self.row = 0  # the change being applied (1-based): where its assertions say they come from

    def rid(self, kind: str) -> str:
        self._n += 1
        return f"whatif:{kind}:{self._n}"

    def matter(self, text: str) -> dict[str, Any]:
        text = str(text).strip()
        found = self.store.node("Matter", text) or self.store.node("Matter", f"code:{text}")
        if found:
            return found
        named = self.store.nodes("Matter", norm_name=norm_matter_name(text))
        if named:
            return named[0]
        raise NotFound(f"图谱中没有事项「{text}」（请写事项的全称或编码）",
                       f"no matter {text!r} in the graph (write its full name or code)")

    def townships(self, names: Any) -> list[dict[str, Any]]:
        out = []
        for t in _listed(names):
            if t in ("全部乡镇", "各乡镇", "all"):
                out += self.store.nodes("Region", county_code=self.county)
                continue
            region = inputs.held_region(self.store, t, within=self.county)
            if region.get("level") != "township":
                raise BadValue(f"「{t}」不是乡镇", f"{t!r} is not a township", field="townships", value=t)
            out.append(region)
        if not out:
            raise BadValue("没有写乡镇", "no township given", field="townships")
        return out

    def agency(self, text: Any, within: str | None = None) -> dict[str, Any]:
        ref = inputs.agency(self.store, str(text or ""), within or self.county)
        return self.store.node("Agency", ref.id) or {"id": ref.id, "name": ref.name}

    def label(self, agency: dict[str, Any]) -> str:
        """A township's unit named with its township in front (柏溪镇综合行政执法大队)."""
        region = str(agency.get("region") or "")
        township = (self.store.node("Region", region) or {}).get("name") if len(region) == 9 else None
        return qualified_name(agency["name"], agency.get("kind"), township)

    def unit(self, township: str, kind: str) -> str | None:
        found = self.store.nodes("Agency", region=township, kind=kind)
        return found[0]["id"] if found else None

    # -- the changes --

    def delegate(self, c: dict[str, Any]) -> None:
        dept = self.agency(c.get("from"))
        mode = c.get("mode") or "下放"
        effective = inputs.optional_date(c.get("effective"), "effective")
        for text in _listed(c.get("matters")):
            m = self.matter(text)
            for t in self.townships(c.get("to")):
                if c.get("undertaker"):
                    undertaker = self.agency(c["undertaker"], t["code"])["id"]
                else:
                    kind = "enforcement_team" if m.get("category") in ENFORCEMENT_CATEGORIES else "township_government"
                    undertaker = self.unit(t["code"], kind) or self.unit(t["code"], "township_government")
                did = self.rid("delegates")
                self.batch.add_rel("DELEGATES", dept["id"], m["id"], {
                    "id": did, "region": t["code"], "mode": mode, "undertaker": undertaker, "effective": effective,
                    "agency_text": dept["name"], "list_id": WHATIF_LIST, "file": "whatif", "row": self.row})
                if undertaker:
                    self.batch.add_rel("UNDERTAKES", undertaker, m["id"], {
                        "id": self.rid("undertakes"), "region": t["code"], "delegation": did, "list_id": WHATIF_LIST,
                        "file": "whatif", "row": self.row})
                self.pairs.add((m["id"], t["code"]))
        self.described.append({"action": "delegate", "department": dept["name"], "matters": _listed(c.get("matters")),
                               "townships": _listed(c.get("to")), "mode": mode})

    def recall(self, c: dict[str, Any]) -> None:
        dept = self.agency(c.get("to"))
        for text in _listed(c.get("matters")):
            m = self.matter(text)
            for t in self.townships(c.get("from")):
                for r in self.store.rels("DELEGATES", target=m["id"], region=t["code"]):
                    if r.props.get("recalled") is None:  # the delegation lapses on the date
                        self.batch.add_rel("DELEGATES", r.source, r.target, {**r.props, "recalled": self.date})
                self.batch.add_rel("RECALLED_TO", m["id"], dept["id"], {
                    "id": self.rid("recalled"), "region": t["code"], "way": c.get("way"), "agency_text": dept["name"],
                    "list_id": WHATIF_LIST, "file": "whatif", "row": self.row})
                self.pairs.add((m["id"], t["code"]))
        self.described.append({"action": "recall", "department": dept["name"], "matters": _listed(c.get("matters")),
                               "townships": _listed(c.get("from"))})

    def move_staff(self, c: dict[str, Any]) -> None:
        source, target = self.agency(c.get("from")), self.agency(c.get("to"))
        kind = STAFF_KINDS.get(str(c.get("kind") or "admin"))
        if kind is None:
            raise BadValue("编制类别应为 admin/行政、inst/事业 或 law/政法", "kind must be admin, inst or law",
                           list(STAFF_KINDS), field="kind", value=c.get("kind"))
        count = inputs.count(c.get("count") or 0, "count", 0)
        certified = inputs.count(c.get("certified") or 0, "certified", 0)
        for agency, sign in ((source, -1), (target, 1)):
            props = dict(self.batch.node("Agency", agency["id"]) or agency)
            props[f"{kind}_actual"] = max(0, int(props.get(f"{kind}_actual") or 0) + sign * count)
            if certified or props.get("certified_enforcers") is not None:
                props["certified_enforcers"] = max(0, int(props.get("certified_enforcers") or 0) + sign * certified)
            self.batch.add_node("Agency", props)
        self.described.append({"action": "move_staff", "from": self.label(source), "to": self.label(target),
                               "count": count,
                               "kind": kind, "certified": certified})

    def merge(self, c: dict[str, Any]) -> None:
        into = self.agency(c.get("into"))
        merged = dict(self.batch.node("Agency", into["id"]) or into)
        for text in _listed(c.get("agencies")):
            gone = self.agency(text)
            if gone["id"] == into["id"]:
                continue
            for type_ in SCHEMA.relation_types:
                kind = SCHEMA.relation(type_)
                ends = [e for e in ("source", "target") if getattr(kind, e) == "Agency"]
                for end in ends:
                    for r in self.store.rels(type_, **{end: gone["id"]}):
                        source = into["id"] if r.source == gone["id"] else r.source
                        target = into["id"] if r.target == gone["id"] else r.target
                        props = dict(r.props)
                        if props.get("undertaker") == gone["id"]:
                            props["undertaker"] = into["id"]
                        self.batch.add_rel(type_, source, target, props)
                        matter = r.target if kind.target == "Matter" else r.source if kind.source == "Matter" else None
                        if matter and r.props.get("region"):
                            self._touch(matter, str(r.props["region"]))
            for r in self.store.rels("DELEGATES", undertaker=gone["id"]):
                self.batch.add_rel("DELEGATES", r.source, r.target, {**r.props, "undertaker": into["id"]})
            for key in [k for k in gone if k.endswith(("_quota", "_actual")) or k == "certified_enforcers"]:
                merged[key] = int(merged.get(key) or 0) + int(gone.get(key) or 0)
            merged["plaques"] = sorted(set(merged.get("plaques") or []) | {gone["name"]})
            self.drop.append(gone["id"])
            self.described.append({"action": "merge", "agency": self.label(gone), "into": self.label(into)})
        self.batch.add_node("Agency", merged)

    def rename(self, c: dict[str, Any]) -> None:
        agency = self.agency(c.get("agency"))
        new = inputs.name(c.get("to"), "新名称", "new name")
        props = dict(self.batch.node("Agency", agency["id"]) or agency)
        props["plaques"] = sorted(set(props.get("plaques") or []) | {agency["name"]})
        props["name"] = new
        self.batch.add_node("Agency", props)
        for type_ in SCHEMA.types("assignment", "delegation", "recall"):
            end = "target" if type_ == "RECALLED_TO" else "source"
            for r in self.store.rels(type_, **{end: agency["id"]}):
                self._touch(r.source if type_ == "RECALLED_TO" else r.target, str(r.props.get("region")))
        self.described.append({"action": "rename", "agency": self.label(agency), "to": new})

    def _touch(self, matter: str, region: str) -> None:
        if len(region) == 9:
            self.pairs.add((matter, region))
        elif region == self.county:  # a county row answers in every township: the first few are enough to see it
            for t in self.store.nodes("Region", county_code=self.county)[:3]:
                self.pairs.add((matter, t["code"]))


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_names(value) or [value]
    return [str(v) for v in value if str(v).strip()]


def _apply(plan: _Plan, copy: Store) -> None:
    """The plan onto the copy: one write, then the merged-away agencies dropped (through the store's own replace)."""
    for agency_id in plan.drop:
        node = plan.batch.node("Agency", agency_id) or copy.node("Agency", agency_id)
        if node is not None:
            plan.batch.add_node("Agency", {**node, "list_id": f"whatif-drop:{agency_id}"})
    copy.apply(plan.batch)
    if plan.drop:
        copy.apply(Batch(replaces=[f"whatif-drop:{a}" for a in plan.drop]))


# --- comparing -----------------------------------------------------------------------------------------------------------

def _answer(res: Any) -> dict[str, Any]:
    leads = sorted({h.agency.get("label") or h.agency.get("name") for h in res.handlers if h.role == "lead"}, key=str)
    return {"rule": res.rule, "leads": leads}


def _pairs_compared(before: Store, after: Store, pairs: Iterable[tuple[str, str]], date: dt.date) -> dict[str, Any]:
    old, new = Resolver(before), Resolver(after)
    changed, same = [], 0
    for matter, township in sorted(pairs):
        region = before.node("Region", township)
        if region is None:
            continue
        a = _answer(old.resolve([matter], region, date))
        b = _answer(new.resolve([matter], after.node("Region", township) or region, date))
        if a == b:
            same += 1
            continue
        m = before.node("Matter", matter) or {"name": matter}
        changed.append({"matter": {"id": matter, "name": m["name"]},
                        "region": {"code": township, "name": region["name"]}, "before": a, "after": b})
    return {"asked": len(changed) + same, "changed": changed}


def _questions_compared(before: Store, after: Store, path: str, date: dt.date) -> dict[str, Any]:
    from quanze.api.accuracy import load_questions
    from quanze.api.who import who

    changed, asked = [], 0
    for q in load_questions(Path(path)):
        asked += 1
        answers = []
        for s in (before, after):
            got = who(s, q["q"], q["township"], as_of=date, limit=1)
            m = got["matches"][0] if got["matches"] else None
            answers.append({"matter": m["matter"]["name"] if m else None, "rule": m["rule"] if m else None,
                            "leads": sorted(h["agency"]["label"] or h["agency"]["name"] for h in m["handlers"]
                                            if h["role"] == "lead") if m else []})
        if answers[0] != answers[1]:
            changed.append({"q": q["q"], "township": q["township"], "before": answers[0], "after": answers[1]})
    return {"asked": asked, "changed": changed}


def whatif(store: Store, proposal: dict[str, Any], *, county: str | None = None, as_of: Any = None,
           questions: str | Path | None = None) -> dict[str, Any]:
    """Apply ``proposal`` (``read_proposal``'s dict) to a copy of the graph and compare. Never writes ``store``."""
    county_text = county or proposal.get("county")
    if county_text:
        county_code = inputs.county_of(store, str(county_text))
    else:
        counties = store.nodes("Region", level="county")
        if len(counties) != 1:
            raise BadValue("存储中有多个县：请用 --in 或方案中的 county 指定", "the store holds several counties: give "
                           "--in or county in the proposal", [c["name"] for c in counties], field="county")
        county_code = counties[0]["code"]
    date = inputs.date(as_of if as_of is not None else proposal.get("as_of"))
    plan = _Plan(store, str(county_code), date)
    for i, change in enumerate(proposal.get("changes") or [], 1):
        if not isinstance(change, dict) or len(change) != 1 or next(iter(change)) not in ACTIONS:
            raise BadValue(f"第 {i} 项变化应为 {'、'.join(ACTIONS)} 之一", f"change {i} must be one of "
                           f"{', '.join(ACTIONS)}", list(ACTIONS), field="changes", value=change)
        ((action, body),) = change.items()
        plan.row = i
        getattr(plan, action)(body or {})
    with tempfile.TemporaryDirectory(prefix="quanze-whatif-") as tmp:
        from quanze.graph.sqlite_store import SqliteStore

        with SqliteStore(f"sqlite:///{Path(tmp) / 'whatif.db'}") as copy:
            copy_store(store, copy)
            _apply(plan, copy)
            before = run_audit(store, region=county_code, as_of=date)
            after = run_audit(copy, region=county_code, as_of=date)
            asked = questions or proposal.get("questions")
            answers = _questions_compared(store, copy, str(asked), date) if asked else \
                _pairs_compared(store, copy, plan.pairs, date)
    findings = compare_findings(before, after)
    return {"county": {"code": county_code, "name": (store.node("Region", str(county_code)) or {}).get("name")},
            "as_of": date.isoformat(), "changes": plan.described,
            "answers": {"compared": "questions" if asked else "matters", **answers},
            "findings": findings, "summary": {
                "answers_changed": len(answers["changed"]), "answers_compared": answers["asked"],
                "findings_new": len(findings["new"]), "findings_resolved": len(findings["resolved"]),
                "findings_changed": len(findings["changed"]),
                "by_rule": _by_rule(findings)}}


def _by_rule(findings: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for side in ("new", "resolved"):
        for f in findings[side]:
            out.setdefault(f["rule"], {"new": 0, "resolved": 0})[side] += 1
    return dict(sorted(out.items()))


def write_xlsx(data: dict[str, Any], path: str | Path) -> Path:
    """汇总, 回答变化 (answers that change) and 审计变化 (findings that appear or disappear), every cell neutralised."""
    from openpyxl import Workbook

    from quanze.api.audit.export import safe_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    s = data["summary"]
    for row in (("县 county", data["county"]["name"]), ("日期 as of", data["as_of"]),
                ("回答变化 answers changed", f"{s['answers_changed']} / {s['answers_compared']}"),
                ("新出现的发现 new findings", s["findings_new"]), ("消失的发现 resolved findings", s["findings_resolved"])):
        ws.append([safe_cell(v) for v in row])
    for c in data["changes"]:
        ws.append([safe_cell(v) for v in ("变化 change", str(c))])
    answers = wb.create_sheet("回答变化")
    answers.append(["问题或事项 question or matter", "乡镇 township", "之前 before", "之后 after"])
    for a in data["answers"]["changed"]:
        what = a.get("q") or a["matter"]["name"]
        where = a.get("township") or a["region"]["name"]
        answers.append([safe_cell(v) for v in (what, where, _said(a["before"]), _said(a["after"]))])
    audit = wb.create_sheet("审计变化")
    audit.append(["变化 change", "规则 rule", "地区 region", "事项 matter", "机构 agencies", "说明 message"])
    for side, word in (("new", "新出现 new"), ("resolved", "消失 resolved"), ("changed", "有变化 changed")):
        for f in (c["after"] if side == "changed" else c for c in data["findings"][side]):
            audit.append([safe_cell(v) for v in (
                word, f["rule"], f["region"].get("name"), (f.get("matter") or {}).get("name"),
                "、".join(str(a.get("name")) for a in f["agencies"]), f["message_zh"])])
    path = Path(path)
    wb.save(path)
    return path


def _said(a: dict[str, Any]) -> str:
    return f"{a.get('rule') or '无人负责 nobody'}：{'、'.join(a.get('leads') or []) or '—'}" + (
        f"（{a['matter']}）" if a.get("matter") else "")


__all__ = ["read_proposal", "whatif", "write_xlsx", "AuditReport"]
