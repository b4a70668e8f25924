"""Conversation resources: list, read, rename, delete, messages, export, regenerate, feedback."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Conversation, Feedback, Message
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(token_api):
    body = token_api.post("/api/chat", {"message": "P0420 on my Civic"}, format="json").json()
    return Conversation.objects.get(pk=body["conversation_id"])


def test_new_conversation_seed_compatible(api):
    response = api.post("/api/new-conversation", {}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert Conversation.objects.filter(pk=body["conversation_id"]).exists()
    assert body["id"] == body["conversation_id"]


def test_new_conversation_with_vehicle(token_api):
    response = token_api.post(
        "/api/new-conversation",
        {"title": "Golf", "vehicle": {"year": 2014, "make": "VW", "mileage": 120000}},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    stored = Conversation.objects.get(pk=response.json()["id"])
    assert stored.vehicle == {"year": 2014, "make": "VW", "mileage": 120000}


def test_list_is_owner_scoped_and_constant_queries(token_api, user, conversation):
    ConversationFactory.create_batch(3)  # other people's
    for _ in range(4):
        MessageFactory(conversation=ConversationFactory(user=user))
    with CaptureQueriesContext(connection) as few:
        token_api.get("/api/conversations")
    for _ in range(20):
        MessageFactory(conversation=ConversationFactory(user=user))
    with CaptureQueriesContext(connection) as many:
        response = token_api.get("/api/conversations")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 25
    assert len(few) == len(many)
    first = body["results"][0]
    assert {"id", "title", "updated_at", "message_count"} <= first.keys()


def test_list_search(token_api, conversation):
    assert token_api.get("/api/conversations?q=civic").json()["count"] == 1
    assert token_api.get("/api/conversations?q=catalyst").json()["count"] == 1  # in the answer
    assert token_api.get("/api/conversations?q=transmission").json()["count"] == 0


def test_read_rename_delete(token_api, conversation):
    url = f"/api/conversations/{conversation.pk}"
    assert token_api.get(url).json()["title"] == "P0420 on my Civic"
    response = token_api.patch(
        url, {"title": "Cat converter", "vehicle": {"make": "Honda", "year": 2012}}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    conversation.refresh_from_db()
    assert conversation.title == "Cat converter"
    assert conversation.vehicle == {"make": "Honda", "year": 2012}
    assert token_api.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    assert token_api.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "vehicle",
    [
        {"year": 1700},
        {"mileage": -5},
        {"vin": "SHORT"},
        {"vin": "1HGCM82633A00435O"},
        {"year": "x"},
    ],
)
def test_bad_vehicle_is_400(token_api, conversation, vehicle):
    url = f"/api/conversations/{conversation.pk}"
    response = token_api.patch(url, {"vehicle": vehicle}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["vehicle"]
    conversation.refresh_from_db()
    assert conversation.vehicle == {}


def test_vin_is_normalised(token_api, conversation):
    url = f"/api/conversations/{conversation.pk}"
    response = token_api.patch(url, {"vehicle": {"vin": " 1hgcm82633a004352 "}}, format="json")
    assert response.json()["vehicle"]["vin"] == "1HGCM82633A004352"


def test_messages_paginated(token_api, conversation):
    url = f"/api/conversations/{conversation.pk}/messages?limit=1"
    body = token_api.get(url).json()
    assert body["count"] == 2
    assert [m["role"] for m in body["results"]] == ["user"]
    second = token_api.get(body["next"]).json()
    assert second["results"][0]["role"] == "assistant"
    assert second["results"][0]["html"].startswith("<")


def test_export_markdown(token_api, conversation):
    response = token_api.get(f"/api/conversations/{conversation.pk}/export")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# P0420 on my Civic")
    assert "## You" in text and "## AgentCarRepair" in text and "P0420" in text


def test_regenerate_replaces_last_answer(token_api, conversation):
    old = conversation.messages.get(role="assistant")
    response = token_api.post(f"/api/conversations/{conversation.pk}/regenerate", {}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert not Message.objects.filter(pk=old.pk).exists()
    assert conversation.messages.filter(role="assistant").count() == 1
    assert response.json()["message"]["id"] != str(old.pk)


def test_feedback(token_api, conversation):
    answer = conversation.messages.get(role="assistant")
    response = token_api.post(
        f"/api/messages/{answer.pk}/feedback", {"rating": -1, "comment": "Wrong car"}, format="json"
    )
    assert response.status_code == HTTPStatus.CREATED
    assert Feedback.objects.get().comment == "Wrong car"
    bad = token_api.post(f"/api/messages/{answer.pk}/feedback", {"rating": 5}, format="json")
    assert bad.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("get", "/messages"),
        ("get", "/export"),
        ("post", "/regenerate"),
    ],
)
def test_other_peoples_conversations_are_404(api, conversation, method, suffix):
    response = getattr(api, method)(
        f"/api/conversations/{conversation.pk}{suffix}", {}, format="json"
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "conversation_not_found"
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert conversation.messages.count() == 2


def test_other_peoples_feedback_is_404(api, conversation):
    answer = conversation.messages.get(role="assistant")
    response = api.post(f"/api/messages/{answer.pk}/feedback", {"rating": 1}, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("bad_id", ["nope", "123", "00000000-0000-0000-0000-000000000000"])
def test_malformed_ids_are_404(token_api, bad_id):
    response = token_api.get(f"/api/conversations/{bad_id}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_edit_and_resend_last_question(token_api, conversation):
    url = f"/api/conversations/{conversation.pk}/regenerate"
    response = token_api.post(url, {"message": "P0171 on my Civic"}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert "P0171" in response.json()["raw_response"]
    question, answer = conversation.messages.order_by("created_at")
    assert question.content == "P0171 on my Civic"
    assert "P0171" in answer.content and "P0420" not in answer.content
    empty = token_api.post(url, {"message": "  "}, format="json")
    assert empty.status_code == HTTPStatus.BAD_REQUEST
    assert conversation.messages.count() == 2


def test_newest_messages_first_and_one_message(token_api, conversation):
    body = token_api.get(f"/api/conversations/{conversation.pk}/messages?order=desc&limit=1").json()
    newest = body["results"][0]
    assert newest["role"] == "assistant"
    one = token_api.get(f"/api/messages/{newest['id']}")
    assert one.status_code == HTTPStatus.OK and one.json()["html"] == newest["html"]
    bad = token_api.get(f"/api/conversations/{conversation.pk}/messages?order=sideways")
    assert bad.status_code == HTTPStatus.BAD_REQUEST


def test_someone_elses_message_is_404(api, conversation):
    answer = conversation.messages.get(role="assistant")
    assert api.get(f"/api/messages/{answer.pk}").status_code == HTTPStatus.NOT_FOUND


def test_feedback_can_be_changed(token_api, conversation):
    answer = conversation.messages.get(role="assistant")
    url = f"/api/messages/{answer.pk}/feedback"
    assert token_api.post(url, {"rating": 1}, format="json").status_code == HTTPStatus.CREATED
    second = token_api.post(url, {"rating": -1, "comment": "Wrong car"}, format="json")
    assert second.status_code == HTTPStatus.OK
    assert list(Feedback.objects.values_list("rating", "comment")) == [(-1, "Wrong car")]


def test_recent_vehicles_are_distinct_owner_scoped_and_one_query(token_api, user):
    civic = {"year": 2012, "make": "Honda", "model": "Civic", "mileage": 58000}
    ConversationFactory(user=user, vehicle=civic)
    ConversationFactory(user=user, vehicle={**civic, "make": "HONDA", "mileage": 61000})  # same car
    ConversationFactory(user=user, vehicle={"year": 2015, "make": "Volkswagen", "model": "Golf"})
    ConversationFactory(user=user, vehicle={"year": 2019})  # too vague to offer
    ConversationFactory(user=user)  # no vehicle
    ConversationFactory(vehicle={"make": "Tesla", "model": "Model 3"})  # someone else's
    with CaptureQueriesContext(connection) as queries:
        response = token_api.get("/api/vehicles")
    assert response.status_code == HTTPStatus.OK
    vehicles = response.json()["vehicles"]
    assert [(v["make"], v["model"]) for v in vehicles] == [
        ("Volkswagen", "Golf"),
        ("HONDA", "Civic"),
    ]
    assert "mileage" not in vehicles[1]  # the odometer has moved on since
    assert len([q for q in queries.captured_queries if "chat_conversation" in q["sql"]]) == 1


def test_recent_vehicles_for_a_new_visitor_is_empty(api):
    response = api.get("/api/vehicles")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"vehicles": []}
