"""The vocabulary of inputs: every value a person gives quanze — an option on the command line, a parameter of the
JSON API, a field of a web form, a view's subject — is read by one function here, so that every front end accepts
the same forms and says the same thing about a bad one (docs/formats.md §6).

| input | function | accepts | a bad one is |
| --- | --- | --- | --- |
| a date | ``date``, ``optional_date`` | 2025-06-01, 2025/6/1, 2025.06.01, 2025年6月1日, 20250601, 2025年6月, 2025.06; empty: today | ``BadDate`` |
| a question | ``question`` | 1–200 characters of a citizen's words | ``BadQuery`` |
| a name | ``name`` | 1–200 characters | ``BadValue`` |
| a region | ``region``, ``held_region``, ``county_of`` | a code (6 or 9 digits, or 12 ending 000), a name, county + township (青岚县城关镇) | ``NotFound``, ``Ambiguous`` |
| an agency | ``agency`` | an id, name, short name, plaque, township + unit (漆园乡综合行政执法大队, 漆园乡/综合行政执法大队) | ``NotFound``, ``Ambiguous`` |
| a node | ``node`` | ``Label:key``, an agency, a matter's id or exact name, a region | ``NotFound``, ``Ambiguous`` |
| a matter | ``matter`` | a matter's id, code or whole name | ``NotFound`` |
| an account | ``account`` | 1–64 characters, no spaces (张三, zhangsan) | ``BadValue`` |
| a role | ``role`` | reader, editor, admin (只读, 编辑, 管理员) | ``BadValue`` |
| a password | ``password`` | 8–256 characters; never repeated in a message | ``BadValue`` |
| a count | ``count`` | a whole number within the bounds given | ``BadValue`` |
| audit rules | ``rule_ids`` | rule ids, repeated or comma-separated | ``BadValue`` |
| a severity | ``severity`` | low, medium, high (低, 中, 高) | ``BadValue`` |
| relation kinds | ``relation_kinds`` | relation types, repeated or comma-separated, any case | ``BadValue`` |
| thresholds | ``thresholds`` | ``RULE.NAME=VALUE`` | ``BadValue`` |

Values are cleaned as names are everywhere (``graph.text.clean_text``: widths, spaces, invisible characters) before
they are read. The library's entry points (``who``, ``find_paths``, ``run_audit``, the views …) call these functions
themselves, so a caller may pass the words as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quanze.errors import Ambiguous, BadDate, BadQuery, BadValue, LookupFailed, NotFound
from quanze.graph.cache import by_version
from quanze.graph.dates import parse_date
from quanze.graph.lookup import county_code, find_agency, find_region
from quanze.graph.agency_index import AgencyRef
from quanze.graph.matters import norm_matter_name
from quanze.graph.regions import Region
from quanze.graph.schema import SCHEMA
from quanze.graph.store import Store
from quanze.graph.text import clean_text

MAX_QUESTION_CHARS = 200  # a citizen's words: a sentence or two, never a pasted document
MAX_NAME_CHARS = 200  # a name of a region, an agency or a matter (the longest real matter names run to ~150)
MAX_LIST_CHARS = 1000  # rule ids or relation kinds, repeated or comma-separated: every one of them fits in 400


# --- dates ---------------------------------------------------------------------------------------------------------

def date(value: str | dt.date | None, field: str = "as_of") -> dt.date:
    """A date in any form the lists use (``graph.dates.parse_date``); empty means today."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    found = parse_date(str(value)[:MAX_NAME_CHARS])
    if found is None:
        raise BadDate(f"无法识别的日期「{_shown(value)}」，请写作 2025-06-01、2025年6月1日、2025.06.01、2025/6/1 或 20250601",
                      f"cannot read the date {_shown(value)!r}; write it as 2025-06-01, 2025年6月1日, 2025.06.01 "
                      "or 20250601", field=field, value=_shown(value))
    return found


