"""登录 Sign in and out (``/login``, ``POST /logout``), and the admins' pages: the write log (``/admin/log``) and the
accounts (``/admin/users``: add, change a role, reset a password, remove). ``quanze users`` does the same from the
command line.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from quanze.api.web.guard import cookie_header
from quanze.api.web.site import SESSION_COOKIE, Site, form, local_path, page, redirect
from quanze.errors import BadValue, QuanzeError

LOG_PAGE = 100  # lines of the write log a page shows


def register(app: FastAPI, site: Site) -> None:
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    @page
    def login_form(request: Request, next: str = "/") -> Response:
        return site.render(request, "login.html", next=local_path(next), name="", error=None)

    @app.post("/login", include_in_schema=False)
    @page
    async def login(request: Request) -> Response:
        fields = await form(request)
        name, target = fields.get("name", ""), local_path(fields.get("next"))
        try:
            session = site.accounts.sign_in(name, fields.get("password", ""), site.client(request))
        except QuanzeError as e:
            response = site.render(request, "login.html", status=e.http_status, next=target, name=name, error=e)
            if getattr(e, "retry_after", None):
                response.headers["Retry-After"] = str(e.retry_after)  # type: ignore[attr-defined]
            return response
        site.accounts.end_session(request.cookies.get(SESSION_COOKIE))  # a session signed in again is a new one
        response = redirect(target)
        response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, session,
                                                            request.url.scheme == "https"))
        return response

    @app.post("/logout", include_in_schema=False)
    @page
    async def logout(request: Request) -> Response:
        me = site.identity(request)
        site.accounts.end_session(request.cookies.get(SESSION_COOKIE))
        if me.signed_in:
            site.state.log(me.name, site.client(request), "logout", me.name or "")
        response = redirect("/")
        response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, "", request.url.scheme == "https",
                                                            max_age=0))
        return response

    @app.get("/admin/log", response_class=HTMLResponse, include_in_schema=False)
    @page
    def write_log(request: Request, page_number: str = "1") -> Response:
        from quanze.api import inputs

        site.require(request, "admin", "read-log")
        size = site.state.log_size()
        pages = max(1, -(-size // LOG_PAGE))
        number = inputs.count(page_number, "page_number", 1, pages)
        return site.render(request, "admin_log.html", lines=site.state.log_lines(LOG_PAGE, (number - 1) * LOG_PAGE),
                           number=number, pages=pages, size=size, failures=site.accounts.failures())

    @app.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
    @page
    def users(request: Request, done: str = "") -> Response:
        site.require(request, "admin", "read-users")
        return _users_page(site, request, done=done)

    @app.post("/admin/users", include_in_schema=False)
    @page
    async def change_users(request: Request) -> Response:
        from quanze.api import inputs

        fields = await form(request)
        action = fields.get("action", "")
        me = site.require(request, "admin", f"user-{action}" if action else "user", fields.get("name", ""))
        by, client = me.name or "", site.client(request)
        try:
            if action == "add":
                site.accounts.add(fields.get("name", ""), fields.get("role", ""), fields.get("password", ""), by=by,
                                  client=client)
            elif action == "role":
                site.accounts.set_role(fields.get("name", ""), fields.get("role", ""), by=by, client=client,
                                       keep_an_admin=True)
            elif action == "reset":
                site.accounts.reset(fields.get("name", ""), fields.get("password", ""), by=by, client=client)
            elif action == "remove":
                site.accounts.remove(fields.get("name", ""), by=by, client=client, keep_an_admin=True)
            else:
                raise BadValue(f"未知的操作「{action}」", f"unknown action {action!r}", ("add", "role", "reset", "remove"),
                               field="action", value=action)
        except QuanzeError as e:
            site.state.log(me.name, client, f"user-{action}", fields.get("name", ""), result=f"error: {e.code}")
            return _users_page(site, request, error=e, status=e.http_status)
        return redirect("/admin/users", done=f"{action}:{inputs.account(fields.get('name', ''))}")


def _users_page(site: Site, request: Request, error: QuanzeError | None = None, status: int = 200,
                done: str = "") -> Response:
    from quanze.api.inputs import ACCOUNT_ROLES

    return site.render(request, "admin_users.html", status=status, users=site.accounts.users(), roles=ACCOUNT_ROLES,
                       error=error, done=done)


__all__ = ["register"]
