"""How things look in a graph view: nodes coloured and shaped by kind, matters coloured by category, relations
labelled in Chinese and coloured by type, and the legend that explains them.

Shapes with the label inside (box, ellipse, database) are used for bodies, shapes with the label below (star,
diamond, dot, triangle) for places, matters and findings; every colour here is a constant, never data.
"""

from __future__ import annotations

from dataclasses import dataclass

from quanze.graph.schema import SCHEMA


@dataclass(frozen=True)
class Look:
    zh: str
    en: str
    color: str
    shape: str = "dot"
    dashes: bool = False


# nodes: regions by level, agencies by kind (graph.schema.AGENCY_KINDS), findings by severity
NODE_LOOKS: dict[str, Look] = {
    "county": Look("县", "county", "#1f3b73", "star"),
    "township": Look("乡镇", "township", "#3f72c4", "diamond"),
    "county_department": Look("县直部门", "county department", "#f0a35e", "box"),
    "county_unit": Look("部门所属单位", "department unit", "#f7cf9f", "box"),
    "coordination_body": Look("议事协调机构", "coordination body", "#d5d5d5", "box"),
    "vertical_body": Look("垂直管理机构", "vertical management body", "#c8a27a", "box"),
    "mass_organisation": Look("群团组织", "mass organisation", "#e6b8d0", "box"),
    "township_government": Look("乡镇党委政府", "township government", "#2e8b57", "ellipse"),
    "township_office": Look("乡镇内设机构", "township office", "#8fd19e", "ellipse"),
    "township_institution": Look("乡镇事业单位", "township institution", "#b9e4d3", "ellipse"),
    "enforcement_team": Look("综合行政执法队", "enforcement team", "#e8787a", "ellipse"),
    "dispatched_unit": Look("派驻机构", "dispatched unit", "#9575cd", "hexagon"),
    "unresolved": Look("未解析的名称", "unresolved name", "#eeeeee", "box", dashes=True),
    "finding:high": Look("审计发现·高", "finding, high", "#d62728", "triangle"),
    "finding:medium": Look("审计发现·中", "finding, medium", "#ff9f1c", "triangle"),
    "finding:low": Look("审计发现·低", "finding, low", "#f4d35e", "triangle"),
}

# matters by 事项类型; the ten power categories first, then public service, then non-power duties (no category)
CATEGORY_COLORS: dict[str, str] = {
    "行政许可": "#1f77b4", "行政处罚": "#d62728", "行政强制": "#8c2d04", "行政征收": "#7f7f00",
    "行政给付": "#2ca02c", "行政检查": "#ff7f0e", "行政确认": "#17becf", "行政奖励": "#e377c2",
    "行政裁决": "#9467bd", "其他行政权力": "#8c564b", "公共服务": "#bcbd22",
}
NO_CATEGORY = "#9e9e9e"
OTHER_CATEGORY = "#6b6b6b"

# relations: the word on the edge and in the legend is the schema's own (RelKind.label_zh / label_en); here, the colour
# and whether the line is dashed
_REL_LINES: dict[str, tuple[str, bool]] = {
    "LEADS": ("#c0392b", False), "COOPERATES_ON": ("#2874a6", False), "ASSISTS": ("#5dade2", False),
    "GUIDES": ("#7d3c98", True), "DELEGATES": ("#e67e22", False), "UNDERTAKES": ("#229954", False),
    "RECALLED_TO": ("#212121", True), "STATIONED_IN": ("#8e44ad", False), "UNIT_OF": ("#7f8c8d", False),
    "BELONGS_TO": ("#b0b0b0", False), "PART_OF": ("#b0b0b0", False), "CO_LOCATED_WITH": ("#95a5a6", True),
    "HANDLED": ("#16a085", True),
}
REL_LOOKS: dict[str, Look] = {
    **{r.type: Look(r.label_zh, r.label_en, _REL_LINES[r.type][0], dashes=_REL_LINES[r.type][1])
       for r in SCHEMA.relations},
    "NAMES": Look("涉及", "names", "#555555", dashes=True),  # an audit finding names a region, matter or agency
}


def node_look(kind: str) -> Look:
    return NODE_LOOKS.get(kind) or NODE_LOOKS["unresolved"]


def rel_look(rel_type: str) -> Look:
    return REL_LOOKS[rel_type]


def category_color(category: str | None) -> str:
    if not category:
        return NO_CATEGORY
    return CATEGORY_COLORS.get(category, OTHER_CATEGORY)


def category_label(category: str | None) -> tuple[str, str]:
    """The legend's words for a matter category: (Chinese, English)."""
    if not category:
        return "事项·非权力职责", "matter, non-power duty"
    return f"事项·{category}", "matter"


def legend_order(key: str) -> tuple[int, int]:
    """Legend entries in a fixed order: regions and bodies, then matters by category, then findings."""
    if key.startswith("matter:"):
        category = key.split(":", 1)[1]
        kinds = list(CATEGORY_COLORS)
        return 1, kinds.index(category) if category in kinds else len(kinds) + (not category)
    kinds = list(NODE_LOOKS)
    return (2 if key.startswith("finding:") else 0), kinds.index(key) if key in kinds else len(kinds)
