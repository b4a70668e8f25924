"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio) via the openai SDK.

Every SDK or transport failure leaves this module as one of the ``ProviderError`` classes, chained
to the original. The API key never appears in an error message or a log line: errors are logged
by class and HTTP status only, and the key is scrubbed from the chained SDK exception too (OpenAI
echoes part of a wrong key back in its 401 body).

Tool calls run in a bounded loop: at most ``max_tool_rounds`` requests per turn, the last one with
``tool_choice="none"`` so the model has to answer in text.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai

from chat.llm.base import (
    Chunk,
    ProviderAuthError,
    ProviderBadResponse,
    ProviderContextTooLong,
    ProviderError,
    ProviderMisconfigured,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
    Reply,
    Tool,
    ToolCall,
    Turn,
)

logger = logging.getLogger(__name__)

# Local servers ignore the key, but the SDK refuses to build a client without one.
PLACEHOLDER_API_KEY = "no-key-needed"

_CONTEXT_TOO_LONG = re.compile(
    r"context[ _](length|size|window)|maximum context|too many tokens|prompt is too long",
    re.IGNORECASE,
)
# Sent to the model, not to the user: enough to correct itself, bounded so a huge traceback
# message cannot flood the context.
_TOOL_ERROR_LIMIT = 300
_PLAIN_JSON = ("messages", "tools")
_SDK_ERRORS = (openai.OpenAIError, httpx2.HTTPError, httpx2.StreamError, ValueError)


