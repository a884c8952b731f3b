"""Time budgets: a request that runs too long is cut off, with an error, instead of holding the server.

A front end sets a deadline for the work it starts (``within(seconds)``; the HTTP server does it per request, in
``api/http/limits.py``); long loops in the library call ``check()``, which raises ``TimedOut`` once the deadline has
passed. The deadline lives in a context variable, so it follows the request into the worker thread that runs it and
never touches another request's work; with no deadline set (the command line), ``check()`` costs one lookup and does
nothing.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

from quanze.errors import TimedOut

_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar("quanze_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (None: no budget); an inner budget never extends an outer one."""
    if seconds is None:
        yield
        return
    outer = _DEADLINE.get()
    end = time.monotonic() + seconds
    token = _DEADLINE.set((min(end, outer[0]), outer[1]) if outer and outer[0] < end else (end, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def start(seconds: float | None) -> contextvars.Token:
    """Set the deadline for the current context (and what it runs) without a ``with`` block; ``_DEADLINE.reset``."""
    return _DEADLINE.set(None if seconds is None else (time.monotonic() + seconds, seconds))


def check() -> None:
    """Raise ``TimedOut`` when the current work's budget is spent."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise TimedOut(f"请求超过了 {deadline[1]:g} 秒的时限，已停止：请缩小范围（如指定乡镇）后再试",
                       f"the request ran past its {deadline[1]:g} s budget and was stopped; narrow it (a township, "
                       f"a rule) and try again")


def remaining() -> float | None:
    """Seconds left in the current budget, or None when there is none."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline[0] - time.monotonic())
