"""Matter identity (事项): the same item named the same way in several lists is one matter.

A matter is keyed by its code (事项编码/职权编码) when the list gives one, otherwise by a stable hash of its normalised
name: numbering, brackets and spaces stripped, widths unified. Differently worded near-duplicates stay separate; the
audits report them for a person to confirm. A code names one matter: ingest refuses a code that arrives under another
name than the one it already has (``ingest/list_build.py``), so a code is never silently taken over by another name.
"""

from __future__ import annotations

import hashlib
import re

from quanze.graph.text import normalise_key

_NUMBERING = re.compile(r"^(?:\(?[0-9一二三四五六七八九十百]{1,4}[).、．]|[0-9]{1,3}[.．、]|[①-⑳])+")
_STRIP = re.compile(r"[()《》〈〉“”\"'‘’、，,。.；;：:\s·\-—_]+")

# 事项类型: the first ten are powers (they need a legal grant); 公共服务 and non-power duties are not
POWER_CATEGORIES = ("行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励", "行政裁决",
                    "其他行政权力")
CATEGORIES = POWER_CATEGORIES + ("公共服务",)
ENFORCEMENT_CATEGORIES = ("行政处罚", "行政检查", "行政强制")


def norm_matter_name(name: str, sub_item: str | None = None) -> str:
    """The form matter names are compared in: no numbering, brackets, punctuation or spaces; widths unified."""
    key = normalise_key(name)
    key = _NUMBERING.sub("", key)
    key = _STRIP.sub("", key)
    if sub_item:
        key += "/" + _STRIP.sub("", normalise_key(sub_item))
    return key


def matter_id(code: str | None, name: str, sub_item: str | None = None) -> str:
    if code and code.strip():
        return "code:" + normalise_key(code) + (("/" + norm_matter_name(sub_item)) if sub_item else "")
    digest = hashlib.sha1(norm_matter_name(name, sub_item).encode("utf-8")).hexdigest()[:16]
    return "name:" + digest


def canonical_category(text: str | None) -> str | None:
    """事项类型 as one of the known categories when the text names one (行政处罚类 → 行政处罚), else as written."""
    if not text:
        return None
    key = normalise_key(text)
    for c in CATEGORIES:
        if c in key:
            return c
    short = {"许可": "行政许可", "处罚": "行政处罚", "强制": "行政强制", "征收": "行政征收", "给付": "行政给付",
             "检查": "行政检查", "确认": "行政确认", "奖励": "行政奖励", "裁决": "行政裁决", "其他": "其他行政权力"}
    for word, c in short.items():
        if key.startswith(word):
            return c
    return text.strip()


# What an item's name says of its kind when no column does: 对…的处罚, …的行政处罚, …的监督检查, 对…的查封、扣押. Only the
# enforcement kinds are read from a name (they decide who undertakes a delegated item, docs/domain.md §4); the name's
# end is what counts (对未办理许可证的处罚 is a penalty; 行政处罚决定书送达, 检查站设置许可 or 孕前优生健康检查 are not read as one).
_NAME_KINDS = (("行政处罚", re.compile(r"(?:处罚|罚款)$")),
               ("行政检查", re.compile(r"(?:监督检查|行政检查|执法检查|的检查)$")),
               ("行政强制", re.compile(r"(?:行政强制|强制措施|强制执行|查封|扣押|查封扣押|查封、扣押)$")))


def category_from_name(name: str | None) -> str | None:
    """The enforcement category (行政处罚, 行政检查, 行政强制) an item's name states, e.g. 对擅自占用城市道路的处罚 or
    对燃气经营者的监督检查; None when the name does not say (the list's own 事项类型 always comes first)."""
    key = normalise_key(name or "")
    key = re.sub(r"[(（][^()（）]*[)）]$", "", key).rstrip("。.;；: ")  # a trailing note: （含…）, （委托）
    for category, ends in _NAME_KINDS:
        if ends.search(key):
            return category
    return None


def is_power(category: str | None) -> bool:
    return canonical_category(category) in POWER_CATEGORIES
