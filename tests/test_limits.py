"""Spend and abuse limits: clear 429s, counters that hold across threads and processes."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connections

from chat import limits
from chat.models import Message
from tests.test_backends import require_server

pytestmark = pytest.mark.django_db


def test_per_owner_limit_is_a_clear_429(token_api, settings):
    settings.CHAT_TURNS_PER_MINUTE = 2
    for _ in range(2):
        assert token_api.post("/api/chat", {"message": "P0300"}, format="json").status_code == 200
    response = token_api.post("/api/chat", {"message": "P0301"}, format="json")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 60
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert "Too many questions" in error["message"]
    assert error["retry_after"] == int(response["Retry-After"])
    assert not Message.objects.filter(content="P0301").exists()


def test_regenerate_counts_too(token_api, settings):
    settings.CHAT_TURNS_PER_MINUTE = 1
    body = token_api.post("/api/chat", {"message": "P0300"}, format="json").json()
    url = f"/api/conversations/{body['conversation_id']}/regenerate"
    assert token_api.post(url, {}, format="json").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_per_ip_limit_ignores_forged_forwarded_for(api, settings):
    settings.CHAT_TURNS_PER_MINUTE_PER_IP = 1
    first = api.post(
        "/api/chat", {"message": "P0300"}, format="json", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert first.status_code == HTTPStatus.OK
    # A new X-Forwarded-For does not make a new client when no proxy is trusted.
    second = api.post(
        "/api/chat", {"message": "P0301"}, format="json", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert second.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_forwarded_for_is_used_behind_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert limits.client_ip(request) == "203.0.113.9"  # the proxy's own entry, not the forged one
    settings.TRUSTED_PROXY_HOPS = 0
    assert limits.client_ip(request) == "10.0.0.2"


def test_conversation_turn_cap(token_api, settings):
    settings.CHAT_MAX_TURNS_PER_CONVERSATION = 2
    body = token_api.post("/api/chat", {"message": "P0300"}, format="json").json()
    payload = {"message": "P0171", "conversation_id": body["conversation_id"]}
    assert token_api.post("/api/chat", payload, format="json").status_code == HTTPStatus.OK
    full = token_api.post("/api/chat", {**payload, "message": "P0174"}, format="json")
    assert full.status_code == HTTPStatus.CONFLICT
    assert full.json()["error"]["code"] == "conversation_full"
    assert "new conversation" in full.json()["error"]["message"]


def _hammer(threads: int, hits: int) -> int:
    limit = limits.Limit(f"test:{uuid.uuid4()}", allowed=10_000, window=3600)

    def work(_):
        try:
            for _ in range(hits):
                limits.hit([limit])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(work, range(threads)))
    return limits._increment([limit], time.time())[0] - 1  # one more hit reads the count


@pytest.mark.django_db(transaction=True)
def test_database_counter_is_atomic_across_connections(settings):
    settings.REDIS_URL = ""
    assert _hammer(threads=10, hits=10) == 100


@pytest.mark.django_db(transaction=True)
def test_redis_counter_is_atomic(settings):
    require_server("127.0.0.1", 6379, "Redis")
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    limits._redis.cache_clear()
    try:
        assert _hammer(threads=10, hits=10) == 100
    finally:
        limits._redis.cache_clear()
