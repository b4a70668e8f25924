"""Nothing is lost under provider faults or concurrent writers, and turns log without text."""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections

from chat import services
from chat.llm.base import ProviderError
from chat.llm.offline import OfflineProvider
from chat.models import Conversation, Message
from chat.owners import Owner
from tests.api.test_chat import sse_events

pytestmark = pytest.mark.django_db

FAULTS = [
    lambda f: f.reply_error(500),
    lambda f: f.reply_error(503),
    lambda f: f.reply_error(429, headers={"Retry-After": "3"}),
    lambda f: f.reply_delay(1.0),
    lambda f: f.reply_cut_stream(after_chunks=2, text="partial answer about brakes"),
    lambda f: f.reply_malformed_stream(),
]


def test_thirty_percent_provider_faults_lose_nothing(openai_settings, fake_openai, token_api):
    openai_settings.OPENAI_TIMEOUT = 0.4
    openai_settings.CHAT_TURNS_PER_MINUTE = 0  # limits are tested elsewhere; this is 50 turns
    openai_settings.CHAT_TURNS_PER_MINUTE_PER_IP = 0
    rng = random.Random(20261124)
    outcomes = []
    for n in range(30):
        faulty = rng.random() < 0.3
        if faulty:
            rng.choice(FAULTS)(fake_openai)
        else:
            fake_openai.reply_text(f"Answer {n}: check the pads.", chunk_size=6)
        stream = rng.random() < 0.5
        response = token_api.post(
            "/api/chat", {"message": f"question {n}", "stream": stream}, format="json"
        )
        if stream:
            name, data = sse_events(response)[-1]
            outcomes.append((faulty, name == "done", data))
        else:
            outcomes.append((faulty, response.status_code == 200, response.json()))

    assert sum(faulty for faulty, _, _ in outcomes) >= 6  # the seed really injects faults
    for n, (faulty, ok, body) in enumerate(outcomes):
        assert ok != faulty, (n, body)
        question = Message.objects.get(role="user", content=f"question {n}")
        answer = Message.objects.get(conversation=question.conversation, role="assistant")
        if faulty:
            assert answer.status == "error" and answer.error_code.startswith(
                ("provider_", "context")
            )
            error = body["error"]
            assert error["message"] and error["code"] == answer.error_code
        else:
            assert answer.status == "complete" and answer.content.startswith(f"Answer {n}")
    assert not Message.objects.exclude(status__in=["complete", "error"]).exists()

    # Every failed turn can be retried once the model behaves.
    failed = Message.objects.filter(role="assistant", status="error")
    for answer in failed:
        fake_openai.reply_text("Retried answer.")
        retry = token_api.post(
            f"/api/conversations/{answer.conversation_id}/regenerate", {}, format="json"
        )
        assert retry.status_code == 200
    assert not Message.objects.filter(status="error").exists()


def test_timeouts_and_retries_are_bounded(openai_settings, fake_openai, token_api):
    """A model that hangs costs the configured timeout once per allowed attempt, not minutes."""
    import time

    openai_settings.OPENAI_TIMEOUT = 0.3
    openai_settings.OPENAI_MAX_RETRIES = 1
    fake_openai.reply_delay(2.0)
    fake_openai.reply_delay(2.0)
    started = time.monotonic()
    response = token_api.post("/api/chat", {"message": "hello"}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 2.0, f"a hung model held the request {elapsed:.1f}s"
    assert len(fake_openai.requests) == 2  # one try and one retry


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_writers_never_hit_database_is_locked():
    owners = [Owner(token=f"writer-{n}") for n in range(50)]
    errors: list[str] = []
    start = threading.Barrier(50)

    def write(owner: Owner) -> None:
        try:
            start.wait()
            conversation = None
            for n in range(3):
                result = services.conversation_reply(
                    owner=owner,
                    conversation_id=conversation,
                    text=f"P030{n} again",
                    provider=OfflineProvider(),
                )
                conversation = result.conversation.pk
        except (OperationalError, ProviderError) as exc:
            errors.append(str(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(write, owners))
    assert errors == []
    assert Conversation.objects.count() == 50
    assert Message.objects.count() == 50 * 3 * 2


def test_one_log_line_per_turn_without_message_text(token_api, caplog):
    caplog.set_level(logging.INFO, logger="chat.turn")
    secret_words = "my neighbour Janet borrowed the car and now P0420 shows"
    body = token_api.post("/api/chat", {"message": secret_words}, format="json").json()
    lines = [r.getMessage() for r in caplog.records if r.name == "chat.turn"]
    assert len(lines) == 1
    line = lines[0]
    for field in ("conversation=", "provider=offline", "latency_ms=", "outcome=complete"):
        assert field in line
    assert body["conversation_id"] in line
    assert "Janet" not in line and "P0420" not in line


class TransactionWatchingProvider(OfflineProvider):
    """Answers like the offline mechanic, noting whether a transaction was open at the time."""

    def __init__(self):
        self.in_transaction: list[bool] = []

    def complete(self, turns, **kwargs):
        self.in_transaction.append(connection.in_atomic_block)
        return super().complete(turns, **kwargs)

    def stream(self, turns, **kwargs):
        self.in_transaction.append(connection.in_atomic_block)
        yield from super().stream(turns, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_model_answers():
    owner = Owner(token="watcher")
    provider = TransactionWatchingProvider()
    result = services.conversation_reply(owner=owner, text="P0420", provider=provider)
    stream = services.conversation_reply_stream(
        owner=owner, conversation_id=result.conversation.pk, text="P0171", provider=provider
    )
    list(stream.events)
    services.conversation_regenerate(
        owner=owner, conversation_id=result.conversation.pk, provider=provider
    )
    assert provider.in_transaction == [False, False, False]
