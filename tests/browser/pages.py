"""Small helpers for driving the chat page in the browser tests."""

from __future__ import annotations

import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 360, "height": 740}

# CSS "of S" selectors work both in Playwright and in document.querySelector.
LAST_ANSWER = "#messages > article:nth-last-child(1 of .assistant)"
LAST_QUESTION = "#messages > article:nth-last-child(1 of .user)"


def send(page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def wait_for_answer(page, status: str = "complete"):
    """The last answer, once it has finished with ``status`` (complete, cancelled, error)."""
    answer = page.locator(LAST_ANSWER)
    page.wait_for_selector(f"{LAST_ANSWER}[data-status={status}]")
    return answer


def ask(page, text: str):
    """Send a question and wait for the whole answer."""
    count = page.locator("#messages > article.assistant").count()
    send(page, text)
    page.wait_for_function(
        "n => document.querySelectorAll('#messages > article.assistant').length > n", arg=count
    )
    return wait_for_answer(page)


def conversation_id(page) -> str:
    return page.eval_on_selector("#chat", "node => node.dataset.conversationId")


def screenshot(page, name: str) -> Path:
    """Save a screenshot to test-artifacts/ (kept by CI, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def wait_for_stored(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("the server did not store the expected message in time")
