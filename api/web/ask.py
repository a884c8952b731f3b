"""问 Ask (``/``): a citizen's words and a township in, the answer card out; options when the words are unclear
(您指的是哪一种？), and 确认派单 / 改派 to record the confirmed ticket (``POST /confirm``, editors), which the next
question already benefits from. ``/ask/suggest`` feeds the reassign box's type-ahead (JSON).

Every value goes to the library as typed: ``api.who.who`` reads the words, the township, the chosen matter through
``api.inputs``; ``api.tickets.ticket_target`` reads what was typed to reassign.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from quanze.api.web.guard import cookie_header
from quanze.api.web.site import TOWNSHIP_COOKIE, Site, form, page, redirect
from quanze.errors import QuanzeError

ANSWERS_SHOWN = 3  # matches asked of who() (as the JSON API's default): the first is the answer, two more below it
TOWNSHIP_COOKIE_AGE = 365 * 86400


def register(app: FastAPI, site: Site) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @page
    def ask(request: Request, q: str = "", township: Annotated[str, Query(alias="in")] = "", matter: str = "",
            as_of: str = "", recorded: str = "") -> Response:
        return answer_page(site, request, q, township, matter, as_of, recorded)

    @app.post("/confirm", include_in_schema=False)
    @page
    async def confirm(request: Request) -> Response:
        fields = await form(request)
        words, township = fields.get("q", ""), fields.get("in", "")
        matter, target = fields.get("matter", "").strip(), fields.get("target", "").strip()
        action = "confirm" if matter else "reassign"
        me = site.require(request, "editor", action, words)
        try:
            recorded = _record(site, request, words, township, matter, target, me.name or "")
        except QuanzeError as e:
            site.state.log(me.name, site.client(request), action, words,
                           {"in": township, "matter": matter, "target": target}, result=f"error: {e.code}")
            return answer_page(site, request, words, township, matter, "", "", reassign_error=e, status=e.http_status,
                               reassign_text=target)
        site.state.log(me.name, site.client(request), action, words, {"in": township, **recorded})
        return redirect("/", q=words, **{"in": township}, matter=recorded.get("matter_id"),
                        recorded=recorded["name"])

    @app.get("/ask/suggest", include_in_schema=False)
    def suggest(request: Request, q: str = "") -> JSONResponse:
        """The reassign box's type-ahead: matter names and agency labels containing the words typed."""
        from quanze.api.choices import suggestions

        with site.store(request) as store:
            found = suggestions(store, q[:100])
        return JSONResponse(found, headers={"Cache-Control": "no-store"})


def _record(site: Site, request: Request, words: str, township: str, matter: str, target: str,
            by: str) -> dict[str, Any]:
    """Record the confirmed ticket in the application's tickets file: the matter chosen (confirm), or the matter or
    body typed (reassign)."""
    from quanze.api import inputs
    from quanze.api.tickets import record_ticket, ticket_target
    from quanze.errors import BadValue

    with site.store(request) as store:
        held = inputs.held_region(store, township)
        if matter:
            m = inputs.matter(store, matter)
            what = {"matter": m.get("code") or m["name"], "name": m["name"], "matter_id": m["id"]}
        elif target:
            what = ticket_target(store, target, held["code"])
            if "matter" in what:
                what["matter_id"] = inputs.matter(store, what["matter"])["id"]
        else:
            raise BadValue("请选择事项，或填写改派的事项或单位", "choose a matter, or type the matter or body to "
                           "reassign to", field="target")
        record_ticket(store, site.state.tickets_path, words, matter=what.get("matter", ""),
                      agency=what.get("agency", ""), by=by)
    return what


def answer_page(site: Site, request: Request, q: str, township: str, matter: str, as_of: str, recorded: str,
                reassign_error: QuanzeError | None = None, status: int = 200, reassign_text: str = "") -> Response:
    """The ask page: the form, and for a question its answer (or what is wrong with the question)."""
    from quanze.api.choices import region_choices
    from quanze.api.who import who

    remembered = request.cookies.get(TOWNSHIP_COOKIE, "")
    answer, error = None, None
    with site.store(request) as store:
        choices = region_choices(store)
        if q.strip() or township.strip():
            try:
                answer = who(store, q, township, as_of=as_of or None, limit=ANSWERS_SHOWN,
                             ticket_files=site.ticket_files(), matter=matter or None)
            except QuanzeError as e:
                error = e
                status = e.http_status if status == 200 else status
    shown = township or next((c["value"] for c in choices if c["code"] == remembered), "")
    response = site.render(request, "ask.html", status=status, q=q, township=shown, choices=choices, answer=answer,
                           error=error, recorded=recorded, reassign_error=reassign_error,
                           reassign_text=reassign_text, as_of=as_of, card=_card(answer) if answer else None)
    if answer:
        response.headers.append("set-cookie", cookie_header(TOWNSHIP_COOKIE, answer["region"]["code"],
                                                            request.url.scheme == "https", TOWNSHIP_COOKIE_AGE))
    return response


def _card(answer: dict[str, Any]) -> dict[str, Any]:
    """What the answer card needs beyond ``who``'s answer: the first match, its lead, and the handlers by role."""
    top = answer["matches"][0] if answer["matches"] else None
    lead = next((h for h in top["handlers"] if h["role"] == "lead"), None) if top else None
    return {"top": top, "lead": lead, "others": [h for h in (top["handlers"] if top else []) if h is not lead],
            "confirmable": bool(lead) and not answer.get("nobody"),
            "letters": "ABCDEFGH"}


__all__ = ["answer_page", "register"]
