"""The small interface every model provider implements.

A provider turns a list of ``Turn``s into a ``Reply`` (``complete``) or into a stream of
``Chunk``s whose last item carries the ``Reply`` (``stream``). ``turns`` start with the system
prompt and end with the user's new message; ``vehicle`` is the conversation's vehicle profile
(a model sees it in the system prompt, the offline mechanic reads it directly). Tools are plain
Python callables described by a JSON schema; a provider that supports function calling runs them
in a bounded loop and reports every call in ``Reply.tool_calls``. Failures are always one of the
``ProviderError`` classes below, never an SDK exception, so services and views deal with one
family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol, runtime_checkable

from chat.errors import ChatError


@dataclass(frozen=True)
class Turn:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Tool:
    """A function a model may call. ``run`` receives the decoded arguments and returns
    something JSON-serialisable."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    run: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class ToolCall:
    """One tool call made during a turn: what the model asked and what it was told."""

    id: str
    name: str
    arguments: str  # JSON text as sent by the model
    result: str  # JSON text sent back to the model


@dataclass(frozen=True)
class Reply:
    text: str
    provider: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    tool_calls: tuple[ToolCall, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed answer. ``text`` is new visible text; ``tool_call`` reports a tool
    that has just run; the last chunk of a successful stream carries ``reply``."""

    text: str = ""
    tool_call: ToolCall | None = None
    reply: Reply | None = None


@runtime_checkable
class Provider(Protocol):
    name: str
    model: str

    def complete(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Reply: ...

    def stream(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Iterator[Chunk]: ...


class ProviderError(ChatError):
    """The model could not answer. The user's message is kept; the turn can be retried."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "provider_error"
    message = "The assistant could not answer just now. Your message is saved; please try again."


class ProviderUnavailable(ProviderError):
    code = "provider_unavailable"
    message = (
        "The model server could not be reached or failed. Your message is saved; try again shortly."
    )


class ProviderTimeout(ProviderError):
    code = "provider_timeout"
    message = "The model took too long to answer. Your message is saved; please try again."


class ProviderRateLimited(ProviderError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "provider_rate_limited"
    message = "The model provider is rate limiting requests. Wait a little and try again."


class ProviderAuthError(ProviderError):
    code = "provider_auth"
    message = "The model provider rejected the API key. Check OPENAI_API_KEY."


class ProviderBadResponse(ProviderError):
    status = HTTPStatus.BAD_GATEWAY
    code = "provider_bad_response"
    message = (
        "The model's answer was cut off or malformed. Your message is saved; please try again."
    )


class ProviderContextTooLong(ProviderError):
    status = HTTPStatus.BAD_REQUEST
    code = "context_too_long"
    message = "The message is too long for the model. Shorten it or start a new conversation."


class ProviderMisconfigured(ProviderError):
    code = "provider_misconfigured"
    message = "The model provider is not configured correctly. See the setup help page."


def provider_error_message(code: str) -> str:
    """The user-facing message of the ProviderError with this ``code`` (for stored failures)."""
    pending = [ProviderError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls.message
        pending.extend(cls.__subclasses__())
    return ProviderError.message
