"""The audit rules declared as data: id, titles and explanations in Chinese and English, severity, thresholds, and
what each rule counts as examined (its denominator). docs/domain.md §5 is the reference for what each means.

The checks themselves live beside these declarations, in ``overlaps.py`` (重叠/多头) and ``gaps.py`` (空白/悬空); the
registry binds an id to its check. A check reads the graph and returns findings, never writes: findings are for a
person to confirm (编办、审计、纪检), never fixed automatically.

Also here, because every check shares them: ``Finding`` (what a check reports, with the rows that prove it),
``Checked`` (findings plus the denominator), ``Scope`` (the region a run is limited to) and ``Issues``, which turns
one county-level list row that misbehaves in every township into one finding for the county.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quanze.errors import BadValue

if TYPE_CHECKING:
    from quanze.api.audit.facts import Facts
    from quanze.graph.store import Rel

# ordered from least to most serious: --severity and --fail-on take one of these
SEVERITIES = ("low", "medium", "high")
SEVERITY_ZH = {"low": "低", "medium": "中", "high": "高"}


def severity_rank(level: str) -> int:
    """Position of a level in ``SEVERITIES``; an unknown level is an error naming the valid ones."""
    if level not in SEVERITIES:
        raise BadValue(f"未知的严重程度「{level}」，可选：{'、'.join(SEVERITIES)}",
                       f"unknown severity {level!r}; valid: {', '.join(SEVERITIES)}", SEVERITIES)
    return SEVERITIES.index(level)


@dataclass(frozen=True)
class Threshold:
    name: str
    default: Any
    zh: str
    en: str
    kind: type = float  # float, int or str (str thresholds may be None: "not set")
    lowest: float = 0.0  # numbers below this make no sense (a negative ratio, a similarity above 1)
    highest: float | None = None

    def parse(self, value: Any) -> Any:
        if value is None or (self.kind is str and value == ""):
            return None if self.kind is str else self.default
        try:
            parsed = self.kind(value)
        except (TypeError, ValueError) as e:
            raise BadValue(f"阈值 {self.name} 应为{_KIND_ZH[self.kind]}，而不是「{value}」",
                           f"threshold {self.name} must be {_KIND_EN[self.kind]}, not {value!r}") from e
        if self.kind is not str and (parsed < self.lowest or (self.highest is not None and parsed > self.highest)):
            top = f"–{self.highest:g}" if self.highest is not None else " 以上"
            raise BadValue(f"阈值 {self.name} 应在 {self.lowest:g}{top} 之间，而不是 {value}",
                           f"threshold {self.name} must be at least {self.lowest:g}"
                           + (f" and at most {self.highest:g}" if self.highest is not None else "") + f", not {value}")
        return parsed


_KIND_ZH = {float: "数字", int: "整数", str: "文字"}
_KIND_EN = {float: "a number", int: "a whole number", str: "text"}


@dataclass(frozen=True)
class RuleDecl:
    id: str
    group: str  # overlap | gap
    severity: str
    title_zh: str
    title_en: str
    explanation_zh: str
    explanation_en: str
    denominator_zh: str  # what ``examined`` counts
    denominator_en: str
    thresholds: tuple[Threshold, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.id, "group": self.group, "severity": self.severity, "title_zh": self.title_zh,
                "title_en": self.title_en, "explanation_zh": self.explanation_zh,
                "explanation_en": self.explanation_en, "denominator_zh": self.denominator_zh,
                "denominator_en": self.denominator_en,
                "thresholds": {t.name: t.default for t in self.thresholds}}


RULES: tuple[RuleDecl, ...] = (
    # --- overlaps 重叠、多头 ---------------------------------------------------------------------------------------
    RuleDecl(
        "multi-lead", "overlap", "high", "多头牵头", "several leads",
        "同一事项在同一地区被互不覆盖的清单指定了不同的牵头单位：两个部门的权责清单都列有该事项；乡镇基本履职事项与部门权责清单"
        "都列有且两者之间没有有效的下放；两条配合履职事项写了不同的牵头部门；两个部门都把该事项下放给同一乡镇。收回覆盖其下的一切，"
        "有效的下放覆盖部门的权力，其他清单互不覆盖。",
        "Two or more agencies are named as lead for a matter in a region by assertions that do not override each "
        "other: two departments' power lists hold it; the township's basic list and a department's power list hold "
        "it with no delegation in force between them; two cooperation rows name different leads; two departments "
        "delegate it to the same township. A recall overrides everything below it, a delegation in force overrides "
        "a department's power, nothing else overrides.",
        "有牵头清单的（事项，地区）对", "(matter, region) pairs with a lead assertion"),
    RuleDecl(
        "conflicting-lists", "overlap", "high", "清单相互矛盾", "conflicting lists",
        "事项已列入乡镇的上级部门收回事项，却仍在该乡镇的基本履职事项中，或仍被一份未写收回日期的赋权清单下放给该乡镇。",
        "A matter is recalled from the township yet kept by it: still in its basic list, or delegated to it by a "
        "delegation list that shows no recalled date.",
        "已收回的（事项，乡镇）对", "recalled (matter, township) pairs"),
    RuleDecl(
        "cooperation-mismatch", "overlap", "medium", "配合事项牵头部门不符", "cooperation lead mismatch",
        "乡镇配合履职事项写明由部门甲牵头，但甲自己的权责清单没有该事项，而另一部门的权责清单有。只在甲的权责清单已导入时判断："
        "没有清单就无从说它“没有”。",
        "The township's cooperation row names department X as lead, but X's own power list lacks the matter while "
        "another department's has it. Judged only when X's power list is loaded: without it, nothing says X lacks it.",
        "配合事项中牵头部门已有权责清单的条目", "cooperation leads whose department has a power list loaded"),
    RuleDecl(
        "duplicate-item", "overlap", "low", "同一清单重复列项", "duplicate item",
        "同一份清单中同一事项（名称规范化后相同）出现两次以上，且适用于同一地区（赋权清单中分给不同乡镇的两行不算重复）。",
        "The same matter (after normalising its name) appears twice or more in one list for the same region (two "
        "delegation rows for different townships are not duplicates).",
        "清单中的事项（每份清单每个事项计一次）", "list items (each matter counted once per list)"),
    RuleDecl(
        "near-duplicate", "overlap", "low", "疑似同一事项", "near-duplicate matters",
        "两个写法不同的事项名称高度相似，且只在措辞上不同，可能是同一事项（同一部门列了两次，或一个目录事项被拆给了两个部门），请人工"
        "确认，系统不会自动合并。比较前去掉“对……的行政处罚”“做好……工作”“未经批准擅自”等套语，按 difflib 相似度与阈值（默认 0.8）"
        "比较，只比较有足够多共同字对的名称（分块），数字不同的名称（社区网格事项1/社区网格事项10）视为不同事项、从不配对。相似但在"
        "要紧处不同的不报告：类型不同（一项处罚、一项检查），同一主项的不同子项，不同处有数字，两边各有不同的字（新办/注销、探矿权/"
        "采矿权、恢复/暂停），一边多出表示另一种办理、对象、行业或否定的词（解除、养老保险、未满、水利），开头多出三个字以上的限定"
        "（燃气设施建设工程…），或只有一边带有限定范围的括注（（技术改造）；（县级）（住建行使）这类只说由谁、在哪一级办的不算）。"
        "检查数是比对过的事项对，与发现同一单位。见 docs/near-duplicates.md。",
        "Two differently worded matters whose names are alike and differ only in wording are probably the same item "
        "(listed twice by one department, or one catalogue item split between two departments); reported for a "
        "person to confirm, never merged. Names are compared without the lists' boilerplate (对…的行政处罚, 做好…工作, "
        "未经批准擅自) by difflib ratio against the threshold (0.8), only names sharing enough character pairs are "
        "compared (blocking), and names that differ only by a number are different items, never paired. Alike pairs "
        "that differ where it matters are not reported: different categories, two sub-items of one item, a number, "
        "words on both sides (新办/注销, 探矿权/采矿权, 恢复/暂停), a word on one side naming another action, subject, "
        "sector or a negation (解除, 养老保险, 未满, 水利), three or more characters added in front, or a bracketed "
        "qualifier of scope on one side only ((技术改造); not (县级) or (住建行使), which say who exercises it). "
        "Examined counts the pairs compared, the unit of the findings. See docs/near-duplicates.md.",
        "比对过的事项对", "pairs of matters compared",
        (Threshold("similarity", 0.8, "去掉套语后的名称相似度下限（0–1）",
                   "minimum name similarity, boilerplate aside (0–1)", highest=1.0),)),
    RuleDecl(
        "ambiguous-name", "overlap", "medium", "机构名称有歧义", "ambiguous agency name",
        "清单可能指称的两个机构共用一个名称、简称或挂牌：两个县级机构，或同一乡镇的两个单位；不同乡镇的同名单位不算歧义。清单中"
        "写了这样的名称、因而无法解析的行一并列出。",
        "Two agencies a list could mean share a name, short name or plaque: two county-level bodies, or two units of "
        "one township; the same unit name in different townships is not ambiguous. List rows that wrote such a name "
        "and so could not be resolved are listed with it.",
        "机构名称、简称和挂牌（每个县或乡镇范围内各计一次），以及清单中未能唯一解析的名称",
        "names, short names and plaques (once per county or township scope), and list names that matched several"),
    # --- gaps 空白、悬空 ------------------------------------------------------------------------------------------
    RuleDecl(
        "orphan-matter", "gap", "high", "无人负责的事项", "orphan matter",
        "乡镇清单列有的事项按“谁负责”规则找不到任何负责单位，或所写的牵头单位并不存在且没有其他单位牵头。",
        "A matter listed for a township resolves to nobody under the who-handles-it rules, or its named lead does not "
        "exist and nobody else leads it.",
        "乡镇清单列有的（事项，乡镇）对", "(matter, township) pairs listed for a township"),
    RuleDecl(
        "duty-without-power", "gap", "high", "事在乡镇、权在县里", "duty without power",
        "乡镇牵头一项行政权力事项（前十类事项类型之一），却既没有有效的下放，也没有把该权力赋予乡镇一级的依据或清单行（如管理权限"
        "写“乡镇权限”，或依据写明由乡、镇人民政府实施）。已收回的事项由“清单相互矛盾”报告。",
        "The township leads a power item (a category among the first ten) with neither a delegation in force nor a "
        "legal basis or list row granting it at township level (such as 管理权限 乡镇权限, or a basis naming the "
        "乡、镇人民政府). Recalled matters are reported by conflicting-lists instead.",
        "乡镇牵头的行政权力事项（事项，乡镇）对", "(power item, township) pairs the township leads"),
    RuleDecl(
        "cannot-undertake", "gap", "high", "下放了却接不住", "cannot undertake",
        "下放给乡镇的权力，其承接单位没有持证执法人员（处罚、检查、强制类事项），或根本没有实有人员。依据行政处罚法第二十四条，"
        "只能下放给能够有效承接的乡镇。持证人数未填报的不作判断。",
        "Powers delegated to a township whose undertaking unit has no certified enforcers (for penalty, inspection "
        "and enforcement items) or no staff at all. Under 行政处罚法 Art. 24 a power may only go to a township that can "
        "effectively undertake it. Units with no certified count reported are not judged.",
        "有效的下放（每个事项每个乡镇一条）", "delegations in force (one per matter and township)",
        (Threshold("min_certified_enforcers", 1, "承接处罚类事项所需的最少持证人数",
                   "fewest certified enforcers a unit needs to undertake penalty items", int),)),
    RuleDecl(
        "dormant-delegation", "gap", "medium", "下放事项空转", "dormant delegation",
        "按乡镇统计：有效的下放事项 N 项，统计期内有案件（件数大于 0）的 k 项；k/N 低于阈值时报告。没有任何办件或案件数据时只作"
        "说明，不报告。县里有办件数据而某乡镇没有记录的，按 0 件计。",
        "Per township: N delegated items in force, k of them with cases (count > 0) in the activity period; reported "
        "when k/N is below the threshold. With no activity data at all the rule says so instead of firing. Where the "
        "county has activity data, a township without records counts as 0 cases.",
        "有有效下放的乡镇", "townships with delegations in force",
        (Threshold("min_used_ratio", 0.1, "有案件的下放事项占比下限", "lowest share of delegated items with cases",
                   highest=1.0),
         Threshold("period", None, "统计期间，如 2023 或 2021-2023（默认全部）",
                   "activity period, e.g. 2023 or 2021-2023 (default: all)", str))),
    RuleDecl(
        "understaffed", "gap", "medium", "人手不足", "understaffed",
        "实有人数低于编制数超过阈值（按单位、按乡镇合计，乡镇合计只计乡镇自己的单位，不含派驻机构）；或乡镇人均承担事项数远高于"
        "全县中位数（编随事走）。垂直管理机构的编制由上级核定，不在此判断（说明中列出）。",
        "Actual headcount below quota by more than the threshold, per agency and per township (a township's total "
        "counts its own units, not dispatched ones); or a township's items per actual staff far above the county "
        "median (staffing should follow duties, 编随事走). Vertical management bodies, whose quota the higher level "
        "sets, are not judged (a note names them).",
        "有编制数的机构和乡镇", "agencies with a staffing quota, and townships",
        (Threshold("vacancy_ratio", 0.3, "空编比例上限", "highest vacancy ratio ((quota − actual) / quota)",
                   highest=1.0),
         Threshold("items_per_staff_multiple", 2.0, "人均事项数超过全县中位数的倍数",
                   "multiple of the county median of items per actual staff"))),
    RuleDecl(
        "idle-agency", "gap", "low", "空挂的机构", "idle agency",
        "没有任何事项（本身及下属单位都没有牵头、配合、下放、承接或收回关系）的议事协调机构或未核定编制、没有人员的机构，即只挂牌"
        "子的空机构。有编制人员但没有任何已导入清单提到的县级机构不作为发现，而在说明中列出，并说明是缺它自己的清单，还是它的清单"
        "没有给它指定任何事项；垂直管理机构（清单由上级发布）单独说明；乡镇内设机构不在此列：乡镇的清单常常不写到科室。",
        "A coordination body, or a body with no staffing figures at all, that has no matter — no assignment, "
        "delegation, undertaking or recall, itself or through its units: an empty plaque. A staffed county body that "
        "no loaded list mentions is not a finding but is named in a note, which says whether its own list is missing "
        "or its list assigns it nothing; vertical management bodies (whose lists their higher level publishes) get a "
        "note of their own; township offices are not examined, as township lists often do not name the office.",
        "议事协调机构和无编制数的机构", "coordination bodies and bodies without staffing figures"),
    RuleDecl(
        "dangling-reference", "gap", "medium", "悬空引用", "dangling reference",
        "清单行写的机构或乡镇无法解析（导入时已警告），附最接近的名称。可指多个机构的名称由“机构名称有歧义”报告。",
        "A list row names an agency or township that does not resolve (the ingest warned), with the nearest names. "
        "Names that could mean several agencies are reported by ambiguous-name instead.",
        "清单行中的机构和乡镇引用", "agency and township references in list rows"),
    RuleDecl(
        "territorial-overload", "gap", "medium", "属地管理泛化", "territorial overload",
        "乡镇的配合履职（属地管理）事项数远高于全县乡镇的中位数。",
        "A township's cooperation (territorial management) items far above the county's median.",
        "乡镇", "townships",
        (Threshold("multiple", 1.5, "超过全县中位数的倍数", "multiple of the county median"),)),
)

RULE_IDS = tuple(r.id for r in RULES)


def rule(rule_id: str) -> RuleDecl:
    for r in RULES:
        if r.id == rule_id:
            return r
    raise BadValue(f"未知的审计规则「{rule_id}」，可选：{'、'.join(RULE_IDS)}",
                   f"unknown audit rule {rule_id!r}; valid: {', '.join(RULE_IDS)}", RULE_IDS)


def thresholds_for(overrides: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Every rule's thresholds with defaults, overridden by ``{"rule": {"name": v}}`` or ``{"rule.name": v}``."""
    out = {r.id: {t.name: t.default for t in r.thresholds} for r in RULES}
    flat: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    valid = [f"{r.id}.{t.name}" for r in RULES for t in r.thresholds]
    for key, value in flat.items():
        rule_id, _, name = key.partition(".")
        decl = rule(rule_id)
        t = next((t for t in decl.thresholds if t.name == name), None)
        if t is None:
            raise BadValue(f"未知的阈值「{key}」，可选：{'、'.join(valid)}",
                           f"unknown threshold {key!r}; valid: {', '.join(valid)}", valid)
        out[rule_id][name] = t.parse(value)
    return out


