"""REST API views: validate, call one service or selector, serialize."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.api import schema, serializers
from chat.api.serving import event_stream
from chat.api.throttles import ChatTurnThrottle
from chat.knowledge import decode_vin, lookup_code
from chat.llm import provider_config_problem, selected_provider_name
from chat.llm.offline import OfflineProvider
from chat.owners import owner_from_request
from chat.services import TextDelta, ToolUsed, TurnFailed, TurnFinished, TurnResult, TurnStream

CODE_PATTERN = "^[PBCUpbcu][0-3][0-9A-Fa-f]{3}$"
ChatResponse = inline_serializer(
    "ChatResponse",
    {
        "response": drf_serializers.CharField(help_text="The answer as sanitised HTML."),
        "raw_response": drf_serializers.CharField(help_text="The answer as Markdown."),
        "conversation_id": drf_serializers.UUIDField(),
        "timestamp": drf_serializers.DateTimeField(),
        "safety": drf_serializers.CharField(),
        "provider": drf_serializers.CharField(),
        "model": drf_serializers.CharField(),
        "message": serializers.MessageSerializer(),
        "question": serializers.MessageSerializer(),
    },
)


def _turn_payload(conversation_id, question, answer) -> dict:
    return {
        "response": answer.html,
        "raw_response": answer.content,
        "conversation_id": str(conversation_id),
        "timestamp": answer.created_at.isoformat(),
        "safety": answer.safety,
        "provider": answer.provider,
        "model": answer.model,
        "message": serializers.MessageSerializer(answer).data,
        "question": serializers.MessageSerializer(question).data,
    }


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _event_stream(turn: TurnStream) -> Iterator[str]:
    with closing(turn.events):
        yield from _turn_events(turn)


def _turn_events(turn: TurnStream) -> Iterator[str]:
    yield _sse(
        "meta",
        {
            "conversation_id": str(turn.conversation.pk),
            "answer_id": str(turn.answer_id),
            "title": turn.conversation.title,
            "question": serializers.MessageSerializer(turn.question).data,
        },
    )
    for event in turn.events:
        if isinstance(event, TextDelta):
            yield _sse("delta", {"text": event.text})
        elif isinstance(event, ToolUsed):
            yield _sse("tool", {"name": event.call.name, "arguments": event.call.arguments})
        elif isinstance(event, TurnFinished):
            yield _sse("done", _turn_payload(turn.conversation.pk, turn.question, event.answer))
        elif isinstance(event, TurnFailed):
            error = event.error
            body = {"code": error.code, "message": error.message, "status": int(error.status)}
            if error.retry_after is not None:
                body["retry_after"] = error.retry_after
            yield _sse(
                "error",
                {
                    "error": body,
                    "conversation_id": str(turn.conversation.pk),
                    "message": serializers.MessageSerializer(event.answer).data,
                },
            )


def _turn_response(request, result: TurnResult | TurnStream):
    if isinstance(result, TurnStream):
        return event_stream(request, _event_stream(result))
    return Response(_turn_payload(result.conversation.pk, result.question, result.answer))


class ChatView(APIView):
    """Ask a question. Seed-compatible: `message`, optional `conversation_id`, optional `stream`."""

    throttle_classes = [ChatTurnThrottle]

    @extend_schema(
        request=serializers.ChatRequestSerializer,
        responses={
            (200, "application/json"): ChatResponse,
            (200, "text/event-stream"): schema.EVENT_STREAM,
            **schema.errors(*schema.TURN),
        },
        description=(
            "With `stream: true` the answer is sent as `text/event-stream` events: `meta`, "
            "`delta` (repeated), `tool` (when a model used a lookup tool), then `done` or `error`."
        ),
    )
    def post(self, request):
        data = serializers.ChatRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = owner_from_request(request)
        kwargs = {
            "owner": owner,
            "text": data.validated_data["message"],
            "conversation_id": data.validated_data.get("conversation_id"),
        }
        if data.validated_data["stream"]:
            return _turn_response(request, services.conversation_reply_stream(**kwargs))
        return _turn_response(request, services.conversation_reply(**kwargs))


class StatusView(APIView):
    """Health without spending anything: provider, model, database."""

    @extend_schema(
        responses=inline_serializer(
            "Status",
            {
                "status": drf_serializers.CharField(),
                "provider": drf_serializers.CharField(),
                "model": drf_serializers.CharField(),
                "database": drf_serializers.CharField(),
                "version": drf_serializers.CharField(),
                "configuration_problem": drf_serializers.CharField(allow_null=True),
            },
        ),
        description="200 when healthy, 503 (same body) when the database or configuration is not.",
    )
    def get(self, request):
        problem = provider_config_problem()
        database = "ok" if selectors.database_ok() else "unreachable"
        provider = selected_provider_name()
        model = settings.OPENAI_MODEL if provider == "openai" else OfflineProvider.model
        healthy = database == "ok" and problem is None
        return Response(
            {
                "status": "ok" if healthy else "degraded",
                "provider": provider,
                "model": model,
                "database": database,
                "version": settings.VERSION,
                "configuration_problem": problem,
            },
            status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE,
        )


class CsrfTokenView(APIView):
    """A CSRF token for cookie-jar clients (send it back as `X-CSRFToken`)."""

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": drf_serializers.CharField()}))
    def get(self, request):
        return Response({"csrf_token": get_token(request)})


class NewConversationView(APIView):
    @extend_schema(
        request=serializers.NewConversationSerializer,
        responses={
            201: serializers.NewConversationResponseSerializer,
            **schema.errors(400, 401, 403, 415),
        },
    )
    def post(self, request):
        data = serializers.NewConversationSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        conversation = services.conversation_start(
            owner=owner_from_request(request),
            title=data.validated_data["title"],
            vehicle=data.validated_data.get("vehicle"),
        )
        # `conversation_id` is the seed's key for the new id.
        body = serializers.NewConversationResponseSerializer(conversation).data
        return Response(body, status=status.HTTP_201_CREATED)


class ConversationListView(ListAPIView):
    """The caller's conversations, most recent first. `?q=` searches titles and messages."""

    serializer_class = serializers.ConversationSerializer

    @extend_schema(
        parameters=[serializers.ConversationListQuerySerializer],
        responses={
            200: serializers.ConversationSerializer(many=True),
            **schema.errors(400, 401),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = serializers.ConversationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.conversations_for(
            owner=owner_from_request(self.request, create=False), search=query.validated_data["q"]
        )


class ConversationDetailView(APIView):
    @extend_schema(
        responses={200: serializers.ConversationSerializer, **schema.errors(*schema.READ)}
    )
    def get(self, request, conversation_id):
        conversation = selectors.conversation_for(
            owner=owner_from_request(request, create=False), conversation_id=conversation_id
        )
        return Response(serializers.ConversationSerializer(conversation).data)

    @extend_schema(
        request=serializers.ConversationUpdateSerializer,
        responses={200: serializers.ConversationSerializer, **schema.errors(*schema.WRITE)},
    )
    def patch(self, request, conversation_id):
        data = serializers.ConversationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_update(
            owner=owner_from_request(request, create=False),
            conversation_id=conversation_id,
            title=data.validated_data.get("title"),
            vehicle=data.validated_data.get("vehicle"),
        )
        return Response(serializers.ConversationSerializer(conversation).data)

    @extend_schema(responses={204: None, **schema.errors(401, 403, 404)})
    def delete(self, request, conversation_id):
        services.conversation_delete(
            owner=owner_from_request(request, create=False), conversation_id=conversation_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageListView(ListAPIView):
    """A conversation's messages, oldest first (`?order=desc`: newest first), paginated
    (`limit`, `offset`)."""

    serializer_class = serializers.MessageSerializer

    @extend_schema(
        parameters=[serializers.MessageListQuerySerializer],
        responses={
            200: serializers.MessageSerializer(many=True),
            **schema.errors(400, *schema.READ),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = serializers.MessageListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        conversation = selectors.conversation_for(
            owner=owner_from_request(self.request, create=False),
            conversation_id=self.kwargs["conversation_id"],
        )
        return selectors.messages_for(
            conversation=conversation, newest_first=query.validated_data["order"] == "desc"
        )


class MessageDetailView(APIView):
    """One message, e.g. a streamed answer by the `answer_id` its `meta` event announced."""

    @extend_schema(responses={200: serializers.MessageSerializer, **schema.errors(*schema.READ)})
    def get(self, request, message_id):
        message = selectors.message_for(
            owner=owner_from_request(request, create=False), message_id=message_id
        )
        return Response(serializers.MessageSerializer(message).data)


class ExportView(APIView):
    @extend_schema(
        responses={(200, "text/markdown"): schema.MARKDOWN, **schema.errors(*schema.READ)}
    )
    def get(self, request, conversation_id):
        conversation = selectors.conversation_for(
            owner=owner_from_request(request, create=False), conversation_id=conversation_id
        )
        response = HttpResponse(
            selectors.conversation_markdown(conversation=conversation),
            content_type="text/markdown; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="car-repair-{str(conversation.pk)[:8]}.md"'
        )
        return response


class RegenerateView(APIView):
    """Answer the conversation's last question again (also the way to retry a failed turn).
    With `message`, the last question is edited first (edit and resend)."""

    throttle_classes = [ChatTurnThrottle]

    @extend_schema(
        request=serializers.RegenerateRequestSerializer,
        responses={
            (200, "application/json"): ChatResponse,
            (200, "text/event-stream"): schema.EVENT_STREAM,
            **schema.errors(*schema.TURN),
        },
    )
    def post(self, request, conversation_id):
        data = serializers.RegenerateRequestSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        result = services.conversation_regenerate(
            owner=owner_from_request(request, create=False),
            conversation_id=conversation_id,
            text=data.validated_data.get("message"),
            stream=data.validated_data["stream"],
        )
        return _turn_response(request, result)


class FeedbackView(APIView):
    """Rate an answer; posting again replaces the rating and comment (one per answer)."""

    @extend_schema(
        request=serializers.FeedbackRequestSerializer,
        responses={
            201: serializers.FeedbackSerializer,
            200: serializers.FeedbackSerializer,
            **schema.errors(*schema.WRITE),
        },
    )
    def post(self, request, message_id):
        data = serializers.FeedbackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback, created = services.feedback_set(
            owner=owner_from_request(request, create=False),
            message_id=message_id,
            rating=data.validated_data["rating"],
            comment=data.validated_data["comment"],
        )
        return Response(
            serializers.FeedbackSerializer(feedback).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RecentVehiclesView(APIView):
    """The caller's recently used vehicles (distinct, most recent first), to reuse in a new
    conversation: send one as `vehicle` to `POST /api/new-conversation`."""

    @extend_schema(
        responses={200: serializers.RecentVehiclesSerializer, **schema.errors(401)},
    )
    def get(self, request):
        owner = owner_from_request(request, create=False)
        vehicles = selectors.recent_vehicles_for(owner=owner)
        return Response(serializers.RecentVehiclesSerializer({"vehicles": vehicles}).data)


class TroubleCodeView(APIView):
    """Explain an OBD-II trouble code from the embedded knowledge."""

    @extend_schema(
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, pattern=CODE_PATTERN)],
        responses={200: serializers.CodeInfoSerializer, **schema.errors(400)},
    )
    def get(self, request, code):
        return Response(lookup_code(code).as_dict())


class VinView(APIView):
    """Decode a VIN: manufacturer, country, model years, check digit."""

    @extend_schema(responses={200: serializers.VinInfoSerializer, **schema.errors(400)})
    def get(self, request, vin):
        return Response(decode_vin(vin).as_dict())
