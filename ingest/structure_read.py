"""Reading agency structures (机构编制) from YAML files and from 机构编制表 tables (XLSX/CSV).

Both forms become the same declarations (``StructureFile`` with ``AgencyDecl``s); ``structure_build`` then resolves
names and turns them into graph nodes and relations. Nothing here touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quanze.errors import InputError, Problem
from quanze.graph.schema import STAFFING_KEYS
from quanze.ingest.safe_yaml import BoundedLoader, YamlRefused, read_yaml_text


# 机构编制表 columns: canonical key → header words seen in real tables
TABLE_COLUMNS: dict[str, list[str]] = {
    "seq": ["序号", "编号"],
    "name": ["单位名称", "机构名称"],
    "short": ["简称", "单位简称"],
    "plaques": ["挂牌名称", "挂牌", "加挂牌子", "加挂名称"],
    "kind": ["机构类别", "机构类型", "单位类别", "机构性质"],
    "parent": ["上级单位", "主管部门", "上级部门", "所属部门"],
    "township": ["所在乡镇", "所在乡镇(街道)", "派驻乡镇", "乡镇"],
    "admin_quota": ["行政编制", "行政编制数"],
    "admin_actual": ["行政实有", "行政实有人数"],
    "inst_quota": ["事业编制", "事业编制数"],
    "inst_actual": ["事业实有", "事业实有人数"],
    "law_quota": ["政法专项编制", "政法编制"],
    "law_actual": ["政法专项实有", "政法实有"],
    "certified_enforcers": ["执法资格人数", "持执法证人数", "执法证人数"],
    "management": ["管理方式", "管理体制"],
    "remarks": ["备注"],
}
TABLE_REQUIRED = ("name",)


@dataclass(frozen=True)
class Where:
    file: str
    sheet: str | None = None
    row: int | None = None


@dataclass
class AgencyDecl:
    """One agency as a structure file declares it, before any name is resolved."""

    name: str  # as written, may carry plaques in brackets
    where: Where
    kind_zh: str | None = None  # 机构类别 as written
    section: str = ""  # YAML section it came from: departments, units, dispatched, township_units; "" for tables
    short: list[str] = field(default_factory=list)
    plaques: list[str] = field(default_factory=list)
    parent: str | None = None
    township: str | None = None
    # raw staffing values with the column they came from, validated by the builder: key → (value, column)
    staffing: dict[str, tuple[Any, str]] = field(default_factory=dict)
    management: str | None = None
    co_located: list[str] = field(default_factory=list)
    remarks: str | None = None


@dataclass
class TownshipDecl:
    code: str | None
    name: str
    where: Where
    kind: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class StructureFile:
    path: Path
    file_hash: str
    county_code: str | None = None
    county_name: str | None = None
    county_where: Where | None = None
    townships: list[TownshipDecl] = field(default_factory=list)
    agencies: list[AgencyDecl] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


def problem(level: str, code: str, zh: str, en: str, where: Where, column: str | None = None, value: Any = None,
            expected: str | None = None, suggestions: tuple[str, ...] = ()) -> Problem:
    return Problem(level, code, zh, en, file=where.file, sheet=where.sheet, row=where.row, column=column,
                   value=value, expected=expected, suggestions=tuple(suggestions))


# --- YAML ------------------------------------------------------------------------------------------------------

class _LineLoader(BoundedLoader):
    """A safe loader that remembers the line of every mapping, so problems can name the row; no aliases, bounded
    nesting, strings without invisible characters (``safe_yaml``)."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)

