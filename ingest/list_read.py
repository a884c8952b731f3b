"""Reading duty lists: each sheet of a workbook (or a CSV) is one list; find its kind, its table and its metadata.

Nothing here resolves names or touches the store: ``list_build`` does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quanze.errors import InputError, Problem
from quanze.graph.list_kinds import KINDS, columns_for
from quanze.ingest.list_meta import ListMeta, from_title, kind_from_columns, read_sidecar, supplement_title
from quanze.ingest.tabular import RawSheet, Table, locate_table


@dataclass
class ParsedList:
    """One list (one sheet of one file) with its metadata and its table."""

    path: Path
    file_hash: str
    sheet: str | None
    meta: ListMeta
    table: Table
    subject: str | None = None  # the name before the list's words in the title: a region or an owner
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.path.name + (f" [{self.sheet}]" if self.sheet else "")


def _all_columns() -> dict[str, list[str]]:
    """Every header word of every kind, for finding a header before the kind is known."""
    out: dict[str, list[str]] = {}
    for kind in KINDS.values():
        for key, words in kind.columns.items():
            out.setdefault(key, [])
            out[key] += [w for w in words if w not in out[key]]
    return out


def read_lists(path: Path, digest: str, sheets: list[RawSheet], options: dict[str, Any]) -> tuple[list[ParsedList],
                                                                                                   list[Problem]]:
    """The lists in a file's sheets, and problems that concern the whole file (the sidecar, sheets with no list)."""
    sidecar, problems = read_sidecar(path)
    lists: list[ParsedList] = []
    per_sheet = sidecar.get("sheets") or {}
    for sheet in sheets:
        meta = ListMeta()
        meta.fill("option", options)
        if sheet.name and isinstance(per_sheet.get(sheet.name), dict):
            meta.fill("sidecar", per_sheet[sheet.name])
        meta.fill("sidecar", sidecar)
        try:
            parsed = _read_sheet(path, digest, sheet, meta)
        except InputError as e:
            if len(sheets) > 1 and all(p.code in ("no-header-row", "missing-column") for p in e.problems):
                problems.append(Problem("warning", "sheet-skipped", "工作表中没有可识别的清单表头，已跳过",
                                        "no list header found in this sheet; skipped", file=path.name,
                                        sheet=sheet.name))
                continue
            raise
        lists.append(parsed)
    return lists, problems


def _read_sheet(path: Path, digest: str, sheet: RawSheet, meta: ListMeta) -> ParsedList:
    probe = locate_table(sheet, _all_columns(), required=("name",)) if not meta.kind else None
    titles = from_title(probe.title_lines if probe else [], sheet.name)
    if not meta.kind:
        kind = titles.get("kind") or kind_from_columns(set(probe.column_map) if probe else set())
        if kind:
            meta.kind = kind
            meta.origin["kind"] = "title" if titles.get("kind") else "header"
    if not meta.kind:
        raise InputError(Problem(
            "error", "unknown-kind", "无法确定清单类型：请用 --kind 指定，或在旁边的 NAME.meta.yaml 中写 kind",
            "cannot tell the list's kind: give --kind, or write kind in a NAME.meta.yaml beside the file",
            file=path.name, sheet=sheet.name, expected=" | ".join(KINDS)))
    kind = KINDS[meta.kind]
    table = locate_table(sheet, columns_for(meta.kind, meta.columns), required=kind.required)
    titles = from_title(table.title_lines, sheet.name)
    meta.fill("title", {k: v for k, v in titles.items() if k != "kind"})
    if not meta.title:
        meta.title = sheet.name or path.stem
    if meta.supplement is None and supplement_title(meta.title):
        meta.supplement = True
        meta.origin["supplement"] = "title"
    problems = list(table.warnings)
    for letter, header in table.unknown_columns:
        problems.append(Problem("warning", "unknown-column", "未知的列，已忽略（可在 NAME.meta.yaml 的 columns 中映射）",
                                "unknown column, ignored (map it in the sidecar's columns:)", file=path.name,
                                sheet=sheet.name, row=table.header_row, column=f"{letter} {header}"))
    for skipped in table.skipped:
        if skipped.reason == "subtotal":
            problems.append(Problem("info", "skipped-row", "小计/合计行，已跳过", "subtotal row, skipped",
                                    file=path.name, sheet=sheet.name, row=skipped.number, value=skipped.text))
    return ParsedList(path, digest, sheet.name, meta, table, titles.get("subject"), problems)
