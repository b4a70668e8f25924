"""Domain errors that carry their HTTP meaning.

Services and providers raise these; one DRF exception handler (``chat.api.exceptions``) turns
them into JSON responses, and the page views show their ``message``. No Django imports here, so
``chat.llm`` and ``chat.knowledge`` can use them too.
"""

from __future__ import annotations

from http import HTTPStatus


def error_body(code: str, message: str, **extra) -> dict:
    """The JSON body of every API error: ``{"error": {"code", "message", ...}, "detail"}``."""
    return {"error": {"code": code, "message": message, **extra}, "detail": message}


class ChatError(Exception):
    """Base for every error a user may see. ``message`` is safe to show as-is."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    code: str = "chat_error"
    message: str = "The request could not be completed."
    # Set by a chat turn that failed after the question was stored, so the client can retry it.
    conversation_id = None
    message_id = None

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        if message:
            self.message = message
        self.retry_after = retry_after
        super().__init__(self.message)


class ConversationNotFound(ChatError):
    status = HTTPStatus.NOT_FOUND
    code = "conversation_not_found"
    message = "No such conversation."


class MessageNotFound(ChatError):
    status = HTTPStatus.NOT_FOUND
    code = "message_not_found"
    message = "No such message."


class NothingToRegenerate(ChatError):
    status = HTTPStatus.CONFLICT
    code = "nothing_to_regenerate"
    message = "This conversation has no question to answer again yet."


class InvalidLookup(ChatError):
    """A trouble code or VIN that is not well-formed."""

    status = HTTPStatus.BAD_REQUEST
    code = "invalid_lookup"


class InvalidMessage(ChatError):
    status = HTTPStatus.BAD_REQUEST
    code = "invalid_message"
    message = "The message is empty or too long."


class ConversationFull(ChatError):
    status = HTTPStatus.CONFLICT
    code = "conversation_full"
    message = "This conversation has reached its length limit. Start a new conversation."
