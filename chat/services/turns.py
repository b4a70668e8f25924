"""Chat turns: a question in, an answer (or a recorded failure) out.

One chat turn (see DESIGN.md): a short transaction stores the question; the provider is called
outside any transaction; a second short transaction stores the answer, or the failure. The
user's words are committed before the model is asked anything, so nothing is lost when it fails.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape, linebreaks

from chat.errors import ConversationFull, InvalidMessage, NothingToRegenerate
from chat.knowledge import triage
from chat.knowledge.safety import LEVELS
from chat.llm import get_provider
from chat.llm.base import Provider, ProviderError, Reply, ToolCall, Turn
from chat.llm.tools import knowledge_tools
from chat.models import Conversation, Message
from chat.owners import Owner
from chat.prompts import SYSTEM_PROMPT, vehicle_context
from chat.rendering import render_markdown
from chat.selectors import conversation_for, history_window
from chat.services.conversations import title_from

logger = logging.getLogger("chat.turn")


@dataclass(frozen=True)
class TurnResult:
    conversation: Conversation
    question: Message
    answer: Message
    tool_messages: list[Message] = field(default_factory=list)


# Events of a streamed turn, in order: TextDelta and ToolUsed any number of times, then exactly
# one TurnFinished or TurnFailed (none if the client goes away: the partial answer is kept).
@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolUsed:
    call: ToolCall


@dataclass(frozen=True)
class TurnFinished:
    answer: Message


@dataclass(frozen=True)
class TurnFailed:
    error: ProviderError
    answer: Message


@dataclass
class TurnStream:
    conversation: Conversation
    question: Message
    events: Iterator[TextDelta | ToolUsed | TurnFinished | TurnFailed]
    answer_id: uuid.UUID  # where the answer will be stored, whatever the outcome


def conversation_reply(
    *,
    owner: Owner,
    text: str,
    conversation_id: uuid.UUID | str | None = None,
    provider: Provider | None = None,
) -> TurnResult:
    """Store the question, ask the provider, store the answer. Raises ProviderError (with the
    failure recorded) when the model cannot answer."""
    conversation, question = _record_question(owner, conversation_id, text)
    return _answer(conversation, question, provider)


def conversation_reply_stream(
    *,
    owner: Owner,
    text: str,
    conversation_id: uuid.UUID | str | None = None,
    provider: Provider | None = None,
) -> TurnStream:
    """Store the question now; the returned stream asks the provider as it is iterated."""
    conversation, question = _record_question(owner, conversation_id, text)
    return _streamed_turn(conversation, question, provider)


def conversation_regenerate(
    *,
    owner: Owner,
    conversation_id: uuid.UUID | str,
    text: str | None = None,
    provider: Provider | None = None,
    stream: bool = False,
) -> TurnResult | TurnStream:
    """Answer the last question again, replacing the answer (or failure) that followed it.

    With ``text``, the last question is first edited to say that ("edit and resend").
    """
    if text is not None:
        text = _clean_question(text)
    conversation = conversation_for(owner=owner, conversation_id=conversation_id)
    question = conversation.messages.filter(role=Message.Role.USER).order_by("-created_at").first()
    if question is None:
        raise NothingToRegenerate()
    with transaction.atomic():
        conversation.messages.filter(created_at__gt=question.created_at).delete()
        if text is not None and text != question.content:
            question.content = text
            question.html = linebreaks(escape(text))
            question.safety = triage(text).level
            question.save(update_fields=["content", "html", "safety"])
    if stream:
        return _streamed_turn(conversation, question, provider)
    return _answer(conversation, question, provider)


def _clean_question(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidMessage("The message is empty.")
    if len(text) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            f"The message is longer than {settings.CHAT_MAX_MESSAGE_CHARS} characters."
        )
    return text


def _record_question(
    owner: Owner, conversation_id: uuid.UUID | str | None, text: str
) -> tuple[Conversation, Message]:
    text = _clean_question(text)
    safety = triage(text).level
    with transaction.atomic():
        if conversation_id is None:
            conversation = Conversation.objects.create(
                **owner.fields(), title=title_from(text), question_count=1
            )
        else:
            conversation = conversation_for(owner=owner, conversation_id=conversation_id)
            _check_room_for_a_turn(conversation)
            conversation.title = conversation.title or title_from(text)
            count = conversation.question_count
            conversation.question_count = F("question_count") + 1  # atomic in the database
            conversation.save(update_fields=["title", "question_count", "updated_at"])
            conversation.question_count = count + 1
        question = Message.objects.create(
            conversation=conversation,
            role=Message.Role.USER,
            content=text,
            html=linebreaks(escape(text)),
            safety=safety,
        )
    return conversation, question


def _check_room_for_a_turn(conversation: Conversation) -> None:
    limit = settings.CHAT_MAX_TURNS_PER_CONVERSATION
    if limit and conversation.question_count >= limit:
        raise ConversationFull(
            f"This conversation has reached {limit} questions. Start a new conversation "
            "(the vehicle profile can be set again there)."
        )


def _context(conversation: Conversation, question: Message) -> list[Turn]:
    system = SYSTEM_PROMPT
    vehicle = vehicle_context(conversation.vehicle)
    if vehicle:
        system = f"{system}\n{vehicle}"
    history = history_window(conversation=conversation, before=question)
    return [Turn("system", system), *history, Turn("user", question.content)]


@dataclass
class _Turn:
    """One attempt at answering a question; ``answer_id`` is known before the answer exists, so
    a client can be told where its answer will be stored."""

    conversation: Conversation
    question: Message
    provider: Provider | None = None
    answer_id: uuid.UUID = field(default_factory=uuid.uuid4)
    started: float = field(default_factory=time.monotonic)

    def ask(self, provider: Provider | None, *, stream: bool):
        self.provider = provider or get_provider()
        turns = _context(self.conversation, self.question)
        _release_database_connection()
        call = self.provider.stream if stream else self.provider.complete
        return call(
            turns,
            tools=knowledge_tools(self.conversation.vehicle),
            vehicle=self.conversation.vehicle,
        )


def _release_database_connection() -> None:
    """Give the connection back while the model thinks (seconds). A PostgreSQL connection is a
    server process, and 200 streams each holding one idle would exhaust max_connections; with
    the pool it is reused by another request meanwhile. SQLite connections are only open files,
    and closing the last one forces a WAL checkpoint, so they stay."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        connection.close()


