"""Request validation and response shapes for the REST API."""

from __future__ import annotations

import datetime

from django.conf import settings
from rest_framework import serializers

from chat.knowledge import InvalidVin, normalize_vin
from chat.models import Conversation, Feedback, Message


class ChatRequestSerializer(serializers.Serializer):
    message = serializers.CharField(trim_whitespace=True, allow_blank=False, min_length=1)
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
        min_length=1,
        help_text="Edit the last question to this text before answering again.",
    )

    def validate_message(self, value: str) -> str:
        return ChatRequestSerializer().validate_message(value)


class ConversationListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Search text"
    )


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
    message_count = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = ["id", "title", "vehicle", "created_at", "updated_at", "message_count"]
        read_only_fields = fields

    def get_message_count(self, conversation: Conversation) -> int:
        # Lists annotate the count in their one query; a single conversation counts here.
        count = getattr(conversation, "message_count", None)
        return conversation.messages.count() if count is None else count


class NewConversationResponseSerializer(ConversationSerializer):
    conversation_id = serializers.UUIDField(source="id", read_only=True)

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "conversation_id"]
        read_only_fields = fields


class RecentVehicleSerializer(VehicleSerializer):
    # The odometer has moved on since: a recent vehicle comes without its old mileage.
    mileage = None


class RecentVehiclesSerializer(serializers.Serializer):
    """Documents GET /api/vehicles."""

    vehicles = RecentVehicleSerializer(many=True)


class CodeDetailsSerializer(serializers.Serializer):
    causes = serializers.ListField(child=serializers.CharField())
    severity = serializers.ChoiceField(choices=["low", "moderate", "high", "severe"])
    drive = serializers.ChoiceField(choices=["yes", "caution", "no"])
    drive_note = serializers.CharField()
    drive_verdict = serializers.CharField()
    checks = serializers.ListField(child=serializers.CharField())
    cost = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)
    cost_note = serializers.CharField()


class CodeInfoSerializer(serializers.Serializer):
    """Documents GET /api/dtc/<code>."""

    code = serializers.CharField()
    system = serializers.CharField()
    generic = serializers.BooleanField()
    scope = serializers.CharField()
    subsystem = serializers.CharField()
    meaning = serializers.CharField(allow_null=True)
    note = serializers.CharField(
        required=False, help_text="Where a maker uses this generic number with its own meaning."
    )
    details = CodeDetailsSerializer(required=False)


class VinInfoSerializer(serializers.Serializer):
    """Documents GET /api/vin/<vin>."""

    vin = serializers.CharField()
    wmi = serializers.CharField()
    vds = serializers.CharField()
    vis = serializers.CharField()
    manufacturer = serializers.CharField()
    country = serializers.CharField()
    region = serializers.CharField()
    model_years = serializers.ListField(child=serializers.IntegerField())
    check_digit_valid = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    details = serializers.DictField(child=serializers.CharField())


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