def optional_date(value: str | dt.date | None, field: str = "as_of") -> dt.date | None:
    """A date, or None when none was given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return date(value, field)


# --- text ----------------------------------------------------------------------------------------------------------

def question(text: Any) -> str:
    """A citizen's words as they will be searched (widths unified, spaces trimmed)."""
    cleaned = clean_text(text) or ""
    if not cleaned:
        raise BadQuery("查询为空：请输入事项名称、编码或问题描述。",
                       "the query is empty: give a matter name, a code or a description of the problem", field="q",
                       value="")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise BadQuery(f"查询过长：{len(cleaned)} 个字符，最多 {MAX_QUESTION_CHARS} 个。请只描述问题本身。",
                       f"the query is too long: {len(cleaned)} characters, at most {MAX_QUESTION_CHARS}; describe "
                       "just the problem", field="q", value=_shown(cleaned))
    return cleaned


def name(text: Any, what_zh: str = "名称", what_en: str = "name") -> str:
    """A name as typed, cleaned; empty or overlong names are bad values, said before anything is looked up."""
    cleaned = clean_text(text) or ""
    if not cleaned:
        raise BadValue(f"{what_zh}为空", f"the {what_en} is empty", value="")
    if len(cleaned) > MAX_NAME_CHARS:
        raise BadValue(f"{what_zh}过长：{len(cleaned)} 个字符，最多 {MAX_NAME_CHARS} 个",
                       f"the {what_en} is too long: {len(cleaned)} characters, at most {MAX_NAME_CHARS}",
                       value=_shown(cleaned))
    return cleaned


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


# --- places and bodies -----------------------------------------------------------------------------------------------

def region(store: Store, text: str, within: str | None = None) -> Region:
    """A county or township by code or name; ``within`` (a region's name or code) settles a name several counties
    share by the county it is in."""
    wanted = name(text, "地区名称", "region")
    return find_region(store, wanted, county_of(store, within))


def county_of(store: Store, text: str | None) -> str | None:
    """The county code of a region given by name or code (a county is its own); None when none is given."""
    if text is None or not str(text).strip():
        return None
    return county_code(find_region(store, name(text, "地区名称", "region")))


HELD_REGIONS = 50000  # regions' stored properties kept per data version (the country has 44,330)


def held_region(store: Store, text: str, within: str | None = None) -> dict[str, Any]:
    """A region the graph holds (its stored properties): what questions and views are asked about."""
    _not_empty(store)
    found = region(store, text, within)
    # read once per data version (a question, a view, a request each ask for one)
    held = by_version(store, "held_region", found.code, lambda: store.node("Region", found.code), limit=HELD_REGIONS)
    if held is None:
        raise NotFound(f"「{found.name}」（{found.code}）尚未导入图谱，请先导入该县的机构设置和清单",
                       f"{found.name} ({found.code}) is not in the graph yet: ingest its county's structure and lists")
    return held


def _not_empty(store: Store) -> None:
    if not by_version(store, "holds_a_county", None, lambda: bool(store.nodes("Region", level="county"))):
        raise NotFound("存储中还没有任何数据：请先运行 quanze demo（示例县）或 quanze ingest 导入清单",
                       "the store holds nothing yet: run quanze demo (the demo county) or quanze ingest first")


def agency(store: Store, text: str, within: str | None = None) -> AgencyRef:
    """An agency by id, name, short name or plaque, or a township's unit with the township's name in front."""
    return find_agency(store, name(text, "机构名称", "agency name"), within)


@dataclass(frozen=True)
class NodeRef:
    """A node of the graph as paths and views name it: ``key`` is ``Label:key`` as in the networkx view."""

    key: str
    label: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.key.split(":", 1)[1], "label": self.label, "name": self.name}


def node_name(store: Store, label: str, key: str) -> str:
    """What to call a node: its name (a list's title), else its key."""
    props = store.node(label, key) or {}
    return str(props.get("name") or props.get("title") or props.get(SCHEMA.node(label).key) or key)


def node(store: Store, text: str, within: str | None = None) -> NodeRef:
    """A node by ``Label:key``, an agency id or name, a region code or name, or a matter id or exact name."""
    text = name(text)
    if ":" in text and text.split(":", 1)[0] in {n.label for n in SCHEMA.nodes}:
        label, key = text.split(":", 1)
        if store.node(label, key):
            return NodeRef(text, label, node_name(store, label, key))
    for label in ("Agency", "Matter", "Region"):
        if store.node(label, text):
            return NodeRef(f"{label}:{text}", label, node_name(store, label, text))
    matters = store.nodes("Matter", norm_name=norm_matter_name(text))
    if len(matters) == 1:
        return NodeRef(f"Matter:{matters[0]['id']}", "Matter", matters[0]["name"])
    errors: list[LookupFailed] = []
    for label in ("Agency", "Region"):
        try:
            key = agency(store, text, within).id if label == "Agency" else region(store, text, within).code
        except Ambiguous:
            raise
        except LookupFailed as e:
            errors.append(e)
            continue
        if store.node(label, key):
            return NodeRef(f"{label}:{key}", label, node_name(store, label, key))
    near = [c for e in errors for c in e.candidates][:5]
    raise NotFound(f"图谱中找不到「{text}」（机构、地区或事项）" + (f"；最接近的：{'、'.join(near)}" if near else ""),
                   f"nothing in the graph is called {text!r} (agency, region or matter)"
                   + (f"; nearest: {', '.join(near)}" if near else ""), near)


