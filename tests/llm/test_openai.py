"""OpenAIProvider over real HTTP, against the fake OpenAI-compatible server (tests/fake_openai)."""

from __future__ import annotations

import json
import logging
import socket
import time
import traceback
import urllib.request
from http import HTTPStatus

import pytest

from chat.llm.base import (
    Provider,
    ProviderAuthError,
    ProviderBadResponse,
    ProviderContextTooLong,
    ProviderError,
    ProviderMisconfigured,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
    Tool,
    Turn,
)
from chat.llm.openai import PLACEHOLDER_API_KEY, OpenAIProvider

# The lead's conftest registers this too; naming it here keeps the file runnable on its own.
pytest_plugins = ["tests.fake_openai"]

API_KEY = "sk-test-SECRET-0123456789abcdef"
TURNS = [
    Turn(role="system", content="You are a mechanic."),
    Turn(role="user", content="My check engine light shows P0420."),
]


def make_provider(server, **options) -> OpenAIProvider:
    settings = {
        "api_key": API_KEY,
        "base_url": server.base_url,
        "model": "gpt-4o-mini",
        "timeout": 5.0,
        "max_retries": 0,
    }
    return OpenAIProvider(**(settings | options))


def lookup_tool(calls: list[dict]) -> Tool:
    def run(args: dict) -> dict:
        calls.append(args)
        return {"code": args["code"], "meaning": "Catalyst efficiency below threshold"}

    return Tool(
        name="lookup_trouble_code",
        description="Look up an OBD-II code.",
        parameters={"type": "object", "properties": {"code": {"type": "string"}}},
        run=run,
    )


def failing_tool(args: dict) -> dict:
    raise RuntimeError("database on fire")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_provider_satisfies_the_protocol(fake_openai):
    provider = make_provider(fake_openai)

    assert isinstance(provider, Provider)
    assert provider.name == "openai"
    assert API_KEY not in repr(provider)


def test_complete_returns_text_model_and_usage(fake_openai):
    fake_openai.reply_text(
        "Check the downstream O2 sensor.", usage=(12, 7), model="gpt-4o-mini-2024"
    )

    reply = make_provider(fake_openai).complete(TURNS)

    assert reply.text == "Check the downstream O2 sensor."
    assert (reply.provider, reply.model) == ("openai", "gpt-4o-mini-2024")
    assert (reply.prompt_tokens, reply.completion_tokens) == (12, 7)
    assert reply.finish_reason == "stop"
    assert reply.tool_calls == ()
    [sent] = fake_openai.requests
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"] == [
        {"role": "system", "content": "You are a mechanic."},
        {"role": "user", "content": "My check engine light shows P0420."},
    ]
    assert not sent.get("stream")
    assert "tools" not in sent
    assert fake_openai.request_headers[0]["authorization"] == f"Bearer {API_KEY}"


def test_missing_usage_gives_unknown_token_counts(fake_openai):
    fake_openai.reply_text("Fine.", usage=None)

    reply = make_provider(fake_openai).complete(TURNS)

    assert (reply.prompt_tokens, reply.completion_tokens) == (None, None)


def test_max_output_tokens_is_sent(fake_openai):
    make_provider(fake_openai, max_output_tokens=256).complete(TURNS)

    assert fake_openai.requests[0]["max_tokens"] == 256


def test_stream_yields_text_as_it_arrives(fake_openai):
    text = "Replace the catalytic converter only after testing."
    fake_openai.reply_text(text, usage=(9, 4), chunk_size=5, token_interval=0.03)

    started = time.monotonic()
    arrivals, chunks = [], []
    for chunk in make_provider(fake_openai).stream(TURNS):
        arrivals.append(time.monotonic() - started)
        chunks.append(chunk)

    texts = [chunk.text for chunk in chunks if chunk.text]
    assert len(texts) == len(range(0, len(text), 5))
    assert "".join(texts) == text
    # Ten chunks 30 ms apart: the first must reach us long before the last is sent.
    assert arrivals[0] < arrivals[-1] - 0.15
    reply = chunks[-1].reply
    assert reply is not None
    assert (reply.text, reply.prompt_tokens, reply.completion_tokens) == (text, 9, 4)
    assert reply.finish_reason == "stop"
    [sent] = fake_openai.requests
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}


