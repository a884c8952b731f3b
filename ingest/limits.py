"""How much one input file may hold: caps that keep a hostile or broken file from exhausting memory or time.

Every cap is far above what real county files hold — a county department's list has up to ~5,000 rows of ~30 columns,
a provincial catalogue (事项目录) up to ~200,000 rows — and far below what would hurt the machine. A file beyond a cap
is refused as a whole with one short, located message (the first few offending items, then a count), before it is read
where the file says its size (a zip member's declared size, a worksheet's dimension) and while it is read otherwise.
"""

from __future__ import annotations

from typing import Any, Sequence

from quanze.errors import InputError, Problem

MAX_FILE_BYTES = 50 * 2**20
"""A spreadsheet file on disk (for an XLSX: compressed)."""

MAX_UNCOMPRESSED_BYTES = 512 * 2**20
"""All parts of an XLSX together, as the zip's directory declares them, checked before anything is decompressed (the
zip reader never gives more than a member declares). A 200,000 × 30 catalogue saved by Excel takes ~300 MB."""

MAX_ROWS = 250_000
"""Non-blank rows in one sheet (a catalogue of 200,000 rows loads)."""

MAX_COLUMNS = 256
"""The last column that holds a value, in any row of a sheet (real lists use up to ~30; Excel's IV)."""

MAX_CELLS = 6_000_000
"""Non-blank cells in one file, all sheets together (200,000 rows × 30 columns)."""

MIN_CELL_XML_BYTES = 11
"""The fewest bytes one cell takes in a worksheet's XML (``<c r="A1"/>``): a worksheet part smaller than
``MAX_CELLS × MIN_CELL_XML_BYTES`` cannot hold too many cells, whatever its dimension claims."""

MAX_CELL_CHARS = 10_000
"""Characters in one cell."""

MAX_YAML_BYTES = 5 * 2**20
"""A YAML structure file or sidecar (real ones are a few kilobytes)."""

MAX_YAML_DEPTH = 40
"""Nesting of mappings and lists in a YAML file (a structure file nests about 8 deep)."""

SHOWN = 5
"""Offending items a cap's message names before it only counts the rest."""


def shown(items: Sequence[Any], total: int | None = None) -> tuple[str, str]:
    """The first ``SHOWN`` items and how many more there are, in Chinese and English."""
    total = len(items) if total is None else total
    head = [str(item) for item in items[:SHOWN]]
    rest = total - len(head)
    return ("、".join(head) + (f" 等，另有 {rest:,} 项" if rest > 0 else ""),
            ", ".join(head) + (f" and {rest:,} more" if rest > 0 else ""))


def over_cap(code: str, what_zh: str, what_en: str, count: int | tuple[str, str], cap: int, *, file: str,
             items: Sequence[Any] = (), total: int | None = None, advice_zh: str = "", advice_en: str = "",
             **where: Any) -> InputError:
    """The error for a file beyond a cap: what, how many (a number, or its Chinese and English words), the cap, the
    first few offending items (``total`` of them in all), what to do."""
    count_zh, count_en = (f"{count:,}", f"{count:,}") if isinstance(count, int) else count
    zh = f"{what_zh}超出上限：{count_zh}（上限 {cap:,}）"
    en = f"{what_en} over the limit: {count_en} (the limit is {cap:,})"
    if items:
        items_zh, items_en = shown(items, total)
        zh += f"；{items_zh}"
        en += f"; {items_en}"
    if advice_zh:
        zh += f"。{advice_zh}"
        en += f". {advice_en}"
    return InputError(Problem("error", code, zh, en, file=file, expected=f"至多 {cap:,} / at most {cap:,}", **where))
