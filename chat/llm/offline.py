"""The embedded mechanic as a provider: answers from the shipped knowledge, no network."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from chat.knowledge import mechanic
from chat.llm.base import Chunk, Reply, Tool, Turn

# Words and the whitespace after them, so a streamed answer arrives word by word and joins back
# into exactly the composed text.
_PIECES = re.compile(r"\S+\s*|\s+")


class OfflineProvider:
    name = "offline"
    model = "embedded-mechanic"

    def complete(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Reply:
        return Reply(text=self._answer(turns, vehicle), provider=self.name, model=self.model)

    def stream(
        self,
        turns: Sequence[Turn],
        *,
        tools: Sequence[Tool] = (),
        vehicle: Mapping[str, Any] | None = None,
    ) -> Iterator[Chunk]:
        text = self._answer(turns, vehicle)
        for piece in _PIECES.findall(text):
            yield Chunk(text=piece)
        yield Chunk(reply=Reply(text=text, provider=self.name, model=self.model))

    @staticmethod
    def _answer(turns: Sequence[Turn], vehicle: Mapping[str, Any] | None) -> str:
        dialogue = [(t.role, t.content) for t in turns if t.role in ("user", "assistant")]
        if not dialogue:
            return mechanic.answer("", vehicle=vehicle)
        *history, (_, message) = dialogue
        return mechanic.answer(message, history=history, vehicle=vehicle)
