"""factory-boy factories for the chat models."""

from __future__ import annotations

import secrets

import factory
from django.contrib.auth import get_user_model

from chat.models import Conversation, Feedback, Message


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"driver{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    user = factory.SubFactory(UserFactory)
    owner_token = ""
    title = factory.Sequence(lambda n: f"Conversation {n}")

    class Params:
        anonymous = factory.Trait(
            user=None, owner_token=factory.LazyFunction(secrets.token_urlsafe)
        )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Message.Role.USER
    content = factory.Sequence(lambda n: f"Question number {n} about my car")
    html = factory.LazyAttribute(lambda m: f"<p>{m.content}</p>")


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    message = factory.SubFactory(MessageFactory, role=Message.Role.ASSISTANT)
    rating = Feedback.Rating.UP
