"""Layout at phone and desktop sizes, light and dark, with screenshots in test-artifacts/."""

import pytest

from tests.browser.pages import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    ask,
    no_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser

SIZES = {"desktop": DESKTOP_VIEWPORT, "phone": PHONE_VIEWPORT}
LONG_WORD = "A" * 120


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_screenshots_light_and_dark(page):
    page.emulate_media(reduced_motion="reduce")  # no drawer animation caught mid-slide
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            assert no_horizontal_scroll(page), (size, scheme)
            screenshot(page, f"{size}-{scheme}-welcome")

    page.click("#vehicle-toggle")
    page.fill("#vehicle-year", "2012")
    page.fill("#vehicle-make", "Ford")
    page.fill("#vehicle-model", "Focus")
    page.get_by_role("button", name="Save vehicle").click()
    page.wait_for_url("**/c/*")
    ask(page, "Temperature gauge in the red and steam from the hood")
    ask(page, f"P0420 and P0171, reader printed {LONG_WORD}")
    assert page.locator(".banner.stop").count() == 1

    colours = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        colours[scheme] = background(page)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.eval_on_selector(".banner.stop", "node => node.scrollIntoView()")
            assert no_horizontal_scroll(page), (size, scheme)
            # Only the message list scrolls; the page itself stays put.
            assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
            assert page.locator("#composer").is_visible() and page.locator(".topbar").is_visible()
            screenshot(page, f"{size}-{scheme}")
    assert colours["light"] != colours["dark"]

    page.set_viewport_size(PHONE_VIEWPORT)
    page.click("#menu-button")
    screenshot(page, "phone-dark-drawer")
    page.keyboard.press("Escape")

    page.emulate_media(color_scheme="light")
    page.click("#lookup-toggle")
    page.fill("#lookup-code", "P0420")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lookup-result .code-card")
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-light-lookup")
    page.click("#vehicle-toggle")
    page.fill("#vehicle-vin", "1HGCM82633A004352")
    page.click("#vin-decode")
    page.wait_for_selector("#vin-result dl")
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-light-vehicle")


def test_page_weight_as_the_browser_loads_it(page):
    page.wait_for_load_state("networkidle")
    entries = page.evaluate(
        """() => performance.getEntriesByType('resource').map(
             (e) => ({name: e.name, size: e.encodedBodySize}))"""
    )
    origin = page.evaluate("location.origin")
    assert all(entry["name"].startswith(origin) for entry in entries), entries
    code = [e for e in entries if e["name"].endswith((".js", ".css"))]
    assert {e["name"].rsplit("/", 1)[-1] for e in code} >= {"app.js", "app.css", "turns.js"}
    html = len(page.content().encode())
    total = html + sum(entry["size"] for entry in code)
    assert total < 100 * 1024, f"{total} bytes of HTML, CSS and JS"


UNNAMED_CONTROLS = """() => [...document.querySelectorAll('button, a[href], input, textarea')]
  .filter((node) => node.offsetParent !== null || node.getClientRects().length)
  .filter((node) => {
    const labelled = node.getAttribute('aria-label') || node.getAttribute('aria-labelledby')
      || node.title || (node.labels && node.labels.length) || node.textContent.trim();
    return !labelled;
  })
  .map((node) => node.outerHTML.slice(0, 80))"""


def test_every_control_has_a_name(new_page):
    for viewport in (DESKTOP_VIEWPORT, PHONE_VIEWPORT):
        page = new_page(viewport=viewport)
        ask(page, "P0420")
        page.click("#vehicle-toggle")
        assert page.evaluate(UNNAMED_CONTROLS) == []
        page.click("#lookup-toggle")
        assert page.evaluate(UNNAMED_CONTROLS) == []
