"""Real Chromium, driven by Playwright, against pytest-django's live server.

Without Chromium the browser tests skip with the reason, unless ``CI`` is set: CI must not skip
what it can run, so there a missing browser fails the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.pages import DESKTOP_VIEWPORT

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every page the browser tests open is served under the app's own strict Content-Security-Policy,
# so an inline script, inline handler or outside resource shows up as a violation here.
STRICT_CSP = settings.CSP

# Playwright's sync API keeps an event loop in the test thread, which trips Django's
# async-safety check on plain ORM calls made by the tests themselves.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server listens on the loopback address the brief names (pytest-django: localhost).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

WATCH_PAGE = """
window.__xss = 0;
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or set CHROMIUM_PATH to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _check_policy(response, base_url: str) -> None:
    if response.request.resource_type == "document" and response.url.startswith(base_url):
        path = response.url[len(base_url) :]
        expected = (
            settings.CSP_THIRD_PARTY_PAGES
            if path.startswith(settings.CSP_RELAXED_PATHS)
            else STRICT_CSP
        )
        assert response.headers.get("content-security-policy") == expected, response.url


class PageProblems:
    """Uncaught script errors and CSP violations seen while a test ran."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(browser, live_server, problems) -> Iterator:
    """Open pages on the live server: ``new_page(viewport=..., color_scheme=...)``."""
    contexts = []

    def open_page(viewport=DESKTOP_VIEWPORT, color_scheme="light", path="/"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            color_scheme=color_scheme,
            accept_downloads=True,
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        context.add_init_script(WATCH_PAGE)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.errors.append(str(error)))
        page.on("response", lambda response: _check_policy(response, live_server.url))

        def on_dialog(dialog):
            problems.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            if not page.is_closed() and page.url.startswith(live_server.url):
                violations = page.evaluate("window.__csp || []")
                assert not violations, f"Content-Security-Policy violations: {violations}"
        context.close()
    assert not problems.errors, f"Uncaught errors in the page: {problems.errors}"


@pytest.fixture
def page(new_page):
    """A desktop-size page on the chat home."""
    return new_page()
