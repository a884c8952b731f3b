"""Errors as HTTP answers: every error quanze raises becomes a JSON body in Chinese and English, never a traceback.

    {"error": {"code": "not-found", "zh": "…", "en": "…", "problems": [...], "candidates": [...]}}

Status by class: ``Ambiguous`` 409 (with the candidates), ``NotFound`` and ``NoPath`` 404, ``StoreError`` (and a
store's own database errors) 503, any other ``QuanzeError`` — ``BadQuery``, ``BadDate``, ``InputError``,
``BadParameter`` — 400. A parameter FastAPI rejects (missing, not a number, out of range) is a 400 ``bad-parameter``
too, with one problem per parameter. Anything else is a 500 with a fixed message; the traceback goes to the server's
log only.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from quanze.errors import Ambiguous, NotFound, Problem, QuanzeError, StoreError

log = logging.getLogger("quanze.http")


class BadParameter(QuanzeError):
    """A query parameter with a value the API does not accept (an unknown rule, relation kind or severity);
    ``candidates`` lists the valid values."""

    def __init__(self, message_zh: str, message_en: str, candidates: list[str] | tuple[str, ...] = ()):
        self.candidates = tuple(candidates)
        super().__init__(message_zh, message_en)


@contextmanager
def bad_parameter() -> Iterator[None]:
    """Checks of the library that report a bad value as ``NotFound`` (an unknown rule id, relation kind, severity):
    over HTTP that is the client's bad input, a 400 listing the valid values, not a 404."""
    try:
        yield
    except NotFound as e:
        raise BadParameter(e.message_zh, e.message_en, e.candidates) from e


class JSON(JSONResponse):
    """JSON as ``quanze … --json`` prints it: UTF-8 Chinese as is, dates as ISO text."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


def status_of(e: QuanzeError) -> int:
    if isinstance(e, StoreError):
        return 503
    if isinstance(e, Ambiguous):
        return 409
    if isinstance(e, NotFound) or type(e).__name__ == "NoPath":
        return 404
    return 400


def error_code(e: BaseException) -> str:
    """``NotFound`` → ``not-found``, ``NoPath`` → ``no-path``, ``BadDate`` → ``bad-date``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type(e).__name__).lower()


def error_response(status: int, code: str, zh: str, en: str, problems: list[dict[str, Any]] = (),
                   candidates: tuple[str, ...] | list[str] = ()) -> JSON:
    body: dict[str, Any] = {"code": code, "zh": zh, "en": en, "problems": list(problems)}
    if candidates:
        body["candidates"] = list(candidates)
    return JSON({"error": body}, status_code=status)


def quanze_error(e: QuanzeError) -> JSON:
    problems = [p.to_dict() for p in getattr(e, "problems", [])]
    return error_response(status_of(e), error_code(e), e.message_zh, e.message_en, problems,
                          getattr(e, "candidates", ()))


def _invalid(_request: Request, exc: RequestValidationError) -> JSON:
    problems = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err.get("loc", ())[1:]) or "?"
        missing = err.get("type") == "missing"
        zh = f"缺少参数「{name}」" if missing else f"参数「{name}」的值无效：{err.get('msg')}"
        en = f"parameter {name!r} is required" if missing else f"parameter {name!r} is invalid: {err.get('msg')}"
        value = None if missing else err.get("input")
        problems.append(Problem("error", "bad-parameter", zh, en, column=name, value=value).to_dict())
    first = problems[0] if problems else {"message_zh": "请求参数无效", "message_en": "invalid request parameters"}
    return error_response(400, "bad-parameter", first["message_zh"], first["message_en"], problems)


def _http(_request: Request, exc: HTTPException) -> JSON:
    zh = {404: "没有这个地址，接口列表见 /docs", 405: "此地址不支持该请求方法"}.get(exc.status_code, str(exc.detail))
    en = {404: "no such address; the endpoints are listed at /docs"}.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, f"http-{exc.status_code}", zh, en)


def _database(_request: Request, exc: sqlite3.Error) -> JSON:
    log.error("store query failed: %s", exc)
    return error_response(503, "store-error", f"存储查询失败：{exc}", f"the store query failed: {exc}")


def _unexpected(_request: Request, exc: Exception) -> JSON:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal-error", "服务器内部错误，详情见服务器日志",
                          "internal server error; the details are in the server's log")


def install(app: FastAPI) -> None:
    app.add_exception_handler(QuanzeError, lambda _r, e: quanze_error(e))
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(sqlite3.Error, _database)
    app.add_exception_handler(Exception, _unexpected)
