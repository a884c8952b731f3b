"""Past tickets (历史工单): what callers said and the matter the ticket was finally handled as.

A 12345 centre keeps every work order with its final 事项; a new caller who says nearly what an earlier one said most
likely means the same matter. ``who --tickets FILE`` reads such files, and search (``MatterIndex``, with the semantic
model) adds to a matter the similarity of the nearest past ticket handled as it. Without the model, tickets are read
and checked but not used, and the answer says so.

Many centres record only the body that handled a ticket (承办单位), not its 事项: such a ticket points at every matter
that body handles, and prefers them among the matters the words found (``who`` resolves the body's name).

Files: a question set (YAML list of ``{q, matter}`` or ``{q, agency}``, e.g. ``demo/questions.yaml``), or a sheet
(XLSX, CSV) with a 诉求内容 column and a 事项 column (a matter's name or code) or a 承办单位 column, or both. Bad rows
are errors naming file, sheet, row and column; a ticket naming a matter or a body the store does not hold is reported
(``unknown``), never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import yaml

from quanze.errors import BadValue, InputError, NotFound, Problem

if TYPE_CHECKING:
    from quanze.graph.store import Store

# header words of a ticket sheet's columns: its words, and the matter or the body that handled it (or both)
COLUMNS = {
    "text": ["诉求内容", "来电内容", "工单内容", "问题描述", "诉求描述", "来电诉求", "问题", "内容", "q", "text"],
    "matter": ["事项名称", "事项", "事项编码", "办理事项", "匹配事项", "matter"],
    "agency": ["承办单位", "办理单位", "处置单位", "责任单位", "承办部门", "agency", "lead"],
}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Ticket:
    text: str
    matter: str  # a matter's name or code, as the ticket gives it; "" when it names only the body that handled it
    source: str  # file, sheet and row: where a dispatcher can look it up
    agency: str = ""  # the body that handled it (承办单位), as the ticket gives it
    matter_ids: tuple[str, ...] = ()  # for a ticket without a matter: the matters that body handles (``who`` finds them)


def load_tickets(paths: Iterable[Path]) -> list[Ticket]:
    """Every ticket of every file, in order; any bad row is an InputError (nothing is half-read)."""
    tickets: list[Ticket] = []
    for path in paths:
        path = Path(path)
        tickets += _from_yaml(path) if path.suffix.lower() in YAML_SUFFIXES else _from_sheets(path)
    return tickets


def with_bodies_resolved(store: "Store", tickets: list[Ticket]) -> list[Ticket]:
    """The tickets, each that names only its handling body given the matters that body handles (it leads them, it
    undertakes them as delegated, or they were recalled to it); a body that does not resolve leaves the ticket
    pointing at nothing, and search reports it unknown. ``樟湾镇综合行政执法大队`` and ``樟湾镇/综合行政执法大队``
    name the township's own unit (``graph.lookup.find_agency``)."""
    wanted = {t.agency for t in tickets if t.agency and not t.matter}
    if not wanted:
        return list(tickets)
    handled = {name: _matters_of(store, name) for name in wanted}
    return [replace(t, matter_ids=handled[t.agency]) if t.agency in handled and not t.matter else t for t in tickets]


def _matters_of(store: "Store", name: str) -> tuple[str, ...]:
    """The matters the body called ``name`` handles; none when the name resolves to no body or to several."""
    from quanze.errors import LookupFailed
    from quanze.graph.lookup import find_agency

    try:
        agency = find_agency(store, name).id
    except LookupFailed:
        return ()
    ids = {r.target for t in ("LEADS", "UNDERTAKES") for r in store.rels(t, source=agency)}
    ids |= {r.source for r in store.rels("RECALLED_TO", target=agency)}
    return tuple(sorted(ids))


# the columns ``record_ticket`` writes: what ``load_tickets`` reads back. Files written before 登记人 (who confirmed)
# was recorded have the first four: they are still read, and given the fifth column when next appended to.
RECORD_HEADER = ("诉求内容", "事项", "承办单位", "登记时间", "登记人")
OLD_RECORD_HEADER = RECORD_HEADER[:4]


