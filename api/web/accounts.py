"""Accounts of the web application: names, roles, passwords, API tokens, sessions, and sign-in slowed down after
failures. Everything is kept in the state file (``state.py``); ``quanze users`` and the admin pages call this.

- Roles, lowest first: ``reader`` (reads), ``editor`` (also confirms tickets, and later uploads), ``admin`` (also
  manages accounts and reads the write log); ``api.inputs.ACCOUNT_ROLES`` declares them.
- Passwords are hashed with argon2id (``argon2-cffi``); a hash made with weaker parameters than today's is
  replaced at the next sign-in.
- An API token (``quanze users token NAME``) is shown once and kept as its SHA-256 only; a new one replaces the
  account's earlier ones. Session cookies are kept the same way.
- Sign-in failures are counted per account and per client address; after ``FREE_FAILURES`` of them each further
  one doubles the wait before the next try (1 s, 2 s, 4 s … up to ``MAX_DELAY``); an hour without a failure starts
  the count again, a success clears the account's. A try during the wait is refused without looking at the password.
- Every change is written to the write log, by whom and with what result; a password or a token never is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from quanze.api import inputs
from quanze.api.web.state import State
from quanze.errors import BadValue, LoginFailed, NotFound, TooManyAttempts
from quanze.graph.text import clean_text

RANK = {role: i for i, role in enumerate(inputs.ACCOUNT_ROLES, 1)}
FREE_FAILURES = 2  # failures before any wait
MAX_DELAY = 900  # seconds: the longest wait between two tries
FORGET_AFTER = 3600  # seconds without a failure after which a count starts again
SESSION_IDLE = 12 * 3600  # a session unused this long ends
SESSION_MAX = 7 * 86400  # and any session ends this long after sign-in
TOUCH_EVERY = 60  # seconds: how often a session's or a token's last use is written


def role_label(role: str | None) -> str:
    """``编辑 editor``; ``未登录 not signed in`` for nobody."""
    if role is None:
        return "未登录 not signed in"
    zh, en = inputs.ACCOUNT_ROLES[role]
    return f"{zh} {en}"


def delay(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in a row: none for the first few, then doubling."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES - 1), MAX_DELAY)


def digest(secret: str) -> str:
    """What is kept of a session cookie or an API token: random, long values, so SHA-256 suffices (a password, which
    a person chose, gets argon2)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Identity:
    """Who is asking: an account (by a session cookie or an API token), or nobody (``name`` None)."""

    name: str | None = None
    role: str | None = None
    via: str = "anonymous"  # "session" | "token" | "anonymous"
    session: str | None = None  # the session's digest: forms' tokens are derived from it

    @property
    def signed_in(self) -> bool:
        return self.name is not None

    def can(self, role: str) -> bool:
        """May this account do what ``role`` may? Nobody may do nothing by role (reading open to all is decided by
        the application, not here)."""
        return self.role is not None and RANK[self.role] >= RANK[role]

    @property
    def label(self) -> str:
        return role_label(self.role)


NOBODY = Identity()


