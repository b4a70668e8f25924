"""Request validation and response shapes for the REST API."""

from __future__ import annotations

import datetime

from django.conf import settings
from rest_framework import serializers

from chat.knowledge import InvalidVin, normalize_vin
from chat.models import Conversation, Feedback, Message


class ChatRequestSerializer(serializers.Serializer):
    message = serializers.CharField(trim_whitespace=True, allow_blank=False)
    conversation_id = serializers.UUIDField(required=False, allow_null=True)
    stream = serializers.BooleanField(required=False, default=False)

    def validate_message(self, value: str) -> str:
        limit = settings.CHAT_MAX_MESSAGE_CHARS
        if len(value) > limit:
            raise serializers.ValidationError(
                f"The message is {len(value)} characters long; the limit is {limit}."
            )
        return value


class RegenerateRequestSerializer(serializers.Serializer):
    stream = serializers.BooleanField(required=False, default=False)
    message = serializers.CharField(
        required=False,
        trim_whitespace=True,
        allow_blank=False,
        help_text="Edit the last question to this text before answering again.",
    )

    def validate_message(self, value: str) -> str:
        return ChatRequestSerializer().validate_message(value)


class MessageListQuerySerializer(serializers.Serializer):
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False, default="asc")


class VehicleSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1886, max_value=datetime.date.today().year + 2
    )
    make = serializers.CharField(required=False, allow_blank=True, max_length=60)
    model = serializers.CharField(required=False, allow_blank=True, max_length=60)
    engine = serializers.CharField(required=False, allow_blank=True, max_length=60)
    mileage = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=3_000_000
    )
    vin = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def validate_vin(self, value: str) -> str:
        if not value:
            return value
        try:
            return normalize_vin(value)
        except InvalidVin as exc:
            raise serializers.ValidationError(str(exc)) from exc


class MessageSerializer(serializers.ModelSerializer):
    conversation_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation_id",
            "role",
            "content",
            "html",
            "status",
            "safety",
            "provider",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "latency_ms",
            "error_code",
            "error_message",
            "tool_name",
            "tool_arguments",
            "created_at",
        ]
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer):
    message_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Conversation
        fields = ["id", "title", "vehicle", "created_at", "updated_at", "message_count"]
        read_only_fields = fields


class ConversationUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    vehicle = VehicleSerializer(required=False)


class NewConversationSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    vehicle = VehicleSerializer(required=False)


class FeedbackRequestSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=[1, -1])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feedback
        fields = ["id", "message_id", "rating", "comment", "created_at"]
        read_only_fields = fields