class OpenAIProvider:
    """Chat completions with function-calling tools, streaming or not."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout: float = 30.0,
        max_retries: int = 1,
        max_tool_rounds: int = 4,
        max_output_tokens: int | None = None,
    ) -> None:
        if max_tool_rounds < 1:
            raise ValueError("max_tool_rounds must be at least 1")
        if not api_key and not base_url:
            raise ProviderMisconfigured(
                "OPENAI_API_KEY is not set. Set it, or set OPENAI_BASE_URL to an "
                "OpenAI-compatible server that needs no key."
            )
        self.model = model
        self.max_tool_rounds = max_tool_rounds
        self.max_output_tokens = max_output_tokens
        self._api_key = api_key or ""
        # OpenAI rejects max_tokens for reasoning models; older compatible servers only know it.
        on_openai = not base_url or "api.openai.com" in base_url
        self._max_tokens_param = "max_completion_tokens" if on_openai else "max_tokens"
        try:
            self._client = openai.OpenAI(
                api_key=api_key or PLACEHOLDER_API_KEY,
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
            )
        except openai.OpenAIError as exc:
            self._scrub(exc)
            raise ProviderMisconfigured() from exc

    def __repr__(self) -> str:
        return f"OpenAIProvider(model={self.model!r}, base_url={str(self._client.base_url)!r})"

    def complete(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Reply:
        """One answer, running any tool calls the model makes before it answers in text.

        ``vehicle`` is not used: the caller puts the vehicle profile in the system prompt.
        """
        messages = _messages(turns)
        answer = _Answer(self.model)
        for last in _rounds(self.max_tool_rounds):
            params = self._params(messages, tools, last=last)
            try:
                response = self._create(params)
            except _SDK_ERRORS as exc:
                raise self._translate(exc) from exc
            step = _step_from_completion(response)
            answer.add(step)
            if not step.calls:
                return answer.reply()
            if last or not tools:
                return answer.reply_ignoring_tool_calls()
            _run_tools(step, tools, messages, answer)
        raise AssertionError("unreachable: the last round always returns")

    def stream(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Iterator[Chunk]:
        """Text as the model writes it, a chunk per tool call, then one chunk with the Reply.

        Failures surface while iterating. Closing the generator early closes the HTTP response,
        so the server stops generating (and billing) the rest.
        """
        messages = _messages(turns)
        answer = _Answer(self.model)
        for last in _rounds(self.max_tool_rounds):
            params = self._params(messages, tools, last=last)
            try:
                sdk_stream = self._create(
                    params, stream=True, stream_options={"include_usage": True}
                )
            except _SDK_ERRORS as exc:
                raise self._translate(exc) from exc
            step = _Step()
            try:
                for event in self._events(sdk_stream):
                    text = step.absorb_chunk(event)
                    if text:
                        if answer.text and not step.text_started:
                            text = "\n\n" + text
                        step.text_started = True
                        answer.text += text
                        yield Chunk(text=text)
            finally:
                sdk_stream.close()
            if step.finish_reason is None:
                logger.warning("OpenAI stream ended without a finish_reason (connection cut?)")
                raise ProviderBadResponse()
            answer.add(step, text_already_added=True)
            if not step.calls:
                yield Chunk(reply=answer.reply())
                return
            if last or not tools:
                yield Chunk(reply=answer.reply_ignoring_tool_calls())
                return
            for record in _run_tools(step, tools, messages, answer):
                yield Chunk(tool_call=record)

    def _create(self, params: dict[str, Any], **options: Any):
        # The SDK walks every argument against its typed schemas before sending: about 3 ms of CPU
        # per request for a turn's history and tool schemas (measured), on every turn. Messages
        # and tools are already plain JSON here, so they travel in extra_body, which it sends as
        # they are.
        light = {key: value for key, value in params.items() if key not in _PLAIN_JSON}
        heavy = {key: params[key] for key in _PLAIN_JSON if key in params}
        return self._client.chat.completions.create(
            **light, **options, messages=[], extra_body=heavy
        )

    def _params(
        self, messages: list[dict[str, Any]], tools: Sequence[Tool], *, last: bool
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model, "messages": list(messages)}
        if tools:
            params["tools"] = [_tool_schema(tool) for tool in tools]
            if last:
                params["tool_choice"] = "none"
        if self.max_output_tokens:
            params[self._max_tokens_param] = self.max_output_tokens
        return params

    def _events(self, sdk_stream: Iterable[Any]) -> Iterator[Any]:
        """The SDK stream's chunks, with read failures translated. The ``yield`` stays outside
        the ``try`` so a consumer closing the generator is not mistaken for a failure."""
        iterator = iter(sdk_stream)
        while True:
            try:
                event = next(iterator)
            except StopIteration:
                return
            except _SDK_ERRORS as exc:
                raise self._translate(exc, mid_stream=True) from exc
            yield event

    def _translate(self, exc: Exception, *, mid_stream: bool = False) -> ProviderError:
        """The project error for an SDK failure; logs one line without key or message text."""
        self._scrub(exc)
        error = _project_error(exc, model=self.model, mid_stream=mid_stream)
        logger.warning(
            "OpenAI request failed: %s (status %s) -> %s",
            type(exc).__name__,
            getattr(exc, "status_code", "-"),
            error.code,
        )
        return error

    def _scrub(self, exc: BaseException) -> None:
        if not self._api_key:
            return
        for error in (exc, exc.__cause__, exc.__context__):
            if error is None:
                continue
            error.args = tuple(_redact(arg, self._api_key) for arg in error.args)
            if isinstance(getattr(error, "message", None), str):
                error.message = _redact(error.message, self._api_key)
            if hasattr(error, "body"):
                error.body = _redact(error.body, self._api_key)


def _redact(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "[redacted]")
    if isinstance(value, dict):
        return {key: _redact(item, secret) for key, item in value.items()}
    return value


def _project_error(exc: Exception, *, model: str, mid_stream: bool) -> ProviderError:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout()
    if isinstance(exc, openai.APIConnectionError):
        return ProviderBadResponse() if mid_stream else ProviderUnavailable()
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return ProviderAuthError()
    if isinstance(exc, openai.RateLimitError):
        if exc.code == "insufficient_quota":
            return ProviderMisconfigured(
                "The model provider account has no quota left. Check its billing and plan."
            )
        return ProviderRateLimited(retry_after=_retry_after(exc.response.headers))
    if isinstance(exc, openai.BadRequestError) and _is_context_too_long(exc):
        return ProviderContextTooLong()
    if isinstance(exc, openai.NotFoundError):
        return ProviderMisconfigured(
            f"The model server does not know the model {model!r} (or OPENAI_BASE_URL is wrong)."
        )
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 413:
            return ProviderContextTooLong()
        if exc.status_code >= 500:
            return ProviderUnavailable()
        return ProviderError()
    # Error events inside a stream, unparseable JSON, transport errors while reading a body.
    return ProviderBadResponse()


def _is_context_too_long(exc: openai.APIStatusError) -> bool:
    body = exc.body if isinstance(exc.body, Mapping) else {}
    text = " ".join(str(part) for part in (exc.code, exc.type, body.get("message"), exc.message))
    return exc.code == "context_length_exceeded" or bool(_CONTEXT_TOO_LONG.search(text))


def _retry_after(headers: httpx2.Headers) -> int | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if (value := headers.get("retry-after-ms")) is not None:
        try:
            return max(0, math.ceil(float(value) / 1000))
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0, math.ceil(float(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, math.ceil(when.timestamp() - time.time()))


def _rounds(max_rounds: int) -> Iterator[bool]:
    """One item per request to the model: whether it is the last allowed."""
    for number in range(1, max_rounds + 1):
        yield number == max_rounds


def _messages(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    return [{"role": turn.role, "content": turn.content} for turn in turns]


def _tool_schema(tool: Tool) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": dict(tool.parameters),
        },
    }


def _tool_message(record: ToolCall) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": record.id, "content": record.result}


def _run_tools(
    step: _Step, tools: Sequence[Tool], messages: list[dict[str, Any]], answer: _Answer
) -> list[ToolCall]:
    """Run the step's tool calls; add the model's request and the results to ``messages``."""
    messages.append(step.assistant_message())
    records = [_run_tool(call, tools) for call in step.calls]
    messages.extend(_tool_message(record) for record in records)
    answer.tool_calls.extend(records)
    return records


def _run_tool(call: _PendingCall, tools: Sequence[Tool]) -> ToolCall:
    """Run one requested tool. Any problem becomes a JSON error the model can read and recover
    from; it never ends the turn."""
    tool = next((tool for tool in tools if tool.name == call.name), None)
    if tool is None:
        result: Any = {"error": f"Unknown tool {call.name!r}."}
    else:
        try:
            args = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError:
            args = None
        if not isinstance(args, dict):
            result = {"error": "The arguments were not a valid JSON object."}
        else:
            try:
                result = tool.run(args)
            except Exception as exc:  # noqa: BLE001 - a tool bug must not end the turn
                logger.warning("Tool %s failed: %s", call.name, type(exc).__name__)
                result = {"error": f"The tool failed: {str(exc)[:_TOOL_ERROR_LIMIT]}"}
    try:
        text = json.dumps(result, ensure_ascii=False, default=str)
    except ValueError:
        text = json.dumps({"error": "The tool returned a result that is not JSON."})
    return ToolCall(id=call.id, name=call.name, arguments=call.arguments, result=text)


@dataclass
class _PendingCall:
    id: str
    name: str
    arguments: str


@dataclass
class _Step:
    """One request's answer: its text, requested tool calls, finish reason, model and usage."""

    text: str = ""
    calls: list[_PendingCall] = field(default_factory=list)
    finish_reason: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    text_started: bool = False
    _partial_calls: dict[int, _PendingCall] = field(default_factory=dict)

    def absorb_chunk(self, chunk: Any) -> str:
        """Fold one streamed chunk in; returns its new visible text."""
        try:
            return self._absorb_chunk(chunk)
        except (AttributeError, TypeError, ValueError) as exc:
            logger.warning("OpenAI stream chunk malformed: %s", type(exc).__name__)
            raise ProviderBadResponse() from exc

    def _absorb_chunk(self, chunk: Any) -> str:
        if isinstance(chunk, str) or chunk is None:
            raise TypeError("stream chunk is not an object")
        self.model = getattr(chunk, "model", None) or self.model
        self._absorb_usage(getattr(chunk, "usage", None))
        choices = getattr(chunk, "choices", None) or []
        if not isinstance(choices, list):
            raise TypeError("choices is not a list")
        text = ""
        for choice in choices[:1]:
            delta = choice.delta
            if delta is not None:
                text = _text_of(delta)
                for piece in delta.tool_calls or []:
                    self._absorb_tool_call_delta(piece)
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        self.text += text
        self.calls = [self._partial_calls[i] for i in sorted(self._partial_calls)]
        return text

    def _absorb_tool_call_delta(self, piece: Any) -> None:
        # Arguments arrive in pieces keyed by index; some compatible servers omit the index and
        # send each call whole, so a new id without an index starts a new call.
        index = piece.index
        if index is None:
            if piece.id:
                known = (i for i, call in self._partial_calls.items() if call.id == piece.id)
                index = next(known, max(self._partial_calls, default=-1) + 1)
            else:
                index = max(self._partial_calls, default=0)
        call = self._partial_calls.setdefault(index, _PendingCall(id="", name="", arguments=""))
        if piece.id and not call.id:
            call.id = piece.id
        function = piece.function
        if function is not None:
            if function.name and not call.name:
                call.name = function.name
            call.arguments += _arguments_text(function.arguments)

    def _absorb_usage(self, usage: Any) -> None:
        if usage is None:
            return
        prompt, completion = usage.prompt_tokens, usage.completion_tokens
        if isinstance(prompt, int) and isinstance(completion, int):
            self.prompt_tokens, self.completion_tokens = prompt, completion

    def name_calls(self, step_number: int) -> None:
        for position, call in enumerate(self.calls):
            if not call.id:
                call.id = f"call_{step_number}_{position}"

    def assistant_message(self) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": self.text or None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in self.calls
            ],
        }


