"""The one declaration of the graph: every node kind and relation kind, every property with its meaning.

Both stores derive their tables, constraints and write statements from ``SCHEMA``; ``docs/schema.md`` is generated
from it (``quanze schema --markdown``) and a test fails when the document is stale.

Conventions
- Every node kind has one key property (``key``); every relation has an ``id`` that is stable for the same assertion
  from the same list, so that loading the same file twice changes nothing.
- Relations that come from a list (assertions) carry provenance: ``list_id`` (the SourceList that asserted it) and
  ``file``, ``sheet``, ``row`` (where a person can see it).
- Relation names read as sentences, source first: ``(县住建局)-[:LEADS]->(事项)``, ``(派出所)-[:STATIONED_IN]->(城关镇)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Property value types the stores know how to keep. "list" is a list of strings.
TYPES = ("str", "int", "bool", "date", "list", "json")


@dataclass(frozen=True)
class Prop:
    name: str
    type: str
    description: str
    required: bool = False
    indexed: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"property {self.name}: unknown type {self.type}")


class _HasProperties:
    properties: tuple[Prop, ...]

    def prop(self, name: str) -> Prop:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(f"{self!r} has no property {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)


@dataclass(frozen=True)
class NodeKind(_HasProperties):
    label: str
    key: str
    description: str
    properties: tuple[Prop, ...]
    fulltext: tuple[str, ...] = ()


# What a relation kind is for; code asks for relation kinds by group (``SCHEMA.types("assignment")``), never by a
# hand-written list of type names.
REL_GROUPS = {
    "structure": "机构与地区的结构 (regions and bodies: part of, belongs to, unit of, stationed in, co-located)",
    "assignment": "清单指定的角色 (a list gives an agency a role on a matter in a region: lead, cooperate, assist, guide)",
    "delegation": "赋权 (a department delegates a power to a township, whose unit undertakes it)",
    "recall": "收回 (a township's matter taken back by a department)",
    "activity": "办件 (cases handled on a matter in a township)",
}


@dataclass(frozen=True)
class RelKind(_HasProperties):
    type: str
    source: str
    target: str
    description: str
    properties: tuple[Prop, ...] = field(default_factory=tuple)
    group: str = "structure"  # a key of REL_GROUPS
    label_zh: str = ""  # the word on an edge and in answers: 牵头, 下放 …
    label_en: str = ""

    def __post_init__(self) -> None:
        if self.group not in REL_GROUPS:
            raise ValueError(f"relation {self.type}: unknown group {self.group}")

    @property
    def duty(self) -> bool:
        """Says who is responsible for a matter where: an assignment, a delegation or a recall (not structure, not
        activity)."""
        return self.group in ("assignment", "delegation", "recall")


@dataclass(frozen=True)
class Schema:
    nodes: tuple[NodeKind, ...]
    relations: tuple[RelKind, ...]

    def node(self, label: str) -> NodeKind:
        for n in self.nodes:
            if n.label == label:
                return n
        raise KeyError(f"unknown node label {label}; known: {', '.join(n.label for n in self.nodes)}")

    def relation(self, type_: str) -> RelKind:
        for r in self.relations:
            if r.type == type_:
                return r
        raise KeyError(f"unknown relation {type_}; known: {', '.join(r.type for r in self.relations)}")

    @property
    def relation_types(self) -> tuple[str, ...]:
        return tuple(r.type for r in self.relations)

    def types(self, *groups: str) -> tuple[str, ...]:
        """The relation types of these groups (``REL_GROUPS``): group by group in the order given, each group's in
        declaration order."""
        unknown = set(groups) - set(REL_GROUPS)
        if unknown:
            raise KeyError(f"unknown relation groups {sorted(unknown)}; known: {', '.join(REL_GROUPS)}")
        return tuple(r.type for g in groups for r in self.relations if r.group == g)

    @property
    def duty_types(self) -> tuple[str, ...]:
        """Relations that say who is responsible for a matter where (``RelKind.duty``)."""
        return tuple(r.type for r in self.relations if r.duty)

    @property
    def matter_types(self) -> tuple[str, ...]:
        """Relations with a matter at one end: the duty relations and activity."""
        return tuple(r.type for r in self.relations if "Matter" in (r.source, r.target))

    def matter_end(self, type_: str) -> str:
        """Which end of a relation of this type is the matter: ``"source"`` (RECALLED_TO) or ``"target"``."""
        kind = self.relation(type_)
        if kind.target == "Matter":
            return "target"
        if kind.source == "Matter":
            return "source"
        raise KeyError(f"{type_} has no matter end")


# --- building blocks -------------------------------------------------------------------------------------------

def _provenance(what: str) -> tuple[Prop, ...]:
    return (
        Prop("list_id", "str", f"SourceList that asserted this {what}; replaced together with that list", indexed=True),
        Prop("file", "str", "file name the assertion was read from (来源文件)"),
        Prop("sheet", "str", "sheet name inside the workbook, empty for CSV/YAML (工作表)"),
        Prop("row", "int", "row number as the user sees it in the spreadsheet (行号)"),
    )


def _rel_id() -> Prop:
    return Prop("id", "str", "stable id of this assertion (hash of list, endpoints and row)", required=True)


def _staffing() -> tuple[Prop, ...]:
    return (
        Prop("admin_quota", "int", "行政编制: administrative staffing quota"),
        Prop("admin_actual", "int", "行政实有: administrative staff actually in post"),
        Prop("inst_quota", "int", "事业编制: institutional staffing quota"),
        Prop("inst_actual", "int", "事业实有: institutional staff actually in post"),
        Prop("law_quota", "int", "政法专项编制: police/justice staffing quota"),
        Prop("law_actual", "int", "政法专项实有: police/justice staff actually in post"),
        Prop("certified_enforcers", "int", "执法资格人数: staff holding an administrative enforcement certificate"),
    )


def _assignment(type_: str, description: str, label_zh: str, label_en: str) -> RelKind:
    return RelKind(
        type_, "Agency", "Matter", description,
        (
            _rel_id(),
            Prop("region", "str", "区划代码 of the township (or county) where this assignment applies", required=True,
                 indexed=True),
            Prop("agency_text", "str", "the agency as the list wrote it (kept even when it did not resolve)"),
            Prop("duty", "str", "duty text of this agency for this matter (职责 / 责任事项)"),
            Prop("legal_basis", "str", "legal basis given in the row (依据)"),
            Prop("list_kind", "str", "kind of the list that asserted it: power, basic, cooperation, recall, delegation"),
            Prop("scope", "str", "管理权限 as written, e.g. 乡镇权限 (power exercised at township level)"),
        ) + _provenance("assignment"),
        group="assignment", label_zh=label_zh, label_en=label_en,
    )


# --- the schema ------------------------------------------------------------------------------------------------

AGENCY_KINDS = {
    "county_department": "县直部门 (party or government body of the county)",
    "county_unit": "县直部门所属单位 (a county department's county-level unit, e.g. an enforcement brigade)",
    "coordination_body": "议事协调机构 (a coordination body, often a plaque only)",
    "vertical_body": "垂直管理机构 (a body a higher level manages in the county — tax, tobacco, meteorology, customs, the "
                     "statistics survey team …: not a county department, not on the county's staffing quota)",
    "mass_organisation": "群团组织 (trade union, Communist Youth League, women's federation, disabled persons' "
                         "federation, science association, Red Cross …: not a government department)",
    "township_government": "乡镇党委政府 (the township government itself)",
    "township_office": "乡镇内设机构 (an internal office of a township)",
    "township_institution": "乡镇事业单位 (a public institution of a township)",
    "enforcement_team": "综合行政执法队/大队 (the township's comprehensive enforcement team)",
    "dispatched_unit": "派驻机构 (a county department's unit stationed in a township)",
    "unresolved": "未解析 (a name a list used that matches no known agency: a dangling reference)",
}

REGION = NodeKind(
    "Region", "code",
    "A county-level or township-level region (行政区划), keyed by its 区划代码.",
    (
        Prop("code", "str", "区划代码: 6 digits for a county, 9 for a township", required=True),
        Prop("name", "str", "name, e.g. 青岚县, 城关镇", required=True, indexed=True),
        Prop("level", "str", "county | township", required=True, indexed=True),
        Prop("kind", "str", "镇, 乡, 街道, … for townships; 县, 区, 县级市, … for counties"),
        Prop("county_code", "str", "for a township: the code of its county", indexed=True),
        Prop("full_name", "str", "province, city and county names before the name, for disambiguation"),
        Prop("tags", "list", "free tags, e.g. 经济发达镇, 山区"),
        Prop("origin", "str", "reference (national code table) | declared (a structure file declared it)"),
    ) + _provenance("region declaration"),
)

AGENCY = NodeKind(
    "Agency", "id",
    "A body that can hold responsibilities: a county department, a township government, office or institution, "
    "an enforcement team, a dispatched unit or a coordination body. One body with several plaques is one Agency "
    "whose plaques are aliases.",
    (
        Prop("id", "str", "stable id: region code, '/', canonical name (e.g. 990701/青岚县住房和城乡建设局)", required=True),
        Prop("name", "str", "canonical name, plaques removed", required=True, indexed=True),
        Prop("kind", "str", "one of: " + ", ".join(AGENCY_KINDS), required=True, indexed=True),
        Prop("kind_zh", "str", "机构类别 as written in the source (党政机构, 内设机构, 事业单位, 派驻机构, 议事协调机构)"),
        Prop("region", "str", "区划代码 of the region the agency belongs to", required=True, indexed=True),
        Prop("short_names", "list", "简称: short names used in lists (县住建局, 住建局)"),
        Prop("plaques", "list", "挂牌: other names of the same body"),
        Prop("management", "str", "管理方式 for dispatched units: 派驻, 双重管理, 属地管理"),
        Prop("remarks", "str", "备注 as written"),
    ) + _staffing() + _provenance("agency"),
    fulltext=("name",),
)

MATTER = NodeKind(
    "Matter", "id",
    "One duty or power item (事项). Keyed by its code when the list gives one, otherwise by a stable hash of its "
    "normalised name.",
    (
        Prop("id", "str", "code:<事项编码> or name:<hash of the normalised name>", required=True),
        Prop("name", "str", "name as first written", required=True, indexed=True),
        Prop("code", "str", "事项编码/职权编码 when one exists", indexed=True),
        Prop("norm_name", "str", "normalised name used for identity and duplicate detection", indexed=True),
        Prop("sub_item", "str", "子项 when the list splits the item"),
        Prop("category", "str", "事项类型: 行政许可, 行政处罚, …, 公共服务, or empty for non-power duties", indexed=True),
        Prop("legal_basis", "str", "依据: the law and article that grants the power"),
        Prop("domain", "str", "领域/分组 heading the item was listed under (城乡建设, 安全生产, …)"),
    ),
    # every field matter search ranks on (api/search.py), so that the full-text index recalls all it could list
    fulltext=("name", "sub_item", "domain", "category", "legal_basis"),
)

SOURCE_LIST = NodeKind(
    "SourceList", "id",
    "One ingested list version (or structure file): what it is, whose, which version, from which file.",
    (
        Prop("id", "str", "stable id from kind, region, owner and version", required=True),
        Prop("kind", "str", "structure, power, basic, cooperation, recall, delegation, activity", required=True,
             indexed=True),
        Prop("region", "str", "区划代码 of the region the list is for", indexed=True),
        Prop("owner", "str", "Agency id of the body whose list it is (department lists)"),
        Prop("title", "str", "title as found (option, sidecar or title row)"),
        Prop("version", "str", "version or year of the list"),
        Prop("document", "str", "文号 of the document that published it"),
        Prop("effective", "date", "date the list took effect"),
        Prop("file", "str", "file name"),
        Prop("file_hash", "str", "sha256 of the file's bytes", indexed=True),
        Prop("series", "str", "批次 (delegation batch) or period (activity) telling lists of one kind, region and owner "
                              "apart"),
        Prop("rows", "int", "data rows read"),
        Prop("rejected", "json", "rows rejected under --partial, with their content and the reason (code, zh, en), so "
                                 "that nothing is lost"),
        Prop("loaded_at", "str", "when it was loaded (ISO time, UTC)"),
        Prop("status", "str", "current | replaced | history (an older version loaded after the current one: never "
                              "current)", indexed=True),
        Prop("replaced_at", "str", "when a newer version replaced it"),
        Prop("replaced_by", "str", "id of the SourceList that replaced it"),
        Prop("assertions", "json", "for a replaced version: what it asserted (with the matter's category then), kept "
                                   "for diffs and for answers as of a date before its replacement"),
        Prop("supplements", "str", "for a supplement (补充/增补): id of the list version whose rows it adds to"),
    ),
)

SCHEMA = Schema(
    nodes=(REGION, AGENCY, MATTER, SOURCE_LIST),
    relations=(
        RelKind("PART_OF", "Region", "Region", "A township is part of its county.",
                (_rel_id(),) + _provenance("relation"), label_zh="辖属", label_en="part of"),
        RelKind("BELONGS_TO", "Agency", "Region", "An agency belongs to its county or township.",
                (_rel_id(),) + _provenance("relation"), label_zh="属于", label_en="belongs to"),
        RelKind("UNIT_OF", "Agency", "Agency",
                "An agency is a unit of its parent: an office of a township government, a county unit or a dispatched "
                "unit of its department.",
                (_rel_id(), Prop("parent_text", "str", "the parent as written (上级单位/主管部门)")) +
                _provenance("relation"), label_zh="隶属", label_en="unit of"),
        RelKind("STATIONED_IN", "Agency", "Region",
                "A dispatched unit (派驻机构) works in this township; the parent department leads staff and budget.",
                (_rel_id(), Prop("management", "str", "管理方式: 派驻, 双重管理, 属地管理")) + _provenance("relation"),
                label_zh="派驻", label_en="stationed in"),
        RelKind("CO_LOCATED_WITH", "Agency", "Agency", "合署办公: two bodies share one office.",
                (_rel_id(),) + _provenance("relation"), label_zh="合署", label_en="co-located"),
        _assignment("LEADS", "The agency leads (主体责任/牵头) the matter in the region.", "牵头", "leads"),
        _assignment("COOPERATES_ON", "The agency cooperates (配合) on the matter in the region.", "配合", "cooperates"),
        _assignment("ASSISTS", "The agency assists (协助) with the matter in the region, e.g. a township on a recalled "
                               "item.", "协助", "assists"),
        _assignment("GUIDES", "The agency guides and supervises (指导监督) the matter in the region.", "指导",
                    "guides"),
        RelKind(
            "DELEGATES", "Agency", "Matter",
            "A county department delegates (赋权/下放/委托) its power over the matter to a township.",
            (
                _rel_id(),
                Prop("region", "str", "区划代码 of the township receiving the power", required=True, indexed=True),
                Prop("mode", "str", "mode of delegation: 下放 | 委托 | 授权"),
                Prop("undertaker", "str", "Agency id of the township unit that exercises it (承接单位)"),
                Prop("undertaker_text", "str", "the undertaking unit as written"),
                Prop("agency_text", "str", "the delegating department as written"),
                Prop("batch", "str", "批次: the delegation batch"),
                Prop("document", "str", "文号 of the delegation document"),
                Prop("effective", "date", "生效日期: date the delegation takes effect"),
                Prop("recalled", "date", "收回日期, if the delegation was taken back"),
                Prop("legal_basis", "str", "依据 given in the row"),
            ) + _provenance("delegation"),
            group="delegation", label_zh="下放", label_en="delegates",
        ),
        RelKind(
            "UNDERTAKES", "Agency", "Matter",
            "A township unit exercises (承接) a delegated power; pairs with the DELEGATES relation it names.",
            (
                _rel_id(),
                Prop("region", "str", "区划代码 of the township", required=True, indexed=True),
                Prop("delegation", "str", "id of the DELEGATES relation this undertaking belongs to", indexed=True),
            ) + _provenance("undertaking"),
            group="delegation", label_zh="承接", label_en="undertakes",
        ),
        RelKind(
            "RECALLED_TO", "Matter", "Agency",
            "A township's matter is taken back (收回) by a county department, which does it from now on.",
            (
                _rel_id(),
                Prop("region", "str", "区划代码 of the township the matter was taken from", required=True,
                     indexed=True),
                Prop("way", "str", "工作方式: how the township still helps"),
                Prop("agency_text", "str", "the taking department as written"),
            ) + _provenance("recall"),
            group="recall", label_zh="收回", label_en="recalled to",
        ),
        RelKind(
            "HANDLED", "Region", "Matter",
            "Activity: cases or transactions handled (办件量/案件数) on the matter in the township in a period.",
            (
                _rel_id(),
                Prop("period", "str", "年度/期间, e.g. 2023 or 2021-2023", required=True),
                Prop("count", "int", "cases or transactions", required=True),
            ) + _provenance("activity record"),
            group="activity", label_zh="办件", label_en="handled",
        ),
    ),
)

ASSIGNMENT_TYPES = SCHEMA.types("assignment")
STAFFING_KEYS = tuple(p.name for p in _staffing())  # an agency's staffing figures
