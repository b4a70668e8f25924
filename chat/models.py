"""Conversations, their messages, and feedback on answers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from chat.llm.base import provider_error_message

VEHICLE_FIELDS = ("year", "make", "model", "engine", "mileage", "vin")


class Conversation(models.Model):
    """A chat owned by a user account or, for anonymous visitors, by a session token."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    owner_token = models.CharField(max_length=64, blank=True, db_index=True)
    title = models.CharField(max_length=120, blank=True)
    vehicle = models.JSONField(default=dict, blank=True)
    # Kept with each question so the per-conversation limit costs the same at any length.
    question_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(owner_token=""),
                name="conversation_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.id}"


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"
        TOOL = "tool", "Tool call"

    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"
        CANCELLED = "cancelled", "Cancelled"

    class Safety(models.TextChoices):
        OK = "ok", "OK"
        CAUTION = "caution", "Caution"
        STOP = "stop", "Stop driving"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField(blank=True)
    html = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.COMPLETE)
    safety = models.CharField(max_length=16, choices=Safety.choices, default=Safety.OK)
    provider = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=128, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    tool_name = models.CharField(max_length=64, blank=True)
    tool_arguments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_conv_created_idx")
        ]

    def __str__(self) -> str:
        text = self.content if len(self.content) <= 60 else self.content[:57] + "..."
        return f"{self.get_role_display()}: {text}"

    @property
    def error_message(self) -> str:
        """What went wrong with a failed answer, in words for the owner."""
        return provider_error_message(self.error_code) if self.error_code else ""


class Feedback(models.Model):
    class Rating(models.IntegerChoices):
        UP = 1, "Helpful"
        DOWN = -1, "Not helpful"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="feedback")
    rating = models.SmallIntegerField(choices=Rating.choices)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message"], name="one_feedback_per_answer")]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} on {self.message_id}"


class RateCounter(models.Model):
    """A fixed-window request counter, for rate limits when no Redis is configured.

    Incremented with a single UPDATE ... SET count = count + 1, which is atomic on SQLite and
    PostgreSQL alike, so limits hold across worker processes.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
