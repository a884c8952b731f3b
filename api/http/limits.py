"""Limits at the front door of the HTTP server, for every route (the JSON API, the views, the web pages):

- **parameter length**: a query string over ``MAX_QUERY_BYTES``, more than ``MAX_FIELDS`` parameters, or one value over
  ``MAX_PARAMETER_CHARS`` characters is answered 400 ``parameter-too-long`` at once, before any route runs — a
  100,000-character ``/show?name=`` costs nothing. The library caps names and questions again, tighter
  (``api/inputs.py``: 200 characters), with the same kind of message;
- **time budget**: each request runs under a deadline (``quanze/deadline.py``, ``QUANZE_REQUEST_SECONDS``). Long loops
  in the library check it and stop with ``TimedOut`` (503 ``timed-out``), which frees the worker and the store for
  the others; should a route not reach a check in time, the answer is sent at the deadline anyway (the work is
  abandoned and stops at its next check).

Pure ASGI, installed by ``install(app, seconds)`` in ``create_app``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from quanze import deadline
from quanze.api.http.errors import error_response

MAX_QUERY_BYTES = 8192  # the whole query string, URL-encoded
MAX_FIELDS = 64  # parameters in one request
MAX_PARAMETER_CHARS = 1000  # one parameter's value, decoded (names and questions are capped at 200 by api/inputs.py)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def too_long(scope: Scope) -> dict[str, Any] | None:
    """What is wrong with the request's parameters (as an error body's parts), or None."""
    raw: bytes = scope.get("query_string") or b""
    if len(raw) > MAX_QUERY_BYTES:
        return {"zh": f"请求参数过长：{len(raw)} 字节，最多 {MAX_QUERY_BYTES} 字节",
                "en": f"the request's parameters are too long: {len(raw)} bytes, at most {MAX_QUERY_BYTES}",
                "field": None}
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS,
                          encoding="utf-8", errors="replace")
    except ValueError:
        return {"zh": f"请求参数过多：最多 {MAX_FIELDS} 个", "en": f"too many parameters: at most {MAX_FIELDS}",
                "field": None}
    for name, value in pairs:
        if len(value) > MAX_PARAMETER_CHARS:
            shown = name[:40]
            return {"zh": f"参数「{shown}」过长：{len(value)} 个字符，最多 {MAX_PARAMETER_CHARS} 个（名称和问题最多 200 个）",
                    "en": f"parameter {shown!r} is too long: {len(value)} characters, at most {MAX_PARAMETER_CHARS} "
                          "(names and questions: 200)", "field": shown}
    return None


class FrontDoor:
    """The two limits above around an ASGI application."""

    def __init__(self, app: ASGIApp, seconds: float | None):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wrong = too_long(scope)
        if wrong is not None:
            problem = {"level": "error", "code": "parameter-too-long", "message_zh": wrong["zh"],
                       "message_en": wrong["en"], "column": wrong["field"]}
            await error_response(400, "parameter-too-long", wrong["zh"], wrong["en"], [problem])(scope, receive, send)
            return
        if self.seconds is None:
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal started
            started = True
            await send(message)

        token = deadline.start(self.seconds)  # copied into the task below and into the worker thread it runs in
        try:
            task = asyncio.ensure_future(self.app(scope, receive, sending))
        finally:
            deadline._DEADLINE.reset(token)
        done, _ = await asyncio.wait({task}, timeout=self.seconds + GRACE)
        if task in done:
            task.result()
            return
        if started:  # the answer is already on its way: let it finish
            await task
            return
        task.cancel()
        zh = f"请求超过了 {self.seconds:g} 秒的时限，已停止：请缩小范围（如指定乡镇）后再试"
        en = f"the request ran past its {self.seconds:g} s budget and was stopped; narrow it and try again"
        await error_response(503, "timed-out", zh, en)(scope, receive, send)


GRACE = 1.0  # seconds past the budget before the answer is sent without the route: its own check comes first


def install(app: Any, seconds: float | None) -> None:
    """Put the front door's limits in front of every route of ``app`` (a FastAPI application)."""
    app.add_middleware(FrontDoor, seconds=seconds)