def _answer(conversation: Conversation, question: Message, provider: Provider | None) -> TurnResult:
    turn = _Turn(conversation, question)
    try:
        reply = turn.ask(provider, stream=False)
    except ProviderError as exc:
        _record_unfinished(turn, Message.Status.ERROR, "", error=exc)
        raise
    answer, tool_messages = _record_reply(turn, reply)
    return TurnResult(conversation, question, answer, tool_messages)


def _streamed_turn(
    conversation: Conversation, question: Message, provider: Provider | None
) -> TurnStream:
    turn = _Turn(conversation, question)
    return TurnStream(conversation, question, _stream_answer(turn, provider), turn.answer_id)


def _stream_answer(
    turn: _Turn, provider: Provider | None
) -> Iterator[TextDelta | ToolUsed | TurnFinished | TurnFailed]:
    parts: list[str] = []
    reply: Reply | None = None
    try:
        chunks = turn.ask(provider, stream=True)
        with closing(chunks):
            for chunk in chunks:
                if chunk.text:
                    parts.append(chunk.text)
                    yield TextDelta(chunk.text)
                if chunk.tool_call:
                    yield ToolUsed(chunk.tool_call)
                if chunk.reply:
                    reply = chunk.reply
        if reply is None:
            raise ProviderError("The model's answer ended without finishing.")
    except ProviderError as exc:
        answer = _record_unfinished(turn, Message.Status.ERROR, "".join(parts), error=exc)
        yield TurnFailed(exc, answer)
        return
    except GeneratorExit:
        # The client went away or pressed Stop: keep what was already said, marked as cut short.
        _record_unfinished(turn, Message.Status.CANCELLED, "".join(parts))
        raise
    answer, _ = _record_reply(turn, reply)
    yield TurnFinished(answer)


