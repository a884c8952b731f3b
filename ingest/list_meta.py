"""List metadata: kind, region, owner, title, version, document — from options, the sidecar, or the title and sheet.

Precedence (docs/formats.md): options given to the command > ``NAME.meta.yaml`` beside the file > the title row(s) above
the header and the sheet name. If the kind or the region cannot be determined, the list is rejected with a message that
says which option to give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quanze.errors import InputError, Problem
from quanze.graph.list_kinds import KINDS, kind_from_text
from quanze.graph.text import strip_invisible
from quanze.ingest.safe_yaml import BoundedLoader, YamlRefused, read_yaml_text

SIDECAR_KEYS = {"kind", "region", "owner", "title", "version", "year", "document", "effective", "batch", "period",
                "columns", "sheets", "supplement"}
META_FIELDS = ("kind", "region", "owner", "title", "version", "document", "effective", "batch", "period")

_VERSION = re.compile(r"[（(]\s*(\d{4})\s*年?\s*(?:度)?\s*(?:版|修订版|本)?\s*[)）]")
_YEAR = re.compile(r"(\d{4})\s*年")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*批")
# a supplement (补充/增补) adds rows to the current version of its list instead of replacing it: the word closing a
# bracket or followed by the list's own words (（2026年补充）, 补充清单, 增补事项), not inside an item's name
_SUPPLEMENT = re.compile(r"(补充|增补)\s*(?:[)）]|清单|事项|目录|版|$)")
_TITLE_END = re.compile(r"(履行职责事项|履职事项|权责清单|权力清单|赋予|属地管理|配合|收回|基本|办件|执法案件|事项|清单|目录)")


@dataclass
class ListMeta:
    """What a list is. Values are as written (names not yet resolved); ``origin`` says where each came from."""

    kind: str | None = None
    region: str | None = None
    owner: str | None = None
    title: str | None = None
    version: str | None = None
    document: str | None = None
    effective: Any = None
    batch: str | None = None
    period: str | None = None
    columns: dict[str, list[str]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    supplement: bool | None = None  # adds rows to the current version of its list (docs/formats.md §6)

    def fill(self, source: str, values: dict[str, Any]) -> None:
        """Take values not yet known from a source of lower precedence."""
        for key in META_FIELDS:
            value = values.get(key)
            if key == "version" and value is None and values.get("year") is not None:
                value = str(values["year"])
            if value not in (None, "") and getattr(self, key) in (None, ""):
                setattr(self, key, strip_invisible(str(value)).strip() if key != "effective" else value)
                self.origin[key] = source
        if values.get("supplement") is not None and self.supplement is None:
            self.supplement = values["supplement"] in (True, "true", "yes", "是", 1)
            self.origin["supplement"] = source
        if values.get("columns") and not self.columns:
            self.columns = {k: [str(w) for w in (v if isinstance(v, list) else [v])]
                            for k, v in values["columns"].items()}


def sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_name(path.stem + ".meta.yaml"), path.with_name(path.name + ".meta.yaml")):
        if candidate.exists():
            return candidate
    return None


def read_sidecar(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The sidecar's values (empty when there is none) and warnings for keys it does not know."""
    side = sidecar_path(path)
    if side is None:
        return {}, []
    if side.is_symlink():
        try:
            target: Path | None = side.resolve(strict=True)
        except (OSError, RuntimeError):
            target = None
        if target is None or not target.is_relative_to(path.parent.resolve()):
            raise InputError(Problem(
                "error", "symlink-refused", f"元数据文件是指向本文件夹之外的符号链接（{target or '不存在'}），为安全起见未读取",
                f"the sidecar is a symbolic link to {str(target) if target else 'nothing'} outside the list's folder; "
                "not read, for safety", file=side.name, value=str(target) if target else None,
                expected="与清单同一文件夹内的 NAME.meta.yaml / a NAME.meta.yaml in the list's folder"))
    try:
        data = yaml.load(read_yaml_text(side), Loader=BoundedLoader) or {}  # noqa: S506 - a safe loader
    except YamlRefused as e:
        raise InputError(e.problem(side.name)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(Problem("error", "bad-sidecar", f"元数据文件无法读取：{e}", f"cannot read the sidecar: {e}",
                                 file=side.name)) from e
    if not isinstance(data, dict):
        raise InputError(Problem("error", "bad-sidecar", "元数据文件应为映射（kind、region、owner…）",
                                 "a sidecar must be a mapping (kind, region, owner, …)", file=side.name))
    problems = [Problem("warning", "unknown-key", "元数据中未知的键，已忽略", "unknown sidecar key, ignored",
                        file=side.name, column=str(k), expected="、".join(sorted(SIDECAR_KEYS)))
                for k in data if k not in SIDECAR_KEYS]
    if data.get("kind") and data["kind"] not in KINDS:
        raise InputError(Problem("error", "bad-kind", "未知的清单类型", "unknown list kind", file=side.name,
                                 column="kind", value=data["kind"], expected=" | ".join(KINDS)))
    return data, problems


def from_title(title_lines: list[str], sheet: str | None) -> dict[str, Any]:
    """What the title row(s) and the sheet name say: kind, title, version, year, batch, and the name before the
    list's words (a region or an owner: ``青岚县住房和城乡建设局`` of ``青岚县住房和城乡建设局权责清单``)."""
    title = next((t for t in title_lines if _TITLE_END.search(t)), title_lines[0] if title_lines else None)
    out: dict[str, Any] = {"title": title}
    text = " ".join(title_lines)
    out["kind"] = kind_from_text(sheet or "") or kind_from_text(text)
    if m := _VERSION.search(text):
        out["version"] = m.group(0).strip("（）() ")
    elif m := _YEAR.search(text):
        out["version"] = m.group(1)
    if m := _BATCH.search(text):
        out["batch"] = f"第{m.group(1)}批"
    if title:
        head = _TITLE_END.split(title, maxsplit=1)[0]
        out["subject"] = re.sub(r"[（(].*?[)）]", "", head).strip(" ：:")
    return out


def supplement_title(title: str | None) -> bool:
    """Does a list's title (from any source) call it a supplement (补充/增补)?"""
    return bool(title and _SUPPLEMENT.search(title))


_VERSION_DATES = (
    re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年?\s*[-–—~～至到]\s*((?:19|20)\d{2})()()(?!\d)"),  # 2021-2023: its last year
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),  # 20231201
    # 2019, 2025年版, 2024年, 2023-12, 2023.12.1, 2023年12月1日
    re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[-/.年]\s*(\d{1,2})(?!\d)(?:\s*[-/.月]\s*(\d{1,2})(?!\d))?)?"),
)