_YAML_TOP = {"county", "townships", "departments", "township_units", "coordination_bodies"}
_YAML_AGENCY = {"name", "short", "plaques", "kind", "staffing", "units", "dispatched", "co_located", "management",
                "stationed_in", "parent", "remarks", "__line__"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if str(value).strip() else []


def read_yaml(path: Path, file_hash: str) -> StructureFile:
    out = StructureFile(path, file_hash)
    name = path.name
    try:
        data = yaml.load(read_yaml_text(path), Loader=_LineLoader)  # noqa: S506 - safe loader
    except YamlRefused as e:
        raise InputError(e.problem(name)) from None
    except UnicodeDecodeError as e:
        raise InputError(Problem("error", "bad-encoding", f"YAML 文件不是 UTF-8 编码：{e}",
                                 f"YAML file is not UTF-8: {e}", file=name)) from e
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        raise InputError(Problem("error", "bad-yaml", f"YAML 语法错误：{e}", f"YAML syntax error: {e}", file=name,
                                 row=None if line is None else line + 1)) from e
    if not isinstance(data, dict):
        raise InputError(Problem("error", "bad-yaml", "机构编制 YAML 顶层应为映射（county、townships、departments…）",
                                 "a structure YAML file must be a mapping (county, townships, departments, …)",
                                 file=name))
    top = Where(name, None, data.get("__line__"))
    for key in sorted(set(data) - _YAML_TOP - {"__line__"}):
        out.problems.append(problem("warning", "unknown-key", "未知的键，已忽略", "unknown key, ignored", top, key,
                                    expected="、".join(sorted(_YAML_TOP))))
    county = data.get("county")
    if isinstance(county, dict):
        out.county_code = str(county["code"]).strip() if county.get("code") is not None else None
        out.county_name = str(county.get("name") or "").strip() or None
        out.county_where = Where(name, None, county.get("__line__"))
    elif county is not None:
        out.county_name = str(county).strip()
        out.county_where = top
    for t in data.get("townships") or []:
        where = Where(name, None, t.get("__line__") if isinstance(t, dict) else None)
        if not isinstance(t, dict) or not t.get("name"):
            out.problems.append(problem("error", "missing-value", "乡镇声明缺少名称", "township without a name",
                                        where, "townships", t, "{code, name, kind, tags}"))
            continue
        out.townships.append(TownshipDecl(str(t["code"]).strip() if t.get("code") is not None else None,
                                          str(t["name"]).strip(), where, t.get("kind"), _as_list(t.get("tags"))))
    for section in ("departments", "coordination_bodies", "vertical_bodies", "mass_organisations"):
        for d in data.get(section) or []:
            _yaml_agency(out, d, section, None, None)
    units = data.get("township_units") or {}
    if not isinstance(units, dict):
        out.problems.append(problem("error", "bad-yaml", "township_units 应为“乡镇 → 单位列表”的映射",
                                    "township_units must map a township to its list of units", top, "township_units"))
        units = {}
    for township, items in units.items():
        if township == "__line__":
            continue
        for d in items or []:
            _yaml_agency(out, d, "township_units", None, str(township))
    out.rows = len(out.townships) + len(out.agencies)
    return out


def _yaml_agency(out: StructureFile, d: Any, section: str, parent: str | None, township: str | None) -> None:
    name = out.path.name
    where = Where(name, None, d.get("__line__") if isinstance(d, dict) else None)
    if not isinstance(d, dict) or not str(d.get("name") or "").strip():
        out.problems.append(problem("error", "missing-value", f"{section} 中的机构缺少名称 name",
                                    f"an agency in {section} has no name", where, section, d if not isinstance(d, dict)
                                    else None, "name: 机构全称"))
        return
    for key in sorted(set(d) - _YAML_AGENCY):
        out.problems.append(problem("warning", "unknown-key", "未知的键，已忽略", "unknown key, ignored", where, key,
                                    expected="、".join(sorted(_YAML_AGENCY - {"__line__"}))))
    staffing = d.get("staffing") or {}
    if not isinstance(staffing, dict):
        out.problems.append(problem("error", "bad-number", "staffing 应为映射", "staffing must be a mapping", where,
                                    "staffing", staffing, ", ".join(STAFFING_KEYS)))
        staffing = {}
    for key in sorted(set(staffing) - set(STAFFING_KEYS) - {"__line__"}):
        out.problems.append(problem("warning", "unknown-key", "未知的编制项，已忽略", "unknown staffing key, ignored",
                                    where, f"staffing.{key}", expected=", ".join(STAFFING_KEYS)))
    decl = AgencyDecl(
        name=str(d["name"]).strip(), where=where, kind_zh=d.get("kind"), section=section,
        short=_as_list(d.get("short")), plaques=_as_list(d.get("plaques")),
        parent=parent or (str(d["parent"]).strip() if d.get("parent") else None),
        township=township or (str(d["stationed_in"]).strip() if d.get("stationed_in") else None),
        staffing={k: (v, f"staffing.{k}") for k, v in staffing.items() if k in STAFFING_KEYS},
        management=d.get("management"),
        co_located=_as_list(d.get("co_located")), remarks=d.get("remarks"),
    )
    out.agencies.append(decl)
    full = decl.name
    for unit in d.get("units") or []:
        _yaml_agency(out, unit, "units", full, None)
    for unit in d.get("dispatched") or []:
        _yaml_agency(out, unit, "dispatched", full, None)


# --- tables ----------------------------------------------------------------------------------------------------

_STRUCTURE_ONLY = {"kind", "admin_quota", "admin_actual", "inst_quota", "inst_actual", "law_quota", "law_actual",
                   "certified_enforcers", "parent", "plaques", "management"}


def is_structure_table(header_keys: set[str]) -> bool:
    """A table is a 机构编制表 when it has a unit name and a staffing or category column — or, with its name column
    missing, at least two columns only such tables have (so the missing column is reported as such)."""
    specific = header_keys & _STRUCTURE_ONLY
    return bool(specific) if "name" in header_keys else len(specific) >= 2


def read_table(path: Path, file_hash: str, sheets: list | None = None) -> StructureFile:
    from quanze.ingest.tabular import locate_table, read_sheets

    out = StructureFile(path, file_hash)
    for sheet in sheets if sheets is not None else read_sheets(path):
        table = locate_table(sheet, TABLE_COLUMNS, required=TABLE_REQUIRED)
        out.title_lines += table.title_lines
        for col, header in table.unknown_columns:
            out.problems.append(problem("warning", "unknown-column", "未知的列，已忽略", "unknown column, ignored",
                                        Where(path.name, table.sheet, table.header_row), str(header),
                                        expected="、".join(w[0] for w in TABLE_COLUMNS.values())))
        for skipped in table.skipped:
            if skipped.reason not in ("footnote", "group-heading", "repeated-header"):
                out.problems.append(problem("warning", "skipped-row", f"跳过的行（{skipped.reason}）",
                                            f"row skipped ({skipped.reason})",
                                            Where(path.name, table.sheet, skipped.number), value=skipped.text))
        for row in table.rows:
            v = row.values
            where = Where(path.name, table.sheet, row.number)
            if not v.get("name"):
                if any(v.get(k) for k in v if k != "seq"):
                    out.problems.append(problem("error", "missing-value", "单位名称为空", "unit name is empty", where,
                                                table.column_map["name"][1] if "name" in table.column_map else "单位名称",
                                                expected="机构全称 / the unit's full name"))
                continue
            out.rows += 1
            out.agencies.append(AgencyDecl(
                name=v["name"], where=where, kind_zh=v.get("kind"), short=_split(v.get("short")),
                plaques=_split(v.get("plaques")), parent=v.get("parent") or None, township=v.get("township") or None,
                staffing={k: (v.get(k), _header(table, k)) for k in STAFFING_KEYS if v.get(k) not in (None, "")},
                management=v.get("management"), remarks=v.get("remarks")))
    return out


def _split(text: str | None) -> list[str]:
    from quanze.graph.text import split_names

    return split_names(text)


def _header(table: Any, key: str) -> str:
    entry = table.column_map.get(key)
    return entry[1] if entry else key
