"""The chat in a real browser: streaming, stop, regenerate, edit, copy, errors, keyboard."""

import pytest
from playwright.sync_api import expect

from chat.models import Conversation, Message
from tests.browser.pages import (
    LAST_ANSWER,
    LAST_QUESTION,
    ask,
    conversation_id,
    screenshot,
    send,
    wait_for_stored,
)

pytestmark = pytest.mark.browser

MARKDOWN = (
    "Check the **battery** first. Then the starter relay, the main fuse and the ground strap. "
    "If the lights dim when you turn the key, charge the battery and try again."
)


def test_answer_streams_then_renders(page, openai_settings, fake_openai):
    fake_openai.reply_text(MARKDOWN, chunk_size=6, token_interval=0.03)
    send(page, "Car clicks and won't start")
    streaming = page.locator(f"{LAST_ANSWER}[data-status=streaming] .body")
    page.wait_for_function(
        f"() => document.querySelector('{LAST_ANSWER} .body').textContent.length > 12"
    )
    early = len(streaming.text_content())
    page.wait_for_function(
        f"() => document.querySelector('{LAST_ANSWER} .body').textContent.length > {early + 20}"
    )
    assert page.locator(LAST_ANSWER).get_attribute("data-status") == "streaming"
    assert page.locator("#stop").is_visible() and page.locator("#send").is_hidden()

    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert page.inner_html(f"{LAST_ANSWER} .body strong") == "battery"
    assert "**" not in page.text_content(f"{LAST_ANSWER} .body")
    assert page.locator("#send").is_visible()
    assert "Answer complete" in page.text_content("#announcer")
    assert page.evaluate("document.activeElement.id") == "message"

    conversation = conversation_id(page)
    assert page.url.endswith(f"/c/{conversation}")
    assert page.locator(f"#conversation-list li[data-id='{conversation}']").count() == 1
    assert page.text_content("#conversation-title") == "Car clicks and won't start"


def test_markdown_is_previewed_while_it_streams(page, openai_settings, fake_openai):
    text = (
        "### Won't crank\n\nCheck the **battery** and the `main fuse` first:\n\n"
        "1. Clean the terminals\n2. Charge the battery\n\n- then the starter relay\n"
        "- then the ground strap\n\n" + "More detail follows here. " * 30
    )
    fake_openai.reply_text(text, chunk_size=8, token_interval=0.03)
    send(page, "Car won't crank")
    streaming = f"{LAST_ANSWER}[data-status=streaming] .body"
    page.wait_for_selector(f"{streaming} ul li:nth-child(2)")
    assert page.text_content(f"{streaming} h3") == "Won't crank"
    assert page.text_content(f"{streaming} strong") == "battery"
    assert page.text_content(f"{streaming} code") == "main fuse"
    assert page.locator(f"{streaming} ol li").count() == 2
    shown = page.text_content(streaming)
    assert "**" not in shown and "###" not in shown and "`" not in shown
    screenshot(page, "desktop-light-streaming-preview")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert page.inner_html(f"{LAST_ANSWER} .body strong") == "battery"  # the server's HTML now


def test_streamed_markup_is_never_html(page, openai_settings, fake_openai):
    fake_openai.reply_text(
        "**<img src=x onerror=window.hit=1>** and `<b>code</b>`" + " filler" * 40,
        chunk_size=6,
        token_interval=0.03,
    )
    send(page, "hello")
    streaming = f"{LAST_ANSWER}[data-status=streaming] .body"
    page.wait_for_selector(f"{streaming} strong")
    assert page.locator(f"{streaming} img").count() == 0
    assert "<img" in page.text_content(f"{streaming} strong")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert page.evaluate("window.hit") is None


def test_stop_keeps_the_partial_answer_marked(page, openai_settings, fake_openai):
    fake_openai.reply_text("word " * 200, chunk_size=5, token_interval=0.05)
    send(page, "Long answer please")
    page.wait_for_function(
        f"() => document.querySelector('{LAST_ANSWER} .body').textContent.length > 20"
    )
    page.click("#stop")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=cancelled]")
    assert page.locator(f"{LAST_ANSWER} .note.stopped").is_visible()
    shown = page.text_content(f"{LAST_ANSWER} .body").strip()
    assert shown.startswith("word word")
    assert page.locator("#send").is_visible()
    assert fake_openai.wait_for_disconnect()

    stored = wait_for_stored(
        lambda: Message.objects.filter(role="assistant", status="cancelled").first()
    )
    assert stored.content.startswith("word word") and len(stored.content) < len("word " * 200)
    # The page picks up the stored answer's id, so it can take feedback like any other.
    expect(page.locator(LAST_ANSWER)).to_have_attribute("data-id", str(stored.pk))
    expect(page.locator(f"{LAST_ANSWER} [data-action=rate]").first).to_be_visible()

    page.reload()
    assert page.locator(f"{LAST_ANSWER}[data-status=cancelled]").count() == 1
    assert page.locator(f"{LAST_ANSWER} .note.stopped").text_content() == (
        "Stopped before it finished."
    )
    assert page.text_content(f"{LAST_ANSWER} .body").strip().startswith("word word")


