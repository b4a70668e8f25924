"""Car tools, feedback and export in the browser."""

import pytest
from playwright.sync_api import expect

from chat.knowledge import lookup_code
from chat.models import Conversation, Feedback
from tests.browser.pages import LAST_ANSWER, ask, conversation_id, screenshot

pytestmark = pytest.mark.browser

VIN = "1HGCM82633A004352"  # a 2003 Honda built in the United States


def test_vehicle_profile_with_vin_decoding(page, openai_settings, fake_openai):
    page.click("#vehicle-toggle")
    expect(page.locator("#vehicle-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#vehicle-year")).to_be_focused()
    page.fill("#vehicle-vin", VIN.lower())
    page.fill("#vehicle-model", "Accord")
    page.click("#vin-decode")
    result = page.locator("#vin-result")
    expect(result).to_contain_text("Honda")
    expect(result).to_contain_text("United States")
    expect(result).to_contain_text("2003")
    fill = result.get_by_role("button", name="Fill in make and year")
    fill.click()
    assert page.input_value("#vehicle-make") == "Honda"
    assert page.input_value("#vehicle-year") == "2003"

    # No conversation yet: saving starts one that carries the vehicle.
    page.get_by_role("button", name="Save vehicle").click()
    page.wait_for_url("**/c/*")
    conversation = Conversation.objects.get(pk=conversation_id(page))
    assert conversation.vehicle == {"year": 2003, "make": "Honda", "model": "Accord", "vin": VIN}
    expect(page.locator("#vehicle-summary")).to_have_text("2003 Honda Accord")

    # Later changes update the same conversation, and survive a reload.
    page.click("#vehicle-toggle")
    page.fill("#vehicle-mileage", "182000")
    page.fill("#vehicle-engine", "2.4 i-VTEC")
    page.get_by_role("button", name="Save vehicle").click()
    expect(page.locator("#vehicle-status")).to_have_text("Saved.")
    conversation.refresh_from_db()
    assert conversation.vehicle["mileage"] == 182000
    assert conversation.vehicle["engine"] == "2.4 i-VTEC"

    page.reload()
    expect(page.locator("#vehicle-summary")).to_have_text("2003 Honda Accord")
    page.click("#vehicle-toggle")
    assert page.input_value("#vehicle-mileage") == "182000"
    assert page.input_value("#vehicle-vin") == VIN
    page.keyboard.press("Escape")
    expect(page.locator("#vehicle-panel")).to_be_hidden()
    expect(page.locator("#vehicle-toggle")).to_be_focused()

    # The model is told about the vehicle.
    ask(page, "Check engine light is on")
    system = fake_openai.requests[-1]["messages"][0]["content"]
    assert "Honda" in system and "Accord" in system and "182000" in system


def test_a_recent_vehicle_fills_the_form_for_a_new_conversation(page):
    page.click("#vehicle-toggle")
    page.fill("#vehicle-year", "2012")
    page.fill("#vehicle-make", "Honda")
    page.fill("#vehicle-model", "Civic")
    page.fill("#vehicle-mileage", "58000")
    page.get_by_role("button", name="Save vehicle").click()
    page.wait_for_url("**/c/*")
    first = conversation_id(page)

    # A new conversation offers the same car; one click fills the form, saving uses it.
    page.goto(page.url.split("/c/")[0] + "/")
    page.click("#vehicle-toggle")
    chip = page.get_by_role("button", name="2012 Honda Civic")
    screenshot(page, "desktop-light-recent-vehicle")
    chip.click()
    assert page.input_value("#vehicle-make") == "Honda"
    assert page.input_value("#vehicle-mileage") == ""  # today's reading, not last time's
    expect(page.locator("#vehicle-status")).to_contain_text("save to use it here")
    page.fill("#vehicle-mileage", "61000")
    page.get_by_role("button", name="Save vehicle").click()
    page.wait_for_url(lambda url: "/c/" in url and first not in url)
    second = Conversation.objects.get(pk=conversation_id(page))
    assert second.vehicle == {"year": 2012, "make": "Honda", "model": "Civic", "mileage": 61000}
    # Where that car is already in use, it isn't offered again.
    page.click("#vehicle-toggle")
    expect(page.locator("#recent-vehicles")).to_have_count(0)