def record_ticket(store: "Store", path: Path, text: str, *, matter: str = "", agency: str = "",
                  when: str | None = None, by: str = "") -> Ticket:
    """Append a confirmed ticket — the words, and the matter (name or code) or the body that handled it, when, and
    who confirmed it (``by``) — to a CSV file that ``--tickets`` reads (UTF-8 with BOM, created with its header). The
    matter or the body must be one the store holds, so that the history only holds tickets search can use; a name
    that does not resolve is an error naming the closest matters. Cells that a spreadsheet would take for a formula
    are neutralised."""
    import csv
    import datetime as dt

    from quanze.api.audit.export import safe_cell
    from quanze.api.inputs import question
    from quanze.api.who import matter_index

    question(text)  # not empty, not a pasted document
    words = " ".join(str(text).split())
    matter, agency = matter.strip(), agency.strip()
    if not matter and not agency:
        raise BadValue("请给出事项（--matter）或承办单位（--agency）", "give the matter (--matter) or the handling body "
                       "(--agency)")
    index = matter_index(store) if matter else None
    if index is not None and not index.exact(matter):  # what search will match the ticket's matter by
        near = [store.node("Matter", h.matter_id)["name"] for h in index.search(matter, limit=3)]
        raise NotFound(f"库中没有事项「{matter}」（按编码或完整名称）" + (f"；最接近的：{'、'.join(near)}" if near else ""),
                       f"no matter {matter!r} in the store (by code or whole name)"
                       + (f"; closest: {', '.join(near)}" if near else ""), near)
    if agency and not matter and not _matters_of(store, agency):
        raise NotFound(f"找不到承办单位「{agency}」，或它没有负责的事项", f"no body {agency!r} that handles any matter")
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    if not new:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = tuple(next(csv.reader(f), []))
        if header[:len(OLD_RECORD_HEADER)] == OLD_RECORD_HEADER and header[:len(RECORD_HEADER)] != RECORD_HEADER:
            _add_recorder_column(path)
        elif header[:len(RECORD_HEADER)] != RECORD_HEADER:
            raise InputError(_problem(path, f"这个文件的表头不是 {'、'.join(RECORD_HEADER)}，不往里追加",
                                      f"the file's header is not {', '.join(RECORD_HEADER)}; nothing appended",
                                      row=1, value=list(header)))
    stamp = when or dt.datetime.now().replace(microsecond=0).isoformat()
    with path.open("a", encoding="utf-8-sig" if new else "utf-8", newline="") as f:
        out = csv.writer(f)
        if new:
            out.writerow(RECORD_HEADER)
        out.writerow([safe_cell(v) for v in (words, matter, agency, stamp, by.strip())])
    return Ticket(words, matter, str(path), agency=agency)


def _add_recorder_column(path: Path) -> None:
    """A file written before 登记人 was recorded: rewritten (whole, then moved into place) with the column added,
    empty for its earlier rows."""
    import csv
    import os
    import tempfile

    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    width = len(RECORD_HEADER)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(RECORD_HEADER + tuple(rows[0][width - 1:]))
            out.writerows(row[:width - 1] + [""] * (width - 1 - len(row)) + [""] + row[width - 1:] for row in rows[1:])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ticket_target(store: "Store", text: str, within: str | None = None) -> dict[str, str]:
    """What a person typed to say how a ticket was really handled (改派): a matter — by id, code or whole name — or
    else a body — by name, short name, or a township's unit with its township in front (``within``: the township the
    question was about settles a bare unit name). ``{"matter": code or name}`` or ``{"agency": label}``, as
    ``record_ticket`` takes them, with ``name`` to show."""
    from quanze.api import inputs
    from quanze.api.resolve import Resolver

    try:
        m = inputs.matter(store, text)
        return {"matter": m.get("code") or m["name"], "name": m["name"]}
    except NotFound:
        pass
    try:
        ref = inputs.agency(store, text, within)
    except NotFound as e:
        raise NotFound(f"「{str(text).strip()}」既不是库中的事项（编码或完整名称），也不是机构",
                       f"{str(text).strip()!r} is neither a matter of the store (code or whole name) nor a body",
                       e.candidates) from e
    label = Resolver(store).agency(ref.id)["label"]
    return {"agency": label, "name": label}