def version_date(version: Any) -> tuple[int, ...] | None:
    """The year, year and month, or date a list's version names (``2019``, ``2025年版``, ``2024年``, ``2023-12``,
    ``2023年12月1日``, ``20231201``; a span ``2021-2023`` names its last year), as a tuple to compare; None when it
    names none (``第二版``, ``v2``)."""
    text = str(version) if version is not None else ""
    for form in _VERSION_DATES:
        m = form.search(text)
        if m:
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) else 0
            day = int(m.group(3)) if m.group(3) else 0
            if not 1 <= month <= 12:
                return (year,)
            return (year, month, day) if 1 <= day <= 31 else (year, month)
    return None


def compare_versions(a: Any, b: Any) -> int | None:
    """-1 when version ``a`` is older than ``b``, 1 when newer, 0 when the same at the precision both give (``2024年版``
    and ``2024-06`` are both 2024); None when either names no year (then the list loaded last is the current one)."""
    da, db = version_date(a), version_date(b)
    if da is None or db is None:
        return None
    n = min(len(da), len(db))
    return (da[:n] > db[:n]) - (da[:n] < db[:n])


def kind_from_columns(found: set[str]) -> str | None:
    """The kind whose signature columns are all present (most specific first)."""
    for kind in ("delegation", "activity", "recall", "cooperation", "power"):
        signature = KINDS[kind].signature
        if signature and set(signature) <= found:
            return kind
    return None
