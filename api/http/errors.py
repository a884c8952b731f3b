"""Errors as HTTP answers: every error quanze raises becomes a JSON body in Chinese and English, never a traceback.

    {"error": {"code": "not-found", "zh": "…", "en": "…", "problems": [...], "candidates": [...]}}

The status and the ``code`` are the error class's own (``quanze/errors.py`` draws the tree): ``BadValue`` and its
kind 400, ``NotFound`` and ``NoPath`` 404, ``Ambiguous`` 409 (with the candidates), ``StoreError`` (and a store's own
database errors) 503. A parameter FastAPI rejects (missing, not a number, out of range) is a 400 ``bad-parameter``
too, with one problem per parameter. Anything else is a 500 with a fixed message; the traceback goes to the server's
log only.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from quanze.errors import BadValue, Problem, QuanzeError

log = logging.getLogger("quanze.http")


class JSON(JSONResponse):
    """JSON as ``quanze … --json`` prints it: UTF-8 Chinese as is, dates as ISO text."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


def error_response(status: int, code: str, zh: str, en: str, problems: list[dict[str, Any]] = (),
                   candidates: tuple[str, ...] | list[str] = ()) -> JSON:
    body: dict[str, Any] = {"code": code, "zh": zh, "en": en, "problems": list(problems)}
    if candidates:
        body["candidates"] = list(candidates)
    return JSON({"error": body}, status_code=status)


def quanze_error(e: QuanzeError) -> JSON:
    if isinstance(e, BadValue):
        problems = [p.to_dict() for p in e.problems()]
    else:
        problems = [p.to_dict() for p in getattr(e, "problems", [])]
    return error_response(e.http_status, e.code, e.message_zh, e.message_en, problems,
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
