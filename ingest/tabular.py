"""Finding the table in a sheet: the header among the title rows, canonical columns, data rows and skipped rows.

`locate_table` finds the header row among the title rows (标题行) above it, maps header words to canonical column
keys (two-row headers with merged group cells included), and sorts the rows below into data rows and skipped rows
(group headings 分组标题, footnotes 注/备注, subtotals 合计/小计, repeated headers), so that nothing is dropped in silence.
The sheets themselves come from `sheets.read_sheets` (re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Sequence

from openpyxl.utils import get_column_letter

from quanze.errors import InputError, Problem

from .cells import (clean_text, normalise_key, parse_count, parse_count_strict, parse_date, parse_date_strict,
                    split_names, strip_numbering)
from quanze.ingest.sheets import Merge, RawSheet, read_sheets

__all__ = [
    "RawSheet", "Merge", "Column", "Row", "SkippedRow", "Table", "read_sheets", "locate_table",
    "clean_text", "normalise_key", "strip_numbering", "split_names",
    "parse_date", "parse_date_strict", "parse_count", "parse_count_strict",
]


class Column(NamedTuple):
    """Where a canonical column was found: `index` is 0-based in a row's cells; `header` the header text seen.
    A tuple, so `index, header = table.column_map[key]` works too."""

    index: int
    header: str

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class Row:
    """One data row. `values` has every canonical key asked for (None where empty or the column is absent); `raw`
    every cell under its header text, so nothing the user wrote is lost; `group` the heading above it, if any."""

    file: str
    sheet: str | None
    number: int
    values: dict[str, str | None]
    raw: dict[str, str | None]
    group: str | None = None


@dataclass
class SkippedRow:
    """A row below the header that is not data: reason `group-heading`, `footnote`, `subtotal` or `repeated-header`."""

    file: str
    sheet: str | None
    number: int
    reason: str
    text: str


@dataclass
class Table:
    """The table found in a sheet: where its header is, what is above it (title lines: the list's own title, its
    region, version and date are read from them), which column holds which key, and every row below."""

    file: str
    sheet: str | None
    header_row: int
    title_lines: list[str]
    column_map: dict[str, Column]
    unknown_columns: list[tuple[str, str]]  # (column letter, header text) matched to no key
    rows: list[Row]
    skipped: list[SkippedRow]
    warnings: list[Problem] = field(default_factory=list)


# ============================================================================================ locating the table

_FOOTNOTE = re.compile(r"^(?:注|备注|说明)\s*\d*\s*[:：]|^填表说明")
_SUBTOTAL = re.compile(r"^(?:合计|小计|总计|共计)(?:$|[\s:：(（\d])")
_TRAILING_COUNT = re.compile(r"\s*(?:[(（]\s*共?\s*\d+\s*(?:项|个|条|类|件|大项|小项)?\s*[)）]"
                             r"|共?\s*\d+\s*(?:项|个|条|类|件))$")


@dataclass
class _HeaderColumn:
    """One column's header as matched. A plain column has its normalised text in `whole`; a column under a group
    cell has `group` and `sub` instead, and `sub_alone` says whether the sub-header may be matched by itself."""

    text: str  # as shown to the user: `事项名称`, or `主体责任/部门`
    whole: str = ""
    group: str = ""
    sub: str = ""
    sub_alone: bool = True


@dataclass
class _Header:
    position: int  # index in sheet.rows of the (first) header row
    two_rows: bool
    columns: list[_HeaderColumn]
    matches: dict[str, int]  # canonical key → 0-based column index


def locate_table(sheet: RawSheet, columns: Mapping[str, Sequence[str]], *, required: Sequence[str] = (),
                 scan_rows: int = 30) -> Table:
    """Find the header among the first `scan_rows` non-blank rows, map it to the canonical keys of `columns`
    (key → accepted header words), and sort the rows below into data rows and skipped rows.

    The header is the first row where at least two cells are known header words and every `required` key is found;
    where the row below completes a group cell (`主体责任` merged over `部门` and `职责`), the two rows are one header.
    """
    words = {key: [normalise_key(w) for w in ws if normalise_key(w)] for key, ws in columns.items()}
    needed = min(2, len(words))
    best: _Header | None = None
    for position in range(min(scan_rows, len(sheet.rows))):
        header = _read_header(sheet, position, words)
        if len(header.matches) >= needed and all(key in header.matches for key in required):
            return _build_table(sheet, header, columns)
        if best is None or _closeness(header, required) > _closeness(best, required):
            best = header
    raise InputError(_missing_columns(sheet, columns, required, best, scan_rows))


def _closeness(header: _Header, required: Sequence[str]) -> tuple[int, int]:
    return sum(key in header.matches for key in required), len(header.matches)


def _single_row(cells: list[str | None]) -> list[_HeaderColumn]:
    return [_HeaderColumn(text or "", whole=normalise_key(text)) for text in cells]


def _read_header(sheet: RawSheet, position: int, words: Mapping[str, list[str]]) -> _Header:
    """The header starting at this row, read as one row and, where the row below can complete it, as two.

    The two-row reading must find more columns than the top row alone, and either the top row must itself hold a
    header word (`序号` merged down over both rows) or the two rows must beat the row below alone: so neither a first
    data row nor a title such as `填报单位：…` above the real header is taken for part of it.
    """
    number, cells = sheet.rows[position]
    top = _Header(position, False, _single_row(cells), {})
    top.matches = _match(top.columns, words)
    below = sheet.rows[position + 1] if position + 1 < len(sheet.rows) else None
    if below is None or below[0] != number + 1:
        return top
    grouped = _two_row_columns(sheet, number, cells, below[1])
    if grouped is None:
        return top
    two = _Header(position, True, grouped, _match(grouped, words))
    top_has_own_header = any(not grouped[c].group for c in top.matches.values())
    if len(two.matches) > len(top.matches) and (
            top_has_own_header or len(two.matches) > len(_match(_single_row(below[1]), words))):
        return two
    return top


def _two_row_columns(sheet: RawSheet, number: int, top: list[str | None],
                     below: list[str | None]) -> list[_HeaderColumn] | None:
    """Columns of a two-row header, or None if no top cell is a group over sub-headers.

    A group cell is merged across columns in the top row only; in a file without merges (CSV) it is written once
    and the cells to its right are blank. A cell merged down over both rows (`序号`) keeps its single text.
    """
    group_of: dict[int, str] = {}
    for m in sheet.merges:
        in_top_row_only = m.min_row == number == m.max_row and m.max_col > m.min_col
        if in_top_row_only and m.min_col <= len(top) and top[m.min_col - 1]:
            for c in range(m.min_col - 1, min(m.max_col, len(top))):
                group_of[c] = top[m.min_col - 1] or ""
    for c in range(1, len(top)):
        start = c - 1
        while start >= 0 and not top[start]:
            start -= 1
        covered = any(m.covers(number, c + 1) for m in sheet.merges)
        if start >= 0 and not top[c] and not covered and below[c] and below[start] and start not in group_of:
            for k in range(start, c + 1):
                group_of.setdefault(k, top[start] or "")
    if not group_of:
        return None
    result = []
    for c, text in enumerate(top):
        sub = below[c]
        if c in group_of and sub and sub != group_of[c]:
            result.append(_HeaderColumn(f"{group_of[c]}/{sub}", group=normalise_key(group_of[c]),
                                        sub=normalise_key(sub)))
        else:
            shown = text or sub or ""
            result.append(_HeaderColumn(shown, whole=normalise_key(shown)))
    subs = [col.sub for col in result if col.sub]
    for col in result:  # a sub-header repeated under two groups (two `部门`) says nothing by itself
        col.sub_alone = subs.count(col.sub) == 1
    return result


def _quality(column: _HeaderColumn, synonyms: list[str], *, sub_alone: bool) -> tuple[int, int] | None:
    """How well a header matches a key, smaller is better: exact before contains, the whole header before the
    sub-header alone, longer synonyms before shorter ones. A word found in the group text alone never matches:
    the group spans several columns, so it cannot say which one is meant."""
    options = []
    for word in synonyms:
        if column.group:
            joined = (f"{column.group}/{column.sub}", column.group + column.sub)
            if word in joined:
                options.append((0, -len(word)))
            elif any(word in form for form in joined) and word not in column.group and word not in column.sub:
                options.append((1, -len(word)))  # spans group and sub: `责任部门` in `主体责任部门`
            elif sub_alone and column.sub_alone and column.sub == word:
                options.append((2, -len(word)))
            elif sub_alone and column.sub_alone and word in column.sub:
                options.append((3, -len(word)))
        elif column.whole == word:
            options.append((0, -len(word)))
        elif column.whole and word in column.whole:
            options.append((1, -len(word)))
    return min(options, default=None)


def _match(header: list[_HeaderColumn], words: Mapping[str, list[str]]) -> dict[str, int]:
    """Each key to at most one column and each column to at most one key, best matches first."""
    found = []
    for c, column in enumerate(header):
        sub_keys = [key for key, synonyms in words.items() if column.sub and any(w in column.sub for w in synonyms)]
        for order, (key, synonyms) in enumerate(words.items()):
            quality = _quality(column, synonyms, sub_alone=len(sub_keys) <= 1)  # fits several keys: ambiguous
            if quality is not None:
                found.append((quality, c, order, key))
    matches: dict[str, int] = {}
    for _, c, _, key in sorted(found):
        if key not in matches and c not in matches.values():
            matches[key] = c
    return matches


_HEADER_SHOWN = 30  # header cells a message quotes; the rest are counted


def _missing_columns(sheet: RawSheet, columns: Mapping[str, Sequence[str]], required: Sequence[str],
                     best: _Header | None, scan_rows: int) -> list[Problem]:
    """`missing-column` for each required key not found (with the header words it accepts), or `no-header-row`;
    both name the row that came closest, so the user sees which header cell to rename."""
    where: dict[str, Any] = {"file": sheet.file, "sheet": sheet.name}
    closest_zh = closest_en = ""
    if best is not None and best.matches:
        number = sheet.rows[best.position][0]
        shown = [col.text for col in best.columns if col.text]
        texts = " | ".join(shown[:_HEADER_SHOWN]) + (f" | …（另有 {len(shown) - _HEADER_SHOWN} 列 / "
                                                       f"{len(shown) - _HEADER_SHOWN} more）"
                                                       if len(shown) > _HEADER_SHOWN else "")
        where.update(row=number, value=texts)
        closest_zh = f"；最接近的表头是第 {number} 行：{texts}"
        closest_en = f"; the closest header row is row {number}: {texts}"
    missing = [key for key in required if best is None or key not in best.matches]
    if not missing:
        return [Problem("error", "no-header-row",
                        f"在前 {scan_rows} 行中找不到表头（至少两个单元格是已知的列名）{closest_zh}",
                        f"no header row in the first {scan_rows} rows (one with at least two known column names)"
                        f"{closest_en}", expected="；".join(f"{k}: {'、'.join(w)}" for k, w in columns.items()),
                        **where)]
    return [Problem("error", "missing-column",
                    f"缺少必需的列「{(list(columns[key]) or [key])[0]}」（{key}），"
                    f"可接受的列名：{'、'.join(columns[key])}{closest_zh}",
                    f"required column {key!r} not found; accepted header words: {', '.join(columns[key])}{closest_en}",
                    expected="、".join(columns[key]), **where)
            for key in missing]


# ------------------------------------------------------------------------------------------------- data rows

def _continuations(sheet: RawSheet) -> set[tuple[int, int]]:
    """Cells (row number, 0-based column) filled from a merged cell above: they repeat a value, they do not add one."""
    last_row = sheet.rows[-1][0] if sheet.rows else 0
    width = len(sheet.rows[0][1]) if sheet.rows else 0
    return {(r, c - 1) for m in sheet.merges if m.max_row > m.min_row
            for r in range(m.min_row + 1, min(m.max_row, last_row) + 1)
            for c in range(m.min_col, min(m.max_col, width) + 1)}


def _build_table(sheet: RawSheet, header: _Header, columns: Mapping[str, Sequence[str]]) -> Table:
    header_rows = sheet.rows[header.position:header.position + (2 if header.two_rows else 1)]
    column_map = {key: Column(c, header.columns[c].text) for key, c in header.matches.items()}
    mapped = list(header.matches.values())
    unknown = [(get_column_letter(c + 1), col.text) for c, col in enumerate(header.columns)
               if col.text and c not in mapped]
    titles = [text for _, cells in sheet.rows[:header.position] for text in dict.fromkeys(filter(None, cells))]
    table = Table(sheet.file, sheet.name, header_rows[0][0], titles, column_map, unknown, [], [], list(sheet.warnings))
    labels = _raw_labels(header.columns)
    header_keys = [{normalise_key(cells[c]) for _, cells in header_rows} - {""} for c in range(len(header.columns))]
    continued = _continuations(sheet)
    body = sheet.rows[header.position + len(header_rows):]
    group: str | None = None
    in_footnotes = False
    for i, (number, cells) in enumerate(body):
        own = [cell for c, cell in enumerate(cells) if cell and (number, c) not in continued]
        if not own:
            continue  # blank, or only repeating merged cells from above
        reason = _skip_reason(own, cells, mapped, header_keys)
        if reason == "footnote" and not in_footnotes:  # a note at the bottom takes every row after it along
            in_footnotes = not any(_looks_like_data(n, c, continued) for n, c in body[i + 1:])
        if in_footnotes:
            reason = "footnote"
        if reason == "group-heading":
            group = _clean_group(own[0])
        if reason:
            table.skipped.append(SkippedRow(sheet.file, sheet.name, number, reason, " | ".join(dict.fromkeys(own))))
            continue
        values = {key: cells[column_map[key].index] if key in column_map else None for key in columns}
        raw = {labels.get(c, get_column_letter(c + 1)): cell for c, cell in enumerate(cells) if c in labels or cell}
        table.rows.append(Row(sheet.file, sheet.name, number, values, raw, group))
    return table


def _raw_labels(header: list[_HeaderColumn]) -> dict[int, str]:
    """Header text per column for `Row.raw`; a blank or repeated header gets its column letter, so no cell is lost."""
    labels: dict[int, str] = {}
    for c, col in enumerate(header):
        label = col.text or get_column_letter(c + 1)
        labels[c] = label if label not in labels.values() else f"{label} ({get_column_letter(c + 1)})"
    return labels


def _skip_reason(own: list[str], cells: list[str | None], mapped: list[int],
                 header_keys: list[set[str]]) -> str | None:
    """Why a row below the header is not data, or None. `own` are the texts written in this row (not carried down
    from a merged cell above); a row under a merged cell belongs to that block, so it is never a heading."""
    if _FOOTNOTE.match(own[0]):
        return "footnote"
    if any(_SUBTOTAL.match(text) for text in own[:2]):
        return "subtotal"
    same = sum(1 for c in mapped if cells[c] and normalise_key(cells[c]) in header_keys[c])
    if same >= min(2, len(mapped)) and same * 2 >= len(mapped):
        return "repeated-header"
    if len({cell for cell in cells if cell}) == 1 and parse_count(own[0]) is None:
        return "group-heading"  # e.g. 一、城乡建设（24项）; a lone number is a data row with blanks, not a heading
    return None


def _looks_like_data(number: int, cells: list[str | None], continued: set[tuple[int, int]]) -> bool:
    own = [cell for c, cell in enumerate(cells) if cell and (number, c) not in continued]
    return len(set(own)) >= 2 and not _FOOTNOTE.match(own[0])


def _clean_group(text: str) -> str:
    """`一、城乡建设（24项）` → `城乡建设`: the heading without its numbering and its count."""
    return _TRAILING_COUNT.sub("", strip_numbering(text)).strip() or text