def test_keyboard_enter_shift_enter_and_escape(page, openai_settings, fake_openai):
    fake_openai.reply_text("slow " * 200, chunk_size=5, token_interval=0.05)
    page.click("#message")
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    assert page.input_value("#message") == "first line\nsecond line"
    assert page.locator("#messages > article").count() == 0

    page.keyboard.press("Enter")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=streaming]")
    assert page.input_value("#message") == ""
    assert page.text_content(f"{LAST_QUESTION} .body") == "first line\nsecond line"
    page.wait_for_function(
        f"() => document.querySelector('{LAST_ANSWER} .body').textContent.length > 10"
    )
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=cancelled]")
    assert page.evaluate("document.activeElement.id") == "message"


def test_regenerate_replaces_the_last_answer(page, openai_settings, fake_openai):
    fake_openai.reply_text("First try: check the fuses.")
    fake_openai.reply_text("Second try: check the *battery*.")
    ask(page, "No power at all")
    assert "First try" in page.text_content(LAST_ANSWER)
    page.click(f"{LAST_ANSWER} [data-action=regenerate]")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]:has-text('Second try')")
    assert page.locator("#messages > article.assistant").count() == 1
    assert page.inner_html(f"{LAST_ANSWER} .body em") == "battery"

    answers = Message.objects.filter(role="assistant")
    assert [m.content for m in answers] == ["Second try: check the *battery*."]
    page.reload()
    assert page.locator("#messages > article.assistant").count() == 1
    assert "Second try" in page.text_content(LAST_ANSWER)


def test_edit_and_resend_the_last_message(page, openai_settings, fake_openai):
    ask(page, "My brakes squeak")
    page.click(f"{LAST_QUESTION} [data-action=edit]")
    editor = page.locator(f"{LAST_QUESTION} .edit-form textarea")
    assert editor.input_value() == "My brakes squeak"
    assert page.evaluate("document.activeElement.name") == "message"
    editor.fill("My brakes grind when I stop")
    editor.press("Enter")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]:has-text('grind')")
    assert page.text_content(f"{LAST_QUESTION} .body") == "My brakes grind when I stop"
    assert page.locator("#messages > article").count() == 2
    assert 'You said: "My brakes grind when I stop"' in page.text_content(LAST_ANSWER)
    assert fake_openai.requests[-1]["messages"][-1]["content"] == "My brakes grind when I stop"

    page.reload()
    assert page.text_content(f"{LAST_QUESTION} .body").strip() == "My brakes grind when I stop"
    assert page.locator("#messages > article").count() == 2

    # Escape leaves the editor without changing anything.
    page.click(f"{LAST_QUESTION} [data-action=edit]")
    page.keyboard.press("Escape")
    assert page.locator(".edit-form").count() == 0
    assert page.locator(f"{LAST_QUESTION} .body").is_visible()


def test_conversation_survives_a_reload(page):
    ask(page, "P0420 on my reader")
    ask(page, "And P0171 too")
    url = page.url
    html_before = page.inner_html(LAST_ANSWER + " .body")
    page.reload()
    assert page.url == url
    assert page.locator("#messages > article.user").count() == 2
    assert page.locator("#messages > article.assistant").count() == 2
    assert page.inner_html(LAST_ANSWER + " .body").strip() == html_before.strip()
    assert page.locator(f"{LAST_ANSWER} [data-action=regenerate]").is_visible()
    assert page.locator(f"{LAST_QUESTION} [data-action=edit]").is_visible()
    # Only the last question can be edited and only the last answer regenerated.
    assert page.locator("[data-action=edit]:visible").count() == 1
    assert page.locator("[data-action=regenerate]:visible").count() == 1


def test_copy_an_answer(page):
    answer = ask(page, "P0300")
    answer.locator("[data-action=copy]").click()
    expect(answer.locator("[data-action=copy]")).to_have_text("Copied")
    expect(answer.locator(".action-status")).to_have_text("Copied to the clipboard")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "P0300" in copied
    assert copied == answer.locator(".body").inner_text().strip()


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (500, {}, "model server could not be reached"),
        (429, {"Retry-After": "1"}, "rate limiting"),
    ],
)
def test_provider_errors_show_a_clear_message_and_retry_works(
    page, openai_settings, fake_openai, status, headers, expected
):
    fake_openai.reply_error(status, headers=headers)
    fake_openai.reply_text("Back again: check the alternator belt.")
    send(page, "Battery light on while driving")
    failed = page.locator(f"{LAST_ANSWER}[data-status=error]")
    failed.wait_for()
    assert expected in failed.locator(".note.failed").text_content()
    assert failed.locator(".note.failed").get_attribute("role") == "alert"
    retry = failed.locator("[data-action=regenerate]")
    assert "Try again" in retry.text_content()
    if status == 429:
        assert retry.is_disabled() and "(1s)" in retry.text_content()
    page.wait_for_function(
        "() => document.querySelector('#messages > article.assistant [data-action=regenerate]')"
        "?.disabled === false"
    )
    assert Message.objects.filter(role="assistant", status="error").count() == 1
    retry.click()
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]:has-text('Back again')")
    assert page.locator("#messages > article.assistant").count() == 1
    assert page.locator("#messages > article.user").count() == 1
    assert list(Message.objects.filter(role="assistant").values_list("status", flat=True)) == [
        "complete"
    ]