# --- findings -----------------------------------------------------------------------------------------------------

@dataclass
class Finding:
    """One thing a person should look at, with the rows that prove it. ``townships`` lists the townships a finding
    covers when one list row applies to several of them (a county-level list): then ``region`` is the county."""

    rule: str
    severity: str
    region: dict[str, Any]
    matter: dict[str, Any] | None
    agencies: list[dict[str, Any]]
    message_zh: str
    message_en: str
    sources: list[dict[str, Any]]
    townships: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unique = {(s.get("list"), s.get("file"), s.get("sheet"), s.get("row")): s for s in self.sources}
        self.sources = [unique[k] for k in sorted(unique, key=lambda k: tuple(str(x or "") for x in k[1:3]) +
                                                  (k[3] or 0,))]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule, "severity": self.severity, "region": self.region, "matter": self.matter,
            "agencies": self.agencies, "message_zh": self.message_zh, "message_en": self.message_en,
            "sources": self.sources}
        if self.townships:
            out["townships"] = self.townships
        if self.details:
            out["details"] = self.details
        return out

    def in_region(self, code: str) -> bool:
        """In a county: the county's own findings and its townships'; in a township: its own and those covering it."""
        own = str(self.region.get("code") or "")
        return own == code or (len(code) == 6 and own.startswith(code)) or code in self.townships


