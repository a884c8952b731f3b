"""Helpers for the web application's tests (importable as ``quanze.tests.web``; not collected as tests).

``WebClient`` wraps FastAPI's TestClient around an application made by ``create_app`` with one account of each role
(named after it: ``reader``, ``editor``, ``admin``; passwords in ``PASSWORDS``); ``sign_in`` signs in through the
login form, ``send`` posts a page's form with its token. ``Served`` runs an application with uvicorn on 127.0.0.1
in a thread (for the browser tests). The fixtures that make them are in ``tests/conftest.py``.
"""

from __future__ import annotations

import re
import threading
import time
from html import unescape
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

PASSWORDS = {"reader": "reader-password-1", "editor": "editor-password-1", "admin": "admin-password-1"}
# argon2 with the cheapest parameters it takes: the tests sign in many times, and what they check is the application's
# logic, not the hash's cost (one test checks that the application's own hasher is argon2id with today's parameters)
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# what Chromium is started with in the browser tests (never `playwright install`: Debian's chromium)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The form token a page carries."""
    found = _CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def add_accounts(app: Any) -> None:
    """One account of each role, named after it; the application hashes with ``CHEAP`` from now on."""
    accounts = app.state.site.accounts
    accounts.hasher = CHEAP
    for role, password in PASSWORDS.items():
        if accounts.get(role) is None:  # a second application over the same state file finds them made
            accounts.add(role, role, password, by="test")


class WebClient:
    """A TestClient over the application, with its pages' forms in hand."""

    def __init__(self, app: Any, client: Any):
        self.app = app
        self.client = client

    @property
    def site(self) -> Any:
        return self.app.state.site

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, **kwargs)

    def token(self, path: str = "/login") -> str:
        """The form token of a page as this client sees it now."""
        return csrf_of(self.get(path).text)

    def sign_in(self, name: str, password: str | None = None, expect: int = 303) -> Any:
        r = self.post("/login", data={"csrf": self.token(), "name": name, "password": password or PASSWORDS[name],
                                      "next": "/"}, follow_redirects=False)
        assert r.status_code == expect, r.text[:500]
        return r

    def send(self, path: str, data: dict[str, str], token_from: str = "/login", **kwargs: Any) -> Any:
        """Post a form with the token of the page it would come from."""
        return self.post(path, data={"csrf": self.token(token_from), **data}, follow_redirects=False, **kwargs)


def text_of(html: str) -> str:
    """A page's text without its tags, entities read: what a person sees (roughly)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


class Served:
    """An application served by uvicorn on 127.0.0.1 (a free port) in a thread, until ``stop``."""

    def __init__(self, app: Any):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="quanze-test-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


# --- in a browser -------------------------------------------------------------------------------------------------

def sign_in_page(page: Any, base: str, name: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form.login button[type=submit]")


def settled(page: Any) -> None:
    """Wait until the page has loaded everything and its fonts are laid out."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


SCREENSHOT_QUESTION = ("饭馆油烟熏得人受不了", "城关镇")  # the demo's example with options (api.demo.EXAMPLE_QUESTIONS)
SCREENSHOT_TOWNSHIP = "990701001"


def take_screenshots(page: Any, base: str, out: Path, login: tuple[str, str] | None = None) -> list[Path]:
    """The README's screenshots of a served demo: the ask page with its options (``ask.png``), a township's page
    (``township.png``, its top) with its graph view (``township-graph.png``), the audit dashboard and the capacity page
    with their charts drawn (``audit.png``, ``capacity.png``). Signed in with ``login`` (an editor),
    the ask page shows the confirm button too."""
    from urllib.parse import urlencode

    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    if login:
        sign_in_page(page, base, *login)
    q, town = SCREENSHOT_QUESTION
    page.goto(f"{base}/?{urlencode({'q': q, 'in': town})}")
    settled(page)
    shots = [out / "ask.png", out / "township.png", out / "township-graph.png", out / "audit.png",
             out / "capacity.png"]
    page.screenshot(path=str(shots[0]), full_page=True)
    page.goto(f"{base}/township/{SCREENSHOT_TOWNSHIP}")
    settled(page)
    page.screenshot(path=str(shots[1]))
    graph = page.locator("#graph")
    graph.scroll_into_view_if_needed()
    frame = page.frame_locator("iframe.graph")
    frame.locator("body[data-stabilized='true']").wait_for(state="attached", timeout=120_000)  # laid out, fitted
    page.wait_for_timeout(500)
    graph.screenshot(path=str(shots[2]))
    page.goto(f"{base}/audit")
    settled(page)
    charts_drawn(page)
    page.screenshot(path=str(shots[3]))
    page.goto(f"{base}/capacity")
    settled(page)
    charts_drawn(page, ("#chart-capacity", "#chart-cooperation"))
    page.screenshot(path=str(shots[4]))
    return shots


CHARTS = ("#chart-rule", "#chart-township")  # the audit dashboard's


def charts_drawn(page: Any, charts: tuple[str, ...] = CHARTS) -> None:
    """Wait until each chart of the page has finished drawing (``static/web/charts.js`` marks its container)."""
    for chart in charts:
        page.locator(f"{chart}[data-drawn='1']").wait_for(state="attached", timeout=60_000)


def painted_pixels(page: Any, chart: str) -> int:
    """How many pixels of a chart's canvas are not transparent (read back from the canvas itself)."""
    return page.evaluate("""(sel) => { const c = document.querySelector(sel + ' canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) { n++; } } return n; }""", chart)
