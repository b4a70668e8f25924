"""POST /api/chat, seed-compatible, with what was stored checked too."""

import json
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from chat import services
from chat.models import Conversation, Message
from chat.owners import Owner
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def sse_events(response) -> list[tuple[str, dict]]:
    body = b"".join(response.streaming_content).decode()
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_offline_answers_a_trouble_code(api):
    response = api.post("/api/chat", {"message": "My reader says P0420"}, format="json")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert {"response", "raw_response", "conversation_id", "timestamp"} <= body.keys()
    assert "P0420" in body["raw_response"] and "Catalyst" in body["raw_response"]
    assert "<script" not in body["response"]
    assert body["provider"] == "offline"
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    assert conversation.user is None and conversation.owner_token
    assert list(conversation.messages.values_list("role", flat=True)) == ["user", "assistant"]
    assert conversation.messages.get(role="assistant").content == body["raw_response"]


def test_chat_continues_a_conversation_with_the_session(api):
    first = api.post("/api/chat", {"message": "P0171"}, format="json").json()
    second = api.post(
        "/api/chat",
        {"message": "and P0174?", "conversation_id": first["conversation_id"]},
        format="json",
    )
    assert second.status_code == HTTPStatus.OK
    assert second.json()["conversation_id"] == first["conversation_id"]
    assert Message.objects.filter(conversation_id=first["conversation_id"]).count() == 4


def test_chat_streams_server_sent_events(api):
    response = api.post(
        "/api/chat", {"message": "Decode 1HGCM82633A004352", "stream": True}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/event-stream")
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    assert names.count("delta") > 5
    text = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert text == done["raw_response"]
    assert "Honda" in text
    stored = Message.objects.get(pk=done["message"]["id"])
    assert stored.content == text and stored.status == "complete"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": 42, "stream": "maybe"}, "stream"),
        ({"message": ["a"]}, "message"),
        ({"message": "hi", "conversation_id": "not-a-uuid"}, "conversation_id"),
    ],
)
def test_chat_rejects_bad_input_clearly(api, body, field):
    response = api.post("/api/chat", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert Message.objects.count() == 0


def test_chat_rejects_oversized_message(api, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 50
    response = api.post("/api/chat", {"message": "x" * 51}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "limit is 50" in response.json()["error"]["message"]
    assert Message.objects.count() == 0


def test_chat_rejects_malformed_json(api):
    response = api.post("/api/chat", data='{"message": "hi"', content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "parse_error"
    assert "Malformed JSON" in response.json()["error"]["message"]


def test_chat_rejects_non_json(api):
    response = api.post("/api/chat", data="message=hi", content_type="text/plain")
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_unknown_or_foreign_conversation_is_404(api):
    other = ConversationFactory()
    for conversation_id in (other.pk, "6f1c1b8e-0000-4000-8000-000000000000"):
        response = api.post(
            "/api/chat", {"message": "hi", "conversation_id": str(conversation_id)}, format="json"
        )
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["error"]["code"] == "conversation_not_found"
    assert Message.objects.count() == 0


def test_session_writes_need_csrf():
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/csrf")  # now holds a session-less csrftoken cookie only
    client.post("/api/chat", {"message": "P0300"}, format="json")  # creates the session
    response = client.post("/api/chat", {"message": "P0301"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "csrf_failed"
    assert "X-CSRFToken" in response.json()["error"]["message"]


def test_token_clients_need_no_csrf(token_api, user):
    response = token_api.post("/api/chat", {"message": "P0300"}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert Conversation.objects.get(pk=response.json()["conversation_id"]).user == user
    bearer = APIClient()
    bearer.credentials(
        HTTP_AUTHORIZATION=token_api._credentials["HTTP_AUTHORIZATION"].replace("Token", "Bearer")
    )
    listed = bearer.get("/api/conversations").json()
    assert listed["count"] == 1


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = client.post("/api/chat", {"message": "P0300"}, format="json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "authentication_failed"


def test_chat_turn_query_count_is_constant(token_api):
    first = token_api.post("/api/chat", {"message": "P0300"}, format="json").json()
    counts = []
    for text in ("P0301", "P0302", "P0303"):
        with CaptureQueriesContext(connection) as queries:
            response = token_api.post(
                "/api/chat",
                {"message": text, "conversation_id": first["conversation_id"]},
                format="json",
            )
        assert response.status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # token lookup; rate counters (3 updates + 1 read); conversation read, update, turn count;
    # question insert; history read; answer insert and conversation touch; savepoints.
    assert counts[0] <= 18


def test_provider_misconfiguration_is_a_clear_503(api, settings):
    settings.LLM_PROVIDER = "openai"
    response = api.post("/api/chat", {"message": "P0300"}, format="json")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    error = response.json()["error"]
    assert error["code"] == "provider_misconfigured"
    assert "OPENAI_API_KEY" in error["message"]
    assert Message.objects.filter(role="user", content="P0300").exists()


def test_conversation_deleted_while_streaming_ends_cleanly(token_api, user):
    response = token_api.post(
        "/api/chat", {"message": "P0300 please", "stream": True}, format="json"
    )
    content = iter(response.streaming_content)
    meta = next(content).decode()
    conversation_id = json.loads(meta.split("data: ", 1)[1])["conversation_id"]
    services.conversation_delete(owner=Owner(user_id=user.pk), conversation_id=conversation_id)
    rest = b"".join(content).decode()
    assert "event: done" in rest
    assert not Message.objects.filter(conversation_id=conversation_id).exists()