@dataclass
class Checked:
    """What one check returns: its findings, how many cases it examined, and notes (e.g. "no activity data")."""

    findings: list[Finding]
    examined: int
    notes: list[dict[str, str]] = field(default_factory=list)


Check = Callable[["Facts", dict[str, Any], "Scope"], Checked]
# render(where_zh, where_en, merged) → (message_zh, message_en): "城关镇" or "全县24个乡镇"
Render = Callable[[str, str, bool], tuple[str, str]]


@dataclass(frozen=True)
class Scope:
    """The region a run is limited to (a county or township code), or everything."""

    code: str | None = None

    def covers(self, region: str | None) -> bool:
        """Is something about ``region`` inside the scope? A township is inside its county, not the other way."""
        if self.code is None:
            return True
        return bool(region) and (region == self.code or len(self.code) == 6 and str(region).startswith(self.code))


# --- building findings from rows ----------------------------------------------------------------------------------

SourceKey = tuple[tuple[Any, ...], ...]


def source_key(rels: list[Rel]) -> SourceKey:
    """The rows behind an issue, as a hashable key: the same rows in several townships are one issue."""
    return tuple(sorted({(r.props.get("list_id") or "", r.props.get("sheet") or "", r.props.get("row") or 0)
                         for r in rels}))


def sources(facts: Facts, rels: list[Rel]) -> list[dict[str, Any]]:
    """The rows behind relations, once each, in file order."""
    seen: dict[tuple, dict[str, Any]] = {}
    for r in rels:
        s = facts.source(r)
        seen.setdefault((s["list"], s["sheet"], s["row"]), s)
    return [seen[k] for k in sorted(seen, key=lambda k: (str(k[0]), str(k[1]), k[2] or 0))]


