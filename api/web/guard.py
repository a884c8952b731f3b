"""The one gate every request passes (an ASGI middleware, around the pages and the JSON API alike):

1. who is asking: a session cookie (pages), or ``Authorization: Bearer <token>`` (the JSON API; a token that is not
   valid is refused with 401, never taken for nobody); put on ``request.state.identity``;
2. reading: when reading is closed (``quanze serve --no-public-read``, the default beyond 127.0.0.1) nobody reads
   without signing in — a browser is sent to ``/login``, anything else gets 401 — except the sign-in page itself and
   the static files it needs;
3. forms: every POST (PUT, PATCH, DELETE) that does not come with a token must carry its page's form token, in the
   ``csrf`` field of a url-encoded form or the ``X-CSRF-Token`` header; without it (or with another session's) it is
   refused with 403 and a message in both languages, and the refusal is logged. A POST whose ``Origin`` is another
   site is refused alike;
4. every response gets ``X-Content-Type-Options: nosniff``, a referrer policy, and — unless the route set its own,
   as ``/view`` and the API docs do — the pages' Content-Security-Policy (``site.PAGE_CSP``: no in-line script,
   nothing from another origin).

A new visitor gets a visitor cookie (HttpOnly, SameSite=Strict, Secure over TLS) from which the sign-in form's token
is derived.
"""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quanze.api.web.accounts import NOBODY
from quanze.api.web.site import (CSRF_FIELD, CSRF_HEADER, MAX_FORM_BYTES, UPLOAD_FORMS, PAGE_CSP, SESSION_COOKIE, VISITOR_COOKIE, Site,
                                 redirect)
from quanze.errors import BadValue, CsrfRejected, QuanzeError, SignInNeeded

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
OPEN_WHEN_CLOSED = ("/login", "/static/", "/favicon.ico")  # what nobody signed in may reach when reading is closed


class Guard:
    def __init__(self, app: ASGIApp, site: Site, routes: Any):
        self.app = app
        self.site = site
        self.routes = routes  # the application's routes: is this request for a page?

    def is_page(self, scope: Scope, request: Request) -> bool:
        return is_page(self.routes, scope, request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        site = self.site
        tls = scope.get("scheme") == "https"
        state = scope.setdefault("state", {})

        identity = NOBODY
        header = request.headers.get("authorization", "")
        try:
            if header:
                kind, _, token = header.partition(" ")
                identity = site.accounts.bearer(token.strip()) if kind.lower() == "bearer" else None
                if identity is None:
                    raise SignInNeeded("API 令牌无效（用 quanze users token 重新生成）", "the API token is not valid "
                                       "(quanze users token makes a new one)")
            else:
                identity = site.accounts.session(request.cookies.get(SESSION_COOKIE)) or NOBODY
        except QuanzeError as e:  # a bad token; a state file that cannot be opened (503)
            await self._refuse(scope, receive, send, request, e, challenge=True)
            return
        state["identity"] = identity
        visitor = request.cookies.get(VISITOR_COOKIE)
        new_visitor = None
        if not identity.signed_in and not visitor:
            visitor = new_visitor = secrets.token_urlsafe(24)
        state["visitor"] = visitor

        path = scope["path"]
        if not site.public_read and not identity.signed_in and not path.startswith(OPEN_WHEN_CLOSED):
            if request.method in SAFE_METHODS and self.is_page(scope, request):
                target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
                await self._send(redirect("/login", next=target), scope, receive, send, new_visitor, tls)
                return
            await self._refuse(scope, receive, send, request, SignInNeeded(
                "阅读需要登录：在浏览器中登录，或在请求中带上 API 令牌（Authorization: Bearer …）",
                "reading needs an account: sign in, or send an API token (Authorization: Bearer …)"), challenge=True)
            return

        if request.method not in SAFE_METHODS and identity.via != "token":
            limit = UPLOAD_FORMS.get(path, MAX_FORM_BYTES)
            body = await _read_body(receive, limit)
            if body is None:
                shown = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
                await self._refuse(scope, receive, send, request, BadValue(
                    f"表单过大（最多 {shown}）", f"the form is too large (at most {shown})"),
                    new_visitor=new_visitor, tls=tls)
                return
            token = request.headers.get(CSRF_HEADER)
            content_type = request.headers.get("content-type", "")
            if token is None and content_type.startswith("application/x-www-form-urlencoded"):
                token = next((v for k, v in parse_qsl(body.decode("utf-8", errors="replace")) if k == CSRF_FIELD), None)
            elif token is None and content_type.startswith("multipart/form-data") and path in UPLOAD_FORMS:
                token = await _multipart_field(scope, body, CSRF_FIELD)
            origin = request.headers.get("origin")
            foreign = origin not in (None, "null") and urlsplit(origin).netloc != request.headers.get("host")
            try:
                refused = foreign or not site.csrf_ok(request, token)
            except QuanzeError as e:
                await self._refuse(scope, receive, send, request, e, new_visitor=new_visitor, tls=tls)
                return
            if refused:
                site.state.log(identity.name, site.client(request), "form", path, result="refused: csrf-rejected")
                await self._refuse(scope, receive, send, request, CsrfRejected(
                    "表单缺少本页的校验码（或来自其他网站），已拒绝：请刷新页面后重新提交",
                    "the form came without its page's token (or from another site) and was refused: reload the page "
                    "and send it again"), new_visitor=new_visitor, tls=tls)
                return
            receive = _replay(body, receive)

        await self.app(scope, receive, _with_headers(send, new_visitor, tls))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, request: Request, error: QuanzeError,
                      challenge: bool = False, new_visitor: str | None = None, tls: bool = False) -> None:
        if self.is_page(scope, request):
            response = self.site.error_page(request, error)
        else:
            body = {"error": {"code": error.code, "zh": error.message_zh, "en": error.message_en, "problems": []}}
            response = Response(json.dumps(body, ensure_ascii=False), status_code=error.http_status,
                                media_type="application/json")
        if challenge and response.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="quanze"'
        await self._send(response, scope, receive, send, new_visitor, tls)

    async def _send(self, response: Response, scope: Scope, receive: Receive, send: Send, new_visitor: str | None,
                    tls: bool) -> None:
        await response(scope, receive, _with_headers(send, new_visitor, tls))


