"""Agency names as lists write them: plaques inside names, county prefixes, 中共/县委 prefixes, short names.

One body may carry several names (挂牌): ``社会事务办公室(民政办公室、应急管理办公室)`` is one agency with two plaques, and
``综合行政执法大队(加挂县城管执法局乡镇执法队牌子)`` is one agency with one. Lists then call a department by its full name,
its short name (县住建局), with or without the county's name, with or without 中共.
"""

from __future__ import annotations

import re

from quanze.graph.text import normalise_key

_TRAILING_GROUP = re.compile(r"^(?P<name>.+?)\s*[（(](?P<inner>[^（）()]+)[）)]\s*$")
_PLAQUE_WORDS = re.compile(r"^(?:加挂|挂|同时挂|并挂)|(?:牌子|牌)$")


def split_plaques(name: str) -> tuple[str, list[str]]:
    """``社会事务办公室(民政办公室、应急管理办公室)`` → (``社会事务办公室``, [``民政办公室``, ``应急管理办公室``])."""
    name = name.strip()
    m = _TRAILING_GROUP.match(name)
    if not m:
        return name, []
    plaques = []
    for part in re.split(r"[、，,；;]+", m.group("inner")):
        part = _PLAQUE_WORDS.sub("", part.strip()).strip()
        part = _PLAQUE_WORDS.sub("", part).strip()
        if part:
            plaques.append(part)
    return m.group("name").strip(), plaques


def name_variants(name: str, county_name: str | None = None) -> set[str]:
    """Normalised forms a list may use for this name: with or without 中共, the county name, or 县 for it."""
    key = normalise_key(name)
    out = {key}
    if key.startswith("中共"):
        out.add(key[2:])
    county = normalise_key(county_name) if county_name else ""
    for form in list(out):
        if county and county in form:
            out.add(form.replace(county, "县", 1))
            out.add(form.replace(county, "", 1))
    for form in list(out):
        if form.startswith("县委") and len(form) > 2:
            out.add(form[2:])
        elif form.startswith("县") and len(form) > 2:
            out.add(form[1:])
    return {f for f in out if f}


# common short endings: 县委办 → 县委办公室, 县政府办 → 县人民政府办公室
_SHORT_ENDINGS = {"办": ("办公室", "办"), "委": ("委员会", "委"), "局": ("局",), "所": ("所",), "队": ("队", "大队"),
                  "站": ("站",), "中心": ("中心",), "部": ("部",)}


def is_abbreviation(short: str, full: str) -> bool:
    """县住建局 ↔ 住房和城乡建设局, 市场监管局 ↔ 市场监督管理局: the short name's characters appear in order in the
    full name and both end the same way (局/办/委/所…)."""
    short, full = normalise_key(short), normalise_key(full)
    if len(short) < 2 or len(short) >= len(full):
        return False
    if short.startswith("县") and not full.startswith("县"):
        short = short[1:]
    ending_ok = short[-1] == full[-1]
    for end, fulls in _SHORT_ENDINGS.items():
        if short.endswith(end) and any(full.endswith(f) for f in fulls):
            ending_ok = True
    if not ending_ok or full.endswith(short):
        return False  # a bare ending like 执法大队 or 派出所 is a generic word, not an abbreviation
    it = iter(full)
    return all(ch in it for ch in short)


def qualified_name(name: str, kind: str | None, township: str | None) -> str:
    """What to call a township's unit where several townships have one of that name: ``柏溪镇综合行政执法大队``, never
    a bare ``综合行政执法大队``. A county body, a township government (柏溪镇人民政府) and a name that already starts with
    its township's are left as they are."""
    if not township or kind == "township_government" or name.startswith(township):
        return name
    return f"{township}{name}"


# Bodies a county has that are not its own departments (docs/domain.md §2): 垂直管理机构, which a higher level staffs and
# runs (their quota is not the county's), and 群团组织, the party-led mass organisations. Recognised by the 机构类别 a
# structure file writes, else by the name's ending or its telling words; the county department of the same field
# (县统计局 against 国家统计局青岚调查队) keeps its kind.
_VERTICAL_WORDS = ("税务局", "税务分局", "烟草专卖局", "烟草专卖", "气象局", "海关", "调查队", "人民银行", "金融监管",
                   "银保监", "邮政管理局", "消防救援", "出入境边防检查", "海事局", "国家安全局")
_MASS_WORDS = ("总工会", "工会", "共青团", "团县委", "团委", "妇女联合会", "妇联", "残疾人联合会", "残联",
               "科学技术协会", "科协", "红十字会", "工商业联合会", "工商联", "文学艺术界联合会", "文联", "归国华侨联合会",
               "侨联", "社会科学界联合会", "社科联")


def outside_kind(name: str, kind_zh: str | None = None) -> str | None:
    """``vertical_body`` (垂直管理机构) or ``mass_organisation`` (群团组织) for a body that is one, by its 机构类别 first
    and then its name; None for any other body."""
    written = str(kind_zh or "")
    if "垂直" in written or "垂管" in written:
        return "vertical_body"
    if "群团" in written or "人民团体" in written:
        return "mass_organisation"
    key = normalise_key(name)
    if any(w in key for w in _VERTICAL_WORDS):
        return "vertical_body"
    if any(key.endswith(w) or key.startswith(w) or f"县{w}" in key for w in _MASS_WORDS):
        return "mass_organisation"
    return None
