import re
from http import HTTPStatus

import pytest
from django.test import Client

from chat.models import Conversation
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_home_page_serves_the_chat():
    response = Client().get("/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'id="composer"' in html
    assert "/static/chat/app.js" in html and "/static/chat/app.css" in html
    assert 'name="csrf-token"' in html
    assert "<script>" not in html  # no inline script
    assert "offline mechanic" in html
    assert "csrftoken" in response.cookies


def test_static_files_are_served():
    client = Client()
    for path in ("/static/chat/app.js", "/static/chat/app.css"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        assert b"".join(response.streaming_content)


def test_conversation_page_shows_sanitised_history():
    client = Client()
    client.get("/")
    session_token = "owner-token-for-test"
    session = client.session
    session["chat_owner_token"] = session_token
    session.save()
    conversation = ConversationFactory(anonymous=True, owner_token=session_token, title="Noise")
    MessageFactory(conversation=conversation, content="grinding noise")
    MessageFactory(
        conversation=conversation,
        role="assistant",
        content="x",
        html="<p><strong>Pads</strong></p>",
    )
    response = client.get(f"/c/{conversation.pk}")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<strong>Pads</strong>" in html
    assert "grinding noise" in html
    assert 'aria-current="page"' in html


def test_other_peoples_conversation_page_is_404():
    conversation = ConversationFactory()
    response = Client().get(f"/c/{conversation.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"No such conversation" in response.content
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_bad_provider_config_shows_help_instead_of_failing(settings):
    settings.LLM_PROVIDER = "openai"
    response = Client().get("/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    html = response.content.decode()
    assert "OPENAI_API_KEY" in html and "OPENAI_BASE_URL" in html
    assert "Ollama" in html


def test_setup_page():
    response = Client().get("/setup")
    assert response.status_code == HTTPStatus.OK
    assert b"LLM_PROVIDER" in response.content


def test_unknown_page_is_friendly_404():
    response = Client().get("/no/such/page")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Back to the chat" in response.content


# --- Page weight and Content-Security-Policy readiness -----------------------------------------

PAGE_BUDGET_BYTES = 100 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')
MODULE_IMPORT = re.compile(r'^import[^"]*"(\./[^"]+\.js)";?$', re.MULTILINE)


def _static(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, path
    return b"".join(response.streaming_content)


def _chat_page_assets(client, html: str) -> dict[str, bytes]:
    """Every stylesheet and script the chat page loads, following ES module imports."""
    assets: dict[str, bytes] = {}
    pending = ASSET.findall(html)
    while pending:
        path = pending.pop()
        if path in assets:
            continue
        assets[path] = _static(client, path)
        if path.endswith(".js"):
            folder = path.rsplit("/", 1)[0]
            pending += [
                f"{folder}/{name[2:]}" for name in MODULE_IMPORT.findall(assets[path].decode())
            ]
    return assets


def test_chat_page_stays_under_the_weight_budget():
    client = Client()
    html = client.get("/").content
    assets = _chat_page_assets(client, html.decode())
    assert {"/static/chat/app.js", "/static/chat/app.css", "/static/chat/turns.js"} <= set(assets)
    total = len(html) + sum(len(body) for body in assets.values())
    assert total < PAGE_BUDGET_BYTES, f"HTML+CSS+JS is {total} bytes"


def test_every_module_is_preloaded():
    client = Client()
    html = client.get("/").content.decode()
    assets = _chat_page_assets(client, html)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)"', html))
    modules = {path for path in assets if path.endswith(".js")} - {"/static/chat/app.js"}
    assert modules == preloaded  # no request waterfall: the browser fetches them all at once


def _conversation_page(client) -> str:
    client.get("/")
    session = client.session
    session["chat_owner_token"] = "owner-token-for-csp"
    session.save()
    conversation = ConversationFactory(
        anonymous=True, owner_token="owner-token-for-csp", vehicle={"make": "Ford"}
    )
    MessageFactory(conversation=conversation, content="<b>hi</b>")
    MessageFactory(conversation=conversation, role="assistant", safety="stop", status="error")
    return client.get(f"/c/{conversation.pk}").content.decode()


def test_pages_have_no_inline_script_style_or_handlers():
    client = Client()
    for html in (client.get("/").content.decode(), _conversation_page(client)):
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(re.search(r'\ssrc="/static/', tag) for tag in scripts)
        assert not re.search(r"<style\b", html)
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
        assert "javascript:" not in html
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from elsewhere


def test_conversation_page_shows_status_and_safety():
    html = _conversation_page(Client())
    assert 'class="banner stop"' in html
    assert 'data-status="error"' in html
    assert 'id="vehicle-summary">Ford<' in html


def test_every_page_sends_a_content_security_policy(client, settings):
    for path in ("/", "/setup", "/api/status", "/no/such/page"):
        policy = client.get(path)["Content-Security-Policy"]
        assert policy == settings.CSP
        assert "script-src 'self';" in policy and "unsafe" not in policy
    docs = client.get("/api/docs")
    assert "script-src 'self';" in docs["Content-Security-Policy"]
    assert "<script>" not in docs.content.decode().replace("<script></script>", "")


def test_vehicle_panel_offers_the_owners_recent_vehicles():
    client = Client()
    client.get("/")
    session = client.session
    session["chat_owner_token"] = "owner-with-cars"
    session.save()
    ConversationFactory(
        anonymous=True, owner_token="owner-with-cars", vehicle={"year": 2012, "make": "Honda"}
    )
    current = ConversationFactory(
        anonymous=True, owner_token="owner-with-cars", vehicle={"make": "Ford", "model": "Focus"}
    )
    ConversationFactory(vehicle={"make": "Tesla", "model": "Model 3"})  # someone else's
    html = client.get(f"/c/{current.pk}").content.decode()
    assert 'class="chip"' in html and ">2012 Honda</button>" in html
    assert "&quot;make&quot;: &quot;Honda&quot;" in html  # the vehicle rides along, escaped
    assert ">Ford Focus</button>" not in html  # already this conversation's vehicle
    assert "Tesla" not in html
    assert 'id="recent-vehicles"' not in Client().get("/").content.decode()  # nothing to offer
