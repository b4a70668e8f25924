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