def _problem(path: Path, zh: str, en: str, **where: Any) -> Problem:
    return Problem("error", "bad-ticket", zh, en, file=path.name, expected="诉求内容 + 事项（名称或编码）或承办单位 / "
                   "the words and the matter (name or code) or the handling body", **where)


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
        get = item.get if isinstance(item, dict) else (lambda key: None)
        text, matter, agency = (_text(get(k)) for k in ("q", "matter", "agency"))
        agency = agency or _text(get("lead"))
        if not text or not (matter or agency):
            problems.append(_problem(path, f"第{i}项缺少 q（诉求内容），或 matter（事项）和 agency（承办单位）都没有",
                                     f"item {i} lacks q (the words), or both matter and agency", row=i, value=item))
            continue
        out.append(Ticket(text, matter, f"{path.name} 第{i}项", agency=agency))
    if problems:
        raise InputError(problems)
    return out


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int)) else ""


def _from_sheets(path: Path) -> list[Ticket]:
    from quanze.ingest.tabular import locate_table, read_sheets

    problems, out = [], []
    for sheet in read_sheets(path):
        if sheet.hidden:
            continue
        table = locate_table(sheet, COLUMNS, required=("text",))
        if "matter" not in table.column_map and "agency" not in table.column_map:
            problems.append(_problem(path, "找不到“事项”或“承办单位”列", "neither a 事项 (matter) nor a 承办单位 "
                                     "(handling body) column", sheet=sheet.name, row=table.header_row))
            continue
        # a row with one cell filled reads as a group heading in a list; among tickets it is a ticket without its
        # matter (or without its words), which must not vanish (footnotes and subtotals may)
        for skipped in table.skipped:
            if skipped.reason == "group-heading":
                problems.append(_problem(path, f"这一行只有一个单元格有内容：「{skipped.text}」，工单要有诉求内容和事项",
                                         f"this row has one cell only ({skipped.text!r}); a ticket needs its words and "
                                         f"its matter", sheet=skipped.sheet, row=skipped.number, value=skipped.text))
        about = [key for key in ("matter", "agency") if key in table.column_map]
        for row in table.rows:
            no_words, no_answer = not row.values.get("text"), not any(row.values.get(key) for key in about)
            if no_words or no_answer:
                for key in (["text"] if no_words else []) + (about if no_answer else []):
                    column = table.column_map[key]
                    problems.append(_problem(path, f"「{column.header}」为空", f"the {column.header} cell is empty",
                                             sheet=row.sheet, row=row.number, column=column.letter, value=row.raw))
                continue
            where = f"{path.name}" + (f"[{row.sheet}]" if row.sheet else "") + f" 第{row.number}行"
            out.append(Ticket(row.values["text"], row.values.get("matter") or "", where,
                              agency=row.values.get("agency") or ""))
    if problems:
        raise InputError(problems)
    return out


__all__ = ["COLUMNS", "RECORD_HEADER", "Ticket", "load_tickets", "record_ticket", "ticket_target",
           "with_bodies_resolved"]


def check_tickets(store: "Store", files: list[Path]) -> dict[str, Any]:
    """``quanze tickets check``: how many tickets the files hold, how many search can use, and which name a matter or
    a body the store does not hold."""
    from quanze.api.who import matter_index

    index = matter_index(store, (), files)
    return {"files": [str(f) for f in files], "read": index.tickets_read, "usable": len(index.tickets),
            "unknown": [{"text": t.text, "matter": t.matter, "agency": t.agency, "source": t.source}
                        for t in index.tickets_unknown]}
