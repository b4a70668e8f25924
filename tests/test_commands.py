from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_creates_user_and_token():
    key = run("bob", "--create-user")
    assert Token.objects.get(user__username="bob").key == key
    assert run("bob") == key  # the same token on a second call


def test_unknown_user_needs_create_flag():
    with pytest.raises(CommandError, match="--create-user"):
        run("nobody")


def test_rotate_replaces_the_token():
    UserFactory(username="carol")
    first = run("carol")
    second = run("carol", "--rotate")
    assert first != second
    assert list(Token.objects.filter(user__username="carol").values_list("key", flat=True)) == [
        second
    ]
