"""``quanze ingest``: files and folders in, one all-or-nothing write per ingest, a report out.

Order: every path is expanded (folders recursively), each file is read and classified, files already loaded with the
same content are skipped (loading the same file twice changes nothing), structures are resolved together (so files may
arrive in any order), and what passed is written in one transaction. A file with any error loads nothing.
"""

from __future__ import annotations

import copy
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from quanze.errors import InputError, Problem
from quanze.graph.store import Batch, Store
from quanze.ingest.list_build import ListBuilder
from quanze.graph.list_kinds import KIND_WORDS_ZH
from quanze.ingest.list_read import ParsedList, read_lists
from quanze.ingest.structure_build import build_structures
from quanze.ingest.structure_read import TABLE_COLUMNS, StructureFile, is_structure_table, read_table, read_yaml
from quanze.ingest.tabular import locate_table, read_sheets

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".xls"}
YAML_SUFFIXES = {".yaml", ".yml"}


@dataclass
class FileReport:
    """One file's outcome. ``status``: loaded | partial (loaded, some rows rejected under --partial) | unchanged (the
    same file is loaded already) | rejected (nothing of it loaded) | validated (a dry run: it would load whole) |
    would-load-partially (a dry run: it would load with rows rejected). ``changes``: one change report per list of
    the file that would change the store (the shape is ``IngestReport``'s docstring's)."""

    file: str
    kind: str = "unknown"
    status: str = "rejected"
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    lists: list[dict] = field(default_factory=list)  # one entry per list (sheet) the file held
    changes: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """Things the ingest did on purpose and says so (a subtotal row skipped): neither errors nor warnings."""
        return [p for p in self.problems if p.level == "info"]

    def to_dict(self) -> dict:
        return {"file": self.file, "kind": self.kind, "status": self.status, "rows": self.rows,
                "errors": len(self.errors), "warnings": len(self.warnings), "notes": len(self.notes), "lists": self.lists,
                "changes": self.changes, "problems": [p.to_dict() for p in self.problems]}


LOADING = ("loaded", "partial", "unchanged", "validated", "would-load-partially")  # statuses of a file that (would) load


