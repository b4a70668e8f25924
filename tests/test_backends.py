"""The production backends, against real servers on 127.0.0.1.

CI runs the suite twice: on SQLite, and with DATABASE_URL pointing at PostgreSQL and REDIS_URL at
Redis. A test that needs a server fails in CI when the server is missing; outside CI it skips
and says why.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def require_server(host: str, port: int, what: str) -> None:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        message = f"{what} is not reachable on {host}:{port}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run this test")
        pytest.skip(f"{message} (start it to run this test; CI requires it)")


def test_redis_cache_is_shared_between_processes():
    require_server("127.0.0.1", 6379, "Redis")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"carrepair-test-{os.getpid()}"})
    cache.set("greeting", "hello from the parent", timeout=30)
    cache.set("counter", 0, timeout=30)
    assert cache.incr("counter") == 1
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; settings.configure();"
            "from django.core.cache.backends.redis import RedisCache;"
            f"c = RedisCache({REDIS_URL!r}, {{'KEY_PREFIX': 'carrepair-test-{os.getpid()}'}});"
            "print(c.get('greeting')); print(c.incr('counter'))",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert child.returncode == 0, child.stderr
    greeting, counter = child.stdout.strip().splitlines()
    assert greeting == "hello from the parent"
    assert counter == "2"  # the parent's increment is visible: one counter, not one per process
    cache.delete_many(["greeting", "counter"])


def test_configured_cache_is_redis_when_redis_url_is_set(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: this is the SQLite pass (the Redis pass checks this)")
    require_server("127.0.0.1", 6379, "Redis")
    from django.core.cache import caches

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("carrepair-probe", 1, timeout=5)
    assert cache.get("carrepair-probe") == 1


@pytest.mark.django_db
def test_chat_turn_on_the_configured_database(token_api):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("DATABASE_URL is not PostgreSQL: this is the SQLite pass")
    require_server("127.0.0.1", 5432, "PostgreSQL")
    assert connection.vendor == "postgresql"
    response = token_api.post("/api/chat", {"message": "P0420 and P0171"}, format="json")
    assert response.status_code == HTTPStatus.OK
    listed = token_api.get("/api/conversations?q=P0171").json()
    assert listed["count"] == 1
