"""Reads. Every lookup of a conversation goes through the owner filter."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet

from chat.errors import ConversationNotFound, MessageNotFound
from chat.llm.base import Turn
from chat.models import Conversation, Message
from chat.owners import Owner
from chat.prompts import VEHICLE_LABELS

# A rough, provider-independent token estimate: English text averages about four characters
# per token, which is close enough to keep a history inside a budget.
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


def conversations_for(*, owner: Owner, search: str = "") -> QuerySet[Conversation]:
    """The owner's conversations, most recently active first, with their message count."""
    qs = Conversation.objects.filter(owner.filter)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(id__in=Message.objects.filter(content__icontains=search).values("conversation_id"))
        )
    return qs.annotate(message_count=Count("messages")).order_by("-updated_at")


# How far back "recent vehicles" looks, and how many it offers.
RECENT_VEHICLE_CONVERSATIONS = 50
RECENT_VEHICLES = 4


def recent_vehicles(
    conversations: Iterable[Conversation], *, exclude: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The distinct vehicles of ``conversations`` (most recent first), to offer for reuse.

    A vehicle counts once however often it was saved; one with neither make, model nor VIN is
    too vague to offer. ``exclude`` (the vehicle already in use) is left out, and so is the
    mileage: the odometer has moved on since, and the maintenance advice depends on it.
    """
    seen = {_vehicle_key(exclude)} if exclude else set()
    vehicles = []
    for conversation in conversations:
        vehicle = {key: conversation.vehicle.get(key) for key in VEHICLE_LABELS if key != "mileage"}
        key = _vehicle_key(vehicle)
        if not any(key[1:]) or key in seen:
            continue
        seen.add(key)
        vehicles.append({k: v for k, v in vehicle.items() if v not in (None, "")})
        if len(vehicles) == RECENT_VEHICLES:
            break
    return vehicles


def recent_vehicles_for(*, owner: Owner) -> list[dict[str, Any]]:
    """The owner's recent distinct vehicles, from one query over their latest conversations."""
    conversations = (
        Conversation.objects.filter(owner.filter)
        .exclude(vehicle={})
        .only("vehicle")
        .order_by("-updated_at")[:RECENT_VEHICLE_CONVERSATIONS]
    )
    return recent_vehicles(conversations)


def _vehicle_key(vehicle: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """What makes two saved vehicles the same car: year, make, model and VIN, ignoring case."""
    return tuple(
        str(vehicle.get(key) or "").strip().casefold() for key in ("year", "make", "model", "vin")
    )


def conversation_for(*, owner: Owner, conversation_id: uuid.UUID | str) -> Conversation:
    """One of the owner's conversations; anyone else's (or a malformed id) is not found."""
    try:
        return Conversation.objects.get(owner.filter, pk=conversation_id)
    except (Conversation.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise ConversationNotFound() from exc


def messages_for(*, conversation: Conversation, newest_first: bool = False) -> QuerySet[Message]:
    return conversation.messages.order_by("-created_at" if newest_first else "created_at")


def message_for(*, owner: Owner, message_id: uuid.UUID | str) -> Message:
    try:
        return Message.objects.select_related("conversation").get(
            pk=message_id, conversation__in=Conversation.objects.filter(owner.filter)
        )
    except (Message.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise MessageNotFound() from exc


def history_window(*, conversation: Conversation, before: Message | None = None) -> list[Turn]:
    """The most recent user/assistant turns that fit the token budget, oldest first.

    One query with a fixed LIMIT, so a 5,000-message conversation costs the same as a short one.
    ``before`` excludes that message and anything newer (the question being answered).
    """
    qs = Message.objects.filter(
        conversation=conversation,
        role__in=[Message.Role.USER, Message.Role.ASSISTANT],
        status__in=[Message.Status.COMPLETE, Message.Status.CANCELLED],
    ).exclude(content="")
    if before is not None:
        qs = qs.filter(created_at__lt=before.created_at)
    rows = qs.order_by("-created_at").values_list("role", "content")[
        : settings.CHAT_HISTORY_MAX_MESSAGES
    ]
    budget = settings.CHAT_HISTORY_TOKEN_BUDGET
    window: list[Turn] = []
    for role, content in rows:
        budget -= estimate_tokens(content)
        if budget < 0:
            break
        window.append(Turn(role=role, content=content))
    window.reverse()
    return window


def database_ok() -> bool:
    """A cheap round trip to the database, for the status endpoint."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable", which is the answer
        return False


def conversation_markdown(*, conversation: Conversation) -> str:
    """The conversation as a Markdown repair summary, to download or hand to a mechanic."""
    lines = [f"# {conversation.title or 'Car repair conversation'}", ""]
    vehicle = [
        f"- **{label}:** {conversation.vehicle[key]}"
        for key, label in VEHICLE_LABELS.items()
        if conversation.vehicle.get(key) not in (None, "")
    ]
    if vehicle:
        lines += ["## Vehicle", "", *vehicle, ""]
    lines += [f"_Started {conversation.created_at:%Y-%m-%d %H:%M} UTC_", ""]
    speakers = {Message.Role.USER: "You", Message.Role.ASSISTANT: "AgentCarRepair"}
    for message in messages_for(conversation=conversation).exclude(role=Message.Role.TOOL):
        stamp = f"{message.created_at:%Y-%m-%d %H:%M}"
        lines.append(f"## {speakers[message.role]} — {stamp}")
        lines.append("")
        if message.status == Message.Status.ERROR:
            lines.append(f"_(No answer: {message.error_code or 'error'})_")
        else:
            lines.append(message.content)
            if message.status == Message.Status.CANCELLED:
                lines.append("")
                lines.append("_(Answer stopped before it finished.)_")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