def is_page(routes: Any, scope: Scope, request: Request) -> bool:
    """A page (a route marked ``@page``), or a browser's request for an address that is no route: answered in HTML.
    Everything else — the JSON API, ``/view`` — keeps its own answers."""
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return bool(getattr(getattr(route, "endpoint", None), "page", False))
    return "text/html" in request.headers.get("accept", "")


def cookie_header(name: str, value: str, tls: bool, max_age: int | None = None) -> str:
    """A cookie only this application's pages send back: HttpOnly, SameSite=Strict, Secure over TLS."""
    c: SimpleCookie = SimpleCookie()
    c[name] = value
    c[name]["path"] = "/"
    c[name]["httponly"] = True
    c[name]["samesite"] = "Strict"
    if tls:
        c[name]["secure"] = True
    if max_age is not None:
        c[name]["max-age"] = max_age
    return c.output(header="").strip()


def _with_headers(send: Send, new_visitor: str | None, tls: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {k.lower() for k, _ in headers}
            if b"content-security-policy" not in names:
                headers.append((b"content-security-policy", PAGE_CSP.encode()))
            if b"x-content-type-options" not in names:
                headers.append((b"x-content-type-options", b"nosniff"))
            headers.append((b"referrer-policy", b"same-origin"))
            if new_visitor:
                headers.append((b"set-cookie", cookie_header(VISITOR_COOKIE, new_visitor, tls).encode("latin-1")))
            message = dict(message, headers=headers)
        await send(message)

    return sending


async def _multipart_field(scope: Scope, body: bytes, name: str) -> str | None:
    """One text field of a multipart form (a form with files), read with Starlette's parser (python-multipart); the
    files it spooled are closed again. None when the field is missing or the body is not a form."""
    async def nothing_more() -> Message:
        return {"type": "http.disconnect"}

    try:
        async with Request(scope, _replay(body, nothing_more)).form(max_files=100, max_fields=100) as fields:
            value = fields.get(name)
            return value if isinstance(value, str) else None
    except Exception:  # a broken body: no token, so the form is refused
        return None


async def _read_body(receive: Receive, limit: int = MAX_FORM_BYTES) -> bytes | None:
    """The whole request body, or None when it is larger than ``limit`` (a page's form, or an upload's)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """The body read already, once; then what the client does next (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


__all__ = ["Guard", "cookie_header", "is_page"]
