"""Dates as people write them (docs/formats.md §4): in list cells, in sidecars, on the command line and in forms.

One reader for every date quanze is given — the ingest's 生效日期 and 收回日期, ``--as-of`` and ``as_of=`` — so that
a form one entry point accepts, every entry point accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from quanze.graph.text import clean_text

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_SERIAL_MIN, _SERIAL_MAX = 29221, 73050  # 1980-01-01 .. 2099-12-31: anything else is not a list's date
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # an ISO date-time's time, ignored
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})(?:\s*[-/.]\s*(?P<d>\d{1,2})" + _TIME + ")?"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
DATE_FORMS_ACCEPTED = "2021-05-01、2021/5/1、2021.05.01、2021.05、2021年5月、2021年5月1日、20210501、Excel 日期"


def _serial_to_date(serial: float) -> dt.date | None:
    if _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return None


def parse_date(text: Any) -> dt.date | None:
    """A date from any form real lists use, or None (never raises).

    `2021-05-01`, `2021/5/1`, `2021.05.01`, `20210501`, `2021年5月1日`, ISO date-times, and month-only dates
    (`2021.05`, `2021年5月`: the 1st of that month, the way a 文件 dated by month takes effect). A number is an Excel
    serial date (`44317` → 2021-05-01) only between 1980 and 2099, so a count or a year is not taken for a date.
    """
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _serial_to_date(float(text))
    cleaned = clean_text(text)
    if not cleaned:
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", cleaned):
        return _serial_to_date(float(cleaned))
    for form in _DATE_FORMS:
        m = form.fullmatch(cleaned)
        if m:
            try:
                date = dt.date(int(m["y"]), int(m["m"]), int(m["d"] or 1))
            except ValueError:
                return None
            return date if 1900 <= date.year <= 2100 else None
    return None