def matter(store: Store, text: str) -> dict[str, Any]:
    """A matter the store holds, by its id (``code:…``, ``name:…``), its code or its whole name (normalised as
    matters are: brackets, widths, spaces): what a person chose among an answer's options, or typed to reassign."""
    wanted = name(text, "事项", "matter")
    found = store.node("Matter", wanted)
    if found:
        return found
    same = store.nodes("Matter", code=wanted) or store.nodes("Matter", norm_name=norm_matter_name(wanted))
    if same:  # one item, perhaps under several ids (same normalised name): answers read them together
        return sorted(same, key=lambda m: m["id"])[0]
    raise NotFound(f"库中没有事项「{wanted}」（按编码或完整名称）", f"no matter {wanted!r} in the store (by code or whole "
                   "name)")


# --- accounts of the web application ------------------------------------------------------------------------------

# the roles an account of the web application has, lowest first: each may do what the ones before it may
ACCOUNT_ROLES: dict[str, tuple[str, str]] = {"reader": ("只读", "reader"), "editor": ("编辑", "editor"),
                                             "admin": ("管理员", "admin")}
ROLE_WORDS = {zh: role for role, (zh, _en) in ACCOUNT_ROLES.items()} | {"读者": "reader", "编辑者": "editor",
                                                                        "管理": "admin"}
MAX_ACCOUNT_CHARS = 64
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 256


def account(text: Any) -> str:
    """An account's name: 1–64 characters without spaces or control characters."""
    cleaned = clean_text(text) or ""
    if not cleaned:
        raise BadValue("账号名为空", "the account name is empty", field="name", value="")
    if len(cleaned) > MAX_ACCOUNT_CHARS or any(c.isspace() or not c.isprintable() for c in cleaned):
        raise BadValue(f"账号名「{_shown(cleaned)}」不可用：最多 {MAX_ACCOUNT_CHARS} 个字符，不能含空格",
                       f"the account name {_shown(cleaned)!r} cannot be used: at most {MAX_ACCOUNT_CHARS} characters, "
                       "no spaces", field="name", value=_shown(cleaned))
    return cleaned


def role(value: Any) -> str:
    """An account's role: reader, editor or admin (只读, 编辑, 管理员)."""
    text = str(value or "").strip()
    found = ROLE_WORDS.get(text, text.lower())
    if found not in ACCOUNT_ROLES:
        raise BadValue(f"未知的角色「{_shown(text)}」，可选：reader 只读、editor 编辑、admin 管理员",
                       f"unknown role {_shown(text)!r}; valid: reader, editor, admin", tuple(ACCOUNT_ROLES),
                       field="role", value=_shown(text))
    return found


def password(value: Any) -> str:
    """A new password: 8–256 characters, taken as given (spaces count). A bad one is described, never repeated."""
    text = "" if value is None else str(value)
    if len(text) < MIN_PASSWORD_CHARS or len(text) > MAX_PASSWORD_CHARS:
        raise BadValue(f"密码应为 {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} 个字符（这一个有 {len(text)} 个）",
                       f"a password has {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters (this one has "
                       f"{len(text)})", field="password")
    return text


# --- numbers and choices --------------------------------------------------------------------------------------------

COUNT_NAMES = {"limit": "条数上限", "max_hops": "跳数上限"}


