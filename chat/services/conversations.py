"""Use cases that write conversations: start, rename, set the vehicle, delete, claim, rate."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chat.knowledge import InvalidVin, decode_vin
from chat.models import Conversation, Feedback
from chat.owners import Owner
from chat.selectors import conversation_for, message_for

TITLE_LENGTH = 60


def title_from(text: str) -> str:
    """A conversation title from its first question: one line, cut at a word."""
    words = " ".join(text.split())
    if len(words) <= TITLE_LENGTH:
        return words
    return words[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def conversation_start(
    *, owner: Owner, title: str = "", vehicle: Mapping[str, Any] | None = None
) -> Conversation:
    return Conversation.objects.create(
        **owner.fields(), title=title.strip()[:120], vehicle=vehicle_profile(vehicle or {})
    )


def conversation_update(
    *,
    owner: Owner,
    conversation_id: uuid.UUID | str,
    title: str | None = None,
    vehicle: Mapping[str, Any] | None = None,
) -> Conversation:
    """Rename a conversation and/or replace its vehicle profile."""
    conversation = conversation_for(owner=owner, conversation_id=conversation_id)
    if title is not None:
        conversation.title = title.strip()[:120]
    if vehicle is not None:
        conversation.vehicle = vehicle_profile(vehicle)
    conversation.save(update_fields=["title", "vehicle", "updated_at"])
    return conversation


def vehicle_profile(vehicle: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as stored: empty fields dropped, and what the VIN says filled in where the
    owner left it blank (make, and the newest model year the VIN allows)."""
    profile = {key: value for key, value in vehicle.items() if value not in (None, "")}
    if "vin" in profile:
        try:
            info = decode_vin(profile["vin"])
        except InvalidVin:
            return profile
        if "make" not in profile and not info.manufacturer.startswith("Unknown"):
            profile["make"] = info.manufacturer
        if "year" not in profile and info.model_years:
            profile["year"] = info.model_years[0]
    return profile


def conversations_claim(*, token: str, user_id: int) -> int:
    """Give an anonymous session's conversations to the account it just logged in to."""
    return Conversation.objects.filter(user__isnull=True, owner_token=token).update(
        user_id=user_id, owner_token=""
    )


def conversation_delete(*, owner: Owner, conversation_id: uuid.UUID | str) -> None:
    conversation_for(owner=owner, conversation_id=conversation_id).delete()


def feedback_set(
    *, owner: Owner, message_id: uuid.UUID | str, rating: int, comment: str = ""
) -> tuple[Feedback, bool]:
    """Rate an answer. One rating per answer: a second call replaces the first (a thumbs-up
    first, a comment later). Returns the feedback and whether it is new."""
    message = message_for(owner=owner, message_id=message_id)
    return Feedback.objects.update_or_create(
        message=message, defaults={"rating": rating, "comment": comment.strip()}
    )
