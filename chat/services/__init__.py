"""Use cases that write. Pages, API views and admin actions all come through here; nothing else
writes to the database."""

from chat.services.conversations import (
    conversation_delete,
    conversation_start,
    conversation_update,
    conversations_claim,
    feedback_set,
    title_from,
    vehicle_profile,
)
from chat.services.turns import (
    TextDelta,
    ToolUsed,
    TurnFailed,
    TurnFinished,
    TurnResult,
    TurnStream,
    conversation_regenerate,
    conversation_reply,
    conversation_reply_stream,
)

__all__ = [
    "TextDelta",
    "ToolUsed",
    "TurnFailed",
    "TurnFinished",
    "TurnResult",
    "TurnStream",
    "conversation_delete",
    "conversation_regenerate",
    "conversation_reply",
    "conversation_reply_stream",
    "conversation_start",
    "conversation_update",
    "conversations_claim",
    "feedback_set",
    "title_from",
    "vehicle_profile",
]
