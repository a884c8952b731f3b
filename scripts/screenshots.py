"""Screenshots of the web workbench for the README, taken in headless Chromium from the demo county.

    python scripts/screenshots.py [--out docs/screenshots]

Loads the demo county into a temporary store, serves the web application on 127.0.0.1 with a temporary editor
account, and saves the ask page with its options (``ask.png``), the top of a township's page (``township.png``),
its graph view (``township-graph.png``) the audit dashboard and the capacity page once their charts have drawn
(``audit.png``, ``capacity.png``) — ``quanze.tests.web.take_screenshots``, which
tests/test_web_browser.py runs too. Chromium is Debian's (``$QUANZE_CHROMIUM``, else ``scripts/browser``, which as
root also installs the Chinese font ``fonts-noto-cjk``); Playwright drives it, and ``playwright install`` is never
run. With the semantic model installed (``quanze model fetch``) the ask page shows what a deployed one shows.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chromium() -> str:
    found = os.environ.get("QUANZE_CHROMIUM", "").strip()
    if found:
        return found
    done = subprocess.run([str(ROOT / "scripts" / "browser")], capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit(f"scripts/screenshots.py: no Chromium: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="where the PNG files go")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from quanze.api.http import create_app
    from quanze.api.web import Accounts, State
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths
    from quanze.tests.web import CHROMIUM_ARGS, Served, take_screenshots

    with tempfile.TemporaryDirectory(prefix="quanze-shots-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        with SqliteStore(url) as store:
            if not ingest_paths([demo_path()], store).ok:
                sys.exit("scripts/screenshots.py: the demo county did not load")
        state_file = Path(tmp) / "demo.state.db"
        password = secrets.token_urlsafe(12)
        state = State(state_file)
        Accounts(state).add("demo", "editor", password, by="scripts/screenshots.py")
        state.close()
        server = Served(create_app(url, state=state_file, public_read=True))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(locale="zh-CN")
                shots = take_screenshots(page, server.url, Path(args.out), ("demo", password))
                browser.close()
        finally:
            server.stop()
    for shot in shots:
        print(shot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
