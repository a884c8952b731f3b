"""Which townships a delegation row means: a list of names, a whole-county word, or "all but …".

``城关镇、临江镇``, ``全部乡镇``, ``各乡镇(街道)``, ``所有乡镇（街道）``, ``全县乡镇``, ``除温泉镇外的各乡镇``,
``除城关镇、临江镇以外的全部乡镇``. Names that match no township of the county are returned apart, so the row can be kept
with a dangling reference and a warning.
"""

from __future__ import annotations

import re
from typing import Callable

from quanze.graph.text import normalise_key, split_names

_WHOLE = re.compile(r"^(?:全县|全部|所有|各|全)(?:全部|所有|各)?乡镇(?:\(街道\)|街道|、街道)?$|^(?:全县|全部|所有|各)(?:乡镇)?街道$"
                    r"|^全县$|^全域$")
_EXCEPT = re.compile(r"^除(?P<names>.+?)(?:以外|之外|外)的?(?P<rest>.*)$")


def is_whole_county(text: str) -> bool:
    return bool(_WHOLE.match(normalise_key(text)))


def expand_townships(text: str, all_codes: list[str], resolve: Callable[[str], str | None]) -> tuple[list[str], list[str]]:
    """(township codes, names that did not resolve). ``resolve`` maps a township name to its code or None."""
    key = normalise_key(text)
    if not key:
        return [], []
    if is_whole_county(key):
        return list(all_codes), []
    m = _EXCEPT.match(key)
    if m and (is_whole_county(m.group("rest")) or not m.group("rest")):
        excluded, unknown = _names(m.group("names"), resolve)
        return [c for c in all_codes if c not in excluded], unknown
    return _names(text, resolve)


def _names(text: str, resolve: Callable[[str], str | None]) -> tuple[list[str], list[str]]:
    codes: list[str] = []
    unknown: list[str] = []
    for name in split_names(text):
        code = resolve(name)
        if code is None:
            unknown.append(name)
        elif code not in codes:
            codes.append(code)
    return codes, unknown
