"""Every error quanze raises on purpose, in one tree, each in Chinese and English.

Front ends map them by type, never by name: the CLI to an exit status (``exit_status``), the HTTP API to a status
code (``http_status``) and a machine id (``code``)::

    QuanzeError                     exit 2   HTTP 400
    ├── InputError                  exit 1   HTTP 400   bad input files: a list of Problem (file, sheet, row, column…)
    ├── BadValue                    exit 2   HTTP 400   a value a command or request does not accept (candidates: the
    │   ├── BadDate                                     valid values): an unknown rule, severity, relation kind,
    │   └── BadQuery                                    threshold, a limit out of range, a date, an empty question
    ├── LookupFailed                                    a name or code that does not resolve to exactly one thing
    │   ├── NotFound                exit 2   HTTP 404   nothing matches; candidates: the nearest names
    │   │   └── NoPath              exit 1   HTTP 404   two things the graph does not connect within the hop limit
    │   └── Ambiguous               exit 2   HTTP 409   several things match; candidates: them
    ├── AccessDenied                exit 2   HTTP 403   the web application: this person may not do this (role too low)
    │   ├── SignInNeeded            exit 2   HTTP 401   reading is closed, or a write needs an account: sign in or a token
    │   ├── LoginFailed             exit 2   HTTP 401   a wrong name or password (never says which)
    │   ├── CsrfRejected            exit 2   HTTP 403   a form sent without its page's token (cross-site request forgery)
    │   └── TooManyAttempts         exit 2   HTTP 429   login failures slowed down: try again after ``retry_after`` s
    ├── TimedOut                    exit 2   HTTP 503   a request ran past its time budget and was cut off
    ├── ModelError                  exit 2   HTTP 503   the semantic model cannot be fetched, checked or run
    └── StoreError                  exit 2   HTTP 503   the store cannot be opened, reached or written
        └── NoStore                 exit 2   HTTP 503   a read on a store that does not exist (nothing was loaded)

``Problem`` is one located thing wrong (or doubtful) in an input file; ``InputError`` carries them.
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

    code = "error"  # machine id in JSON errors
    http_status = 400
    exit_status = 2

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh}\n{message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


class InputError(QuanzeError):
    """Input that cannot be loaded. ``problems`` lists every problem found, errors and warnings."""

    code = "input-error"
    exit_status = 1

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


class _WithCandidates(QuanzeError):
    """An error that lists what would have been right: valid values, nearest names, or the things that match."""

    def __init__(self, message_zh: str, message_en: str, candidates: list[str] | tuple[str, ...] = ()):
        self.candidates = tuple(candidates)
        super().__init__(message_zh, message_en)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["candidates"] = list(self.candidates)
        return d


class BadValue(_WithCandidates):
    """A value a command option or request parameter does not accept; ``candidates`` lists the valid values where
    there is a list of them, ``field`` names the parameter (``limit``, ``as_of`` …) and ``value`` is what was given.
    Not a lookup: "no such rule" is a bad value, "no such agency" is ``NotFound``."""

    code = "bad-parameter"

    def __init__(self, message_zh: str, message_en: str, candidates: list[str] | tuple[str, ...] = (), *,
                 field: str | None = None, value: Any = None):
        self.field, self.value = field, value
        super().__init__(message_zh, message_en, candidates)

    def problems(self) -> list[Problem]:
        """The error as a located problem: the parameter is its column."""
        return [Problem("error", self.code, self.message_zh, self.message_en, column=self.field,
                        value=None if self.value is None else str(self.value))] if self.field else []

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if self.field:
            d["field"], d["value"] = self.field, None if self.value is None else str(self.value)
        return d


class BadDate(BadValue):
    """A date that does not read as one (``docs/formats.md`` §4 lists the forms accepted)."""

    code = "bad-date"


class BadQuery(BadValue):
    """A question that cannot be searched: empty, or too long."""

    code = "bad-query"


class LookupFailed(_WithCandidates):
    """A name or code that does not resolve to exactly one thing."""

    code = "lookup-failed"


class NotFound(LookupFailed):
    """Nothing matches; ``candidates`` are the nearest known names (may be empty)."""

    code = "not-found"
    http_status = 404


class NoPath(NotFound):
    """The two things are not connected within the hop limit (with the relation kinds allowed)."""

    code = "no-path"
    exit_status = 1


class Ambiguous(LookupFailed):
    """Several things match; ``candidates`` lists them (with codes where they have one)."""

    code = "ambiguous"
    http_status = 409


class AccessDenied(QuanzeError):
    """The web application (``api/web``): the person (or token) may not do this — a reader confirming a ticket, an
    editor managing accounts. ``needed`` names the role that may."""

    code = "forbidden"
    http_status = 403

    def __init__(self, message_zh: str, message_en: str, needed: str | None = None):
        self.needed = needed
        super().__init__(message_zh, message_en)


class SignInNeeded(AccessDenied):
    """Nobody is signed in where an account is needed: reading is closed (``quanze serve --no-public-read``), or a
    write was sent without a session or a token."""

    code = "sign-in-needed"
    http_status = 401


class LoginFailed(AccessDenied):
    """A sign-in with a wrong name or password; the message never says which of the two was wrong."""

    code = "login-failed"
    http_status = 401


class CsrfRejected(AccessDenied):
    """A form sent without the token of the page it came from (or with another session's): refused, since it may
    have been sent by another site in the person's name."""

    code = "csrf-rejected"


class TooManyAttempts(AccessDenied):
    """Sign-in failures are slowed down per account and per client address: the next try is allowed after
    ``retry_after`` seconds."""

    code = "too-many-attempts"
    http_status = 429

    def __init__(self, message_zh: str, message_en: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message_zh, message_en)
class TimedOut(QuanzeError):
    """A request ran longer than its time budget (``quanze/deadline.py``) and was stopped: the server stays free for
    the others."""

    code = "timed-out"
    http_status = 503


class ModelError(QuanzeError):
    """The semantic model cannot be fetched, checked or loaded."""

    code = "model-error"
    http_status = 503


class StoreError(QuanzeError):
    """The store cannot be opened, reached or written; names the store URL."""

    code = "store-error"
    http_status = 503


class NoStore(StoreError):
    """A command that reads was given a store that does not exist: say so, instead of creating an empty one."""

    code = "no-store"
