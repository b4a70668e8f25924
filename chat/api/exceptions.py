"""The one place API errors become JSON: ``{"error": {"code", "message", ...}}``.

Domain errors (``chat.errors.ChatError``) carry their status and a message safe to show; DRF's
own errors (validation, parse, auth, 404, 405) are reshaped into the same envelope. The
message is mirrored as a top-level ``detail`` string for clients that only read that.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chat.errors import ChatError, InvalidLookup, error_body
from chat.knowledge import InvalidCode, InvalidVin


def exception_handler(exc, context):
    if isinstance(exc, (InvalidCode, InvalidVin)):
        exc = InvalidLookup(str(exc))
    if isinstance(exc, ChatError):
        extra = {}
        if exc.conversation_id is not None:
            extra["conversation_id"] = str(exc.conversation_id)
        if exc.message_id is not None:
            extra["message_id"] = str(exc.message_id)
        if exc.retry_after is not None:
            extra["retry_after"] = exc.retry_after
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(
            error_body(exc.code, exc.message, **extra), status=exc.status, headers=headers
        )

    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (logged, no details shown)

    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        first = _first_message(fields)
        response.data = error_body("invalid", first, fields=fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message = str(detail)
        if isinstance(exc, exceptions.PermissionDenied) and "CSRF" in message:
            code = "csrf_failed"
            message = (
                "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header, "
                "or authenticate with 'Authorization: Token <key>'."
            )
        if isinstance(exc, exceptions.ParseError):
            message = f"Malformed JSON body: {message}"
        if isinstance(exc, exceptions.Throttled):
            message = (
                f"Too many questions in a short time. Try again in {exc.wait:.0f} seconds."
                if exc.wait
                else "Too many questions."
            )
        response.data = error_body(str(code), message)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" in response:
        response.data["error"]["retry_after"] = int(response["Retry-After"])
    return response


def _first_message(fields) -> str:
    if isinstance(fields, dict):
        for name, value in fields.items():
            inner = _first_message(value)
            if inner:
                return inner if name == "non_field_errors" else f"{name}: {inner}"
        return "Invalid input."
    if isinstance(fields, list):
        return _first_message(fields[0]) if fields else "Invalid input."
    return str(fields)