def count(value: Any, field: str, lowest: int = 1, highest: int | None = None) -> int:
    """A whole number within bounds: ``limit``, ``max_hops`` (``--limit``, ``--max-hops`` on the command line)."""
    what = f"{field}（{COUNT_NAMES.get(field, '数量')}）"
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise BadValue(f"{what}应为整数，而不是「{_shown(value)}」", f"{field} must be a whole number, not "
                       f"{_shown(value)!r}", field=field, value=_shown(value)) from None
    if n < lowest or (highest is not None and n > highest):
        top_zh = f"，最多为 {highest}" if highest is not None else ""
        top_en = f" and at most {highest}" if highest is not None else ""
        raise BadValue(f"{what}至少为 {lowest}{top_zh}，而不是 {n}", f"{field} must be at least {lowest}{top_en}, not "
                       f"{n}", field=field, value=str(n))
    return n


def _listed(values: str | Iterable[str] | None) -> list[str]:
    """``["a,b", "c"]`` or ``"a,b"`` → ``["a", "b", "c"]``, blanks dropped, order kept, each once."""
    if values is None:
        return []
    parts = [values] if isinstance(values, str) else list(values)
    if sum(len(str(p)) for p in parts) > MAX_LIST_CHARS:
        raise BadValue(f"列出的值过长：最多 {MAX_LIST_CHARS} 个字符", f"the values listed are too long: at most "
                       f"{MAX_LIST_CHARS} characters", value=_shown(",".join(map(str, parts))))
    return list(dict.fromkeys(v.strip() for part in parts for v in str(part).replace("，", ",").split(",")
                              if v.strip()))


def rule_ids(values: str | Iterable[str] | None) -> list[str] | None:
    """Audit rule ids (``api/audit/rules.py``); None when none were given (every rule)."""
    from quanze.api.audit.rules import RULE_IDS

    wanted = _listed(values)
    unknown = [v for v in wanted if v not in RULE_IDS]
    if unknown:
        raise BadValue(f"未知的审计规则「{'、'.join(unknown)}」，可选：{'、'.join(RULE_IDS)}",
                       f"unknown audit rule {', '.join(unknown)!r}; valid: {', '.join(RULE_IDS)}", RULE_IDS,
                       field="rule", value=",".join(unknown))
    return wanted or None


SEVERITY_WORDS = {"低": "low", "中": "medium", "高": "high"}


def severity(value: str | None, field: str = "severity") -> str | None:
    """A severity (``low``, ``medium``, ``high``, or 低/中/高); None when none was given."""
    from quanze.api.audit.rules import SEVERITIES

    if value is None or not str(value).strip():
        return None
    level = SEVERITY_WORDS.get(str(value).strip(), str(value).strip().lower())
    if level not in SEVERITIES:
        raise BadValue(f"未知的严重程度「{_shown(value)}」，可选：{'、'.join(SEVERITIES)}",
                       f"unknown severity {_shown(value)!r}; valid: {', '.join(SEVERITIES)}", SEVERITIES,
                       field=field, value=_shown(value))
    return level


def relation_kinds(values: str | Iterable[str] | None) -> list[str] | None:
    """Relation types a path may follow (``docs/schema.md``), any case; None when none were given (all)."""
    wanted = [v.upper() for v in _listed(values)]
    known = SCHEMA.relation_types
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise BadValue(f"未知的关系类型：{'、'.join(unknown)}；可用的有：{'、'.join(known)}",
                       f"unknown relation kinds: {', '.join(unknown)}; valid ones: {', '.join(known)}", list(known),
                       field="via", value=",".join(unknown))
    return wanted or None


def thresholds(pairs: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Audit thresholds as ``RULE.NAME=VALUE`` (or a mapping ``{"RULE.NAME": value}``), checked against the rules'
    declarations: an unknown name or a value out of range is a bad value."""
    from quanze.api.audit.rules import thresholds_for

    out: dict[str, Any] = {}
    for pair in (pairs.items() if isinstance(pairs, Mapping) else pairs or ()):
        key, value = pair if isinstance(pair, tuple) else _split_pair(pair)
        out[key] = value
    thresholds_for(out)  # says what is wrong, naming the valid ones
    return out


def _split_pair(pair: str) -> tuple[str, str]:
    key, sep, value = str(pair).partition("=")
    if not sep or "." not in key:
        raise BadValue(f"阈值应写作 规则.名称=值，而不是「{_shown(pair)}」",
                       f"a threshold is RULE.NAME=VALUE, not {_shown(pair)!r}", field="threshold", value=_shown(pair))
    return key.strip(), value.strip()