def test_complete_runs_tool_calls_and_sends_results_back(fake_openai):
    fake_openai.reply_tool_calls([("lookup_trouble_code", {"code": "P0420"})], usage=(10, 3))
    fake_openai.reply_text("P0420 means the catalyst is tired.", usage=(20, 5))
    calls: list[dict] = []

    reply = make_provider(fake_openai).complete(TURNS, tools=[lookup_tool(calls)])

    assert calls == [{"code": "P0420"}]
    assert reply.text == "P0420 means the catalyst is tired."
    assert (reply.prompt_tokens, reply.completion_tokens) == (30, 8)
    [record] = reply.tool_calls
    assert (record.name, json.loads(record.arguments)) == ("lookup_trouble_code", {"code": "P0420"})
    assert json.loads(record.result)["meaning"] == "Catalyst efficiency below threshold"
    first, second = fake_openai.requests
    assert first["tools"][0] == {
        "type": "function",
        "function": {
            "name": "lookup_trouble_code",
            "description": "Look up an OBD-II code.",
            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}},
        },
    }
    assert "tool_choice" not in first
    assistant, tool_result = second["messages"][-2:]
    assert assistant["role"] == "assistant"
    assert assistant["tool_calls"] == [
        {
            "id": record.id,
            "type": "function",
            "function": {"name": "lookup_trouble_code", "arguments": record.arguments},
        }
    ]
    assert tool_result == {"role": "tool", "tool_call_id": record.id, "content": record.result}


def test_stream_runs_tool_calls_with_arguments_in_pieces(fake_openai):
    fake_openai.reply_tool_calls(
        [("lookup_trouble_code", {"code": "P0420"})], usage=(10, 3), chunk_size=3
    )
    fake_openai.reply_text("P0420: catalyst.", usage=(20, 5))
    calls: list[dict] = []

    chunks = list(make_provider(fake_openai).stream(TURNS, tools=[lookup_tool(calls)]))

    assert calls == [{"code": "P0420"}]
    [tool_chunk] = [chunk for chunk in chunks if chunk.tool_call]
    assert tool_chunk.tool_call.name == "lookup_trouble_code"
    assert "".join(chunk.text for chunk in chunks) == "P0420: catalyst."
    reply = chunks[-1].reply
    assert reply.tool_calls == (tool_chunk.tool_call,)
    assert (reply.prompt_tokens, reply.completion_tokens) == (30, 8)
    second = fake_openai.requests[1]
    assert second["messages"][-2]["tool_calls"][0]["function"]["arguments"] == '{"code": "P0420"}'
    assert second["messages"][-1]["role"] == "tool"


def test_the_last_round_makes_the_model_answer_in_text(fake_openai):
    fake_openai.reply_tool_calls([("lookup_trouble_code", {"code": "P0420"})])
    fake_openai.reply_text("Here is what P0420 means.")

    reply = make_provider(fake_openai, max_tool_rounds=2).complete(TURNS, tools=[lookup_tool([])])

    assert reply.text == "Here is what P0420 means."
    assert [request.get("tool_choice") for request in fake_openai.requests] == [None, "none"]


def test_a_model_that_keeps_calling_tools_stops_at_the_round_limit(fake_openai):
    for _ in range(5):
        fake_openai.reply_tool_calls([("lookup_trouble_code", {"code": "P0420"})])
    calls: list[dict] = []
    provider = make_provider(fake_openai, max_tool_rounds=3)

    with pytest.raises(ProviderBadResponse):
        provider.complete(TURNS, tools=[lookup_tool(calls)])

    assert len(fake_openai.requests) == 3
    assert len(calls) == 2
    assert fake_openai.requests[-1]["tool_choice"] == "none"


def test_bad_arguments_unknown_tools_and_tool_errors_go_back_to_the_model(fake_openai):
    fake_openai.reply_tool_calls(
        [("lookup_trouble_code", "{not json"), ("explode", {}), ("teleport", {})]
    )
    fake_openai.reply_text("Sorry, my lookups failed; here is general advice.")
    calls: list[dict] = []
    tools = [
        lookup_tool(calls),
        Tool(name="explode", description="", parameters={"type": "object"}, run=failing_tool),
    ]

    chunks = list(make_provider(fake_openai).stream(TURNS, tools=tools))

    assert calls == []
    results = [json.loads(chunk.tool_call.result) for chunk in chunks if chunk.tool_call]
    assert [sorted(result) for result in results] == [["error"]] * 3
    assert "database on fire" in results[1]["error"]
    assert "teleport" in results[2]["error"]
    tool_messages = [m for m in fake_openai.requests[1]["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 3
    assert chunks[-1].reply.text == "Sorry, my lookups failed; here is general advice."


def test_rate_limit_carries_retry_after(fake_openai):
    fake_openai.reply_error(HTTPStatus.TOO_MANY_REQUESTS, headers={"Retry-After": "7"})

    with pytest.raises(ProviderRateLimited) as caught:
        make_provider(fake_openai).complete(TURNS)

    assert caught.value.retry_after == 7
    assert caught.value.status == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (HTTPStatus.INTERNAL_SERVER_ERROR, ProviderUnavailable),
        (HTTPStatus.SERVICE_UNAVAILABLE, ProviderUnavailable),
        (HTTPStatus.FORBIDDEN, ProviderAuthError),
        (HTTPStatus.NOT_FOUND, ProviderMisconfigured),
        (HTTPStatus.UNPROCESSABLE_ENTITY, ProviderError),
    ],
)
def test_http_errors_become_provider_errors(fake_openai, status, error):
    fake_openai.reply_error(status)

    with pytest.raises(error) as caught:
        make_provider(fake_openai).complete(TURNS)

    assert type(caught.value) is error


