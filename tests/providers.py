"""A provider whose replies a test scripts, for service tests that need a specific answer.

It implements the same protocol as the real providers; the OpenAI provider itself is tested
over real HTTP in tests/llm.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from chat.llm.base import Chunk, ProviderError, Reply, Tool, Turn


class ScriptedProvider:
    name = "scripted"
    model = "scripted-1"

    def __init__(self, *replies: str | ProviderError, fail_after_chunks: int | None = None):
        self.replies = list(replies)
        self.calls: list[list[Turn]] = []
        self.fail_after_chunks = fail_after_chunks

    def _next(self, turns: Sequence[Turn]) -> str:
        self.calls.append(list(turns))
        reply = self.replies.pop(0) if self.replies else "OK."
        if isinstance(reply, ProviderError):
            raise reply
        return reply

    def complete(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Reply:
        text = self._next(turns)
        return Reply(text, self.name, self.model, prompt_tokens=11, completion_tokens=7)

    def stream(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Iterator[Chunk]:
        text = self._next(turns)
        words = text.split(" ")
        for index, word in enumerate(words):
            if self.fail_after_chunks is not None and index == self.fail_after_chunks:
                raise ProviderError()
            yield Chunk(text=word if index == len(words) - 1 else word + " ")
        yield Chunk(reply=Reply(text, self.name, self.model, prompt_tokens=11, completion_tokens=7))
