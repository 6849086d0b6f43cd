"""What the browser tests share: the checks that Chromium, pdftoppm and Playwright are here, the
registry served over real HTTP from a thread, and pages in a fresh context in a language.

A test module imports this first: without a browser the module is skipped, saying why (in CI it
fails instead, never a silent pass).
"""

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str) -> None:
    """Skip the module, saying why; in CI a missing browser is a failure, never a silent pass."""
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)


if not os.access(CHROMIUM, os.X_OK):
    unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
if shutil.which("pdftoppm") is None:
    unavailable("no pdftoppm to read the PDFs (Debian: apt-get install poppler-utils)")
try:
    from axe_playwright_python.sync_playwright import Axe  # noqa: F401 - for the tests
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - requirements-dev.txt pins them
    unavailable("Playwright or axe-playwright-python is not installed "
                "(pip install -r requirements-dev.txt)")  # fmt: skip

from flask import Flask  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from gi_registry import create_app  # noqa: E402
from gi_registry.extensions import db  # noqa: E402
from gi_registry.standards.services import load_standards_if_missing  # noqa: E402

from .. import helpers  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-quic",
               "--no-first-run"]  # fmt: skip
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
T = TypeVar("T")


@contextmanager
def registry(tmp, fill: Callable[[], T]) -> Iterator[tuple[str, Flask, T]]:
    """A fresh registry on SQLite in `tmp` (its schema and the product standard, then what
    `fill` adds, in an app context), in a real HTTP server (a thread) on a free port. Yields its
    address, which is also PUBLIC_BASE_URL so that the QR codes lead back to it, the app, and
    what `fill` returned. Configured as a browser needs it: the real CSRF tokens, and http
    cookies that are not Secure-only."""
    app = create_app({**helpers.test_config(f"sqlite:///{tmp / 'e2e.sqlite3'}", tmp),
                      "WTF_CSRF_ENABLED": True, "PUBLIC_BASE_URL": "http://127.0.0.1"})  # fmt: skip
    with app.app_context():
        db.create_all()
        load_standards_if_missing()
        filled = fill()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield url, app, filled
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@contextmanager
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, url: str, *, lang: str = "en", viewport=DESKTOP,
             user_agent: str | None = None) -> Page:  # fmt: skip
    """A page in a fresh context (its own cookies) on the site at `url`, in `lang`."""
    options = {"viewport": viewport, "accept_downloads": True}
    if viewport == PHONE:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    if user_agent:
        options["user_agent"] = user_agent
    context = browser.new_context(**options)
    context.add_cookies([{"name": "lang", "value": lang, "url": url}])
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page: Page, url: str, email: str, password: str = helpers.PASSWORD) -> None:
    page.goto(f"{url}/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    expect(page.locator("#email")).to_have_count(0)  # left the sign-in page
