"""Streamed chat replies: OpenAI-style chunks turned into text and reasoning deltas, and the
whole reply (with usage, counted by us when the endpoint sends none) once the stream ends.

Both clients feed it: the OpenAI-compatible one with the chunks of the server-sent events,
the embedded model with the chunks llama.cpp hands its callback, which have the same shape.
"""

from __future__ import annotations

import time
from typing import Any

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.reasoning import REASONING_FIELDS, split_reasoning
from easy_dataset.llm.tokens import estimate_messages, estimate_tokens
from easy_dataset.llm.types import (
    Completion,
    Message,
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    TextDelta,
)


class StreamAssembler:
    """Collects one streamed reply; `feed` each chunk, then `end` for the final event."""

    def __init__(
        self, messages: list[Message], model: str, started: float, *, model_from_chunks: bool = True
    ) -> None:
        self._messages = messages
        self._model = model
        self._model_from_chunks = model_from_chunks  # the name the endpoint says it served
        self._started = started  # time.perf_counter() when the request went out
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._usage: dict[str, Any] = {}
        self._finish: str | None = None
        self.first_token_ms: int | None = None

    @property
    def started_output(self) -> bool:
        """Whether any text or reasoning has come (a retry would then show it twice)."""
        return self.first_token_ms is not None

    def feed(self, chunk: Any) -> list[StreamEvent]:
        """The deltas in one chunk; ModelCallError when it is not a chat completion chunk."""
        if not isinstance(chunk, dict):
            raise ModelCallError(
                "http", f"the endpoint streamed something that is not a chunk: {chunk!r:.200}"
            )
        if self._model_from_chunks and isinstance(chunk.get("model"), str) and chunk["model"]:
            self._model = chunk["model"]
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = usage
        events: list[StreamEvent] = []
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            for name in REASONING_FIELDS:
                piece = delta.get(name)
                if isinstance(piece, str) and piece:
                    self._reasoning.append(piece)
                    events.append(ReasoningDelta(piece))
                    break
            piece = delta.get("content")
            if isinstance(piece, str) and piece:
                self._content.append(piece)
                events.append(TextDelta(piece))
            if choice.get("finish_reason"):
                self._finish = str(choice["finish_reason"])
        if events and self.first_token_ms is None:
            self.first_token_ms = _ms(self._started)
        return events

    def end(self) -> StreamEnd:
        """The final event: the reply as a Completion, its reasoning split off as `chat` does."""
        raw = "".join(self._content)
        text, tagged = split_reasoning(raw)
        streamed = "".join(self._reasoning).strip() or None
        reasoning = "\n\n".join(p for p in (streamed, tagged) if p) or None
        prompt = self._usage.get("prompt_tokens")
        completion = self._usage.get("completion_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            estimated = False
        else:  # no usage chunk (include_usage unsupported): count it ourselves
            estimated = True
            prompt = estimate_messages(self._messages)
            completion = estimate_tokens(raw) + estimate_tokens(streamed or "")
        return StreamEnd(
            completion=Completion(
                text=text,
                reasoning=reasoning,
                prompt_tokens=prompt,
                completion_tokens=completion,
                usage_estimated=estimated,
                finish_reason=self._finish,
                model=self._model,
                latency_ms=_ms(self._started),
                raw=raw,
            ),
            first_token_ms=self.first_token_ms,
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