def test_failed_turn_after_reload_offers_try_again(page, openai_settings, fake_openai):
    fake_openai.reply_error(503)
    send(page, "Engine cranks, no start")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=error]")
    page.reload()
    retry = page.locator(f"{LAST_ANSWER} [data-action=regenerate]")
    assert retry.text_content().strip() == "Try again"
    retry.click()
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert "Engine cranks, no start" in page.text_content(LAST_ANSWER)


def test_http_error_gives_the_words_back(page):
    too_long = "x" * 9000  # over CHAT_MAX_MESSAGE_CHARS: the API refuses it with a 400
    page.evaluate("text => { document.getElementById('message').removeAttribute('maxlength'); }")
    send(page, too_long)
    page.wait_for_selector("#error:not([hidden])")
    assert "limit" in page.text_content("#error")
    assert page.locator("#messages > article").count() == 0
    assert page.input_value("#message") == too_long


XSS_REPLY = """Here you go.

<script>window.__xss++; alert('script')</script>
<img src=x onerror="window.__xss++; alert('img')">
<svg onload="window.__xss++; alert('svg')"><circle r=5></circle></svg>
<iframe src="javascript:window.__xss++"></iframe>
<a href="javascript:window.__xss++">raw js link</a>

[markdown js link](javascript:window.__xss++)
[markdown data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![markdown image](x" onerror="window.__xss++)
![remote image](http://127.0.0.1:9/track.png)
<details open ontoggle="window.__xss++">toggle</details>
<p style="background:url(javascript:window.__xss++)">styled</p>
"""


def test_hostile_reply_and_question_fire_nothing(page, problems, openai_settings, fake_openai):
    fake_openai.reply_text(XSS_REPLY, chunk_size=16, token_interval=0.005)
    question = '<img src=x onerror="window.__xss++"> <script>window.__xss++</script> ok?'
    send(page, question)
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")

    def assert_inert():
        page.wait_for_timeout(200)
        assert page.evaluate("window.__xss") == 0
        assert problems.dialogs == []
        dangerous = page.evaluate(
            """() => {
              const scope = document.getElementById('messages');
              const bad = scope.querySelectorAll(
                '.body script, .body img, .body svg, .body iframe, .body object, .body embed,'
                + ' .body [style], a[href^="javascript:" i], a[href^="data:" i]');
              const handlers = [...document.querySelectorAll('*')].filter(
                (el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on')));
              return bad.length + handlers.length;
            }"""
        )
        assert dangerous == 0
        assert question in page.text_content(f"{LAST_QUESTION} .body")

    assert_inert()
    for link in page.locator(f"{LAST_ANSWER} .body a").all():
        href = link.get_attribute("href") or ""
        assert not href.lower().startswith(("javascript:", "data:"))
    page.reload()
    assert_inert()
    assert '<img src=x onerror="window.__xss++">' in page.text_content("#conversation-list")


def test_suggested_question_and_tool_use_are_shown(page, openai_settings, fake_openai):
    fake_openai.reply_tool_calls([("lookup_trouble_code", {"code": "P0420"})])
    fake_openai.reply_text("P0420: the catalyst is below threshold.", first_token_latency=0.6)
    suggestions = page.locator("#welcome [data-suggestion]")
    assert suggestions.count() >= 4
    suggestions.first.click()
    expect(page.locator(f"{LAST_ANSWER} .note.typing")).to_have_text("Looking up the trouble code…")
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert page.locator("#welcome").count() == 0
    assert "P0420" in page.text_content(LAST_QUESTION)
    assert page.locator(f"{LAST_ANSWER} .note").count() == 0


def test_conversation_deleted_elsewhere(page):
    ask(page, "P0420")
    Conversation.objects.all().delete()  # say, from another tab
    send(page, "And P0171?")
    expect(page.locator("#error")).to_contain_text("It may have been deleted")
    assert page.input_value("#message") == "And P0171?"
    page.get_by_role("button", name="Start a new conversation").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(page.locator("#welcome")).to_be_visible()


def test_server_unreachable_keeps_the_words(page):
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    send(page, "Is it the alternator?")
    expect(page.locator("#error")).to_contain_text("Could not reach the server")
    assert page.locator("#messages > article").count() == 0
    assert page.input_value("#message") == "Is it the alternator?"
    page.unroute("**/api/chat")
    page.get_by_role("button", name="Try again").click()
    page.wait_for_selector(f"{LAST_ANSWER}[data-status=complete]")
    assert page.input_value("#message") == ""
    assert page.text_content(f"{LAST_QUESTION} .body") == "Is it the alternator?"
