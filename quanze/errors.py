"""Errors and problems, in Chinese and English.

Exception hierarchy (one root, so callers can catch everything quanze raises)::

    QuanzeError
    ├── InputError        bad input files: carries a list of Problem (file, sheet, row, column, value, expectation)
    ├── LookupFailed      a name or code that does not resolve, or resolves to several candidates
    │   ├── NotFound      nothing matches; carries the nearest names as suggestions
    │   └── Ambiguous     several things match; carries the candidates
    └── StoreError        the store cannot be opened, reached or written
"""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or doubtful (warning) in the input, located as precisely as we can.

    ``message_zh`` / ``message_en`` say what is wrong in words a county official understands; ``expected`` says what
    would have been right; ``suggestions`` holds the nearest known names where a name did not resolve.
    """

    level: str  # "error" | "warning" | "info" (something done on purpose and said, e.g. a subtotal row skipped)
    code: str  # short machine id, e.g. "missing-column", "unknown-agency"
    message_zh: str
    message_en: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None
    suggestions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def location_zh(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件「{self.file}」")
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)

    def location_en(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def format(self) -> str:
        """Two lines, Chinese then English, with location, value, expectation and suggestions."""
        tag_zh = {"error": "错误", "warning": "警告"}.get(self.level, "说明")
        zh = f"[{tag_zh}] {self.location_zh()}：{self.message_zh}" if self.location_zh() else f"[{tag_zh}] {self.message_zh}"
        en = f"[{self.level}] {self.location_en()}: {self.message_en}" if self.location_en() else f"[{self.level}] {self.message_en}"
        if self.value is not None and self.value != "":
            zh += f"；值「{self.value}」"
            en += f"; value {self.value!r}"
        if self.expected:
            zh += f"；应为：{self.expected}"
            en += f"; expected: {self.expected}"
        if self.suggestions:
            zh += "；最接近的名称：" + "、".join(self.suggestions)
            en += "; nearest names: " + ", ".join(self.suggestions)
        return zh + "\n" + en

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["suggestions"] = list(self.suggestions)
        return d


class QuanzeError(Exception):
    """Root of every error quanze raises on purpose. ``str()`` is Chinese then English."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh}\n{message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message_zh": self.message_zh, "message_en": self.message_en}


class InputError(QuanzeError):
    """Input that cannot be loaded. ``problems`` lists every problem found, errors and warnings."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error] or self.problems
        first = errors[0] if errors else None
        zh = f"输入有 {len(errors)} 处错误" + (f"，第一处：{first.format().splitlines()[0]}" if first else "")
        en = f"input has {len(errors)} error(s)" + (f"; first: {first.format().splitlines()[1]}" if first else "")
        super().__init__(zh, en)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["problems"] = [p.to_dict() for p in self.problems]
        return d


class LookupFailed(QuanzeError):
    """A name or code that does not resolve to exactly one thing."""

    def __init__(self, message_zh: str, message_en: str, candidates: list[str] | tuple[str, ...] = ()):
        self.candidates = tuple(candidates)
        super().__init__(message_zh, message_en)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["candidates"] = list(self.candidates)
        return d


class NotFound(LookupFailed):
    """Nothing matches; ``candidates`` are the nearest known names (may be empty)."""


class Ambiguous(LookupFailed):
    """Several things match; ``candidates`` lists them (with codes where they have one)."""


class StoreError(QuanzeError):
    """The store cannot be opened, reached or written; names the store URL."""
