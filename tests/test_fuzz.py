"""Fuzz every API operation from its OpenAPI schema: no 5xx, and every response as documented.

Schemathesis generates valid and invalid requests for each operation in /api/schema and calls the
WSGI app in-process. The run is bounded (a fixed number of examples per operation, derandomized)
so it stays fast and reproducible in CI.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carrepair.wsgi import application
from chat.models import Message
from tests.factories import ConversationFactory, MessageFactory

CONVERSATION_ID = uuid.UUID("00000000-0000-4000-8000-00000000c0de")
ANSWER_ID = uuid.UUID("00000000-0000-4000-8000-0000000a05e1")
# Path values the knowledge lookups accept: random strings alone never reach their 200s.
KNOWN_VALUES = {
    "conversation_id": str(CONVERSATION_ID),
    "message_id": str(ANSWER_ID),
    "code": "P0420",
    "vin": "1HGCM82633A004352",
}

CHAT = "POST /api/chat"
NEW_CONVERSATION = "POST /api/new-conversation"
CONVERSATION = "/api/conversations/{conversation_id}"
REGENERATE = f"POST {CONVERSATION}/regenerate"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema?format=json", application)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, aim at the seeded conversation, answer, trouble code or VIN."""
    if not path_parameters:
        return st.just(path_parameters)
    known = {name: KNOWN_VALUES.get(name, value) for name, value in path_parameters.items()}
    return st.sampled_from([path_parameters, known])


def error_envelope(ctx, response, case):
    """Every error is JSON: {"error": {"code", "message"}, "detail"} (README, API section)."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error")
    assert isinstance(error, dict), f"no error object in {body!r}"
    assert isinstance(error.get("code"), str), f"no error code in {body!r}"
    assert body.get("detail") == error.get("message"), f"detail is not the message in {body!r}"
    return None


@pytest.fixture
def auth_headers(user, settings):
    """A token client (session writes would need CSRF) with a conversation to aim at."""
    # 0 turns a limit off: fuzzing would otherwise mostly meet 429s.
    settings.CHAT_TURNS_PER_MINUTE = 0
    settings.CHAT_TURNS_PER_DAY = 0
    settings.CHAT_TURNS_PER_MINUTE_PER_IP = 0
    conversation = ConversationFactory(id=CONVERSATION_ID, user=user)
    MessageFactory(conversation=conversation)
    MessageFactory(id=ANSWER_ID, conversation=conversation, role=Message.Role.ASSISTANT)
    token = Token.objects.create(user=user)
    return {"Authorization": f"Token {token.key}"}


# transaction=True: the WSGI handler closes the database connection after each request, which
# would end the transaction a plain django_db test runs in.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # The fixture only seeds data and settings; the examples may share them.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api(case, auth_headers):
    call_and_check(case, auth_headers)


# Server errors fuzzing once found (now fixed), replayed on every run: a bounded run may not meet
# them again.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "query"),
    [
        # A page limit or offset past 2**63 - 1 reached the database as an out-of-range integer.
        ("/api/conversations", {"limit": str(2**63)}),
        ("/api/conversations", {"offset": str(2**63)}),
        (f"{CONVERSATION}/messages", {"limit": str(2**63)}),
        # PostgreSQL refuses NUL in a text parameter: the search text is validated first.
        ("/api/conversations", {"q": "\x00"}),
    ],
)
def test_fuzz_findings_are_not_server_errors(auth_headers, path, query):
    path_parameters = {"conversation_id": str(CONVERSATION_ID)} if "{" in path else {}
    case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
    call_and_check(case, auth_headers)


def call_and_check(case, headers) -> None:
    response = case.call(headers=headers)
    case.validate_response(
        response, checks=CHECKS, additional_checks=[error_envelope], headers=headers
    )
