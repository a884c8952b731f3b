"""Helpers the tests share: spreadsheets written the way county offices write them.

Importable as ``quanze.tests.helpers`` (pytest runs with --import-mode=importlib, so test modules do not import each
other); not collected as tests.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def sheet(path: Path, title: str | None, header: list, *rows: list, name: str = "Sheet1") -> Path:
    """One sheet: a title row (when given) above the header, then the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = name
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """Several sheets, each given as its rows (title rows included), with merged ranges per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path
