"""Cleaning single cells: text, keys, numbering, names, dates and counts.

Lists are typed by hand in county offices, so one value arrives in many shapes: `１２人` and `12`, `2021年5月` and
`2021.05` and the Excel serial `44317`, `（一）城乡建设` with its list numbering, a name broken over two lines inside
one cell. Every function here takes such a value and returns the one plain form the rest of quanze works with.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from quanze.errors import InputError, Problem
from quanze.graph.dates import DATE_FORMS_ACCEPTED, parse_date
from quanze.graph.text import clean_text, normalise_key, split_names

__all__ = [
    "clean_text", "normalise_key", "strip_numbering", "split_names",
    "parse_date", "parse_date_strict", "parse_count", "parse_count_strict",
]

_CN_NUM = "一二三四五六七八九十百零〇"
_NUMBERING = re.compile(
    r"^\s*(?:"
    r"[(（]\s*(?:\d{1,3}|[" + _CN_NUM + r"]{1,4})\s*[)）]"  # (1) （一）
    r"|\d{1,3}\s*[.．、](?!\d)"                             # 1. 1、 1． (not 1.5吨)
    r"|\d{1,3}\s*[)）]"                                       # 1) 1）
    r"|[" + _CN_NUM + r"]{1,4}\s*[、.．]"                      # 一、 十二、
    r"|[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u3251-\u325f\u32b1-\u32bf\u3220-\u3229]"  # ① ⑴ ⒈ ㈠
    r")\s*"
)


def strip_numbering(text: str) -> str:
    """Remove list numbering at the start (`1.`, `1、`, `1．`, `(1)`, `（一）`, `一、`, `①`) and return the rest stripped.

    Only list numbering: `第一条` (an article of a law) and `1.5吨以上` (a number) are content and stay.
    """
    return _NUMBERING.sub("", text, count=1).strip()


def _where(where: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only the location fields of a Problem (file, sheet, row, column) from a caller's `where`."""
    return {k: v for k, v in (where or {}).items() if k in ("file", "sheet", "row", "column")}


def parse_date_strict(text: Any, where: Mapping[str, Any] | None = None) -> dt.date:
    """Like `parse_date`, for a value that must be a date: raises InputError `bad-date` with location and the
    accepted forms. `where` holds file / sheet / row / column."""
    date = parse_date(text)
    if date is None:
        raise InputError(Problem(
            "error", "bad-date", "不是可识别的日期", "not a date that can be read",
            value=clean_text(text) or "", expected=DATE_FORMS_ACCEPTED, **_where(where)))
    return date


# ---------------------------------------------------------------------------------------------------- counts

_COUNT = re.compile(r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?\s*[\u4e00-\u9fff]{0,2}")


def parse_count(text: Any) -> int | None:
    """A non-negative whole number (`12`, `12.0`, `１２`, `１２人`, `1,234件`), or None for anything else:
    negatives, fractions and words are not counts."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    if isinstance(text, float):
        return int(text) if text.is_integer() and text >= 0 else None
    cleaned = clean_text(text)
    m = _COUNT.fullmatch(cleaned) if cleaned else None
    return int(m["n"].replace(",", "")) if m else None


def parse_count_strict(text: Any, where: Mapping[str, Any] | None = None) -> int:
    """Like `parse_count`, for a value that must be a count: raises InputError `bad-number` with location and value."""
    count = parse_count(text)
    if count is None:
        raise InputError(Problem(
            "error", "bad-number", "不是非负整数", "not a non-negative whole number",
            value=clean_text(text) or "", expected="非负整数 / a non-negative whole number", **_where(where)))
    return count
