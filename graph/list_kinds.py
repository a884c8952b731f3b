"""The kinds of list counties publish, declared once (docs/formats.md §2): their names in both languages, their
columns (with every header word seen in real lists), what a title or sheet name calls them, and which columns give a
table away as that kind. Adding a kind is one ``ListKind`` here and one row handler in ``ingest/list_build.py``
(``ROW_HANDLERS``); a test checks that every kind has one.

Users add header words for a new county's lists without code, in a sidecar: ``columns: {lead_department: [归口部门]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMMON: dict[str, list[str]] = {
    "seq": ["序号", "编号"],
    "code": ["事项编码", "职权编码", "项目编码", "权力编码", "编码", "基本编码"],
    "name": ["事项名称", "职权名称", "项目名称", "权力名称", "权力事项名称", "行政处罚事项名称", "履职事项", "职责事项",
             "履职事项名称", "事项"],
    "sub_item": ["子项", "子项名称"],
    "category": ["事项类型", "权力类型", "职权类型", "类型", "类别", "权力类别", "事项类别"],
    "legal_basis": ["实施依据", "设定依据", "法定依据", "事项依据", "主要设立依据", "设定和实施依据", "法律依据", "依据"],
    "remarks": ["备注"],
}
IMPLEMENTER = ["实施主体", "责任主体", "事项主体", "实施机构", "法定主体", "承办机构", "承办单位", "责任单位", "责任科室"]


@dataclass(frozen=True)
class ListKind:
    kind: str
    title_zh: str  # the list's usual title, as in "XX镇基本履职事项清单"
    label_en: str  # what to call it in English: "basic duty list"
    words_zh: str  # how an error message names it when asking which kind a file is
    columns: dict[str, list[str]]
    required: tuple[str, ...]
    keywords: tuple[str, ...]  # words in a title or sheet name that name this kind
    signature: tuple[str, ...] = ()  # columns that, found together, give a table away as this kind
    extra: dict[str, str] = field(default_factory=dict)


def _with(**more: list[str]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in COMMON.items()}
    out.update(more)
    return out


KINDS: dict[str, ListKind] = {k.kind: k for k in (
    ListKind("power", "权责清单", "power list", "权责清单", _with(implementer=IMPLEMENTER, duty=["责任事项", "责任事项内容"],
                                        accountability=["追责情形", "追责对象范围"], scope=["管理权限", "行使层级"]),
             ("name",), ("权责清单", "权力清单", "权责事项", "职权清单"), ("scope",)),
    ListKind("basic", "基本履职事项清单", "basic duty list", "基本履职事项", _with(implementer=IMPLEMENTER), ("name",),
             ("基本履职事项", "基本履职", "基本职责")),
    ListKind("cooperation", "配合履职事项清单", "cooperation list", "配合履职事项/属地管理事项", _with(
        lead_department=["对应上级部门", "主体责任部门", "牵头部门", "主责部门", "责任部门", "主体责任/部门",
                         "主体责任/责任部门", "主体责任/牵头部门", "上级部门"],
        lead_duty=["上级部门职责", "主体责任/职责", "部门职责", "牵头部门职责", "主体责任内容", "主体责任/责任内容",
                   "主体责任"],
        township_duty=["镇街配合职责", "乡镇职责", "乡镇(街道)责任", "乡镇(街道)职责", "乡镇配合职责", "配合职责",
                       "配合责任/职责", "配合责任/乡镇(街道)职责", "配合责任/乡镇职责", "配合责任/配合职责", "配合责任内容",
                       "配合责任"],
        other_departments=["配合部门", "协同部门", "配合责任部门", "配合责任/部门", "配合责任/配合部门", "其他配合部门"]),
             ("name", "lead_department"), ("配合履职事项", "配合履职", "属地管理事项", "主体责任和配合责任", "配合事项"),
             ("lead_department",)),
    ListKind("recall", "收回事项清单", "recall list", "上级部门收回事项", _with(
        taking_department=["承接部门", "收回部门", "上级承接部门", "收回后承接部门"],
        way=["工作方式", "乡镇工作方式", "乡镇(街道)工作方式", "配合方式"]),
             ("name", "taking_department"), ("收回事项", "上级部门收回", "收回"), ("taking_department",)),
    ListKind("delegation", "赋权事项清单", "delegation list", "赋权（下放、委托）事项", {
        **{k: v for k, v in COMMON.items()},
        "department": ["下放部门", "原实施部门", "委托部门", "赋权部门", "实施部门"],
        "mode": ["下放方式", "赋权方式", "方式"],
        "townships": ["承接乡镇(街道)", "承接乡镇", "承接主体", "实施乡镇", "适用范围", "承接乡镇街道"],
        "undertaker": ["承接单位", "承接机构", "具体承接单位", "承接科室"],
        "batch": ["批次"],
        "document": ["文号", "下放文号"],
        "effective": ["生效日期", "实施时间", "生效时间"],
        "recalled": ["收回日期", "收回时间"],
    }, ("name", "department", "townships"), ("赋权", "下放", "委托", "综合行政执法事项目录"), ("department", "townships")),
    ListKind("activity", "办件量统计", "activity data", "办件量/案件数", {
        "seq": ["序号"],
        "township": ["乡镇", "乡镇(街道)", "镇街", "所在乡镇", "乡镇名称"],
        "code": COMMON["code"],
        "name": COMMON["name"],
        "period": ["年度", "期间", "年份", "统计期间"],
        "count": ["办件量", "案件数", "数量", "办件数", "执法案件数"],
        "remarks": ["备注"],
    }, ("township", "name", "count"), ("办件量", "案件统计", "执法案件", "办件统计"), ("count", "township")),
)}

KIND_WORDS_ZH = {k.kind: k.words_zh for k in KINDS.values()}
# what every SourceList kind is called: the list kinds and the structure files (机构编制表 / structure YAML)
SOURCE_KINDS: dict[str, tuple[str, str]] = {**{k.kind: (k.title_zh, k.label_en) for k in KINDS.values()},
                                            "structure": ("机构编制表", "structure table")}


def kind_from_text(text: str) -> str | None:
    """The list kind a title or sheet name names, if any (the most specific words first)."""
    order = ("basic", "recall", "cooperation", "delegation", "activity", "power")
    for kind in order:
        if any(word in text for word in KINDS[kind].keywords):
            return kind
    return None


def columns_for(kind: str, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """A kind's columns, with header words a sidecar adds (``columns:``) placed first."""
    cols = {k: list(v) for k, v in KINDS[kind].columns.items()}
    for key, words in (extra or {}).items():
        cols[key] = list(words) + [w for w in cols.get(key, []) if w not in words]
    return cols
