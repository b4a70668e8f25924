from http import HTTPStatus

import pytest
from django.test import Client

from chat.models import Message
from tests.factories import ConversationFactory, FeedbackFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    admin = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def test_admin_needs_staff():
    client = Client()
    client.force_login(UserFactory(username="plain"))
    response = client.get("/admin/chat/conversation/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_conversation_list_search_and_filters(staff_client):
    conversation = ConversationFactory(title="Civic brakes")
    MessageFactory(conversation=conversation, content="grinding when braking")
    MessageFactory(conversation=conversation, role="assistant", provider="offline", safety="stop")
    ConversationFactory(title="Unrelated")
    response = staff_client.get("/admin/chat/conversation/?q=grinding")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Civic brakes" in html and "Unrelated" not in html
    filtered = staff_client.get("/admin/chat/conversation/?messages__safety=stop").content.decode()
    assert "Civic brakes" in filtered and "Unrelated" not in filtered
    by_provider = staff_client.get("/admin/chat/conversation/?messages__provider=offline")
    assert "Civic brakes" in by_provider.content.decode()


def test_conversation_detail_shows_readonly_messages(staff_client):
    conversation = ConversationFactory(title="Noise")
    MessageFactory(conversation=conversation, content="clunk over bumps")
    response = staff_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "clunk over bumps" in html
    assert 'name="messages-0-content"' not in html  # read-only, not an input


def test_messages_cannot_be_edited(staff_client):
    message = MessageFactory(content="original")
    staff_client.post(f"/admin/chat/message/{message.pk}/change/", {"content": "changed"})
    message.refresh_from_db()
    assert message.content == "original"


def test_deleting_a_conversation_deletes_its_messages(staff_client):
    conversation = ConversationFactory()
    MessageFactory.create_batch(3, conversation=conversation)
    response = staff_client.post(
        f"/admin/chat/conversation/{conversation.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()


def test_feedback_is_visible(staff_client):
    FeedbackFactory(comment="Spot on")
    assert b"Spot on" in staff_client.get("/admin/chat/feedback/").content
