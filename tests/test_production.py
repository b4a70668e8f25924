"""The production command's server: uvicorn workers, DEBUG off, WhiteNoise, checked settings."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENAI_"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_PLAIN_HTTP="true",  # loopback: no TLS here to redirect to
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        LLM_PROVIDER="offline",
    )
    database = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        database = f"carrepair_production_{os.getpid()}"
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
        _postgres(f'CREATE DATABASE "{database}"')

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # The same steps, in the same order, as `make serve`.
    assert "no issues" in manage("check", "--deploy", "--fail-level", "WARNING")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "-v", "0")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "carrepair.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--no-access-log", "--no-proxy-headers"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/api/status", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stdout.read().decode()
        assert time.monotonic() < deadline, "the production server did not start"
        time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)
    if database:
        _postgres(f'DROP DATABASE "{database}"')


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(statement)


def test_serves_the_chat_page_with_hashed_static_files(production_server):
    page = httpx.get(production_server + "/")
    assert page.status_code == 200
    assert "DEBUG" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page.text)
    assert assets and all(re.search(r"\.[0-9a-f]{12}\.(?:js|css)$", a) for a in assets), assets
    for asset in assets:
        response = httpx.get(production_server + asset)
        assert response.status_code == 200
        assert "immutable" in response.headers["cache-control"]  # WhiteNoise, hashed name


def test_serves_the_api(production_server):
    status = httpx.get(production_server + "/api/status").json()
    assert status == status | {"status": "ok", "provider": "offline", "database": "ok"}
    chat = httpx.post(production_server + "/api/chat", json={"message": "P0420"})
    assert chat.status_code == 200 and "P0420" in chat.json()["raw_response"]
    missing = httpx.get(production_server + "/api/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    page_404 = httpx.get(production_server + "/nothing")
    assert page_404.status_code == 404 and "Traceback" not in page_404.text


def test_security_headers(production_server):
    headers = httpx.get(production_server + "/").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