class Accounts:
    """The accounts in one state file. ``hasher``: argon2 parameters (tests may pass cheaper ones)."""

    def __init__(self, state: State, hasher: PasswordHasher | None = None):
        self.state = state
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def _dummy_hash(self) -> str:
        """A hash to verify against when the name is unknown, so that a wrong name takes as long as a wrong
        password."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    # -- accounts ----------------------------------------------------------------------------------------------

    def users(self) -> list[dict[str, Any]]:
        """Every account, by name: role, when made and changed, last sign-in, failed sign-ins counted since the last
        success, whether it has an API token."""
        out = []
        for r in self.state.rows("SELECT u.name, u.role, u.created, u.changed, u.last_login, "
                                 "(SELECT COUNT(*) FROM tokens t WHERE t.user = u.name) AS tokens, "
                                 "(SELECT total FROM throttle h WHERE h.key = 'account:' || u.name) AS failures "
                                 "FROM users u ORDER BY u.name"):
            out.append(dict(r) | {"failures": r["failures"] or 0, "tokens": r["tokens"]})
        return out

    def get(self, name: str) -> dict[str, Any] | None:
        found = self.state.row("SELECT name, role, created, changed, last_login FROM users WHERE name = ?", (name,))
        return dict(found) if found else None

    def _require(self, name: str) -> str:
        name = inputs.account(name)
        if self.get(name) is None:
            raise NotFound(f"没有账号「{name}」", f"no account {name!r}", [u["name"] for u in self.users()][:10])
        return name

    def add(self, name: str, role: str, password: str, *, by: str, client: str | None = None) -> dict[str, Any]:
        name, role, password = inputs.account(name), inputs.role(role), inputs.password(password)
        if self.get(name) is not None:
            raise BadValue(f"账号「{name}」已存在（改密码用 reset）", f"the account {name!r} exists already (reset "
                           "changes its password)", field="name", value=name)
        now = self.state.now_text()
        hashed = self.hasher.hash(password)
        with self.state.write() as db:
            db.execute("INSERT INTO users (name, role, password, created, changed) VALUES (?, ?, ?, ?, ?)",
                       (name, role, hashed, now, now))
        self.state.log(by, client, "user-add", name, {"role": role})
        return self.get(name) or {}

    def remove(self, name: str, *, by: str, client: str | None = None, keep_an_admin: bool = False) -> None:
        """Remove an account with its sessions and token. ``keep_an_admin``: refuse to remove the last admin (the
        admin pages ask this; the command line, the way back in, does not)."""
        name = self._require(name)
        self._keep_admin(name, None, keep_an_admin)
        with self.state.write() as db:
            db.execute("DELETE FROM users WHERE name = ?", (name,))
            db.execute("DELETE FROM throttle WHERE key = ?", (f"account:{name}",))
        self.state.log(by, client, "user-remove", name)

    def reset(self, name: str, password: str, *, by: str, client: str | None = None) -> None:
        """A new password; the account's sessions end (its token stays: ``token`` replaces that)."""
        name, password = self._require(name), inputs.password(password)
        hashed = self.hasher.hash(password)
        with self.state.write() as db:
            db.execute("UPDATE users SET password = ?, changed = ? WHERE name = ?", (hashed, self.state.now_text(),
                                                                                   name))
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
            db.execute("DELETE FROM throttle WHERE key = ?", (f"account:{name}",))
        self.state.log(by, client, "user-reset", name)

    def set_role(self, name: str, role: str, *, by: str, client: str | None = None,
                 keep_an_admin: bool = False) -> None:
        name, role = self._require(name), inputs.role(role)
        self._keep_admin(name, role, keep_an_admin)
        with self.state.write() as db:
            db.execute("UPDATE users SET role = ?, changed = ? WHERE name = ?", (role, self.state.now_text(), name))
        self.state.log(by, client, "user-role", name, {"role": role})

    def _keep_admin(self, name: str, new_role: str | None, keep: bool) -> None:
        if not keep or new_role == "admin" or (self.get(name) or {}).get("role") != "admin":
            return
        admins = [u for u in self.users() if u["role"] == "admin"]
        if len(admins) <= 1:
            raise BadValue("这是最后一个管理员账号：先让另一个账号成为管理员", "this is the last admin account: make "
                           "another account admin first", field="name", value=name)

    def token(self, name: str, *, by: str, client: str | None = None) -> str:
        """A new API token for the account (``Authorization: Bearer …``), replacing its earlier ones; returned once,
        kept as its digest only."""
        name = self._require(name)
        raw = "qz_" + secrets.token_urlsafe(32)
        with self.state.write() as db:
            db.execute("DELETE FROM tokens WHERE user = ?", (name,))
            db.execute("INSERT INTO tokens (digest, user, created) VALUES (?, ?, ?)",
                       (digest(raw), name, self.state.now_text()))
        self.state.log(by, client, "user-token", name)
        return raw

    # -- signing in ----------------------------------------------------------------------------------------------

    def sign_in(self, name: str, password: str, client: str) -> str:
        """A new session for the account (its cookie value), when the password is right and no wait is running for
        the account or the client address; ``LoginFailed`` or ``TooManyAttempts`` otherwise. Every try is logged."""
        name = (clean_text(name) or "")[:inputs.MAX_ACCOUNT_CHARS]  # as accounts are named (api.inputs.account)
        keys = (f"account:{name}", f"client:{client}")
        now = self.state.clock()
        waits = [r["not_before"] - now for r in self.state.rows(
            "SELECT not_before FROM throttle WHERE key IN (?, ?)", keys)]
        wait = max(waits, default=0)
        if wait > 0:
            seconds = math.ceil(wait)
            self.state.log(name or None, client, "login", name, result="refused: too-many-attempts")
            raise TooManyAttempts(f"登录失败次数过多，请 {seconds} 秒后再试", f"too many failed sign-ins: try again in "
                                  f"{seconds} s", seconds)
        found = self.state.row("SELECT password FROM users WHERE name = ?", (name,))
        if not self._verify(found["password"] if found else self._dummy_hash(), password) or found is None:
            self._failed(keys, now)
            self.state.log(name or None, client, "login", name, result="failed")
            raise LoginFailed("账号或密码不对", "wrong account name or password")
        if self._needs_rehash(found["password"]):
            with self.state.write() as db:
                db.execute("UPDATE users SET password = ? WHERE name = ?", (self.hasher.hash(password), name))
        raw = secrets.token_urlsafe(32)
        with self.state.write() as db:
            db.execute("DELETE FROM throttle WHERE key = ?", (keys[0],))
            db.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?", (now - SESSION_IDLE,
                                                                                  now - SESSION_MAX))
            db.execute("INSERT INTO sessions (digest, user, created, last_seen, client) VALUES (?, ?, ?, ?, ?)",
                       (digest(raw), name, now, now, client))
            db.execute("UPDATE users SET last_login = ? WHERE name = ?", (self.state.now_text(), name))
        self.state.log(name, client, "login", name)
        return raw

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, str(password or ""))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _needs_rehash(self, hashed: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return False

    def _failed(self, keys: tuple[str, ...], now: float) -> None:
        with self.state.write() as db:
            for key in keys:
                row = db.execute("SELECT failures, total, last FROM throttle WHERE key = ?", (key,)).fetchone()
                failures = 1 if row is None or now - row["last"] > FORGET_AFTER else row["failures"] + 1
                total = 1 if row is None else row["total"] + 1
                db.execute("INSERT INTO throttle (key, failures, total, last, not_before) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, total = excluded.total, "
                           "last = excluded.last, not_before = excluded.not_before",
                           (key, failures, total, now, now + delay(failures)))

    def session(self, raw: str | None) -> Identity | None:
        """The account a session cookie belongs to, while the session lasts."""
        if not raw:
            return None
        key = digest(raw)
        found = self.state.row("SELECT s.user, s.created, s.last_seen, u.role FROM sessions s JOIN users u ON "
                               "u.name = s.user WHERE s.digest = ?", (key,))
        now = self.state.clock()
        if found is None:
            return None
        if now - found["last_seen"] > SESSION_IDLE or now - found["created"] > SESSION_MAX:
            self.end_session(raw)
            return None
        if now - found["last_seen"] > TOUCH_EVERY:
            with self.state.write() as db:
                db.execute("UPDATE sessions SET last_seen = ? WHERE digest = ?", (now, key))
        return Identity(found["user"], found["role"], "session", key)

    def end_session(self, raw: str | None) -> None:
        if raw:
            with self.state.write() as db:
                db.execute("DELETE FROM sessions WHERE digest = ?", (digest(raw),))

    def bearer(self, raw: str | None) -> Identity | None:
        """The account an API token belongs to."""
        if not raw:
            return None
        key = digest(raw)
        found = self.state.row("SELECT t.user, t.last_used, u.role FROM tokens t JOIN users u ON u.name = t.user "
                               "WHERE t.digest = ?", (key,))
        if found is None:
            return None
        now = self.state.clock()
        if found["last_used"] is None or now - found["last_used"] > TOUCH_EVERY:
            with self.state.write() as db:
                db.execute("UPDATE tokens SET last_used = ? WHERE digest = ?", (now, key))
        return Identity(found["user"], found["role"], "token")

    def failures(self) -> list[dict[str, Any]]:
        """The failed sign-ins counted, per account and per client address, most first."""
        return [dict(r) | {"last": dt.datetime.fromtimestamp(r["last"]).replace(microsecond=0).isoformat()}
                for r in self.state.rows("SELECT key, failures, total, last FROM throttle ORDER BY total DESC, key")]


__all__ = ["Accounts", "Identity", "NOBODY", "RANK", "delay", "role_label"]
