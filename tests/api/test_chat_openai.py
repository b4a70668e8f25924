"""The chat API with a model: the OpenAI provider talks over real HTTP to the local test server."""

import json
from http import HTTPStatus

import pytest

from chat.models import Message
from tests.api.test_chat import sse_events

pytestmark = pytest.mark.django_db


def test_chat_with_a_model(openai_settings, fake_openai, token_api):
    fake_openai.reply_text("Check the **battery** terminals.", usage=(120, 9))
    response = token_api.post("/api/chat", {"message": "Car clicks, won't start"}, format="json")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["raw_response"] == "Check the **battery** terminals."
    assert body["response"] == "<p>Check the <strong>battery</strong> terminals.</p>"
    assert (body["provider"], body["model"]) == ("openai", "fake-model")
    answer = Message.objects.get(pk=body["message"]["id"])
    assert (answer.prompt_tokens, answer.completion_tokens) == (120, 9)
    sent = fake_openai.requests[0]
    assert sent["model"] == "fake-model"
    assert sent["messages"][0]["role"] == "system"
    assert "safety" in sent["messages"][0]["content"].lower()
    assert sent["messages"][-1] == {"role": "user", "content": "Car clicks, won't start"}
    assert {tool["function"]["name"] for tool in sent["tools"]} >= {
        "lookup_trouble_code",
        "decode_vin",
        "get_vehicle_profile",
    }


def test_vehicle_profile_reaches_the_model(openai_settings, fake_openai, token_api):
    conversation = token_api.post(
        "/api/new-conversation",
        {"vehicle": {"year": 2011, "make": "Toyota", "model": "Prius"}},
        format="json",
    ).json()
    fake_openai.reply_text("Noted.")
    token_api.post(
        "/api/chat",
        {"message": "hybrid light on", "conversation_id": conversation["conversation_id"]},
        format="json",
    )
    system = fake_openai.requests[0]["messages"][0]["content"]
    assert "Toyota" in system and "Prius" in system and "2011" in system


def test_tool_calls_are_grounded_and_stored(openai_settings, fake_openai, token_api):
    fake_openai.reply_tool_calls([("lookup_trouble_code", {"code": "p0420"})])
    fake_openai.reply_text("P0420 means the catalyst is below threshold.")
    body = token_api.post("/api/chat", {"message": "What is P0420?"}, format="json").json()
    assert body["raw_response"].startswith("P0420 means")
    tool_result = json.loads(fake_openai.requests[1]["messages"][-1]["content"])
    assert tool_result["code"] == "P0420"
    assert "Catalyst" in tool_result["meaning"]
    stored = Message.objects.get(conversation_id=body["conversation_id"], role="tool")
    assert stored.tool_name == "lookup_trouble_code"
    assert json.loads(stored.tool_arguments) == {"code": "p0420"}
    assert json.loads(stored.content)["code"] == "P0420"


def test_streaming_with_a_model(openai_settings, fake_openai, token_api):
    fake_openai.reply_tool_calls([("decode_vin", {"vin": "1HGCM82633A004352"})])
    fake_openai.reply_text("It is a 2003 Honda Accord.", chunk_size=4)
    response = token_api.post(
        "/api/chat", {"message": "Decode 1HGCM82633A004352", "stream": True}, format="json"
    )
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    assert "tool" in names
    assert names.count("delta") >= 5
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text == "It is a 2003 Honda Accord." == events[-1][1]["raw_response"]


@pytest.mark.parametrize(
    ("script", "status", "code"),
    [
        (lambda f: f.reply_error(500), HTTPStatus.SERVICE_UNAVAILABLE, "provider_unavailable"),
        (lambda f: f.reply_error(401), HTTPStatus.SERVICE_UNAVAILABLE, "provider_auth"),
        (lambda f: f.reply_delay(3), HTTPStatus.SERVICE_UNAVAILABLE, "provider_timeout"),
        (lambda f: f.reply_malformed_stream(), HTTPStatus.BAD_GATEWAY, "provider_bad_response"),
    ],
)
def test_model_failures_are_clear_and_lose_nothing(
    openai_settings, fake_openai, token_api, script, status, code
):
    openai_settings.OPENAI_TIMEOUT = 0.5
    script(fake_openai)
    response = token_api.post("/api/chat", {"message": "Brakes squeal"}, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert openai_settings.OPENAI_API_KEY not in response.content.decode()
    stored = token_api.get(f"/api/messages/{error['message_id']}").json()
    assert stored["error_code"] == code and stored["error_message"] == error["message"]
    messages = Message.objects.filter(conversation_id=error["conversation_id"])
    assert list(messages.values_list("role", "status")) == [
        ("user", "complete"),
        ("assistant", "error"),
    ]
    # The turn can be retried once the model is back.
    fake_openai.reply_text("Pads are worn.")
    retry = token_api.post(
        f"/api/conversations/{error['conversation_id']}/regenerate", {}, format="json"
    )
    assert retry.status_code == HTTPStatus.OK
    assert retry.json()["raw_response"] == "Pads are worn."


def test_upstream_rate_limit_is_429_with_retry_after(openai_settings, fake_openai, token_api):
    fake_openai.reply_error(429, headers={"Retry-After": "7"})
    response = token_api.post("/api/chat", {"message": "hello"}, format="json")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == "7"
    assert response.json()["error"]["retry_after"] == 7


def test_cut_stream_ends_with_an_error_event(openai_settings, fake_openai, token_api):
    fake_openai.reply_cut_stream(after_chunks=2, text="The first part of an answer")
    response = token_api.post("/api/chat", {"message": "hello", "stream": True}, format="json")
    events = sse_events(response)
    assert events[-1][0] == "error"
    error = events[-1][1]
    assert error["error"]["code"] == "provider_bad_response"
    stored = Message.objects.get(pk=error["message"]["id"])
    assert stored.status == "error"
    partial = "".join(data["text"] for name, data in events if name == "delta")
    assert stored.content == partial


def test_model_answers_are_sanitised(openai_settings, fake_openai, token_api):
    fake_openai.reply_text(
        'Try <script>alert(1)</script> [this](javascript:alert(2)) <img src=x onerror="alert(3)">'
    )
    body = token_api.post("/api/chat", {"message": "hi"}, format="json").json()
    assert "<script" not in body["response"] and "<img" not in body["response"]
    assert "javascript:" not in body["response"]


def test_guide_search_tool_is_grounded(openai_settings, fake_openai, token_api):
    fake_openai.reply_tool_calls([("search_repair_guides", {"query": "grinding when braking"})])
    fake_openai.reply_text("Your pads are probably worn to the metal.")
    token_api.post("/api/chat", {"message": "grinding noise when I brake"}, format="json")
    result = json.loads(fake_openai.requests[1]["messages"][-1]["content"])
    top = result["results"][0]
    assert top["id"] == "brakes-grinding"
    assert top["checks"] and top["safety"] and top["cost"]


def test_vehicle_profile_tool(openai_settings, fake_openai, token_api):
    conversation = token_api.post(
        "/api/new-conversation", {"vehicle": {"vin": "1HGCM82633A004352"}}, format="json"
    ).json()
    fake_openai.reply_tool_calls([("get_vehicle_profile", {})])
    fake_openai.reply_text("A 2003 Honda.")
    token_api.post(
        "/api/chat",
        {"message": "what car is this?", "conversation_id": conversation["conversation_id"]},
        format="json",
    )
    profile = json.loads(fake_openai.requests[1]["messages"][-1]["content"])
    assert profile["make"] == "Honda" and profile["year"] == 2003
    assert profile["vin"] == "1HGCM82633A004352"
