from __future__ import annotations

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chat.owners import Owner
from tests.factories import UserFactory

pytest_plugins = ["tests.fake_openai"]


@pytest.fixture(autouse=True)
def _offline_by_default(settings):
    """Tests never reach a real model: the offline mechanic unless a test points elsewhere."""
    settings.LLM_PROVIDER = "offline"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture(autouse=True)
def _fresh_rate_counters(settings):
    """Rate counters in Redis outlive a test's database rollback: give each test its own."""
    settings.RATE_LIMIT_PREFIX = f"test-{uuid.uuid4()}"


@pytest.fixture
def api():
    """An API client that behaves like a browser: session cookie and CSRF checks enforced."""
    client = APIClient(enforce_csrf_checks=True)
    response = client.get("/api/csrf")
    client.credentials(HTTP_X_CSRFTOKEN=response.json()["csrf_token"])
    return client


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def token_api(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def owner(user) -> Owner:
    return Owner(user_id=user.pk)


@pytest.fixture
def openai_settings(settings, fake_openai):
    """Point the app at the local OpenAI-compatible test server."""
    settings.LLM_PROVIDER = "auto"
    settings.OPENAI_BASE_URL = fake_openai.base_url
    settings.OPENAI_API_KEY = "sk-test-secret-key-0000"
    settings.OPENAI_MODEL = "fake-model"
    settings.OPENAI_TIMEOUT = 2.0
    settings.OPENAI_MAX_RETRIES = 0
    return settings


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API leaves an event loop running in the main thread
    for the rest of the session, where Django could no longer call an async view synchronously."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