class Issues:
    """Collects one issue per (what, rows) across townships, then makes one finding per issue."""

    def __init__(self, facts: Facts, rule_id: str):
        self.facts = facts
        self.decl = rule(rule_id)
        self.items: dict[tuple, dict[str, Any]] = {}

    def add(self, key: tuple, township: str, rels: list[Rel], agencies: Sequence[str | None], matter: str | None,
            render: Render, **details: Any) -> None:
        """``render(where_zh, where_en, merged)`` → (message_zh, message_en), called once per issue."""
        item = self.items.setdefault(key + (source_key(rels),), {
            "townships": set(), "rels": list(rels), "agencies": [], "matter": matter, "render": render,
            "details": details})
        item["townships"].add(township)
        for a in agencies:
            if a and a not in item["agencies"]:
                item["agencies"].append(a)

    def findings(self) -> list[Finding]:
        out = []
        for item in self.items.values():
            region, townships, zh, en = self.facts.place(item["townships"])
            message_zh, message_en = item["render"](zh, en, bool(townships))
            out.append(Finding(self.decl.id, self.decl.severity, region,
                               self.facts.matter(item["matter"]) if item["matter"] else None,
                               [self.facts.agency(a) for a in item["agencies"]], message_zh, message_en,
                               sources(self.facts, item["rels"]), townships, item["details"]))
        return out


def registry() -> dict[str, Check]:
    """Rule id → its check. Imported late: the checks import this module for ``Finding``."""
    from quanze.api.audit import gaps, overlaps

    checks = {**overlaps.CHECKS, **gaps.CHECKS}
    missing = set(RULE_IDS) - set(checks)
    assert not missing, f"rules without a check: {sorted(missing)}"
    return {rid: checks[rid] for rid in RULE_IDS}