def test_stream_http_errors_become_provider_errors(fake_openai):
    fake_openai.reply_error(HTTPStatus.BAD_GATEWAY)

    with pytest.raises(ProviderUnavailable):
        list(make_provider(fake_openai).stream(TURNS))


def test_auth_error_never_reveals_the_key(fake_openai, caplog):
    caplog.set_level(logging.DEBUG)
    echoed = {"error": {"message": f"Incorrect API key provided: {API_KEY}", "code": "invalid"}}
    fake_openai.reply_error(HTTPStatus.UNAUTHORIZED, body=echoed)

    with pytest.raises(ProviderAuthError) as caught:
        make_provider(fake_openai).complete(TURNS)

    error = caught.value
    assert isinstance(error.__cause__, Exception)
    shown = "".join(traceback.format_exception(error))
    assert API_KEY not in shown
    assert API_KEY not in caplog.text
    [warning] = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert "AuthenticationError" in warning.getMessage()
    assert "401" in warning.getMessage()


def test_slow_server_times_out_quickly(fake_openai):
    fake_openai.reply_delay(3.0, then="too late")
    provider = make_provider(fake_openai, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        provider.complete(TURNS)

    assert time.monotonic() - started < 1.5


def test_stream_that_stalls_times_out(fake_openai):
    fake_openai.reply_text("First words, then silence.", chunk_size=6, token_interval=3.0)

    with pytest.raises(ProviderTimeout):
        list(make_provider(fake_openai, timeout=0.3).stream(TURNS))


def test_connection_refused_is_unavailable():
    provider = OpenAIProvider(
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{free_port()}/v1",
        model="gpt-4o-mini",
        max_retries=0,
    )

    with pytest.raises(ProviderUnavailable):
        provider.complete(TURNS)


def test_cut_stream_is_a_bad_response(fake_openai):
    fake_openai.reply_cut_stream(after_chunks=3)

    received = []
    with pytest.raises(ProviderBadResponse):
        for chunk in make_provider(fake_openai).stream(TURNS):
            received.append(chunk)

    assert received
    assert all(chunk.reply is None for chunk in received)


def test_stream_without_finish_reason_is_a_bad_response(fake_openai):
    fake_openai.reply_text("An answer that never says it is done.", finish_reason=None)

    with pytest.raises(ProviderBadResponse):
        list(make_provider(fake_openai).stream(TURNS))


def test_malformed_stream_is_a_bad_response(fake_openai):
    fake_openai.reply_malformed_stream()

    with pytest.raises(ProviderBadResponse):
        list(make_provider(fake_openai).stream(TURNS))


def test_malformed_json_answer_is_a_bad_response(fake_openai):
    fake_openai.reply_malformed_stream()

    with pytest.raises(ProviderBadResponse):
        make_provider(fake_openai).complete(TURNS)


def test_empty_answer_is_a_bad_response(fake_openai):
    fake_openai.reply_text("")

    with pytest.raises(ProviderBadResponse):
        make_provider(fake_openai).complete(TURNS)


def test_closing_the_stream_early_hangs_up_on_the_server(fake_openai):
    fake_openai.reply_text("word " * 200, chunk_size=5, token_interval=0.01)

    stream = make_provider(fake_openai).stream(TURNS)
    first, second = next(stream), next(stream)
    stream.close()

    assert first.text and second.text
    assert fake_openai.wait_for_disconnect(timeout=2.0)


def test_context_too_long_is_reported(fake_openai):
    fake_openai.reply_error(
        HTTPStatus.BAD_REQUEST,
        body={
            "error": {
                "message": "This model's maximum context length is 128000 tokens.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        },
    )

    with pytest.raises(ProviderContextTooLong):
        make_provider(fake_openai).complete(TURNS)


def test_local_server_needs_no_api_key(fake_openai):
    provider = make_provider(fake_openai, api_key=None)

    reply = provider.complete(TURNS)

    assert "P0420" in reply.text  # the fake server's default answer echoes the question
    assert fake_openai.request_headers[0]["authorization"] == f"Bearer {PLACEHOLDER_API_KEY}"


def test_no_key_and_no_base_url_is_misconfigured():
    with pytest.raises(ProviderMisconfigured):
        OpenAIProvider(api_key="", base_url=None, model="gpt-4o-mini")


def test_fake_server_lists_models(fake_openai):
    with urllib.request.urlopen(f"{fake_openai.base_url}/models", timeout=5) as response:
        listing = json.load(response)

    assert listing["object"] == "list"
    assert listing["data"][0]["object"] == "model"
