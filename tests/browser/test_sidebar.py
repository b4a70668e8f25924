"""The conversation list: open, rename, delete, search, start new; the drawer on phones."""

import pytest
from playwright.sync_api import expect

from chat.models import Conversation, Message
from tests.browser.pages import (
    PHONE_VIEWPORT,
    ask,
    conversation_id,
    no_horizontal_scroll,
    wait_for_stored,
)
from tests.factories import ConversationFactory

pytestmark = pytest.mark.browser


def start(page, text):
    page.goto("/")
    ask(page, text)
    return conversation_id(page)


def item(page, conversation):
    return page.locator(f"#conversation-list li[data-id='{conversation}']")


def test_open_and_start_new(page):
    first = start(page, "Brakes squeal when cold")
    second = start(page, "P0420 on my reader")
    titles = page.locator("#conversation-list .title").all_text_contents()
    assert titles == ["P0420 on my reader", "Brakes squeal when cold"]
    expect(item(page, second).locator("a.open")).to_have_attribute("aria-current", "page")

    item(page, first).locator("a.open").click()
    page.wait_for_url(f"**/c/{first}")
    assert "Brakes squeal when cold" in page.text_content("#messages")
    assert page.text_content("#conversation-title") == "Brakes squeal when cold"
    expect(item(page, first).locator("a.open")).to_have_attribute("aria-current", "page")

    page.click("#new-conversation")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.locator("#welcome").is_visible()
    assert page.locator("#export-link").is_hidden()


def test_switching_mid_stream_keeps_the_partial_answer(page, openai_settings, fake_openai):
    fake_openai.reply_text("Done.")
    first = start(page, "Short question")
    fake_openai.reply_text("slowly " * 200, chunk_size=7, token_interval=0.05)
    page.goto("/")
    page.fill("#message", "Long question")
    page.press("#message", "Enter")
    page.wait_for_function(
        "() => document.querySelector('#messages > article.assistant .body')"
        "?.textContent.length > 20"
    )
    second = conversation_id(page)
    item(page, first).locator("a.open").click()
    page.wait_for_url(f"**/c/{first}")
    assert fake_openai.wait_for_disconnect()
    # The server keeps the partial answer once it notices the page left; then it is on the page.
    wait_for_stored(
        lambda: Message.objects.filter(
            conversation_id=second, role="assistant", status="cancelled"
        ).exists()
    )
    page.goto(f"/c/{second}")
    answer = page.locator("#messages > article.assistant")
    answer.first.wait_for()
    assert answer.count() == 1
    assert answer.get_attribute("data-status") == "cancelled"
    assert answer.locator(".body").text_content().strip().startswith("slowly slowly")


def test_rename(page):
    conversation = start(page, "Engine knocking")
    row = item(page, conversation)
    row.hover()
    row.locator("[data-action=rename]").click()
    field = row.locator(".rename-form input")
    expect(field).to_be_focused()
    field.fill("Knock on the 2012 Focus")
    field.press("Enter")
    expect(row.locator(".title")).to_have_text("Knock on the 2012 Focus")
    expect(page.locator("#conversation-title")).to_have_text("Knock on the 2012 Focus")
    expect(row.locator("[data-action=rename]")).to_have_attribute(
        "aria-label", "Rename Knock on the 2012 Focus"
    )
    assert Conversation.objects.get(pk=conversation).title == "Knock on the 2012 Focus"

    # Escape cancels a rename.
    row.locator("[data-action=rename]").click()
    row.locator(".rename-form input").fill("Not this")
    row.locator(".rename-form input").press("Escape")
    expect(row.locator(".title")).to_have_text("Knock on the 2012 Focus")

    page.reload()
    assert page.text_content("#conversation-title") == "Knock on the 2012 Focus"
    assert page.title().startswith("Knock on the 2012 Focus")


def test_delete_with_confirmation(page):
    keep = start(page, "Keep this one")
    other = start(page, "Delete this one")
    row = item(page, keep)
    row.locator("[data-action=delete]").click()
    expect(row.locator(".confirm-text")).to_have_text("Delete “Keep this one”?")
    row.locator("[data-action=cancel-delete]").click()
    assert Conversation.objects.filter(pk=keep).exists()
    expect(row.locator("a.open")).to_be_visible()

    # Deleting the open conversation goes back to a new one.
    row = item(page, other)
    row.locator("[data-action=delete]").click()
    row.locator("[data-action=confirm-delete]").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert not Conversation.objects.filter(pk=other).exists()
    assert page.locator("#conversation-list li").count() == 1

    item(page, keep).locator("[data-action=delete]").click()
    item(page, keep).locator("[data-action=confirm-delete]").click()
    expect(item(page, keep)).to_have_count(0)
    expect(page.locator("#list-note")).to_have_text("No conversations yet.")
    assert not Conversation.objects.exists()


def test_search_titles_and_message_text(page):
    brakes = start(page, "Brakes squeal when cold")
    catalyst = start(page, "P0420 on my reader")
    page.fill("#search", "squeal")
    expect(page.locator("#conversation-list li")).to_have_count(1)
    expect(page.locator("#conversation-list li")).to_have_attribute("data-id", brakes)

    # Message text counts too: the offline answer to P0420 talks about the catalyst.
    page.fill("#search", "catalyst")
    expect(page.locator("#conversation-list li")).to_have_count(1)
    expect(page.locator("#conversation-list li")).to_have_attribute("data-id", catalyst)

    page.fill("#search", "no such words anywhere")
    expect(page.locator("#conversation-list li")).to_have_count(0)
    expect(page.locator("#list-note")).to_contain_text("No conversations match")

    page.fill("#search", "")
    expect(page.locator("#conversation-list li")).to_have_count(2)


def test_phone_drawer(new_page):
    page = new_page(viewport=PHONE_VIEWPORT)
    first = start(page, "Battery light on")
    start(page, "Oil light flickers")
    assert page.locator("#sidebar").is_hidden()
    assert no_horizontal_scroll(page)

    page.click("#menu-button")
    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.locator("#menu-button")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#drawer-close")).to_be_focused()
    assert page.evaluate("document.getElementById('chat').inert")
    assert no_horizontal_scroll(page)

    page.keyboard.press("Escape")
    expect(page.locator("#sidebar")).to_be_hidden()
    expect(page.locator("#menu-button")).to_be_focused()
    assert not page.evaluate("document.getElementById('chat').inert")

    page.click("#menu-button")
    page.click("#backdrop", position={"x": 340, "y": 400})
    expect(page.locator("#sidebar")).to_be_hidden()

    page.click("#menu-button")
    item(page, first).locator("a.open").click()
    page.wait_for_url(f"**/c/{first}")
    assert page.locator("#sidebar").is_hidden()
    assert no_horizontal_scroll(page)


def test_show_more_pages_through_the_list(page):
    first = start(page, "The first conversation")
    owner_token = Conversation.objects.get(pk=first).owner_token
    ConversationFactory.create_batch(55, anonymous=True, owner_token=owner_token)
    page.reload()
    rows = page.locator("#conversation-list li")
    expect(rows).to_have_count(50)
    page.click("#more-conversations")
    expect(rows).to_have_count(56)
    expect(page.locator("#more-conversations")).to_be_hidden()
    ids = rows.evaluate_all("items => items.map((item) => item.dataset.id)")
    assert len(set(ids)) == 56 and first in ids
