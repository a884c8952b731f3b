"""Past tickets (历史工单): what callers said and the matter the ticket was finally handled as.

A 12345 centre keeps every work order with its final 事项; a new caller who says nearly what an earlier one said most
likely means the same matter. ``who --tickets FILE`` reads such files, and search (``MatterIndex``, with the semantic
model) adds to a matter the similarity of the nearest past ticket handled as it. Without the model, tickets are read
and checked but not used, and the answer says so.

Files: a question set (YAML list of ``{q, matter}``, e.g. ``demo/questions.yaml``), or a sheet (XLSX, CSV) with a
诉求内容 column and a 事项 column (a matter's name or code). Bad rows are errors naming file, sheet, row and column;
a ticket naming a matter the store does not hold is reported (``unknown``), never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from quanze.errors import InputError, Problem

# header words of the two columns a ticket sheet needs
COLUMNS = {
    "text": ["诉求内容", "来电内容", "工单内容", "问题描述", "诉求描述", "来电诉求", "问题", "内容", "q", "text"],
    "matter": ["事项名称", "事项", "事项编码", "办理事项", "匹配事项", "matter"],
}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Ticket:
    text: str
    matter: str  # a matter's name or code, as the ticket gives it
    source: str  # file, sheet and row: where a dispatcher can look it up


def load_tickets(paths: Iterable[Path]) -> list[Ticket]:
    """Every ticket of every file, in order; any bad row is an InputError (nothing is half-read)."""
    tickets: list[Ticket] = []
    for path in paths:
        path = Path(path)
        tickets += _from_yaml(path) if path.suffix.lower() in YAML_SUFFIXES else _from_sheets(path)
    return tickets


def _problem(path: Path, zh: str, en: str, **where: Any) -> Problem:
    return Problem("error", "bad-ticket", zh, en, file=path.name, expected="诉求内容 + 事项（名称或编码）/ the words "
                   "and the matter (name or code)", **where)


def _from_yaml(path: Path) -> list[Ticket]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(_problem(path, f"读不了工单文件：{e}", f"cannot read the ticket file: {e}"))
    items = data.get("questions", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(_problem(path, "工单文件应为列表（每项含 q 和 matter）", "a ticket file is a list of {q, matter}"))
    problems, out = [], []
    for i, item in enumerate(items, 1):
        text = item.get("q") if isinstance(item, dict) else None
        matter = item.get("matter") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip() or not isinstance(matter, (str, int)) or not str(matter).strip():
            problems.append(_problem(path, f"第{i}项缺少 q（诉求内容）或 matter（事项）", f"item {i} lacks q (the "
                                     "words) or matter", row=i, value=item))
            continue
        out.append(Ticket(text.strip(), str(matter).strip(), f"{path.name} 第{i}项"))
    if problems:
        raise InputError(problems)
    return out


def _from_sheets(path: Path) -> list[Ticket]:
    from quanze.ingest.tabular import locate_table, read_sheets

    problems, out = [], []
    for sheet in read_sheets(path):
        if sheet.hidden:
            continue
        table = locate_table(sheet, COLUMNS, required=("text", "matter"))
        # a row with one cell filled reads as a group heading in a list; among tickets it is a ticket without its
        # matter (or without its words), which must not vanish (footnotes and subtotals may)
        for skipped in table.skipped:
            if skipped.reason == "group-heading":
                problems.append(_problem(path, f"这一行只有一个单元格有内容：「{skipped.text}」，工单要有诉求内容和事项",
                                         f"this row has one cell only ({skipped.text!r}); a ticket needs its words and "
                                         f"its matter", sheet=skipped.sheet, row=skipped.number, value=skipped.text))
        for row in table.rows:
            for key in ("text", "matter"):
                if not row.values.get(key):
                    problems.append(_problem(path, f"「{table.column_map[key].header}」为空",
                                             f"the {table.column_map[key].header} cell is empty", sheet=row.sheet,
                                             row=row.number, column=table.column_map[key].letter, value=row.raw))
            if row.values.get("text") and row.values.get("matter"):
                where = f"{path.name}" + (f"[{row.sheet}]" if row.sheet else "") + f" 第{row.number}行"
                out.append(Ticket(row.values["text"], row.values["matter"], where))
    if problems:
        raise InputError(problems)
    return out


__all__ = ["COLUMNS", "Ticket", "load_tickets"]