def _safety(question: Message, text: str) -> str:
    reply_level = triage(text, reply=True).level if text else Message.Safety.OK
    return max(question.safety, reply_level, key=LEVELS.index)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _record_reply(turn: _Turn, reply: Reply) -> tuple[Message, list[Message]]:
    conversation = turn.conversation
    html = render_markdown(reply.text)
    tool_messages = [
        Message(
            conversation=conversation,
            role=Message.Role.TOOL,
            content=call.result,
            tool_name=call.name,
            tool_arguments=call.arguments,
            provider=reply.provider,
            model=reply.model,
        )
        for call in reply.tool_calls
    ]
    answer = Message(
        id=turn.answer_id,
        created_at=timezone.now(),  # replaced on save; set for an answer never saved
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content=reply.text,
        html=html,
        safety=_safety(turn.question, reply.text),
        provider=reply.provider,
        model=reply.model,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        latency_ms=_elapsed_ms(turn.started),
    )
    try:
        with transaction.atomic():
            if not _touch(conversation):
                return answer, tool_messages  # deleted while the model was answering
            if tool_messages:
                Message.objects.bulk_create(tool_messages)
            answer.save(force_insert=True)
    except IntegrityError:  # deleted between the touch and the commit
        return answer, tool_messages
    _log_turn(conversation, answer, "complete")
    return answer, tool_messages


def _record_unfinished(
    turn: _Turn, status: str, partial: str, *, error: ProviderError | None = None
) -> Message:
    """Store a failed or stopped answer, with whatever text had arrived."""
    answer = Message(
        id=turn.answer_id,
        created_at=timezone.now(),  # replaced on save; set for an answer never saved
        conversation=turn.conversation,
        role=Message.Role.ASSISTANT,
        status=status,
        content=partial,
        html=render_markdown(partial) if partial else "",
        safety=_safety(turn.question, partial),
        provider=getattr(turn.provider, "name", ""),
        model=getattr(turn.provider, "model", ""),
        latency_ms=_elapsed_ms(turn.started),
        error_code=error.code if error else "",
    )
    if error is not None:
        error.conversation_id = turn.conversation.pk
        error.message_id = answer.pk
    try:
        with transaction.atomic():
            if not _touch(turn.conversation):
                return answer  # deleted while the model was answering
            if status == Message.Status.CANCELLED and _superseded(turn):
                return answer  # the question was answered again while this one streamed
            answer.save(force_insert=True)
    except IntegrityError:  # deleted between the touch and the commit
        return answer
    _log_turn(turn.conversation, answer, f"error:{error.code}" if error else status)
    return answer


def _touch(conversation: Conversation) -> bool:
    """Mark the conversation active; False when it no longer exists."""
    return bool(Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now()))


def _superseded(turn: _Turn) -> bool:
    question = Message.objects.filter(pk=turn.question.pk)
    newer = turn.conversation.messages.filter(
        role=Message.Role.ASSISTANT, created_at__gt=turn.question.created_at
    )
    return not question.exists() or newer.exists()


def _log_turn(conversation: Conversation, answer: Message, outcome: str) -> None:
    # One line per turn, without message text: safe to ship to any log store.
    logger.info(
        "chat_turn conversation=%s provider=%s model=%s latency_ms=%s prompt_tokens=%s "
        "completion_tokens=%s safety=%s outcome=%s",
        conversation.pk,
        answer.provider or "-",
        answer.model or "-",
        answer.latency_ms,
        answer.prompt_tokens,
        answer.completion_tokens,
        answer.safety,
        outcome,
    )