def test_vehicle_errors_are_shown(page):
    page.click("#vehicle-toggle")
    page.fill("#vehicle-vin", "NOT-A-VIN")
    page.click("#vin-decode")
    expect(page.locator("#vin-result .bad")).to_be_visible()
    page.fill("#vehicle-vin", "")
    page.fill("#vehicle-year", "1700")
    page.get_by_role("button", name="Save vehicle").click()
    expect(page.locator("#vehicle-status")).to_contain_text("year")
    assert not Conversation.objects.exists()


def test_quick_code_lookup(page):
    page.click("#lookup-toggle")
    expect(page.locator("#lookup-code")).to_be_focused()
    page.fill("#lookup-code", "p0420")
    page.keyboard.press("Enter")
    card = page.locator("#lookup-result .code-card")
    expect(card).to_contain_text("Catalyst System Efficiency Below Threshold")
    expect(card.locator(".tag")).to_have_text("Generic code")
    expect(card).to_contain_text("Powertrain")
    # Whatever else the API knows about the code is listed too (nested fields flattened).
    info = lookup_code("P0420").as_dict()
    extra = {}
    for key in set(info) - {"code", "meaning", "generic", "scope", "system", "subsystem"}:
        extra.update(info[key] if isinstance(info[key], dict) else {key: info[key]})
    shown = card.text_content()
    for key, value in extra.items():
        if value not in (None, "", [], {}):
            assert key.replace("_", " ").capitalize() in shown, key
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    assert item in shown, item

    page.fill("#lookup-code", "P1234")
    page.keyboard.press("Enter")
    expect(card.locator(".tag")).to_have_text("Manufacturer-specific")

    # A generic number a maker uses its own way shows the SAE meaning and the maker's note.
    page.fill("#lookup-code", "c0035")
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Right Front Wheel Speed Sensor Supply")
    expect(card).to_contain_text("Note")
    expect(card).to_contain_text("GM vehicles")

    page.fill("#lookup-code", "HELLO")
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-result .bad")).to_be_visible()

    page.fill("#lookup-code", "P0420")
    page.keyboard.press("Enter")
    card.get_by_role("button", name="Ask about P0420").click()
    expect(page.locator("#lookup-panel")).to_be_hidden()
    expect(page.locator("#message")).to_be_focused()
    assert page.input_value("#message").startswith("My car shows P0420")


def test_feedback_is_stored(page):
    answer = ask(page, "P0171 lean code")
    answer.get_by_role("button", name="Helpful", exact=True).click()
    form = answer.locator(".feedback-form")
    expect(form.locator("textarea")).to_be_focused()
    form.locator("textarea").fill("Spot on, it was a vacuum leak")
    form.get_by_role("button", name="Send feedback").click()
    expect(answer.locator(".note.thanks")).to_have_text("Thanks for the feedback.")
    expect(answer.get_by_role("button", name="Helpful", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (1, "Spot on, it was a vacuum leak")
    assert str(feedback.message_id) == answer.get_attribute("data-id")

    second = ask(page, "P0300 random misfire")
    second.get_by_role("button", name="Not helpful").click()
    second.get_by_role("button", name="Send feedback").click()
    expect(second.locator(".note.thanks")).to_be_visible()
    assert list(Feedback.objects.order_by("created_at").values_list("rating", "comment")) == [
        (1, "Spot on, it was a vacuum leak"),
        (-1, ""),
    ]


def test_export_and_print(page):
    ask(page, "Grinding noise when braking")
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    text = download.path().read_text(encoding="utf-8")
    assert text.startswith("# Grinding noise when braking")
    answer = page.locator(f"{LAST_ANSWER} .body li").first.text_content()
    assert "## You" in text and "## AgentCarRepair" in text
    assert answer.split(":")[0] in text

    page.emulate_media(media="print")
    for hidden in ("#sidebar", "#composer", ".toolbar", "#messages .actions"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.locator(".print-brand").is_visible()
    assert page.locator("#messages > article.assistant .body").is_visible()
    screenshot(page, "print")
