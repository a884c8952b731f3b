"""Hardening that applies to every response of the HTTP server — the JSON API, the views, the docs, the web pages:

- **trusted hosts** (against DNS rebinding: a web page on another site whose name is made to resolve to 127.0.0.1
  cannot reach a loopback server, because its requests carry that site's name in ``Host``): a request whose
  ``Host`` is not one of the allowed names is answered 400 ``untrusted-host``. Allowed by default: the loopback names
  (``localhost``, ``127.0.0.1``, ``::1``); more with ``QUANZE_ALLOWED_HOSTS`` (comma-separated) or ``quanze serve
  --allow-host NAME``, and the address ``quanze serve --host`` binds;
- **security headers**: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``Cross-Origin-Opener-Policy: same-origin``, and a ``Content-Security-Policy`` — a route's own (the views, the web
  pages and the offline docs set theirs) with ``frame-ancestors 'self'`` added when it lacks one (the pages frame the
  graph views; no other site may), else ``default-src 'none'; frame-ancestors 'none'`` for data; ``X-Frame-Options``
  says the same as ``frame-ancestors`` for older browsers (``SAMEORIGIN`` or ``DENY``).

Pure ASGI, installed by ``install(app, hosts)`` in ``create_app``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quanze.api.http.errors import error_response
from quanze.api.http.limits import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"no-referrer",
           b"cross-origin-opener-policy": b"same-origin"}


def host_name(value: str) -> str:
    """``Host`` without its port, lower case: ``127.0.0.1:8000`` → ``127.0.0.1``, ``[::1]:8000`` → ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_names(extra: Iterable[str] = ()) -> frozenset[str]:
    return frozenset(LOOPBACK_NAMES) | {host_name(h) for h in extra if h and h.strip()}


class Hardening:
    """Trusted hosts and security headers around an ASGI application."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] = ()):
        self.app = app
        self.hosts = allowed_names(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        path = str(scope.get("path") or "")

        async def secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers") or ()), path)
            await send(message)

        if host not in self.hosts:
            shown = host[:60] or "（空 empty）"
            await error_response(
                400, "untrusted-host",
                f"不接受主机名「{shown}」：本服务只回答发给 {'、'.join(sorted(self.hosts))} 的请求（防 DNS 重绑定）；"
                "其他名称请用 quanze serve --allow-host 或 QUANZE_ALLOWED_HOSTS 加入",
                f"host {shown!r} is not accepted: this server answers requests to {', '.join(sorted(self.hosts))} only "
                "(against DNS rebinding); allow more names with quanze serve --allow-host or QUANZE_ALLOWED_HOSTS",
            )(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def with_security_headers(headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    have = {k.lower(): i for i, (k, _) in enumerate(headers)}
    out = list(headers)
    for name, value in HEADERS.items():
        if name not in have:
            out.append((name, value))
    if b"content-security-policy" in have:
        i = have[b"content-security-policy"]
        policy = out[i][1].decode("latin-1")
        if "frame-ancestors" not in policy:
            policy = policy.rstrip("; ") + "; frame-ancestors 'self'"
            out[i] = (out[i][0], policy.encode("latin-1"))
    else:
        policy = DATA_POLICY
        out.append((b"content-security-policy", policy.encode("latin-1")))
    if b"x-frame-options" not in have:
        out.append((b"x-frame-options", b"SAMEORIGIN" if "frame-ancestors 'self'" in policy else b"DENY"))
    return out


def install(app: Any, hosts: Iterable[str] = ()) -> None:
    """Check ``Host`` and add the security headers on every route of ``app`` (a FastAPI application)."""
    app.add_middleware(Hardening, hosts=tuple(hosts))