@dataclass
class IngestReport:
    """What an ingest did (or, with ``dry_run``, would do) — the report ``quanze ingest`` prints and an upload page
    shows before anything is written. ``to_dict()``::

        {"ok", "dry_run", "written": {label or type: n}, "store": {…counts}, "problems": {"level:code": n},
         "files": [{"file", "kind", "status", "rows", "errors", "warnings", "notes", "problems": [Problem…],
                    "lists": [{"sheet", "kind", "list", "rows", "rejected_rows", "status", "change": counts}],
                    "changes": [CHANGE…]}]}

    CHANGE — what loading one list changes (``ingest/changes.py``; docs/formats.md §6)::

        {"list": new version's id, "title", "version", "kind", "sheet", "region": {"code", "name"},
         "mode": "first" | "replace" | "supplement",
         "replaces": [{"id", "title", "version", "file", "rows", "effective", "supplements"}],  # versions it replaces
         "supplements": that summary of the version a supplement adds to, or None,
         "assertions": {"added", "removed", "changed"},      # relations counted one by one (a county row: per township)
         "counts": {"added", "removed", "changed", "orphans"},  # items below; orphans: (matter, region) pairs
         "added" | "removed" | "changed": [{"type", "relation_zh", "matter": {"id", "name"}, "agency": {"id", "name"},
                                            "regions": [code…], "before": [ROW…], "after": [ROW…],
                                            "fields": {name: [before, after]}}],   # fields: for a change only
         "orphans": [{"matter": {"id", "name"}, "regions": [{"code", "name"}], "before": [ROW…]}]}
        ROW = {"list", "file", "sheet", "row"}

    A change that removes assertions of a current version is refused without ``replace`` (error ``would-remove`` on
    the file, which then loads nothing); its CHANGE is still reported, so the refusal shows what it would have done.
    """
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False
    written: dict[str, int] = field(default_factory=dict)  # what the load wrote, by label / relation type
    store_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.files) and all(f.status in LOADING for f in self.files)

    def problems_by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            for p in f.problems:
                out[f"{p.level}:{p.code}"] = out.get(f"{p.level}:{p.code}", 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict:
        return {"ok": self.ok, "dry_run": self.dry_run, "files": [f.to_dict() for f in self.files],
                "written": self.written, "store": self.store_counts, "problems": self.problems_by_code()}


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Files under the given paths, in a stable order; sidecars (NAME.meta.yaml) and docs are not inputs.

    A symbolic link met inside a folder is never followed out of it: a link to a file or folder outside (or to
    nothing) is refused, unread, with an error naming the link and its target. A link to a file inside the same folder
    is read (once: a file reached both directly and through a link is one input). A path given by name is read as
    given, link or not: the user chose it."""
    files: list[Path] = []
    missing: list[FileReport] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            for p in sorted(path.rglob("*")):  # rglob does not descend into linked folders; it does list links
                if p.name.startswith((".", "~$")) or not (p.is_symlink() or p.is_file()):
                    continue
                if p.is_symlink():
                    refused = _link_outside(p, root)
                    if refused is not None:
                        missing.append(refused)
                        continue
                if p.is_file() and _is_input(p):
                    files.append(p)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(FileReport(str(path), problems=[Problem(
                "error", "missing-file", "文件或文件夹不存在", "no such file or folder", file=str(path))]))
    once: dict[Path, Path] = {}
    for f in files:  # a file and a link to it inside the same folder: one input, read under the file's own name
        key = f.resolve()
        if key not in once or (once[key].is_symlink() and not f.is_symlink()):
            once[key] = f
    return list(once.values()), missing


def _link_outside(link: Path, root: Path) -> FileReport | None:
    """A report refusing a link met inside the folder ``root`` whose target is outside it or missing; None for a link
    whose target is inside (a file is read once, a folder is walked under its own path) and for a link that is no
    input by its name, pointing at a file (skipped as that file would be). The target is resolved, never opened."""
    try:
        target: Path | None = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, a loop
        target = None
    if target is not None and target.is_relative_to(root):
        return None
    if not _is_input(link) and (target is None or not target.is_dir()):
        return None
    try:
        shown = str(target) if target is not None else os.readlink(link)
    except OSError:
        shown = "?"
    if target is None:
        zh, en = f"指向不存在的「{shown}」，未读取", f"it points to {shown!r}, which does not exist; not read"
    else:
        zh, en = (f"指向文件夹之外的「{shown}」，为安全起见不跟随、不读取；如需导入，请直接给出该路径",
                  f"it points outside the folder, to {shown!r}: not followed and not read, for safety; to ingest it, "
                  "give its path directly")
    return FileReport(str(link), kind="link", problems=[Problem(
        "error", "symlink-refused", "符号链接" + zh, "a symbolic link: " + en, file=str(link), value=shown,
        expected="文件夹内的文件 / a file inside the folder")])


def _is_input(p: Path) -> bool:
    if p.name.endswith(".meta.yaml"):
        return False
    return p.suffix.lower() in SPREADSHEET_SUFFIXES | YAML_SUFFIXES


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest_paths(paths: Iterable[str | Path], store: Store, *, dry_run: bool = False, region: str | None = None,
                 kind: str | None = None, owner: str | None = None, version: str | None = None,
                 strict: bool = False, partial: bool = False, replace: bool = False, supplement: bool = False,
                 progress: Callable[[str], None] | None = None) -> IngestReport:
    """Load files and folders: structures first, then lists, all in one write. ``region``/``kind``/``owner``/
    ``version`` override what the files say; ``strict`` makes dangling references errors; ``partial`` loads the
    good rows of a list and records the rejected ones (each with its reason); ``replace`` lets a load remove what a
    current version asserts (without it such a list is refused, with its change report); ``supplement`` marks every
    list as a supplement, which adds its rows to the current version of its list."""
    files, missing = expand_paths(paths)
    report = IngestReport(files=list(missing), dry_run=dry_run)
    say = progress or (lambda _msg: None)
    loaded = {(p.get("file"), p.get("file_hash")) for status in ("current", "history")
              for p in store.nodes("SourceList", status=status)}
    options = {"kind": kind, "region": region, "owner": owner, "version": version,
               "supplement": True if supplement else None}
    structures: list[tuple[StructureFile, FileReport]] = []
    lists: list[tuple[ParsedList, FileReport]] = []
    for i, path in enumerate(files, 1):
        say(f"[{i}/{len(files)}] 读取 reading {path.name}")
        fr = FileReport(str(path), status="pending")
        report.files.append(fr)
        try:
            digest = file_hash(path)
            if (path.name, digest) in loaded:
                fr.status = "unchanged"
                continue
            parsed, found = _read(path, digest, fr, options)
        except InputError as e:
            fr.problems += e.problems
            fr.status = "rejected"
            continue
        except (MemoryError, RecursionError) as e:  # the caps (limits.py) should make this unreachable
            fr.problems.append(Problem("error", "file-too-complex", f"文件过大或嵌套过深，无法读取（{type(e).__name__}）",
                                       f"the file is too large or nests too deep to be read ({type(e).__name__})",
                                       file=path.name))
            fr.status = "rejected"
            continue
        if parsed is not None:
            structures.append((parsed, fr))
        lists += [(pl, fr) for pl in found]
    say(f"解析名称 resolving names in {len(structures) + len(lists)} list(s)")
    result, rejected = build_structures([s for s, _ in structures], store, region_hint=region)
    for parsed, fr in structures:
        fr.rows = parsed.rows
        fr.problems += parsed.problems + result.problems.get(id(parsed), [])
        fr.status = "rejected" if parsed in rejected else ("validated" if dry_run else "loaded")
    batch = result.batch
    if lists:
        structures_only = copy.deepcopy(batch)
        owners = {id(pl): fr for pl, fr in lists}

        def build(into: Batch, which: list[ParsedList]) -> list:
            return ListBuilder(store, into, strict=strict, partial=partial, replace=replace).build(which, into)

        outcomes = build(batch, [pl for pl, _ in lists])
        spoilt = {id(owners[id(o.parsed)]) for o in outcomes if o.rejected}
        if any(not o.rejected and id(owners[id(o.parsed)]) in spoilt for o in outcomes):
            # a file with a rejected list loads nothing: the other lists are built again without that file's
            batch = structures_only
            again = {id(o.parsed): o for o in build(batch, [pl for pl, fr in lists if id(fr) not in spoilt])}
            for o in outcomes:
                if id(owners[id(o.parsed)]) in spoilt and not o.rejected:
                    o.rejected = True
                    o.problems.append(Problem(
                        "warning", "file-rejected", "同一文件中另有清单被拒绝：整个文件不导入，此清单也未导入",
                        "another list of the same file was rejected: the whole file loads nothing, this list included",
                        file=o.parsed.path.name, sheet=o.parsed.sheet))
            outcomes = [again.get(id(o.parsed), o) for o in outcomes]
        for out in outcomes:
            fr = owners[id(out.parsed)]
            fr.rows += out.rows
            fr.problems += out.problems
            fr.lists.append({"sheet": out.parsed.sheet, "kind": out.parsed.meta.kind, "list": out.list_id,
                             "rows": out.rows, "rejected_rows": len(out.rejected_rows),
                             "status": "rejected" if out.rejected else "history" if out.history else "ok",
                             "change": out.change["counts"] if out.change else None})
            if out.change is not None:
                fr.changes.append(out.change)
            if out.rejected:
                fr.status = "rejected"
            elif fr.status != "rejected":
                some_rejected = bool(out.rejected_rows) or fr.status in ("partial", "would-load-partially")
                fr.status = ("would-load-partially" if some_rejected else "validated") if dry_run else \
                    ("partial" if some_rejected else "loaded")
    for fr in report.files:
        if fr.status == "pending":  # read without error, yet nothing in it was a structure or a list
            fr.status = "rejected"
            fr.problems.append(Problem("error", "no-list", "文件中没有可识别的机构编制表或清单",
                                       "the file holds no agency structure or list that can be recognised",
                                       file=Path(fr.file).name, expected="、".join(KIND_WORDS_ZH.values())))
    if not dry_run and not batch.is_empty():
        say("写入 writing")
        store.apply(batch)
    report.written = batch.count()
    report.store_counts = store.counts()
    return report


def _read(path: Path, digest: str, fr: FileReport, options: dict) -> tuple[StructureFile | None, list[ParsedList]]:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        fr.kind = "structure"
        return read_yaml(path, digest), []
    if suffix in SPREADSHEET_SUFFIXES:
        sheets = read_sheets(path)
        structure_sheets = []
        for sheet in sheets:
            try:
                table = locate_table(sheet, TABLE_COLUMNS)
            except InputError:
                continue
            if is_structure_table(set(table.column_map)) and not options.get("kind"):
                structure_sheets.append(sheet)
        if structure_sheets:
            fr.kind = "structure"
            return read_table(path, digest, structure_sheets), []
        found, problems = read_lists(path, digest, sheets, options)
        fr.problems += problems
        fr.kind = "+".join(sorted({pl.meta.kind or "?" for pl in found})) or "list"
        return None, found
    raise InputError(Problem("error", "not-a-spreadsheet", "不支持的文件类型", "unsupported file type",
                             file=path.name, value=path.suffix, expected=".xlsx .xlsm .csv .yaml .yml"))


def terminal_progress() -> Callable[[str], None] | None:
    """Progress lines on stderr when it is a terminal; silent in pipes and CI logs."""
    if not sys.stderr.isatty():
        return None
    return lambda msg: print(msg, file=sys.stderr, flush=True)
