"""Page views. The chat itself talks to the JSON API; these render the shell and the help."""

from __future__ import annotations

import json
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from chat import selectors
from chat.errors import error_body
from chat.llm import provider_config_problem, selected_provider_name
from chat.models import Message
from chat.owners import owner_from_request
from chat.prompts import VEHICLE_LABELS

# The sidebar's first page; the page script asks the API for the rest ("Show more").
SIDEBAR_PAGE_SIZE = 50


@ensure_csrf_cookie
def chat_page(request, conversation_id: str | None = None):
    problem = provider_config_problem()
    if problem:
        return setup_help(request, status=HTTPStatus.SERVICE_UNAVAILABLE)
    owner = owner_from_request(request, create=False)
    conversation = None
    messages = []
    if conversation_id is not None:
        conversation = selectors.conversation_for(owner=owner, conversation_id=conversation_id)
        messages = list(
            selectors.messages_for(conversation=conversation).exclude(role=Message.Role.TOOL)
        )
    conversations = list(selectors.conversations_for(owner=owner)[: SIDEBAR_PAGE_SIZE + 1])
    vehicle = conversation.vehicle if conversation else {}
    context = {
        "conversations": conversations[:SIDEBAR_PAGE_SIZE],
        "more_conversations": len(conversations) > SIDEBAR_PAGE_SIZE,
        "conversation": conversation,
        "messages": messages,
        "vehicle_fields": [
            {"name": key, "label": label, "value": vehicle.get(key, "")}
            for key, label in VEHICLE_LABELS.items()
        ],
        "vehicle_summary": _vehicle_summary(vehicle),
        # From the sidebar's conversations, already loaded: no extra query.
        "recent_vehicles": [
            {"label": _vehicle_summary(recent) or recent.get("vin", ""), "json": json.dumps(recent)}
            for recent in selectors.recent_vehicles(conversations, exclude=vehicle)
        ],
        "provider": selected_provider_name(),
        "max_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }
    return render(request, "chat/index.html", context)


def _vehicle_summary(vehicle: dict) -> str:
    """'2003 Honda Accord' from whichever of year, make and model are known."""
    return " ".join(str(vehicle[key]) for key in ("year", "make", "model") if vehicle.get(key))


def setup_help(request, status: int = HTTPStatus.OK):
    context = {
        "problem": provider_config_problem(),
        "provider": selected_provider_name(),
        "model": settings.OPENAI_MODEL,
    }
    return render(request, "chat/setup.html", context, status=status)


def _error(request, status: HTTPStatus, message: str):
    if request.path.startswith("/api/"):
        code = status.phrase.lower().replace(" ", "_")
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "chat/error.html", {"message": message}, status=status)


def not_found(request, exception=None):
    return _error(request, HTTPStatus.NOT_FOUND, "Not found.")


def server_error(request):
    return _error(request, HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side.")


def csrf_failure(request, reason=""):
    return _error(
        request,
        HTTPStatus.FORBIDDEN,
        "The form expired or came from another site. Reload and retry.",
    )
