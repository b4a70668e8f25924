"""How the API appears in its OpenAPI schema: the authentication schemes, and the response
shapes (errors, the event stream, Markdown) that no model serializer describes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "chat.api.authentication.BearerOrTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>` (manage.py create_api_token).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "chat.api.authentication.OwnerSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Browser session; writes also need the X-CSRFToken header.",
        }


# --- Shapes the views return that no model serializer describes -------------------------------

ErrorBody = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorDetail",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(help_text="Safe to show to the user."),
                "fields": serializers.DictField(required=False, help_text="Per-field problems."),
                "retry_after": serializers.IntegerField(required=False),
                "conversation_id": serializers.UUIDField(
                    required=False, help_text="Set when the question was stored: retry it."
                ),
                "message_id": serializers.UUIDField(required=False),
            },
        ),
        "detail": serializers.CharField(help_text="The same message, for simple clients."),
    },
)

_MEANINGS = {
    400: "Invalid input (see error.fields)",
    401: "Invalid token",
    403: "CSRF check failed (session clients)",
    404: "Not found, or not yours",
    409: "Conflict (nothing to regenerate, or the conversation is full)",
    415: "Only application/json is accepted",
    429: "Too many requests: wait Retry-After seconds",
    502: "The model's answer was malformed or cut off (the question is saved)",
    503: "The model is unavailable or timed out (the question is saved)",
}


def errors(*statuses: int) -> dict:
    """`responses` entries for these error statuses, all in the one error envelope."""
    return {
        status: OpenApiResponse(ErrorBody, description=_MEANINGS[status]) for status in statuses
    }


READ = (401, 404)
WRITE = (400, 401, 403, 404, 415)
TURN = (*WRITE, 409, 429, 502, 503)
EVENT_STREAM = OpenApiResponse(
    inline_serializer(
        "ServerSentEvent",
        {
            "event": serializers.ChoiceField(choices=["meta", "delta", "tool", "done", "error"]),
            "data": serializers.CharField(help_text="The event's payload, as JSON text."),
        },
    ),
    description=(
        "With `stream: true`: server-sent events `meta` (conversation_id, answer_id, question), "
        "`delta` (text) repeated, `tool` (a lookup the model made), then `done` (the same body "
        "as the JSON response) or `error` (the error object and the stored message)."
    ),
)
MARKDOWN = OpenApiResponse(OpenApiTypes.STR, description="The conversation as Markdown.")