def _text_of(message: Any) -> str:
    text = message.content or getattr(message, "refusal", None) or ""
    if not isinstance(text, str):
        raise TypeError("content is not text")
    return text


def _arguments_text(arguments: Any) -> str:
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments)


def _step_from_completion(response: Any) -> _Step:
    try:
        step = _Step()
        choice = response.choices[0]
        step.model = response.model
        step.finish_reason = choice.finish_reason
        step.text = _text_of(choice.message)
        step._absorb_usage(response.usage)
        for call in choice.message.tool_calls or []:
            function = call.function
            step.calls.append(
                _PendingCall(
                    id=call.id or "",
                    name=function.name or "",
                    arguments=_arguments_text(function.arguments),
                )
            )
    except (AttributeError, TypeError, IndexError, KeyError) as exc:
        logger.warning("OpenAI response malformed: %s", type(exc).__name__)
        raise ProviderBadResponse() from exc
    return step


class _Answer:
    """A whole turn across tool rounds: text, tool calls, summed usage, last model and reason."""

    def __init__(self, configured_model: str) -> None:
        self.model = configured_model
        self.text = ""
        self.tool_calls: list[ToolCall] = []
        self.finish_reason: str | None = None
        self.prompt_tokens: int | None = 0
        self.completion_tokens: int | None = 0
        self.steps = 0

    def add(self, step: _Step, *, text_already_added: bool = False) -> None:
        self.steps += 1
        step.name_calls(self.steps)
        if not text_already_added and step.text:
            self.text += ("\n\n" if self.text else "") + step.text
        self.model = step.model or self.model
        self.finish_reason = step.finish_reason
        # A round without usage (some compatible servers) makes the total unknown, not smaller.
        if step.prompt_tokens is None or self.prompt_tokens is None:
            self.prompt_tokens = self.completion_tokens = None
        else:
            self.prompt_tokens += step.prompt_tokens
            self.completion_tokens = (self.completion_tokens or 0) + (step.completion_tokens or 0)

    def reply(self) -> Reply:
        if not self.text.strip():
            logger.warning("OpenAI answer was empty (finish_reason %s)", self.finish_reason)
            raise ProviderBadResponse("The model returned an empty answer. Please try again.")
        return Reply(
            text=self.text,
            provider=OpenAIProvider.name,
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            finish_reason=self.finish_reason,
            tool_calls=tuple(self.tool_calls),
        )

    def reply_ignoring_tool_calls(self) -> Reply:
        """The model asked for tools when no more may run: keep its text, if it wrote any."""
        if not self.text.strip():
            logger.warning("OpenAI model kept calling tools past the round limit")
            raise ProviderBadResponse(
                "The model kept looking things up without answering. Please try again."
            )
        return self.reply()
